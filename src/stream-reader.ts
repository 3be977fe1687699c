/**
 * The chunks of one event-stream body, as a hand-written async iterator: each read of the body
 * is parsed at once (`SseParser`), its tokens wait in a queue, and `next()` serves them without
 * a promise of its own until the queue is empty. The body is read only while the consumer waits
 * on an empty queue, and the idle timer runs only then.
 */
import { AbortError, ConnectionError, type LLMError, StreamError, TimeoutError } from './errors.js';
import { isRecord } from './internal/check.js';
import { linkAbort, noop, type Scope } from './internal/scope.js';
import { fromError } from './payload.js';
import { ModelResponse, ResponseStatus, type Usage } from './response.js';
import { SseParser } from './sse.js';
import {
  DONE,
  errorTextOf,
  fastToken,
  parsedToken,
  type StreamMeta,
  type TokenRead,
} from './stream-token.js';

const CLOSED = 'The stream was closed by its consumer.';
const END: IteratorReturnResult<undefined> = { done: true, value: undefined };

/** The message of a thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The timers of a stream's `Scope`, named for the options that set them. */
export const IDLE = 'idleTimeoutMs';
export const FIRST_CHUNK = 'firstChunkTimeoutMs';

/** The TimeoutError of the stream timer `name` (an option name) of `ms` milliseconds. */
export const timeoutError = (name: string, ms: number): LLMError =>
  new TimeoutError(
    name === 'timeoutMs'
      ? `The stream did not finish within timeoutMs (${ms} ms).`
      : `No token arrived ${name === FIRST_CHUNK ? 'within' : 'for'} ${name} (${ms} ms).`,
  );

/** The settings of a `ChunkReader`. */
export interface ChunkReaderOptions {
  /** Longest wait for the next token while the consumer waits for one, in milliseconds. */
  idleTimeoutMs?: number;
  /** Throw failures instead of ending with a FAILED chunk (an abort is always thrown). */
  throwOnError?: boolean;
}

/**
 * Yields one `IN_PROGRESS` chunk per token of the body given to `readFrom()`, then ends after
 * `[DONE]`, or with one FAILED chunk (thrown with `throwOnError`, always for an abort);
 * `settle()` and `answer()` end it without a body. The scope's abort (the caller's signal, a
 * timeout, `cancel()`) cancels the body at once, even during a pending read, and tokens already
 * read are not served after it. `status` is the stream's status as the consumer has seen it.
 */
export class ChunkReader implements AsyncIterableIterator<ModelResponse>, StreamMeta {
  readonly #scope: Scope;
  readonly #options: ChunkReaderOptions;
  readonly #parser = new SseParser((text, start, end, event) =>
    this.#onEvent(text, start, end, event),
  );
  #body: ReadableStream<Uint8Array> | undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /**
   * The queue: tokens `#head` to `#tail` wait. Served, the array is reused rather than shrunk
   * (shrunk, it regrew in four copies per read); its stale slots hold at most one read's tokens.
   */
  #tokens: string[] = [];
  #head = 0;
  #tail = 0;
  /** How the body ended: `DONE`, or the failure; unset while it is read. */
  #outcome: typeof DONE | LLMError | undefined;
  /** The read of the body under way, which every waiting `next()` follows. */
  #filling: Promise<void> | undefined;
  #finished = false;
  #closed = false;
  /** The scope's signal has aborted (set by its listener; cheaper than the signal's getter). */
  #aborted = false;
  status: ResponseStatus = ResponseStatus.IN_PROGRESS;
  /** The token counts an event reported, the last one kept. */
  usage: Usage | undefined;
  /** The finish reason an event reported (`stop`, `length`...), the last one kept. */
  finishReason: string | undefined;

  constructor(scope: Scope, options: ChunkReaderOptions) {
    this.#scope = scope;
    this.#options = options;
    // Not unlinked: the signal is the scope's own, and an abort after the end changes nothing.
    linkAbort(scope.signal, () => {
      this.#aborted = true;
      this.#cancelBody();
    });
  }

  /** Reads the chunks from `body`, as the consumer asks for them. */
  readFrom(body: ReadableStream<Uint8Array>): void {
    this.#body = body;
    if (this.#aborted) this.#cancelBody();
  }

  #cancelBody(): void {
    (this.#reader ?? this.#body)?.cancel(this.#scope.signal.reason).catch(noop);
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ModelResponse>> {
    if (this.#finished) return Promise.resolve(END);
    if (this.#filling !== undefined) return this.#filling.then(() => this.next());
    if (this.#aborted) {
      // A timeout or an abort wins until the end is served: tokens already read, a [DONE] or
      // a failure already parsed must not outlive it.
      this.#outcome = this.#scope.reason;
      this.#head = this.#tail = 0;
    }
    if (this.#head < this.#tail) {
      const data = this.#tokens[this.#head++] as string;
      if (this.#head === this.#tail) this.#head = this.#tail = 0;
      return Promise.resolve({
        value: new ModelResponse({ status: ResponseStatus.IN_PROGRESS, data }),
        done: false,
      });
    }
    if (this.#outcome !== undefined) return this.#finish(this.#outcome);
    this.#filling = this.#fill().then(() => {
      this.#filling = undefined;
    });
    return this.next();
  }

  /** Leaving the loop early: the request is aborted; the status stays `IN_PROGRESS`. */
  return(): Promise<IteratorResult<ModelResponse>> {
    if (!this.#finished) {
      this.#finished = true;
      this.#head = this.#tail = 0;
      this.#scope.stop(new AbortError(CLOSED));
    }
    return Promise.resolve(END);
  }

  /** Stops the request now, even while a read is pending; the status stays `IN_PROGRESS`. */
  cancel(): void {
    this.#closed = true;
    this.#scope.stop(new AbortError(CLOSED));
  }

  /** Reads the body until a token is queued or the body ends; never rejects. */
  async #fill(): Promise<void> {
    const scope = this.#scope;
    this.#reader ??= (this.#body as ReadableStream<Uint8Array>).getReader();
    const reader = this.#reader;
    const { idleTimeoutMs } = this.#options;
    if (idleTimeoutMs !== undefined) scope.arm(IDLE, idleTimeoutMs, (ms) => timeoutError(IDLE, ms));
    try {
      while (this.#head === this.#tail && this.#outcome === undefined) {
        const { done, value } = await reader.read();
        if (this.#aborted) return;
        if (done) {
          this.#parser.end();
          this.settle(new StreamError('Stream ended before [DONE].'));
        } else this.#parser.feed(value);
      }
    } catch (error) {
      if (!this.#aborted) {
        this.settle(
          new ConnectionError(`The stream was cut before [DONE]: ${messageOf(error)}`, {
            cause: error,
          }),
        );
      }
    } finally {
      scope.disarm(IDLE);
      // The first token has arrived once a read queues one (later ones find nothing to disarm).
      if (this.#head < this.#tail) scope.disarm(FIRST_CHUNK);
    }
  }

  /** One event, its data `text.slice(start, end)`. */
  #onEvent(text: string, start: number, end: number, event: string): void {
    if (this.#outcome !== undefined) return; // nothing after [DONE] or a failure counts
    this.#take(
      event === 'error'
        ? { error: errorTextOf(text.slice(start, end)) }
        : (fastToken(text, start, end) ?? parsedToken(text.slice(start, end), this)),
    );
  }

  /** Queues a token, or ends the stream at `[DONE]` or a failure. */
  #take(token: TokenRead): void {
    if (typeof token === 'string') this.#tokens[this.#tail++] = token;
    else if (token !== null) this.settle(token === DONE ? DONE : new StreamError(token.error));
  }

  /**
   * Ends the stream with what a JSON answer (from a service or proxy that ignored
   * `options.stream`) stands for, read like a run's answer: a finished SUCCESS is its text as
   * one token, a FAILED answer the failure of its message; anything else is a StreamError.
   */
  answer(text: string): void {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {}
    if (isRecord(body) && body.completed === true) this.#take(parsedToken(text, this));
    else {
      const status = isRecord(body) ? String(body.status ?? 'unfinished') : 'not a run';
      this.settle(new StreamError(`The service answered JSON instead of a stream (${status}).`));
    }
    this.settle(DONE); // after a failure, changes nothing
  }

  /**
   * Ends the stream with `outcome` (the first one counts): nothing more is read. The timers keep
   * running until the end is served, as they would if the tokens before it were still on the
   * wire.
   */
  settle(outcome: typeof DONE | LLMError): void {
    if (this.#outcome !== undefined) return;
    this.#outcome = outcome;
    this.#reader?.cancel().catch(noop);
  }

  #finish(outcome: typeof DONE | LLMError): Promise<IteratorResult<ModelResponse>> {
    this.#finished = true;
    if (outcome === DONE) {
      this.#scope.stop();
      this.status = ResponseStatus.SUCCESS;
      return Promise.resolve(END);
    }
    this.#scope.stop(outcome);
    if (this.#options.throwOnError || outcome instanceof AbortError) {
      if (!this.#closed) this.status = ResponseStatus.FAILED;
      return Promise.reject(outcome);
    }
    this.status = ResponseStatus.FAILED;
    const chunk = fromError(outcome);
    chunk.completed = true; // the run is over: nothing follows a failed stream
    return Promise.resolve({ value: chunk, done: false });
  }
}
