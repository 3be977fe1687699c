/**
 * The one retry policy of aixplain-llm: which
 * failures are worth another attempt for a poll (GET) and for an execute (POST), how long to wait
 * before it, and the loop that does both, abortable and bounded by a deadline.
 *
 * Hand-written rather than taken from a library: the POST rule (retry only where the model cannot
 * have started) is specific to this API, and the waits must go through the injectable clock.
 */
import { APIError, ConnectionError, retryAfterMsOf } from './errors.js';
import { type Clock, systemClock } from './internal/time.js';

/** The two methods the package sends: GET for polls, POST for executes. */
export type HttpMethod = 'GET' | 'POST';

/** Options of `withRetries`. */
export interface RetryOptions {
  /** How many more attempts after the first, at most (an integer >= 0). */
  maxRetries: number;
  /** The method of the request the attempts send; it decides what is retryable. */
  method: HttpMethod;
  /** Aborts a back-off wait at once (the wait rejects with `AbortError`). */
  signal?: AbortSignal;
  /** Absolute time on `clock.now()`, in milliseconds, past which no wait may run. */
  deadline?: number;
  /** Reads the time and waits. @default systemClock */
  clock?: Clock;
  /** The jitter source, a number in [0, 1). @default Math.random */
  random?: () => number;
  /** Called before each wait for a retry (the log's "retrying after 503 in 500 ms" line). */
  onRetry?: (retry: { error: unknown; delayMs: number; attempt: number; attempts: number }) => void;
}

/**
 * Node (and undici) error codes that mean the connection was never made: nothing was sent. The
 * transport reads a ConnectionError's `code` from under fetch's TypeError.
 */
const NEVER_CONNECTED_CODES: ReadonlyArray<string | undefined> = [
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
];
/** The longest server hint (`Retry-After`, `retry-after-ms`) that is honoured, in milliseconds. */
const MAX_HINT_MS = 60_000;
const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 8_000;

/**
 * Whether a failed attempt of a `method` request may be tried again.
 *
 * A retry never runs a model twice: a poll (GET) only reads, so network errors, 408, 429 and 5xx
 * are retried; an execute (POST) is retried only where the model cannot have started, that is a
 * connection that was never made (refused, unknown host) and the 429 and 503 refusals. A cut
 * connection (ECONNRESET), 500, 502, 504 or 408 may come after the model started, so they are not.
 * Aborts, timeouts and validation errors are never retried.
 */
export function isRetryable(error: unknown, method: HttpMethod): boolean {
  if (error instanceof ConnectionError) {
    return method === 'GET' || NEVER_CONNECTED_CODES.includes(error.code);
  }
  const status = error instanceof APIError ? error.status : 0;
  if (method === 'POST') return status === 429 || status === 503;
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/**
 * The wait before retry number `retry` (0 for the first retry), in milliseconds: the server's hint
 * (`retry-after-ms`, else `Retry-After`) when it gave one, else an exponential back-off
 * `min(500 * 2 ** retry, 8000)` less up to 25 % of jitter.
 *
 * @param random the jitter source, a number in [0, 1).
 * @param nowMs the current time, to read an HTTP-date `Retry-After`.
 */
export function retryDelayMs(
  retry: number,
  error: unknown,
  random: () => number,
  nowMs: number,
): number {
  const hintMs = error instanceof APIError ? retryAfterMsOf(error.headers, nowMs) : undefined;
  return hintMs ?? Math.min(BASE_DELAY_MS * 2 ** retry, MAX_DELAY_MS) * (1 - 0.25 * random());
}

/** The error that ends the retries; a ConnectionError after several attempts says how many. */
function lastError(error: unknown, attempts: number): unknown {
  if (error instanceof ConnectionError && attempts > 1) {
    error.attempts = attempts;
    error.message = error.message.replace(/\.?$/, `, after ${attempts} attempts.`);
  }
  return error;
}

/**
 * Calls `attempt` (with 0 for the first attempt, 1 for the first retry, ...) until it resolves,
 * retrying what `isRetryable` allows at most `maxRetries` times, after `retryDelayMs`.
 * The last error is rethrown as it is: when retries run out, when it is not retryable, when
 * the wait would end after `deadline`, or when the server asks for a longer wait than 60 s
 * (its `RateLimitError` carries `retryAfterMs`): a retry before the server's time would meet
 * the same refusal, so stopping at once costs fewer requests and gives an earlier answer. An
 * abort during a wait rejects with `AbortError`.
 */
export function withRetries<T>(
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  // The first attempt outside the loop: a call that succeeds at once pays for no async frame.
  return attempt(0).catch((error: unknown) => retrying(error, attempt, options));
}

/** withRetries after the first attempt failed with `error`. */
async function retrying<T>(
  error: unknown,
  attempt: (attemptNumber: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { maxRetries, deadline, clock = systemClock, random = Math.random } = options;
  for (let attemptNumber = 0; ; attemptNumber++) {
    const attempts = attemptNumber + 1;
    if (attemptNumber >= maxRetries || !isRetryable(error, options.method)) {
      throw lastError(error, attempts);
    }
    const now = clock.now();
    const delayMs = retryDelayMs(attemptNumber, error, random, now);
    // The back-off never exceeds 8 s, so a wait over 60 s is the server's.
    if (delayMs > MAX_HINT_MS || (deadline !== undefined && now + delayMs > deadline)) {
      throw lastError(error, attempts);
    }
    options.onRetry?.({ error, delayMs, attempt: attempts + 1, attempts: maxRetries + 1 });
    await clock.sleep(delayMs, options.signal);
    try {
      return await attempt(attempts);
    } catch (next) {
      error = next;
    }
  }
}
