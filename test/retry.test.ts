import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  AbortError,
  APIError,
  ConnectionError,
  PollTimeoutError,
  TimeoutError,
  ValidationError,
} from '../src/errors.js';
import type { Clock } from '../src/internal/time.js';
import { LLM } from '../src/llm.js';
import { type HttpMethod, isRetryable, retryDelayMs, withRetries } from '../src/retry.js';

const NOW = Date.UTC(2025, 0, 1);

/**
 * A ConnectionError as the transport makes it of fetch's TypeError('fetch failed') over causes
 * with `codes`: its `code` is the innermost one.
 */
function connectionError(...codes: string[]): ConnectionError {
  let cause: unknown;
  for (const code of [...codes].reverse()) {
    cause = Object.assign(new Error(`connect ${code}`, { cause }), { code });
  }
  return new ConnectionError('fetch failed', {
    cause: new TypeError('fetch failed', { cause }),
    code: codes.at(-1),
  });
}

function httpError(status: number, headers: Record<string, string> = {}): APIError {
  return APIError.generate(status, { error: 'boom' }, new Headers(headers));
}

const neverRetried: Array<[string, unknown]> = [
  ['an AbortError', new AbortError('aborted')],
  ['a TimeoutError', new TimeoutError('too slow')],
  ['a PollTimeoutError', new PollTimeoutError('too slow', 'https://x.test/poll')],
  ['a ValidationError', new ValidationError('bad')],
  ['a plain Error', new Error('bug')],
  ['a thrown string', 'oops'],
];

describe('isRetryable', () => {
  test.each<[string, unknown, boolean]>([
    ['a refused connection', connectionError('ECONNREFUSED'), true],
    ['a connection cut mid-request (ECONNRESET)', connectionError('ECONNRESET'), true],
    ['a connection error without a code', new ConnectionError('fetch failed'), true],
    ['408', httpError(408), true],
    ['429', httpError(429), true],
    ['500', httpError(500), true],
    ['502', httpError(502), true],
    ['503', httpError(503), true],
    ['504', httpError(504), true],
    ['599', httpError(599), true],
    ['400', httpError(400), false],
    ['401', httpError(401), false],
    ['404', httpError(404), false],
    ['465', httpError(465), false],
    ['480', httpError(480), false],
    ...neverRetried.map(([name, error]): [string, unknown, boolean] => [name, error, false]),
  ])('GET: %s -> %s', (_name, error, expected) => {
    expect(isRetryable(error, 'GET')).toBe(expected);
  });

  test.each<[string, unknown, boolean]>([
    ['a refused connection (ECONNREFUSED)', connectionError('ECONNREFUSED'), true],
    ['an unknown host (ENOTFOUND)', connectionError('ENOTFOUND'), true],
    ['a DNS hiccup (EAI_AGAIN)', connectionError('EAI_AGAIN'), true],
    ['a connection cut mid-request (ECONNRESET)', connectionError('ECONNRESET'), false],
    ['an undici socket error', connectionError('UND_ERR_SOCKET'), false],
    ['a connection error without a code', new ConnectionError('fetch failed'), false],
    ['429', httpError(429), true],
    ['503', httpError(503), true],
    ['500', httpError(500), false],
    ['502', httpError(502), false],
    ['504', httpError(504), false],
    ['408', httpError(408), false],
    ['400', httpError(400), false],
    ...neverRetried.map(([name, error]): [string, unknown, boolean] => [name, error, false]),
  ])('POST: %s -> %s', (_name, error, expected) => {
    expect(isRetryable(error, 'POST')).toBe(expected);
  });
});

describe('a POST whose connection was never made, as fetch reports it', () => {
  /** Node's happy-eyeballs failure: an AggregateError carrying the code of its parts. */
  const refusedEverywhere = () =>
    Object.assign(
      new AggregateError([
        Object.assign(new Error('connect ECONNREFUSED ::1:80'), { code: 'ECONNREFUSED' }),
      ]),
      { code: 'ECONNREFUSED' },
    );
  const coded = (code: string, cause?: unknown) =>
    Object.assign(new Error(`connect ${code}`, { cause }), { code });

  test.each<[string, () => unknown, number]>([
    ['a refused connection', () => coded('ECONNREFUSED'), 2],
    [
      'ECONNREFUSED under an undici connect error',
      () => coded('UND_ERR_CONNECT', coded('ECONNREFUSED')),
      2,
    ],
    ['an AggregateError of refused addresses', refusedEverywhere, 2],
    ['an unknown host', () => coded('ENOTFOUND'), 2],
    ['a connection cut mid-request', () => coded('ECONNRESET'), 1],
    ['an undici socket error', () => coded('UND_ERR_SOCKET'), 1],
  ])('%s: %i attempts with maxRetries 1', async (_name, cause, attempts) => {
    vi.useFakeTimers();
    try {
      const fetch = vi.fn(async () => {
        throw new TypeError('fetch failed', { cause: cause() });
      });
      const llm = new LLM({
        id: 'm',
        apiKey: 'k',
        baseUrl: 'https://models.test',
        fetch,
        maxRetries: 1,
      });
      const pending = llm.run('x');
      await vi.runAllTimersAsync();
      expect((await pending).error).toBeInstanceOf(ConnectionError);
      expect(fetch).toHaveBeenCalledTimes(attempts);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('retryDelayMs', () => {
  test.each([
    [0, 0, 500],
    [1, 0, 1000],
    [2, 0, 2000],
    [3, 0, 4000],
    [4, 0, 8000],
    [5, 0, 8000],
    [12, 0, 8000],
    [0, 1, 375],
    [3, 0.5, 3500],
    [4, 0.2, 7600],
  ])('backs off %i retries in with random() = %d by %d ms', (retry, random, expected) => {
    expect(retryDelayMs(retry, httpError(503), () => random, NOW)).toBeCloseTo(expected, 9);
  });

  test.each<[string, Record<string, string>, number]>([
    ['Retry-After in seconds', { 'retry-after': '2' }, 2000],
    ['Retry-After of 0', { 'retry-after': '0' }, 0],
    ['retry-after-ms', { 'retry-after-ms': '1500' }, 1500],
    ['retry-after-ms before Retry-After', { 'retry-after-ms': '250', 'retry-after': '9' }, 250],
    ['a hint of exactly 60 s', { 'retry-after': '60' }, 60_000],
    ['an HTTP-date', { 'retry-after': new Date(NOW + 5000).toUTCString() }, 5000],
    // withRetries stops on these rather than wait (see its tests below).
    ['a hint over 60 s', { 'retry-after': '61' }, 61_000],
    ['retry-after-ms over 60 s', { 'retry-after-ms': '90000' }, 90_000],
    ['a hint that is not a number, falling back', { 'retry-after': 'soon' }, 1000],
  ])('honours %s', (_name, headers, expected) => {
    expect(retryDelayMs(1, httpError(429, headers), () => 0, NOW)).toBe(expected);
  });

  test('ignores hints on errors without headers', () => {
    expect(retryDelayMs(2, connectionError('ECONNREFUSED'), () => 0, NOW)).toBe(2000);
  });
});

describe('withRetries', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: NOW });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** An attempt that throws `errors` in turn, then resolves 'ok'; it records when it ran. */
  function failing(...errors: unknown[]) {
    const times: number[] = [];
    const attempt = vi.fn(async (_attemptNumber: number) => {
      times.push(Date.now() - NOW);
      const error = errors[times.length - 1];
      if (error !== undefined) throw error;
      return 'ok';
    });
    return { attempt, times };
  }

  async function settle<T>(promise: Promise<T>): Promise<PromiseSettledResult<T>> {
    const settled = Promise.allSettled([promise]);
    await vi.runAllTimersAsync();
    const [result] = await settled;
    return result as PromiseSettledResult<T>;
  }

  test('retries a GET 503 with back-off until it succeeds', async () => {
    const { attempt, times } = failing(httpError(503), connectionError('ECONNRESET'));
    const result = await settle(
      withRetries(attempt, { maxRetries: 2, method: 'GET', random: () => 0 }),
    );
    expect(result).toEqual({ status: 'fulfilled', value: 'ok' });
    expect(times).toEqual([0, 500, 1500]);
    expect(attempt.mock.calls.map(([n]) => n)).toEqual([0, 1, 2]);
  });

  test.each<[HttpMethod, Record<string, string>, number]>([
    ['POST', { 'retry-after': '2' }, 2000],
    ['POST', { 'retry-after-ms': '1234' }, 1234],
    ['GET', { 'retry-after': new Date(NOW + 7000).toUTCString() }, 7000],
  ])('retries a %s 429 waiting for %o', async (method, headers, expectedMs) => {
    const { attempt, times } = failing(httpError(429, headers));
    const result = await settle(withRetries(attempt, { maxRetries: 2, method, random: () => 0 }));
    expect(result.status).toBe('fulfilled');
    expect(times).toEqual([0, expectedMs]);
  });

  test.each<[HttpMethod, Record<string, string>, number | undefined]>([
    ['GET', { 'retry-after': '120' }, undefined],
    ['POST', { 'retry-after': '3600' }, undefined],
    ['GET', { 'retry-after-ms': '60001' }, undefined],
  ])('stops at once on a %s 429 asking for more than 60 s (%o)', async (method, headers) => {
    const error = httpError(429, headers);
    const { attempt } = failing(error);
    const result = await settle(withRetries(attempt, { maxRetries: 2, method, random: () => 0 }));
    expect(result).toEqual({ status: 'rejected', reason: error });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  test('stops at once when the server asks for longer than the time left', async () => {
    const error = httpError(429, { 'retry-after': '5' });
    const { attempt } = failing(error);
    const result = await settle(
      withRetries(attempt, { maxRetries: 2, method: 'GET', deadline: Date.now() + 3000 }),
    );
    expect(result).toEqual({ status: 'rejected', reason: error });
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  test('rethrows the last error as is when the retries run out', async () => {
    const errors = [httpError(500), httpError(502), httpError(504)];
    const { attempt } = failing(...errors);
    const result = await settle(withRetries(attempt, { maxRetries: 2, method: 'GET' }));
    expect(result.status).toBe('rejected');
    expect((result as PromiseRejectedResult).reason).toBe(errors[2]);
    expect(attempt).toHaveBeenCalledTimes(3);
  });

  test('makes one attempt with maxRetries: 0', async () => {
    const error = httpError(503);
    const { attempt } = failing(error);
    const result = await settle(withRetries(attempt, { maxRetries: 0, method: 'GET' }));
    expect((result as PromiseRejectedResult).reason).toBe(error);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  test.each<[HttpMethod, string, unknown]>([
    ['POST', '500', httpError(500)],
    ['POST', 'a cut connection', connectionError('ECONNRESET')],
    ['GET', '404', httpError(404)],
    ['GET', 'an AbortError', new AbortError('aborted')],
  ])('does not retry a %s that failed with %s', async (method, _name, error) => {
    const { attempt } = failing(error);
    const result = await settle(withRetries(attempt, { maxRetries: 5, method }));
    expect((result as PromiseRejectedResult).reason).toBe(error);
    expect(attempt).toHaveBeenCalledTimes(1);
  });

  test('an abort during the back-off rejects with AbortError and stops', async () => {
    const controller = new AbortController();
    const { attempt } = failing(httpError(503));
    const promise = withRetries(attempt, {
      maxRetries: 2,
      method: 'GET',
      signal: controller.signal,
      random: () => 0,
    });
    const rejection = expect(promise).rejects.toBeInstanceOf(AbortError);
    await vi.advanceTimersByTimeAsync(200);
    controller.abort();
    await rejection;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('does not wait past the deadline: the last error is rethrown at once', async () => {
    const error = httpError(503);
    const { attempt } = failing(error);
    const promise = withRetries(attempt, {
      maxRetries: 2,
      method: 'GET',
      deadline: NOW + 499,
      random: () => 0,
    });
    await expect(promise).rejects.toBe(error);
    expect(Date.now()).toBe(NOW);
    expect(attempt).toHaveBeenCalledTimes(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('waits when the wait ends exactly at the deadline', async () => {
    const { attempt, times } = failing(httpError(503));
    const options = { maxRetries: 2, method: 'GET' as const, deadline: NOW + 500, random: () => 0 };
    const result = await settle(withRetries(attempt, options));
    expect(result.status).toBe('fulfilled');
    expect(times).toEqual([0, 500]);
  });

  test('waits and reads HTTP-date hints through the injected clock', async () => {
    const clockNow = NOW + 3_600_000;
    const sleeps: Array<[number, AbortSignal | undefined]> = [];
    const clock: Clock = {
      now: () => clockNow,
      sleep: async (ms, signal) => {
        sleeps.push([ms, signal]);
      },
      after: () => () => {},
    };
    const signal = new AbortController().signal;
    const dated = httpError(429, { 'retry-after': new Date(clockNow + 4000).toUTCString() });
    const { attempt } = failing(httpError(502), dated);
    await withRetries(attempt, { maxRetries: 2, method: 'GET', clock, signal, random: () => 0 });
    expect(sleeps).toEqual([
      [500, signal],
      [4000, signal],
    ]);
  });
});
