/**
 * The `aixplain-llm` command, through main(argv, io) with fake streams, a fake environment, a
 * fake `fetch` that answers like the spec's first examples, and a fake mock server (the real
 * Prism is exercised by test/package/smoke.test.ts and `npm start`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test, vi } from 'vitest';
import { type CliIO, main } from '../src/cli/main.js';
import { VERSION } from '../src/version.js';

const KEY = 'sk-cli-secret-0123456789';
const BASE = 'https://models.example.test';
const MOCK = 'http://127.0.0.1:4999';
const ANSWER = 'Hello! How can I help you today?';
const DEFAULT_MODEL = '669a63646eb56306647e1091';

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

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

const finished = () =>
  json({ completed: true, status: 'SUCCESS', data: ANSWER, usedCredits: 0.0002, runTime: 1.5 });
const done = () => json({ completed: true, status: 'SUCCESS', data: ANSWER, runTime: 2.1 });
// A 1 ms hint keeps the poll loop from pausing 500 ms between answers.
const running = () =>
  json({ completed: false, status: 'IN_PROGRESS' }, 200, { 'retry-after-ms': '1' });
const TOKENS = [
  'data: {"data":"Hel"}\n\n',
  'data: {"data":"lo"}\n\n',
  'data: {"data":" world"}\n\n',
];

/** A fake aiXplain API on any origin: run, async run, poll and stream, recording each request. */
function fakeApi(options: ApiOptions = {}) {
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
function sink(isTTY = false) {
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
function fakeMock() {
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
async function cli(
  argv: string[],
  options: {
    api?: ReturnType<typeof fakeApi>;
    env?: Record<string, string | undefined>;
    tty?: { stdout?: boolean; stderr?: boolean };
    mock?: ReturnType<typeof fakeMock>;
    signal?: AbortSignal;
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
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, sent: api.sent, mock: mock.calls };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching ANSI escapes is the point
const ANSI = /\x1b\[/;

describe('aixplain-llm run', () => {
  test('prints the answer on stdout and exits 0 on SUCCESS', async () => {
    const { code, stdout, stderr } = await cli(['run', 'Hello']);
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(stderr.text).toBe('');
  });

  test('sends --model, --context, --temperature and --max-tokens to the model', async () => {
    const { sent } = await cli([
      'run',
      '--model',
      'my-model',
      '--context',
      'Be terse.',
      '--temperature',
      '0.5',
      '--max-tokens',
      '32',
      'Hello',
      'there',
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(`${BASE}/api/v2/execute/my-model`);
    expect(sent[0]?.body).toMatchObject({
      data: 'Hello there',
      context: 'Be terse.',
      temperature: 0.5,
      max_tokens: 32,
    });
  });

  test.each([
    ['AIXPLAIN_MODEL_ID', { AIXPLAIN_MODEL_ID: 'env-model' }, 'env-model'],
    ['the default GPT-4o mini id', {}, DEFAULT_MODEL],
    ['the default id when AIXPLAIN_MODEL_ID is empty', { AIXPLAIN_MODEL_ID: '' }, DEFAULT_MODEL],
  ])('uses %s without --model', async (_name, env, model) => {
    const { sent } = await cli(['run', 'Hi'], {
      env: { AIXPLAIN_API_KEY: KEY, AIXPLAIN_BASE_URL: BASE, ...env },
    });
    expect(sent[0]?.url).toBe(`${BASE}/api/v2/execute/${model}`);
  });

  test.each([
    ['AIXPLAIN_API_KEY', { AIXPLAIN_API_KEY: KEY, TEAM_API_KEY: 'team-key-000000' }, KEY],
    [
      'TEAM_API_KEY when AIXPLAIN_API_KEY is unset',
      { TEAM_API_KEY: 'team-key-000000' },
      'team-key-000000',
    ],
    [
      'TEAM_API_KEY when AIXPLAIN_API_KEY is empty',
      { AIXPLAIN_API_KEY: '', TEAM_API_KEY: 'team-key-000000' },
      'team-key-000000',
    ],
  ])('sends the key of %s', async (_name, env, key) => {
    const { sent } = await cli(['run', 'Hi'], { env: { AIXPLAIN_BASE_URL: BASE, ...env } });
    expect(sent[0]?.headers.get('x-api-key')).toBe(key);
  });

  test('prints the whole ModelResponse as JSON with --json', async () => {
    const { code, stdout } = await cli(['run', '--json', 'Hello']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text)).toMatchObject({
      status: 'SUCCESS',
      data: ANSWER,
      completed: true,
      usedCredits: 0.0002,
      runTime: 1.5,
      errorMessage: '',
    });
  });

  test('prints each token as it arrives with --stream, then a newline', async () => {
    const { code, stdout, sent } = await cli(['run', '--stream', 'Hello']);
    expect(code).toBe(0);
    expect(stdout.writes).toEqual(['Hel', 'lo', ' world', '\n']);
    expect(sent[0]?.headers.get('accept')).toContain('text/event-stream');
  });

  test('prints one JSON line per chunk with --stream --json', async () => {
    const { code, stdout } = await cli(['run', '-s', '--json', 'Hello']);
    expect(code).toBe(0);
    const lines = stdout.text.trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line).data)).toEqual(['Hel', 'lo', ' world']);
  });

  test('exits 1 and prints the errorMessage on stderr when the run FAILED', async () => {
    const api = fakeApi({
      run: () =>
        json({ completed: true, status: 'FAILED', error_message: 'The model could not answer.' }),
    });
    const { code, stdout, stderr } = await cli(['run', 'Hello'], { api });
    expect(code).toBe(1);
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('aixplain-llm: FAILED: The model could not answer.\n');
  });

  test('exits 1 with the error on stderr when the service answers 401', async () => {
    const api = fakeApi({ run: () => json({ error: 'bad key' }, 401) });
    const { code, stderr } = await cli(['run', 'Hello'], { api });
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/^aixplain-llm: FAILED: Unauthorized API key/);
    expect(stderr.text.split('\n')).toHaveLength(2);
  });

  test('exits 1 when the stream ends before [DONE]', async () => {
    const api = fakeApi({ sse: TOKENS.slice(0, 2) });
    const { code, stdout, stderr } = await cli(['run', '--stream', 'Hello'], { api });
    expect(code).toBe(1);
    expect(stdout.text).toBe('Hello\n');
    expect(stderr.text).toMatch(/^aixplain-llm: FAILED: /);
  });

  test('never prints the API key, even when the service echoes it back', async () => {
    const api = fakeApi({
      run: () =>
        json({ completed: true, status: 'FAILED', error_message: `key ${KEY} is invalid` }),
    });
    const { code, stdout, stderr } = await cli(['run', '--json', 'Hello'], { api });
    expect(code).toBe(1);
    expect(stdout.text + stderr.text).not.toContain(KEY);
    expect(stderr.text).toContain('[redacted]');
  });

  test('polls a run that turned asynchronous and prints the final answer', async () => {
    const api = fakeApi({
      run: () => json({ status: 'IN_PROGRESS', data: `${BASE}/api/v1/data/run-1` }),
      polls: [running, done],
    });
    const { code, stdout, stderr } = await cli(['run', 'Hello'], { api });
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(stderr.text).toBe('');
    expect(api.sent.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
  });

  test('shows polls and elapsed time on stderr while polling when stderr is a terminal', async () => {
    const api = fakeApi({
      run: () => json({ status: 'IN_PROGRESS', data: `${BASE}/api/v1/data/run-1` }),
      polls: [running, done],
    });
    const { code, stdout, stderr } = await cli(['run', 'Hello'], {
      api,
      tty: { stderr: true },
      env: { AIXPLAIN_API_KEY: KEY, AIXPLAIN_BASE_URL: BASE },
    });
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(stderr.text).toMatch(/polling: 1 poll, \d+\.\d s/);
    expect(stderr.text).toMatch(/polling: 2 polls, \d+\.\d s/);
    expect(stderr.writes.at(-1)).toBe('\r\x1b[2K'); // the line is cleared at the end
  });
});

describe('aixplain-llm run --mock', () => {
  test('runs against the mock with a placeholder key, then stops the mock', async () => {
    const { code, stdout, sent, mock } = await cli(['run', '--mock', 'Hello'], { env: {} });
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(sent[0]?.url).toBe(`${MOCK}/api/v2/execute/${DEFAULT_MODEL}`);
    expect(sent[0]?.headers.get('x-api-key')).toBe('mock-api-key');
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });

  test('does not send the real key to the mock', async () => {
    const { sent } = await cli(['run', '--mock', 'Hello']);
    expect(sent[0]?.headers.get('x-api-key')).toBe('mock-api-key');
  });

  test('stops the mock when the run fails', async () => {
    const api = fakeApi({ run: () => json({ completed: true, status: 'FAILED', error: 'x' }) });
    const { code, mock } = await cli(['run', '--mock', 'Hello'], { api, env: {} });
    expect(code).toBe(1);
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });

  test('stops the mock and exits 130 when interrupted', async () => {
    const controller = new AbortController();
    const api = fakeApi({
      run: () => {
        controller.abort();
        return json({ status: 'IN_PROGRESS', data: `${MOCK}/api/v1/data/run-1` });
      },
      polls: [running],
    });
    const { code, stderr, mock } = await cli(['run', '--mock', 'Hello'], {
      api,
      env: {},
      signal: controller.signal,
    });
    expect(code).toBe(130);
    expect(stderr.text).toBe('aixplain-llm: interrupted\n');
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });

  test('stops the mock when the options are refused', async () => {
    const { code, stderr, mock } = await cli(['run', '--mock', '-t', '7', 'Hello'], { env: {} });
    expect(code).toBe(2);
    expect(stderr.text.split('\n')).toHaveLength(2);
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });
});

describe('bad usage', () => {
  test.each([
    [[], 'missing command'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['--frobnicate'], "unknown option '--frobnicate'"],
    [['run'], 'missing TEXT'],
    [['run', '   '], 'missing TEXT'],
    [['run', '--bogus', 'Hello'], "unknown option '--bogus'"],
    [['run', '--model'], "option '--model' needs a value"],
    [['run', '--model', '', 'Hello'], '--model must not be empty'],
    [['run', '--temperature', 'warm', 'Hello'], "--temperature must be a number, got 'warm'"],
    [['run', '--max-tokens', '1.5', 'Hello'], "--max-tokens must be an integer >= 1, got '1.5'"],
    [['run', '--max-tokens', '0', 'Hello'], "--max-tokens must be an integer >= 1, got '0'"],
    [['poll'], 'missing URL'],
    [['poll', 'not-a-url'], "URL must be an absolute URL, got 'not-a-url'"],
    [['poll', `${BASE}/a`, `${BASE}/b`], 'unexpected argument'],
    [['mock', '--port', '70000'], "--port must be an integer from 1 to 65535, got '70000'"],
    [['demo', 'now'], "unexpected argument 'now'"],
  ])('%j exits 2 with one line: %s', async (argv, message) => {
    const { code, stdout, stderr, sent, mock } = await cli(argv);
    expect(code).toBe(2);
    expect(stdout.text).toBe('');
    expect(stderr.text).toContain(message);
    expect(stderr.text.split('\n')).toEqual([expect.stringMatching(/^aixplain-llm: /), '']);
    expect(stderr.text).not.toMatch(/\n\s+at /);
    expect(sent).toHaveLength(0);
    expect(mock.started).toBe(0);
  });

  test('run without an API key exits 2 and suggests --mock', async () => {
    const { code, stderr, sent } = await cli(['run', 'Hello'], { env: { TEAM_API_KEY: '' } });
    expect(code).toBe(2);
    expect(stderr.text).toBe(
      'aixplain-llm: no API key: set AIXPLAIN_API_KEY (or TEAM_API_KEY), or add --mock to run against a local mock\n',
    );
    expect(sent).toHaveLength(0);
  });

  test('options the model refuses (a temperature above 2) exit 2 with one line', async () => {
    const { code, stderr, sent } = await cli(['run', '--temperature', '5', 'Hello']);
    expect(code).toBe(2);
    expect(stderr.text).toMatch(/^aixplain-llm: .*temperature/);
    expect(stderr.text.split('\n')).toHaveLength(2);
    expect(sent).toHaveLength(0);
  });
});

describe('aixplain-llm poll', () => {
  const url = `${BASE}/api/v1/data/run-1`;

  test('polls until the run finishes and prints its text', async () => {
    const api = fakeApi({ polls: [running, running, done] });
    const { code, stdout, stderr, sent } = await cli(['poll', url], { api });
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(stderr.text).toBe('');
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual(Array(3).fill(`GET ${url}`));
  });

  test('shows the progress line only when stderr is a terminal', async () => {
    const api = fakeApi({ polls: [running, done] });
    const { stderr } = await cli(['poll', url], { api, tty: { stderr: true } });
    expect(stderr.text).toContain('polling: 2 polls');
  });

  test('prints the response as JSON with --json', async () => {
    const { code, stdout } = await cli(['poll', '--json', url]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text)).toMatchObject({ status: 'SUCCESS', data: ANSWER, url });
  });

  test('exits 1 with the errorMessage when the run FAILED', async () => {
    const api = fakeApi({
      polls: [
        () => json({ completed: true, status: 'FAILED', error_message: 'Some error occurred' }),
      ],
    });
    const { code, stdout, stderr } = await cli(['poll', url], { api });
    expect(code).toBe(1);
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('aixplain-llm: FAILED: Some error occurred\n');
  });

  test('refuses a URL on another origin, sending nothing', async () => {
    const { code, stderr, sent } = await cli(['poll', 'https://evil.example/api/v1/data/x']);
    expect(code).toBe(2);
    expect(stderr.text).toBe(
      `aixplain-llm: refused to send the API key to https://evil.example: the poll URL must be on ${BASE} (set AIXPLAIN_BASE_URL to poll another service)\n`,
    );
    expect(sent).toHaveLength(0);
  });
});

describe('colour', () => {
  const failing = () =>
    fakeApi({ run: () => json({ completed: true, status: 'FAILED', error_message: 'nope' }) });

  test('colours the error prefix when stderr is a terminal', async () => {
    const { stderr } = await cli(['run', 'Hello'], { api: failing(), tty: { stderr: true } });
    expect(stderr.text).toMatch(ANSI);
  });

  test.each([
    ['NO_COLOR is set', { NO_COLOR: '1' }, true],
    ['stderr is not a terminal', {}, false],
  ])('uses no colour when %s', async (_name, env, tty) => {
    const { stderr } = await cli(['run', 'Hello'], {
      api: failing(),
      tty: { stderr: tty, stdout: tty },
      env: { AIXPLAIN_API_KEY: KEY, AIXPLAIN_BASE_URL: BASE, ...env },
    });
    expect(stderr.text).toBe('aixplain-llm: FAILED: nope\n');
  });

  test('the demo colours its statuses on a terminal, unless NO_COLOR is set', async () => {
    const coloured = await cli(['demo'], { tty: { stdout: true } });
    const plain = await cli(['demo'], { tty: { stdout: true }, env: { NO_COLOR: '1' } });
    expect(coloured.stdout.text).toMatch(ANSI);
    expect(plain.stdout.text).not.toMatch(ANSI);
  });
});

describe('aixplain-llm --help and --version', () => {
  test.each([['--help'], ['-h'], ['help'], ['run', '--help'], ['mock', '-h']])(
    '%s prints the usage and exits 0',
    async (...argv) => {
      const { code, stdout } = await cli(argv);
      expect(code).toBe(0);
      expect(stdout.text).toMatch(/^Usage: aixplain-llm <command>/);
      for (const word of ['run [options] TEXT', 'poll', 'mock', 'demo', '--stream', '--json']) {
        expect(stdout.text).toContain(word);
      }
    },
  );

  test('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${VERSION}\n`);
    expect(VERSION).toBe(pkg.version);
  });
});

describe('aixplain-llm mock', () => {
  test('serves on port 4010 until interrupted, then stops the mock and exits 0', async () => {
    const controller = new AbortController();
    const mock = fakeMock();
    const running = cli(['mock'], { mock, signal: controller.signal });
    await vi.waitFor(() => expect(mock.calls.started).toBe(1));
    expect(mock.calls.closed).toBe(0);
    controller.abort();
    const { code, stdout } = await running;
    expect(code).toBe(0);
    expect(stdout.text).toContain(`listening on ${MOCK}`);
    expect(mock.calls).toMatchObject({ closed: 1, options: [{ port: 4010 }] });
  });

  test('--port chooses the port', async () => {
    const controller = new AbortController();
    controller.abort();
    const mock = fakeMock();
    const { code } = await cli(['mock', '--port', '4321'], { mock, signal: controller.signal });
    expect(code).toBe(0);
    expect(mock.calls.options).toEqual([{ port: 4321 }]);
  });
});

describe('aixplain-llm demo', () => {
  test('runs, polls and streams against the mock, prints SUCCESS three times and exits 0', async () => {
    const { code, stdout, sent, mock } = await cli(['demo'], { env: {} });
    expect(code).toBe(0);
    expect(stdout.text.match(/SUCCESS {2}/g)).toHaveLength(3);
    expect(stdout.text).toContain('Hello world');
    expect(stdout.text).toContain('(1 poll)');
    expect(stdout.text).toContain('All 3 runs finished with SUCCESS.');
    expect(sent.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      `POST /api/v2/execute/${DEFAULT_MODEL}`,
      `POST /api/v1/execute/${DEFAULT_MODEL}`,
      'GET /api/v1/data/run-1',
      `POST /api/v2/execute/${DEFAULT_MODEL}`,
    ]);
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });

  test('exits 1 when one of the runs fails, and still stops the mock', async () => {
    const api = fakeApi({
      polls: [
        () => json({ completed: true, status: 'FAILED', error_message: 'Some error occurred' }),
      ],
    });
    const { code, stdout, stderr, mock } = await cli(['demo'], { api, env: {} });
    expect(code).toBe(1);
    expect(stdout.text).toContain('1 of 3 runs did not succeed.');
    expect(stderr.text).toContain('Some error occurred');
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });
});
