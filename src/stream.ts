/**
 * Streamed runs: opens the request and hands its body to a `ChunkReader`, behind a
 * `ModelResponseStreamer`.
 *
 * The request itself is sent by the `open` callback of `openStream` (the facade's transport,
 * with its retries before the first byte); this module owns what follows: timeouts,
 * cancellation, an answer that is JSON rather than a stream, and a stream that never ends
 * silently as if it had succeeded.
 */
import {
  AbortError,
  APIError,
  ConnectionError,
  LLMError,
  StreamError,
  TimeoutError,
  ValidationError,
} from './errors.js';
import { isRecord } from './internal/check.js';
import { abortErrorOf, linkAbort, Scope } from './internal/scope.js';
import { type Clock, systemClock } from './internal/time.js';
import { fromAnswer } from './payload.js';
import { ModelResponse, ResponseStatus } from './response.js';
import { ChunkReader, FIRST_CHUNK, failedChunk } from './stream-reader.js';
import { DONE, readToken } from './stream-token.js';
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

const TIMEOUT_MESSAGES: Record<string, (ms: number) => string> = {
  timeoutMs: (ms) => `The stream did not finish within timeoutMs (${ms} ms).`,
  firstChunkTimeoutMs: (ms) => `No token arrived within firstChunkTimeoutMs (${ms} ms).`,
  idleTimeoutMs: (ms) => `No token arrived for idleTimeoutMs (${ms} ms).`,
};

const timeoutError = (name: string, ms: number): LLMError =>
  new TimeoutError((TIMEOUT_MESSAGES[name] as (ms: number) => string)(ms));

const noop = () => {};

/** Yields `chunks`; a FAILED one is thrown instead with `throwOnError` (always an abort). */
async function* chunksOf(
  chunks: readonly ModelResponse[],
  throwOnError: boolean,
): AsyncGenerator<ModelResponse> {
  for (const chunk of chunks) {
    const { error } = chunk;
    if (error !== undefined && (throwOnError || error instanceof AbortError)) throw error;
    yield chunk;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const unlink = linkAbort(signal, () => reject(signal.reason));
    promise.then(resolve, reject).finally(unlink);
  });
}

/**
 * The chunks of a JSON answer to a stream request (a service or proxy that ignored
 * `options.stream`), read like a run's answer: a finished SUCCESS is its text as one chunk, a
 * FAILED answer its FAILED chunk; anything else is a StreamError.
 */
async function answerChunks(response: Response, scope: Scope): Promise<ModelResponse[]> {
  const text = await untilAborted(response.text(), scope.signal);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const answer = {
    body,
    json: body !== undefined,
    headers: response.headers,
    status: response.status,
  };
  const mapped = fromAnswer(answer, 'execute');
  if (mapped.status === ResponseStatus.FAILED && mapped.completed && isRecord(body))
    return [mapped];
  if (mapped.status === ResponseStatus.SUCCESS && mapped.completed) {
    const token = readToken(JSON.stringify({ data: mapped.data }));
    if (token === null || token === DONE) return [];
    if (typeof token === 'string') {
      return [new ModelResponse({ status: ResponseStatus.IN_PROGRESS, data: token })];
    }
  }
  const error = new StreamError(
    `The service answered JSON instead of a stream (status ${mapped.status}).`,
  );
  return [failedChunk(error)];
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
  if (options.signal?.aborted) throw abortErrorOf(options.signal);
  const scope = new Scope(options.signal, options.clock ?? systemClock);
  for (const name of ['timeoutMs', FIRST_CHUNK] as const) {
    const ms = options[name];
    if (ms !== undefined) scope.arm(name, ms, (ms) => timeoutError(name, ms));
  }
  const throwOnError = options.throwOnError ?? false;
  const failed = (error: LLMError) => {
    scope.stop(error);
    return new ModelResponseStreamer(chunksOf([failedChunk(error)], throwOnError));
  };

  let response: Response;
  const opening = (async () => open(scope.signal))(); // a synchronous throw rejects too
  try {
    response = await untilAborted(opening, scope.signal);
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
    return failed(llmError);
  }

  const { body } = response;
  if (!response.ok) {
    // `open` answers HTTP errors itself; this guards a Response that slipped through.
    body?.cancel().catch(noop);
    return failed(APIError.generate(response.status, undefined, response.headers, false));
  }
  if (body === null) return failed(new StreamError('The stream response has no body.'));
  if (/\bjson\b/i.test(response.headers.get('content-type') ?? '')) {
    try {
      const chunks = await answerChunks(response, scope);
      scope.stop();
      return new ModelResponseStreamer(chunksOf(chunks, throwOnError));
    } catch (error) {
      const reason = scope.reason ?? error;
      if (reason instanceof AbortError) throw reason;
      return failed(
        reason instanceof LLMError
          ? reason
          : new ConnectionError(`The stream was cut before [DONE]: ${messageOf(reason)}`, {
              cause: reason,
            }),
      );
    }
  }
  return new ModelResponseStreamer(
    new ChunkReader(body, scope, {
      idleTimeoutMs: options.idleTimeoutMs,
      throwOnError,
      timeoutError,
    }),
  );
}
