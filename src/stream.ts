/**
 * Streamed runs: opens the request and hands its body to a `ChunkReader`, behind a
 * `ModelResponseStreamer`.
 *
 * The request itself is sent by the `open` callback of `openStream` (the facade's transport,
 * with its retries before the first byte); this module owns what follows: timeouts,
 * cancellation, an answer that is JSON rather than a stream (which the reader's `answer()`
 * reads), and a stream that never ends silently as if it had succeeded.
 */
import {
  AbortError,
  APIError,
  ConnectionError,
  LLMError,
  StreamError,
  ValidationError,
} from './errors.js';
import { noop, Scope, untilAborted } from './internal/scope.js';
import { type Clock, systemClock } from './internal/time.js';
import { ChunkReader, FIRST_CHUNK, messageOf, timeoutError } from './stream-reader.js';
import { ModelResponseStreamer } from './streamer.js';

export { type StreamToken, tokenOf } from './stream-token.js';
export { ModelResponseStreamer } from './streamer.js';

/** Options of `openStream`; every time is in milliseconds. */
export interface StreamOptions {
  /** Deadline of the whole stream, from the call (headers included) to `[DONE]`. */
  timeoutMs?: number;
  /** Longest time from the call to the first token. */
  firstChunkTimeoutMs?: number;
  /**
   * Longest wait for the next token while the consumer is waiting for one (from the start of
   * the iteration for the first). Time the consumer spends holding a chunk does not count, and
   * comments or keep-alives do not reset it.
   */
  idleTimeoutMs?: number;
  /** Aborting it cancels the request; the iteration throws `AbortError`. */
  signal?: AbortSignal;
  /** Throw failures from the iteration instead of yielding a final FAILED chunk. @default false */
  throwOnError?: boolean;
  /** Time source for the timeouts. @default systemClock */
  clock?: Clock;
}

/**
 * Sends a streamed request with `open` and returns its streamer. `timeoutMs` and
 * `firstChunkTimeoutMs` start now and cover the wait for the headers. `open` receives the
 * request's signal, does its own retries before the first byte, and resolves with a 2xx
 * `Response` or rejects with an `LLMError`. A `ValidationError` or an abort rejects here; any
 * other failure gives a streamer that yields one FAILED chunk (or throws, with `throwOnError`).
 * Once bytes have arrived the stream is never retried.
 */
export async function openStream(
  open: (signal: AbortSignal) => Promise<Response>,
  options: StreamOptions = {},
): Promise<ModelResponseStreamer> {
  const scope = new Scope(options.signal, options.clock ?? systemClock);
  for (const name of ['timeoutMs', FIRST_CHUNK] as const) {
    const ms = options[name];
    if (ms !== undefined) scope.arm(name, ms, (ms) => timeoutError(name, ms));
  }
  const chunks = new ChunkReader(scope, options);
  const opening = (async () => open(scope.signal))(); // a synchronous throw rejects too
  try {
    const response = await untilAborted(opening, scope.signal);
    const { body } = response;
    if (!response.ok) {
      // `open` answers HTTP errors itself; this guards a Response that slipped through.
      throw APIError.generate(response.status, undefined, response.headers, false);
    }
    if (/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
      chunks.answer(await untilAborted(response.text(), scope.signal));
    } else if (body === null) throw new StreamError('The stream response has no body.');
    else chunks.readFrom(body);
  } catch (error) {
    // An abort or timeout wins over what `open` made of it; a late Response is discarded.
    opening.then((late) => late.body?.cancel().catch(noop), noop);
    const reason: unknown = scope.reason ?? error;
    const llmError =
      reason instanceof LLMError
        ? reason
        : new ConnectionError(`The stream request failed: ${messageOf(reason)}`, { cause: reason });
    scope.stop(llmError);
    if (llmError instanceof ValidationError || llmError instanceof AbortError) throw llmError;
    chunks.settle(llmError);
  }
  return new ModelResponseStreamer(chunks);
}
