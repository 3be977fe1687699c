import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  AbortError,
  APIError,
  AuthenticationError,
  ConnectionError,
  InternalServerError,
  type LLMError,
  StreamError,
  TimeoutError,
  ValidationError,
} from '../src/errors.js';
import { LLM } from '../src/llm.js';
import type { ModelResponse } from '../src/response.js';
import {
  type ModelResponseStreamer,
  openStream,
  type StreamOptions,
  type StreamToken,
  tokenOf,
} from '../src/stream.js';

const encoder = new TextEncoder();

/** A body the test writes to, recording pulls and the cancel reason. */
function controlledBody() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const cancel = vi.fn();
  const stream = new ReadableStream<Uint8Array>(
    {
      start: (c) => {
        controller = c;
      },
      cancel,
    },
    { highWaterMark: 0 },
  );
  return {
    stream,
    cancel,
    send: (text: string) => controller.enqueue(encoder.encode(text)),
    close: () => controller.close(),
    fail: (error: unknown) => controller.error(error),
  };
}

/** A body that hands out `chunks` one per read, counting the reads. */
function pulledBody(chunks: readonly Uint8Array[]) {
  const state = { pulls: 0, cancel: vi.fn() };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull: (controller) => {
        const chunk = chunks[state.pulls++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk);
      },
      cancel: state.cancel,
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const sse = (body: ReadableStream<Uint8Array> | null) =>
  new Response(body, { headers: { 'content-type': 'text/event-stream' } });

/** `openStream` over a fixed Response; `signal()` is the request's signal that `open` saw. */
async function streamOf(response: Response, options: StreamOptions = {}) {
  let seen: AbortSignal | undefined;
  const streamer = await openStream(async (signal) => {
    seen = signal;
    return response;
  }, options);
  return { streamer, signal: () => seen as AbortSignal };
}

interface Outcome {
  tokens: string[];
  status: string;
  failed: ModelResponse | undefined;
}

async function drain(streamer: ModelResponseStreamer): Promise<Outcome> {
  const chunks: ModelResponse[] = [];
  for await (const chunk of streamer) chunks.push(chunk);
  const failed = chunks.filter((chunk) => chunk.status === 'FAILED');
  expect(failed.length).toBeLessThanOrEqual(1);
  if (failed.length === 1) expect(chunks.at(-1)?.status).toBe('FAILED');
  return {
    tokens: chunks.filter((chunk) => chunk.status === 'IN_PROGRESS').map((c) => c.data as string),
    status: streamer.status,
    failed: failed[0],
  };
}

const errorOf = (promise: Promise<unknown>): Promise<LLMError> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: LLMError) => error,
  );

describe('tokenOf', () => {
  test.each<[string, StreamToken]>([
    ['[DONE]', { done: true }],
    [' [DONE] ', { done: true }],
    ['{"data":"[DONE]"}', { done: true }],
    ['{"data":"Hel"}', { token: 'Hel' }],
    ['{"data":"lo é"}', { token: 'lo é' }],
    ['{"data":{"text":"from text"}}', { token: 'from text' }],
    ['{"data":{"output":"from output"}}', { token: 'from output' }],
    ['{"data":{"text":"text wins","output":"x"}}', { token: 'text wins' }],
    [
      '{"data":{"text":7,"output":"output when text is no string"}}',
      { token: 'output when text is no string' },
    ],
    ['{"choices":[{"delta":{"content":"Hi"}}]}', { token: 'Hi' }],
    ['{"choices":[{"delta":{"role":"assistant"}}]}', null],
    ['{"choices":[]}', null],
    ['{"error":"boom"}', { error: 'boom' }],
    ['{"error":{"message":"bad","code":3}}', { error: '{"message":"bad","code":3}' }],
    ['{"data":"x","error":"errors win"}', { error: 'errors win' }],
    ['{"error":null,"data":"no error"}', { token: 'no error' }],
    ['{"status":"FAILED","error_message":"quota"}', { error: 'quota' }],
    ['{"completed":true,"error_message":"late failure"}', { error: 'late failure' }],
    ['{"status":"FAILED"}', { error: 'The model run failed.' }],
    ['{"status":"IN_PROGRESS","data":"tok"}', { token: 'tok' }],
    ['plain text token', { token: 'plain text token' }],
    ['{not json', { token: '{not json' }],
    ['"a JSON string"', { token: 'a JSON string' }],
    ['', null],
    ['{"data":""}', null],
    ['42', null],
    ['true', null],
    ['null', null],
    ['[1,2]', null],
    ['{}', null],
    ['{"data":42}', null],
    ['{"data":{"other":"never stringified"}}', null],
    ['{"usage":{"total_tokens":5}}', null],
  ])('%s', (payload, expected) => {
    expect(tokenOf(payload)).toEqual(expected);
  });
});

describe('recorded streams', () => {
  const fixture = (name: string) =>
    new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
  const split = (bytes: Uint8Array, cuts: readonly number[]) => {
    const points = [0, ...[...cuts].sort((a, b) => a - b), bytes.length];
    return points.slice(1).map((end, i) => bytes.slice(points[i], end));
  };
  const runOn = async (chunks: Uint8Array[]) => {
    const { streamer } = await streamOf(sse(pulledBody(chunks).stream));
    const { tokens, status, failed } = await drain(streamer);
    return { tokens, status, error: failed?.error?.message };
  };

  const cases = [
    {
      name: 'stream-lf.sse',
      tokens: ['Hello, ', 'wörld', ' 👋 ', '你好，世界', ' ç’est «ça»'],
      status: 'SUCCESS',
      error: undefined,
    },
    {
      name: 'stream-crlf.sse',
      tokens: ['Ship aiX', 'plain 🚢', 'multi\nline ĳ', '日本語のテキスト'],
      status: 'SUCCESS',
      error: undefined,
    },
    {
      name: 'stream-cr-openai.sse',
      tokens: ['Привет', ', 👋🏽'],
      status: 'SUCCESS',
      error: undefined,
    },
    {
      name: 'stream-truncated.sse',
      tokens: ['Half a sentence, ', 'cut off — 中'],
      status: 'FAILED',
      error: 'Stream ended before [DONE].',
    },
    {
      name: 'stream-error.sse',
      tokens: ['Before the error '],
      status: 'FAILED',
      error: 'Supplier overloaded: ü',
    },
  ];

  test('the fixtures hold the line ends and multi-byte characters they claim', () => {
    const text = (name: string) => new TextDecoder().decode(fixture(name));
    expect(text('stream-crlf.sse')).toContain('\r\n');
    expect(text('stream-cr-openai.sse')).not.toContain('\n');
    expect(text('stream-lf.sse')).not.toContain('\r');
    for (const { name } of cases) expect(fixture(name).length).toBeGreaterThan(text(name).length);
  });

  describe.each(cases)('$name', ({ name, ...expected }) => {
    const bytes = fixture(name);

    test('read whole', async () => {
      expect(await runOn([bytes])).toEqual(expected);
    });

    test('split at every byte position', async () => {
      for (let at = 0; at <= bytes.length; at++) {
        expect(await runOn(split(bytes, [at])), `split at ${at}`).toEqual(expected);
      }
    });

    test('one byte per chunk', async () => {
      expect(await runOn(split(bytes, [...bytes.keys()]))).toEqual(expected);
    });

    test('split anywhere, in any number of pieces', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.nat({ max: bytes.length }), { maxLength: 24 }),
          async (cuts) => {
            expect(await runOn(split(bytes, cuts))).toEqual(expected);
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});

describe('ModelResponseStreamer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('iteration', () => {
    test('[DONE] ends with SUCCESS and nothing more is read', async () => {
      const chunks = ['data: {"data":"a"}\n\n', 'data: [DONE]\n\n', 'data: {"data":"b"}\n\n'];
      const { stream, state } = pulledBody(chunks.map((c) => encoder.encode(c)));
      const { streamer } = await streamOf(sse(stream));
      expect(streamer.status).toBe('IN_PROGRESS');
      const outcome = await drain(streamer);
      expect(outcome).toEqual({ tokens: ['a'], status: 'SUCCESS', failed: undefined });
      expect(state.pulls).toBe(2);
      expect(state.cancel).toHaveBeenCalledOnce();
      expect(vi.getTimerCount()).toBe(0);
    });

    test('yields IN_PROGRESS chunks whose data is the token', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send(
        'data: {"data":"Hel"}\n\n: keep-alive\n\n\n\ndata: {"data":"lo"}\n\ndata: [DONE]\n\n',
      );
      const chunks: ModelResponse[] = [];
      for await (const chunk of streamer) chunks.push(chunk);
      expect(chunks.map((c) => [c.status, c.data, c.completed])).toEqual([
        ['IN_PROGRESS', 'Hel', false],
        ['IN_PROGRESS', 'lo', false],
      ]);
    });

    test('a body that ends before [DONE] yields one FAILED chunk with a StreamError', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send('data: {"data":"a"}\n\n');
      body.close();
      const { tokens, status, failed } = await drain(streamer);
      expect(tokens).toEqual(['a']);
      expect(status).toBe('FAILED');
      expect(failed).toMatchObject({
        status: 'FAILED',
        completed: true,
        data: '',
        errorMessage: 'Stream ended before [DONE].',
      });
      expect(failed?.error).toBeInstanceOf(StreamError);
    });

    test('an error event yields a FAILED chunk with its text and stops reading', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send('data: {"data":"a"}\n\nevent: error\ndata: {"error":{"code":"overloaded"}}\n\n');
      const { tokens, status, failed } = await drain(streamer);
      expect([tokens, status, failed?.errorMessage]).toEqual([
        ['a'],
        'FAILED',
        '{"code":"overloaded"}',
      ]);
      expect(failed?.error).toBeInstanceOf(StreamError);
      expect(body.cancel).toHaveBeenCalledOnce();
    });

    test.each([
      ['event: error\ndata: upstream gone\n\n', 'upstream gone'],
      ['event: error\ndata:\n\n', 'The stream reported an error.'],
      ['data: {"error":"quota"}\n\n', 'quota'],
    ])('the error %j gives the message %j', async (text, message) => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send(text);
      expect((await drain(streamer)).failed?.errorMessage).toBe(message);
    });

    test('a transport error mid-body yields a FAILED chunk with a ConnectionError', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      const cut = new TypeError('terminated');
      const outcome = drain(streamer);
      body.send('data: {"data":"a"}\n\n');
      await vi.advanceTimersByTimeAsync(0);
      body.fail(cut);
      const { tokens, failed } = await outcome;
      expect(tokens).toEqual(['a']);
      expect(failed?.error).toBeInstanceOf(ConnectionError);
      expect(failed?.error?.cause).toBe(cut);
      expect(failed?.errorMessage).toBe('The stream was cut before [DONE]: terminated');
    });

    test('iterating twice throws a StreamError that points to tee()', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send('data: [DONE]\n\n');
      await drain(streamer);
      expect(() => streamer[Symbol.asyncIterator]()).toThrow(StreamError);
      expect(() => streamer[Symbol.asyncIterator]()).toThrow(/tee\(\)/);
      await expect(streamer.text()).rejects.toBeInstanceOf(StreamError);
    });
  });

  describe('with throwOnError', () => {
    test('the iteration throws the StreamError after the tokens', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), { throwOnError: true });
      body.send('data: a\n\n');
      body.close();
      const tokens: unknown[] = [];
      const error = await errorOf(
        (async () => {
          for await (const chunk of streamer) tokens.push(chunk.data);
        })(),
      );
      expect(tokens).toEqual(['a']);
      expect(error).toBeInstanceOf(StreamError);
      expect(streamer.status).toBe('FAILED');
    });

    test('an HTTP error is thrown by the iteration, not by openStream', async () => {
      const failure = APIError.generate(401, { error: 'boom' });
      const streamer = await openStream(() => Promise.reject(failure), { throwOnError: true });
      expect(await errorOf(streamer.text())).toBe(failure);
      expect(streamer.status).toBe('FAILED');
    });
  });

  describe('failures before the body', () => {
    test('an HTTP error from open gives one FAILED chunk with the APIError', async () => {
      const failure = APIError.generate(401, { error: 'boom', requestId: 'r-1' });
      const streamer = await openStream(() => Promise.reject(failure));
      const { tokens, status, failed } = await drain(streamer);
      expect([tokens, status]).toEqual([[], 'FAILED']);
      expect(failed?.error).toBeInstanceOf(AuthenticationError);
      expect(failed).toMatchObject({
        completed: true,
        requestId: 'r-1',
        errorMessage:
          'Unauthorized API key: Please verify the spelling of the API key and its current validity. Details: boom',
      });
    });

    test('a ConnectionError from open, or any other rejection, gives a FAILED ConnectionError', async () => {
      const refused = new TypeError('fetch failed');
      const streamer = await openStream(() => Promise.reject(refused));
      const { failed } = await drain(streamer);
      expect(failed?.error).toBeInstanceOf(ConnectionError);
      expect(failed?.error?.cause).toBe(refused);
    });

    test('a synchronous throw from open is handled like a rejection', async () => {
      const streamer = await openStream(() => {
        throw new TypeError('bad URL');
      });
      expect((await drain(streamer)).failed?.error).toBeInstanceOf(ConnectionError);
    });

    test('a ValidationError from open rejects openStream', async () => {
      const invalid = new ValidationError('bad');
      await expect(openStream(() => Promise.reject(invalid))).rejects.toBe(invalid);
    });

    // The run options are checked once, by the facade, before openStream is reached.
    test.each<[StreamOptions]>([
      [{ timeoutMs: -1 }],
      [{ idleTimeoutMs: Number.NaN }],
      [{ firstChunkTimeoutMs: Number.POSITIVE_INFINITY }],
    ])('rejects the bad timeout %j before sending', async (options) => {
      const fetch = vi.fn();
      const llm = new LLM({ id: 'model', apiKey: 'key', fetch });
      await expect(llm.stream('x', options)).rejects.toBeInstanceOf(ValidationError);
      expect(fetch).not.toHaveBeenCalled();
    });

    test('a non-2xx Response that slipped through gives a FAILED APIError', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(new Response(body.stream, { status: 503 }));
      const { failed } = await drain(streamer);
      expect(failed?.error).toBeInstanceOf(InternalServerError);
      expect(body.cancel).toHaveBeenCalled();
    });

    test('a Response without a body gives a FAILED StreamError', async () => {
      const { streamer } = await streamOf(sse(null));
      const { failed } = await drain(streamer);
      expect(failed?.error).toBeInstanceOf(StreamError);
      expect(failed?.errorMessage).toBe('The stream response has no body.');
    });
  });

  describe('timeouts', () => {
    const timeoutOf = async (outcome: Promise<Outcome>) => (await outcome).failed?.error;

    test('firstChunkTimeoutMs ends a stream whose first token is late', async () => {
      const body = controlledBody();
      const { streamer, signal } = await streamOf(sse(body.stream), { firstChunkTimeoutMs: 1000 });
      const outcome = drain(streamer);
      body.send(': still thinking\n\n');
      await vi.advanceTimersByTimeAsync(999);
      expect(signal().aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const error = await timeoutOf(outcome);
      expect(error).toBeInstanceOf(TimeoutError);
      expect(error?.message).toBe('No token arrived within firstChunkTimeoutMs (1000 ms).');
      expect(signal().aborted).toBe(true);
      expect(body.cancel).toHaveBeenCalledOnce();
      expect(streamer.status).toBe('FAILED');
      expect(vi.getTimerCount()).toBe(0);
    });

    test('firstChunkTimeoutMs counts from the call, the wait for headers included', async () => {
      let seen: AbortSignal | undefined;
      const opening = openStream(
        (signal) => {
          seen = signal;
          return new Promise<Response>(() => {}); // headers never come, abort is ignored
        },
        { firstChunkTimeoutMs: 500 },
      );
      await vi.advanceTimersByTimeAsync(500);
      const streamer = await opening;
      const { failed } = await drain(streamer);
      expect(failed?.error).toBeInstanceOf(TimeoutError);
      expect(failed?.errorMessage).toMatch(/firstChunkTimeoutMs \(500 ms\)/);
      expect(seen?.aborted).toBe(true);
    });

    test('a token before firstChunkTimeoutMs disarms it', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), { firstChunkTimeoutMs: 100 });
      const outcome = drain(streamer);
      body.send('data: a\n\n');
      await vi.advanceTimersByTimeAsync(1000);
      body.send('data: [DONE]\n\n');
      expect((await outcome).status).toBe('SUCCESS');
    });

    test('idleTimeoutMs bounds the gap between tokens', async () => {
      const body = controlledBody();
      const { streamer, signal } = await streamOf(sse(body.stream), { idleTimeoutMs: 500 });
      const outcome = drain(streamer);
      body.send('data: a\n\n');
      await vi.advanceTimersByTimeAsync(400);
      body.send('data: b\n\n: keep-alives do not count\n\n');
      await vi.advanceTimersByTimeAsync(499);
      expect(signal().aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(1);
      const { tokens, failed } = await outcome;
      expect(tokens).toEqual(['a', 'b']);
      expect(failed?.error).toBeInstanceOf(TimeoutError);
      expect(failed?.errorMessage).toBe('No token arrived for idleTimeoutMs (500 ms).');
      expect(signal().aborted).toBe(true);
      expect(body.cancel).toHaveBeenCalledOnce();
    });

    test('idleTimeoutMs does not count the time the consumer holds a chunk', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), { idleTimeoutMs: 100 });
      body.send('data: a\n\ndata: b\n\ndata: [DONE]\n\n');
      const tokens: unknown[] = [];
      for await (const chunk of streamer) {
        tokens.push(chunk.data);
        await vi.advanceTimersByTimeAsync(1000);
      }
      expect([tokens, streamer.status]).toEqual([['a', 'b'], 'SUCCESS']);
    });

    test('timeoutMs bounds the whole stream, however steady the tokens', async () => {
      const body = controlledBody();
      const { streamer, signal } = await streamOf(sse(body.stream), {
        timeoutMs: 350,
        idleTimeoutMs: 200,
      });
      const outcome = drain(streamer);
      for (let i = 0; i < 5 && !signal().aborted; i++) {
        body.send(`data: t${i}\n\n`);
        await vi.advanceTimersByTimeAsync(100);
      }
      const { tokens, failed } = await outcome;
      expect(tokens).toEqual(['t0', 't1', 't2', 't3']);
      expect(failed?.errorMessage).toBe('The stream did not finish within timeoutMs (350 ms).');
      expect(signal().aborted).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    });

    test('events already received are not yielded after a timeout', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), { timeoutMs: 100 });
      body.send('data: a\n\ndata: b\n\ndata: [DONE]\n\n');
      const chunks: unknown[][] = [];
      for await (const chunk of streamer) {
        chunks.push([chunk.status, chunk.data]);
        await vi.advanceTimersByTimeAsync(100);
      }
      expect(chunks).toEqual([
        ['IN_PROGRESS', 'a'],
        ['FAILED', ''],
      ]);
      expect(streamer.status).toBe('FAILED');
    });

    test('with throwOnError the timeout is thrown', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), {
        idleTimeoutMs: 50,
        throwOnError: true,
      });
      const text = errorOf(streamer.text());
      await vi.advanceTimersByTimeAsync(50);
      expect(await text).toBeInstanceOf(TimeoutError);
    });

    test('the timers run on the injected clock', async () => {
      const after = vi.fn((ms: number, fn: () => void) => {
        if (ms === 5) queueMicrotask(fn);
        return () => {};
      });
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), {
        timeoutMs: 60_000,
        idleTimeoutMs: 5,
        clock: { now: () => 0, sleep: () => new Promise<void>(() => {}), after },
      });
      const { failed } = await drain(streamer);
      expect(failed?.errorMessage).toBe('No token arrived for idleTimeoutMs (5 ms).');
      expect(after.mock.calls.map(([ms]) => ms)).toEqual([60_000, 5]);
    });

    test('a stream that finishes leaves no timer behind', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), {
        timeoutMs: 10_000,
        firstChunkTimeoutMs: 5000,
        idleTimeoutMs: 1000,
      });
      body.send('data: a\n\ndata: [DONE]\n\n');
      expect(await streamer.text()).toBe('a');
      expect(vi.getTimerCount()).toBe(0);
    });
  });

  describe('cancellation', () => {
    test('break aborts the request and cancels the body', async () => {
      const body = controlledBody();
      const { streamer, signal } = await streamOf(sse(body.stream), { timeoutMs: 1000 });
      body.send('data: a\n\ndata: b\n\n');
      for await (const chunk of streamer) {
        expect(chunk.data).toBe('a');
        break;
      }
      expect(signal().aborted).toBe(true);
      expect(signal().reason).toBeInstanceOf(AbortError);
      expect(body.cancel).toHaveBeenCalledOnce();
      expect(streamer.status).toBe('IN_PROGRESS');
      expect(vi.getTimerCount()).toBe(0);
    });

    test("the caller's abort mid-stream throws AbortError and cancels the request", async () => {
      const body = controlledBody();
      const caller = new AbortController();
      const { streamer, signal } = await streamOf(sse(body.stream), { signal: caller.signal });
      const tokens: unknown[] = [];
      const reading = errorOf(
        (async () => {
          for await (const chunk of streamer) tokens.push(chunk.data);
        })(),
      );
      body.send('data: a\n\n');
      await vi.advanceTimersByTimeAsync(0);
      caller.abort('user left');
      const error = await reading;
      expect(error).toBeInstanceOf(AbortError);
      expect(error.cause).toBe('user left');
      expect(tokens).toEqual(['a']);
      expect(signal().aborted).toBe(true);
      expect(body.cancel).toHaveBeenCalledOnce();
      expect(streamer.status).toBe('FAILED');
    });

    test('an abort before iteration cancels the body at once', async () => {
      const body = controlledBody();
      const caller = new AbortController();
      const { streamer } = await streamOf(sse(body.stream), { signal: caller.signal });
      caller.abort();
      expect(body.cancel).toHaveBeenCalledOnce();
      await expect(drain(streamer)).rejects.toBeInstanceOf(AbortError);
    });

    test('an aborted signal rejects openStream without sending', async () => {
      const open = vi.fn();
      const error = await errorOf(openStream(open, { signal: AbortSignal.abort() }));
      expect(error).toBeInstanceOf(AbortError);
      expect(open).not.toHaveBeenCalled();
    });

    test('an abort while waiting for the headers rejects openStream', async () => {
      const caller = new AbortController();
      const late = controlledBody();
      let resolve!: (response: Response) => void;
      const opening = openStream(() => new Promise<Response>((r) => (resolve = r)), {
        signal: caller.signal,
      });
      caller.abort();
      expect(await errorOf(opening)).toBeInstanceOf(AbortError);
      resolve(sse(late.stream));
      await vi.advanceTimersByTimeAsync(0);
      expect(late.cancel).toHaveBeenCalledOnce();
    });

    test("the caller's signal is released when the stream ends", async () => {
      const caller = new AbortController();
      const remove = vi.spyOn(caller.signal, 'removeEventListener');
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), { signal: caller.signal });
      body.send('data: [DONE]\n\n');
      await drain(streamer);
      expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
    });
  });

  describe('text', () => {
    test('resolves to the whole text', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send('data: {"data":"Hello, "}\n\ndata: {"data":"wörld"}\n\ndata: [DONE]\n\n');
      expect(await streamer.text()).toBe('Hello, wörld');
      expect(streamer.status).toBe('SUCCESS');
    });

    test('rejects with the StreamError of a truncated stream, even without throwOnError', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send('data: a\n\n');
      body.close();
      const error = await errorOf(streamer.text());
      expect(error).toBeInstanceOf(StreamError);
      expect(error.message).toBe('Stream ended before [DONE].');
    });

    test('rejects with the APIError of an HTTP error', async () => {
      const failure = APIError.generate(500, { error: 'down' });
      const streamer = await openStream(() => Promise.reject(failure));
      expect(await errorOf(streamer.text())).toBe(failure);
    });
  });

  describe('toReadableStream', () => {
    test('gives the chunks as a web stream', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send('data: a\n\ndata: b\n\n');
      body.close();
      const chunks: ModelResponse[] = [];
      const reader = streamer.toReadableStream().getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
      expect(chunks.map((c) => [c.status, c.data])).toEqual([
        ['IN_PROGRESS', 'a'],
        ['IN_PROGRESS', 'b'],
        ['FAILED', ''],
      ]);
      expect(streamer.status).toBe('FAILED');
    });

    test('errors the web stream when throwOnError throws', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), { throwOnError: true });
      body.close();
      const reader = streamer.toReadableStream().getReader();
      await expect(reader.read()).rejects.toBeInstanceOf(StreamError);
    });

    test('cancelling it cancels the request, even during a pending read', async () => {
      const body = controlledBody();
      const { streamer, signal } = await streamOf(sse(body.stream));
      const reader = streamer.toReadableStream().getReader();
      const pending = reader.read();
      await vi.advanceTimersByTimeAsync(0);
      await reader.cancel();
      expect(await pending).toEqual({ done: true, value: undefined });
      expect(signal().aborted).toBe(true);
      expect(body.cancel).toHaveBeenCalledOnce();
      expect(streamer.status).toBe('IN_PROGRESS');
    });
  });

  describe('tee', () => {
    test('both streamers see every chunk and the final status, the slower one buffered', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send('data: a\n\ndata: b\n\ndata: [DONE]\n\n');
      const [left, right] = streamer.tee();
      const first = await drain(left);
      const second = await drain(right);
      expect(first).toEqual({ tokens: ['a', 'b'], status: 'SUCCESS', failed: undefined });
      expect(second).toEqual(first);
      expect(streamer.status).toBe('SUCCESS');
    });

    test('both see the FAILED chunk', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      body.send('data: a\n\n');
      body.close();
      const [left, right] = streamer.tee();
      const [first, second] = await Promise.all([drain(left), drain(right)]);
      expect(first.failed?.error).toBeInstanceOf(StreamError);
      expect(second.failed?.error).toBe(first.failed?.error);
      expect([first.status, second.status]).toEqual(['FAILED', 'FAILED']);
    });

    test('both get the error with throwOnError', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream), { throwOnError: true });
      body.close();
      const [left, right] = streamer.tee();
      const [first, second] = await Promise.all([errorOf(left.text()), errorOf(right.text())]);
      expect(first).toBeInstanceOf(StreamError);
      expect(second).toBe(first);
      expect([left.status, right.status]).toEqual(['FAILED', 'FAILED']);
    });

    test('one leaving early does not cancel the other; both leaving cancels the request', async () => {
      const body = controlledBody();
      const { streamer, signal } = await streamOf(sse(body.stream));
      body.send('data: a\n\ndata: b\n\n');
      const [left, right] = streamer.tee();
      for await (const _ of left) break;
      expect(signal().aborted).toBe(false);
      const seen: unknown[] = [];
      for await (const chunk of right) {
        seen.push(chunk.data);
        if (seen.length === 2) break;
      }
      expect(seen).toEqual(['a', 'b']);
      expect(signal().aborted).toBe(true);
      expect(body.cancel).toHaveBeenCalledOnce();
    });

    test('the teed streamer cannot be read again', async () => {
      const body = controlledBody();
      const { streamer } = await streamOf(sse(body.stream));
      streamer.tee();
      expect(() => streamer.tee()).toThrow(StreamError);
    });
  });
});

describe('a JSON answer to a stream request', () => {
  const answer = (body: unknown, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), {
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    });

  test('a finished SUCCESS gives its text as one chunk and ends SUCCESS', async () => {
    const { streamer } = await streamOf(
      answer({ completed: true, status: 'SUCCESS', data: 'The whole answer' }),
    );
    expect(await drain(streamer)).toEqual({
      tokens: ['The whole answer'],
      status: 'SUCCESS',
      failed: undefined,
    });
  });

  test('a FAILED answer gives the final FAILED chunk with its message', async () => {
    const { streamer } = await streamOf(
      answer(
        { completed: true, status: 'FAILED', error_message: 'Supplier overloaded' },
        { 'x-request-id': 'req-7' },
      ),
    );
    const { tokens, status, failed } = await drain(streamer);
    expect([tokens, status]).toEqual([[], 'FAILED']);
    expect(failed).toMatchObject({ completed: true, errorMessage: 'Supplier overloaded' });
    expect(failed?.error).toBeInstanceOf(StreamError);
  });

  test('with throwOnError a FAILED answer is thrown', async () => {
    const { streamer } = await streamOf(answer({ completed: true, status: 'FAILED' }), {
      throwOnError: true,
    });
    await expect(drain(streamer)).rejects.toThrow('The model run failed.');
    expect(streamer.status).toBe('FAILED');
  });

  test.each<[string, unknown]>([
    ['an unfinished run', { completed: false, data: 'https://models.aixplain.com/api/v1/data/r' }],
    ['an array', [1, 2]],
    ['null', null],
  ])('anything else (%s) fails, saying the service answered JSON', async (_, body) => {
    const { streamer } = await streamOf(answer(body));
    const { tokens, status, failed } = await drain(streamer);
    expect([tokens, status]).toEqual([[], 'FAILED']);
    expect(failed?.error).toBeInstanceOf(StreamError);
    expect(failed?.errorMessage).toMatch(/^The service answered JSON instead of a stream/);
  });

  test('a JSON body that does not parse fails the same way', async () => {
    const { streamer } = await streamOf(
      new Response('{"completed":tr', { headers: { 'content-type': 'application/json' } }),
    );
    const { failed } = await drain(streamer);
    expect(failed?.errorMessage).toMatch(/^The service answered JSON instead of a stream/);
  });

  test('timeoutMs bounds the wait for the JSON body', async () => {
    vi.useFakeTimers();
    try {
      const body = controlledBody();
      body.send('{"completed":');
      const opening = streamOf(
        new Response(body.stream, { headers: { 'content-type': 'application/json' } }),
        { timeoutMs: 100 },
      );
      await vi.advanceTimersByTimeAsync(100);
      const { streamer, signal } = await opening;
      const { failed } = await drain(streamer);
      expect(failed?.error).toBeInstanceOf(TimeoutError);
      expect(signal().aborted).toBe(true);
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });
});
