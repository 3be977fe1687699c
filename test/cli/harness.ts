/**
 * The harness of the command line's tests: main(argv, io) with fake streams, a fake environment,
 * a fake `fetch` that answers like the spec's first examples, and a fake mock server (the real
 * Prism is exercised by test/package/smoke.test.ts and `npm start`).
 */
import { vi } from 'vitest';
import type { InputStream } from '../../src/cli/input.js';
import { type CliIO, main } from '../../src/cli/main.js';

export const KEY = 'sk-cli-secret-0123456789';
export const BASE = 'https://models.example.test';
export const MOCK = 'http://127.0.0.1:4999';
export const ANSWER = 'Hello! How can I help you today?';
export const DEFAULT_MODEL = '669a63646eb56306647e1091';

interface Sent {
  method: string;
  url: string;
  headers: Headers;
  body: Record<string, unknown> | undefined;
}

interface ApiOptions {
  /** The answer of a synchronous run. @default finished */
  run?: () => Response;
  /** The answers of the poll URL, in order (the last repeats). @default [done] */
  polls?: Array<() => Response>;
  /** The body of a streamed run. @default three tokens and [DONE] */
  sse?: string[];
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

export const finished = () =>
  json({ completed: true, status: 'SUCCESS', data: ANSWER, usedCredits: 0.0002, runTime: 1.5 });
export const done = () => json({ completed: true, status: 'SUCCESS', data: ANSWER, runTime: 2.1 });
// A 1 ms hint keeps the poll loop from pausing 500 ms between answers.
export const running = () =>
  json({ completed: false, status: 'IN_PROGRESS' }, 200, { 'retry-after-ms': '1' });
export const TOKENS = [
  'data: {"data":"Hel"}\n\n',
  'data: {"data":"lo"}\n\n',
  'data: {"data":" world"}\n\n',
];

/** A fake aiXplain API on any origin: run, async run, poll and stream, recording each request. */
export function fakeApi(options: ApiOptions = {}) {
  const sent: Sent[] = [];
  let polls = 0;
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const text = request.method === 'GET' ? '' : await request.text();
    sent.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: text === '' ? undefined : JSON.parse(text),
    });
    const url = new URL(request.url);
    if (request.method === 'GET' && url.pathname.startsWith('/api/v1/data/')) {
      const answers = options.polls ?? [done];
      const answer = answers[Math.min(polls++, answers.length - 1)] ?? done;
      return answer();
    }
    if (url.pathname.startsWith('/api/v1/execute/')) {
      return json(
        { completed: false, data: `${url.origin}/api/v1/data/run-1`, requestId: 'run-1' },
        201,
      );
    }
    if (request.headers.get('accept')?.includes('text/event-stream')) {
      const events = options.sse ?? [...TOKENS, 'data: [DONE]\n\n'];
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          for (const event of events) controller.enqueue(encoder.encode(event));
          controller.close();
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    }
    return (options.run ?? finished)();
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, sent };
}

/** A stream that records what is written to it. */
export function sink(isTTY = false) {
  const writes: string[] = [];
  return {
    writes,
    isTTY,
    write(text: string) {
      writes.push(text);
      return true;
    },
    get text() {
      return writes.join('');
    },
  };
}

/** A fake `startMock` that records its starts and stops. */
export function fakeMock() {
  const calls = { started: 0, closed: 0, options: [] as unknown[] };
  const startMock = vi.fn(async (options?: { port?: number }) => {
    calls.started += 1;
    calls.options.push(options);
    return {
      url: MOCK,
      close: async () => {
        calls.closed += 1;
      },
    };
  });
  return { startMock, calls };
}

/** Runs main() with fakes; `env` defaults to a key and the fake service's base URL. */
export async function cli(
  argv: string[],
  options: {
    api?: ReturnType<typeof fakeApi>;
    env?: Record<string, string | undefined>;
    tty?: { stdout?: boolean; stderr?: boolean };
    mock?: ReturnType<typeof fakeMock>;
    signal?: AbortSignal;
    /** What `run` may read as its input. @default none, as when TEXT is required */
    stdin?: InputStream;
  } = {},
) {
  const api = options.api ?? fakeApi();
  const mock = options.mock ?? fakeMock();
  const stdout = sink(options.tty?.stdout);
  const stderr = sink(options.tty?.stderr);
  const io: CliIO = {
    stdout,
    stderr,
    env: options.env ?? { AIXPLAIN_API_KEY: KEY, AIXPLAIN_BASE_URL: BASE },
    fetch: api.fetch,
    startMock: mock.startMock,
    signal: options.signal,
    stdin: options.stdin,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, sent: api.sent, mock: mock.calls };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
export const ANSI = /\x1b\[/;

/** A stdin that yields `chunks` (text or bytes) and ends; `isTTY` as a terminal would say. */
export function stdinOf(chunks: Array<string | Uint8Array>, isTTY = false): InputStream {
  return {
    isTTY,
    async *[Symbol.asyncIterator]() {
      yield* chunks;
    },
  };
}

/** A stdin that never sends a byte nor ends (a terminal nobody types into). */
export function silentStdin(isTTY = false): InputStream & { returned: () => boolean } {
  let returned = false;
  return {
    isTTY,
    returned: () => returned,
    [Symbol.asyncIterator]() {
      return {
        next: () => new Promise<IteratorResult<string>>(() => {}),
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
}
