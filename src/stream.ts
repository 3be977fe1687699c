/**
 * Streamed runs: SSE events -> tokens -> `ModelResponse` chunks, behind `ModelResponseStreamer`
 *
 * Hand-written: the payload shapes, the `[DONE]` rule and the FAILED chunk are specific to the
 * aiXplain API. The request itself is sent by the `open` callback of `openStream` (the facade's
 * transport, with its retries before the first byte); this module owns what follows: timeouts,
 * cancellation, and a stream that never ends silently as if it had succeeded.
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
import { abortErrorOf, type Clock, systemClock } from './internal/time.js';
import { ModelResponse, ResponseStatus } from './response.js';
import { decodeUtf8, parseEvents, readBody, splitLines } from './sse.js';

/** What one event's payload means. */
export type StreamToken = { done: true } | { token: string } | { error: string } | null;

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * Reads one event's `data`: `[DONE]` (raw or as `{"data":"[DONE]"}`) ends the stream; an
 * `error` field is a failure; a string `data`, an object `data`'s `text` (else `output`), or an
 * OpenAI-style `choices[0].delta.content` is a token; a payload that is not JSON is itself the
 * token (a JSON string, its value). Anything else, and empty text, is `null`: objects are never
 * stringified into the text.
 */
export function tokenOf(payload: string): StreamToken {
  if (payload.trim() === '[DONE]') return { done: true };
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return payload === '' ? null : { token: payload };
  }
  if (typeof value === 'string') return value === '' ? null : { token: value };
  if (!isRecord(value)) return null;
  const { data } = value;
  // A failed run's answer (`status: FAILED`, `error_message`) mid-stream is a failure too.
  const error =
    [value.error, value.error_message].find(
      (e) => e !== undefined && e !== null && e !== false && e !== '',
    ) ?? (value.status === ResponseStatus.FAILED ? 'The model run failed.' : undefined);
  if (error !== undefined) {
    return { error: typeof error === 'string' ? error : JSON.stringify(error) };
  }
  if (data === '[DONE]') return { done: true };
  const choice: unknown = Array.isArray(value.choices) ? value.choices[0] : undefined;
  const delta = isRecord(choice) && isRecord(choice.delta) ? choice.delta.content : undefined;
  const token = isRecord(data)
    ? (textOf(data.text) ?? textOf(data.output))
    : (textOf(data) ?? textOf(delta));
  return token === undefined ? null : { token };
}

/** The message of an `event: error`: its payload's error or text, else a fixed sentence. */
function errorTextOf(payload: string): string {
  const token = tokenOf(payload);
  if (token !== null && 'error' in token) return token.error;
  if (token !== null && 'token' in token) return token.token;
  return payload === '' ? 'The stream reported an error.' : payload;
}

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

type TimeoutName = 'timeoutMs' | 'firstChunkTimeoutMs' | 'idleTimeoutMs';

const TIMEOUT_MESSAGES: Record<TimeoutName, (ms: number) => string> = {
  timeoutMs: (ms) => `The stream did not finish within timeoutMs (${ms} ms).`,
  firstChunkTimeoutMs: (ms) => `No token arrived within firstChunkTimeoutMs (${ms} ms).`,
  idleTimeoutMs: (ms) => `No token arrived for idleTimeoutMs (${ms} ms).`,
};

const noop = () => {};

/**
 * One streamed request: its AbortController (linked to the caller's signal) and its timers.
 * `stop(reason)` aborts the request with `reason`, an `LLMError` the readers rethrow as is.
 */
class RequestScope {
  readonly #controller = new AbortController();
  readonly #timers = new Map<TimeoutName, () => void>();
  readonly #unlink: () => void;

  constructor(private readonly options: StreamOptions) {
    const caller = options.signal;
    const onAbort = () => this.stop(abortErrorOf(caller as AbortSignal));
    caller?.addEventListener('abort', onAbort, { once: true });
    this.#unlink = () => caller?.removeEventListener('abort', onAbort);
    this.arm('timeoutMs');
    this.arm('firstChunkTimeoutMs');
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Starts (or restarts) the named timer, when that option is set. */
  arm(name: TimeoutName): void {
    const ms = this.options[name];
    if (ms === undefined || this.signal.aborted) return;
    this.disarm(name);
    // A plain timer, re-armed for every token: no AbortController and no error object is
    // made unless it fires (bench/stream.mjs measured a 7x slowdown before).
    const cancel = (this.options.clock ?? systemClock).after(ms, () =>
      this.stop(new TimeoutError(TIMEOUT_MESSAGES[name](ms))),
    );
    this.#timers.set(name, cancel);
  }

  disarm(name: TimeoutName): void {
    this.#timers.get(name)?.();
    this.#timers.delete(name);
  }

  /** Clears every timer and unlinks the caller's signal; with a reason, aborts the request. */
  stop(reason?: LLMError): void {
    for (const name of [...this.#timers.keys()]) this.disarm(name);
    this.#unlink();
    if (reason !== undefined && !this.signal.aborted) this.#controller.abort(reason);
  }
}

function failedChunk(error: LLMError): ModelResponse {
  return new ModelResponse({
    status: ResponseStatus.FAILED,
    completed: true,
    errorMessage: error.message,
    error,
    requestId: error instanceof APIError ? error.requestId : undefined,
  });
}

/** The end of a failed stream: one FAILED chunk, or the error itself (always for an abort). */
async function* failure(error: LLMError, throwOnError: boolean): AsyncGenerator<ModelResponse> {
  if (throwOnError || error instanceof AbortError) throw error;
  yield failedChunk(error);
}

/** The chunks of one body: one per token, then nothing after `[DONE]`, or the failure. */
async function* chunksOf(
  body: ReadableStream<Uint8Array>,
  scope: RequestScope,
  throwOnError: boolean,
): AsyncGenerator<ModelResponse> {
  let outcome: 'done' | LLMError | undefined;
  try {
    scope.arm('idleTimeoutMs');
    for await (const event of parseEvents(splitLines(decodeUtf8(readBody(body, scope.signal))))) {
      scope.signal.throwIfAborted(); // events already read must not outlive a timeout or abort
      const token =
        event.event === 'error' ? { error: errorTextOf(event.data) } : tokenOf(event.data);
      if (token === null) continue;
      if ('done' in token) {
        outcome = 'done';
        break; // leaving the loop cancels the body: nothing more is read
      }
      if ('error' in token) {
        outcome = new StreamError(token.error);
        break;
      }
      scope.disarm('firstChunkTimeoutMs');
      scope.disarm('idleTimeoutMs');
      yield new ModelResponse({ status: ResponseStatus.IN_PROGRESS, data: token.token });
      scope.arm('idleTimeoutMs');
    }
    outcome ??= new StreamError('Stream ended before [DONE].');
  } catch (error) {
    outcome = scope.signal.aborted
      ? (scope.signal.reason as LLMError)
      : new ConnectionError(`The stream was cut before [DONE]: ${messageOf(error)}`, {
          cause: error,
        });
  } finally {
    // `outcome` is unset only when the consumer left the loop (`break` or `return()`).
    if (outcome === undefined) scope.stop(new AbortError('The stream was closed by its consumer.'));
  }
  if (outcome === 'done') {
    scope.stop();
    return;
  }
  scope.stop(outcome);
  yield* failure(outcome, throwOnError);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The chunks of a streamed run: one `IN_PROGRESS` chunk per
 * token, and on failure one final `FAILED` chunk (or, with `throwOnError`, a thrown error).
 * A streamer is read once: iterate it, or call `text()`, `toReadableStream()` or `tee()`.
 *
 * @example
 * const streamer = await llm.stream('Tell me a story');
 * for await (const chunk of streamer) {
 *   if (chunk.status === 'FAILED') console.error(chunk.errorMessage);
 *   else process.stdout.write(chunk.data as string);
 * }
 * console.log(streamer.status); // 'SUCCESS' after [DONE]
 */
export class ModelResponseStreamer implements AsyncIterable<ModelResponse> {
  readonly #chunks: AsyncIterable<ModelResponse>;
  readonly #cancel: () => void;
  #status: ResponseStatus = ResponseStatus.IN_PROGRESS;
  #consumed = false;
  #closed = false;

  /**
   * Wraps chunks; `openStream` builds the streamers of `LLM.stream()`. `cancel` stops the
   * request at once, even while a read is pending.
   */
  constructor(chunks: AsyncIterable<ModelResponse>, cancel: () => void = noop) {
    this.#chunks = chunks;
    this.#cancel = cancel;
  }

  /**
   * `IN_PROGRESS` until the stream ends: `SUCCESS` after `[DONE]`, `FAILED` after a failure.
   * Leaving the loop early keeps `IN_PROGRESS`.
   */
  get status(): ResponseStatus {
    return this.#status;
  }

  /**
   * Iterates the chunks, once. Leaving the loop early cancels the request.
   *
   * @throws StreamError when the streamer was already read (use `tee()` to read it twice).
   * @example
   * for await (const chunk of streamer) process.stdout.write(chunk.data as string);
   */
  [Symbol.asyncIterator](): AsyncIterator<ModelResponse> {
    if (this.#consumed) {
      throw new StreamError(
        'This stream has already been read; a stream can be read once. Use streamer.tee() to read it twice.',
      );
    }
    this.#consumed = true;
    return this.#track();
  }

  async *#track(): AsyncGenerator<ModelResponse> {
    try {
      for await (const chunk of this.#chunks) {
        if (chunk.status === ResponseStatus.FAILED) this.#status = ResponseStatus.FAILED;
        yield chunk;
      }
      if (this.#status === ResponseStatus.IN_PROGRESS) this.#status = ResponseStatus.SUCCESS;
    } catch (error) {
      if (!this.#closed) this.#status = ResponseStatus.FAILED;
      throw error;
    }
  }

  /** Stops the request now and ends `iterator` (a pending read would delay `return()`). */
  #close(iterator: AsyncIterator<ModelResponse>): void {
    this.#closed = true;
    this.#cancel();
    iterator.return?.().catch(noop);
  }

  /**
   * The whole text. Rejects with the stream's error when it fails, whatever `throwOnError` says
   * (there is no FAILED chunk to resolve with).
   *
   * @example
   * const story = await (await llm.stream('Tell me a story')).text();
   */
  async text(): Promise<string> {
    let text = '';
    for await (const chunk of this) {
      if (chunk.status === ResponseStatus.FAILED)
        throw chunk.error ?? new StreamError(chunk.errorMessage);
      if (typeof chunk.data === 'string') text += chunk.data;
    }
    return text;
  }

  /**
   * The chunks as a web `ReadableStream` (FAILED chunk and errors as in the iteration);
   * cancelling it cancels the request.
   *
   * @example
   * const reader = streamer.toReadableStream().getReader();
   * const { value } = await reader.read();
   */
  toReadableStream(): ReadableStream<ModelResponse> {
    const iterator = this[Symbol.asyncIterator]();
    return new ReadableStream<ModelResponse>(
      {
        pull: async (controller) => {
          try {
            const { done, value } = await iterator.next();
            if (done) controller.close();
            else controller.enqueue(value);
          } catch (error) {
            controller.error(error);
          }
        },
        cancel: () => this.#close(iterator),
      },
      { highWaterMark: 0 },
    );
  }

  /**
   * Two streamers that each see every chunk and end with the same status; chunks are buffered
   * for the slower one. The request is cancelled when both leave early.
   *
   * @example
   * const [forUser, forLog] = streamer.tee();
   * const [shown, logged] = await Promise.all([forUser.text(), forLog.text()]);
   */
  tee(): [ModelResponseStreamer, ModelResponseStreamer] {
    const source = this[Symbol.asyncIterator]();
    type Pending = Promise<IteratorResult<ModelResponse>>;
    const queues: [Pending[], Pending[]] = [[], []];
    const open: [boolean, boolean] = [true, true];
    const branch = (me: 0 | 1): ModelResponseStreamer => {
      const other = me === 0 ? 1 : 0;
      const iterator: AsyncIterator<ModelResponse> = {
        next: () => {
          const queued = queues[me].shift();
          if (queued !== undefined) return queued;
          const result = source.next();
          if (open[other]) queues[other].push(result);
          return result;
        },
        return: async () => {
          open[me] = false;
          queues[me].length = 0;
          if (!open[other]) this.#close(source);
          return { done: true, value: undefined };
        },
      };
      return new ModelResponseStreamer({ [Symbol.asyncIterator]: () => iterator });
    };
    return [branch(0), branch(1)];
  }
}

function checkTimeouts(options: StreamOptions): void {
  const names: TimeoutName[] = ['timeoutMs', 'firstChunkTimeoutMs', 'idleTimeoutMs'];
  const issues = names
    .filter((name) => {
      const ms = options[name];
      return ms !== undefined && !(Number.isFinite(ms) && ms >= 0);
    })
    .map((path) => ({ path, message: 'Expected a finite number of milliseconds >= 0.' }));
  if (issues.length > 0)
    throw new ValidationError(`Invalid stream options: ${issues[0]?.path}.`, issues);
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
  checkTimeouts(options);
  if (options.signal?.aborted) throw abortErrorOf(options.signal);
  const scope = new RequestScope(options);
  const throwOnError = options.throwOnError ?? false;
  const cancel = () => scope.stop(new AbortError('The stream was cancelled by its consumer.'));
  const failed = (error: LLMError) => new ModelResponseStreamer(failure(error, throwOnError));

  let response: Response;
  const opening = (async () => open(scope.signal))(); // a synchronous throw rejects too
  try {
    response = await Promise.race([opening, abortOf(scope.signal)]);
    scope.signal.throwIfAborted();
  } catch (error) {
    // An abort or timeout wins over what `open` made of it; a late Response is discarded.
    opening.then((late) => late.body?.cancel().catch(noop), noop);
    const reason = scope.signal.aborted ? scope.signal.reason : error;
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
    const error = APIError.generate(response.status, undefined, response.headers, false);
    scope.stop(error);
    return failed(error);
  }
  if (body === null) {
    const error = new StreamError('The stream response has no body.');
    scope.stop(error);
    return failed(error);
  }
  scope.signal.addEventListener('abort', () => {
    if (!body.locked) body.cancel(scope.signal.reason).catch(noop); // not iterated yet
  });
  return new ModelResponseStreamer(chunksOf(body, scope, throwOnError), cancel);
}

/** A promise that rejects with the signal's reason when it aborts (and never resolves). */
function abortOf(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
