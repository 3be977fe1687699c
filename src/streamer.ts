/**
 * `ModelResponseStreamer`, the public face of a streamed run: one read of its chunks (a loop,
 * `text()`, `toReadableStream()` or `tee()`), the stream's status, and cancellation.
 */
import { StreamError } from './errors.js';
import { noop } from './internal/scope.js';
import { type ModelResponse, ResponseStatus, type Usage } from './response.js';
import { ChunkReader } from './stream-reader.js';

/** What a stream reported besides its tokens. */
type StreamReport = {
  readonly usage: Usage | undefined;
  readonly finishReason: string | undefined;
};

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
  /** The body reader of `openStream`, when it gives the chunks: it tracks the status itself. */
  readonly #reader: ChunkReader | undefined;
  readonly #cancel: () => void;
  readonly #meta: StreamReport | undefined;
  #status: ResponseStatus = ResponseStatus.IN_PROGRESS;
  #consumed = false;
  #closed = false;

  /**
   * Wraps chunks; `openStream` builds the streamers of `LLM.stream()`. `cancel` stops the
   * request at once, even while a read is pending.
   */
  constructor(
    chunks: AsyncIterable<ModelResponse>,
    cancel: () => void = noop,
    report?: { readonly usage: Usage | undefined; readonly finishReason: string | undefined },
  ) {
    const reader = chunks instanceof ChunkReader ? chunks : undefined;
    this.#chunks = chunks;
    this.#reader = reader;
    this.#cancel = cancel;
    this.#meta = reader ?? report;
  }

  /**
   * The token counts the stream reported, once it has ended: OpenAI-style chunks carry them
   * (`usage`, usually in the last event). `undefined` when the stream reported none.
   *
   * @example
   * const text = await streamer.text();
   * console.log(streamer.usage?.completion_tokens);
   */
  get usage(): Usage | undefined {
    return this.#meta?.usage;
  }

  /**
   * Why the model stopped, as the stream reported it (`choices[0].finish_reason` of an
   * OpenAI-style chunk: `stop`, `length`...); `undefined` when it did not say.
   *
   * @example
   * for await (const chunk of streamer) process.stdout.write(chunk.text);
   * if (streamer.finishReason === 'length') console.warn('cut at maxTokens');
   */
  get finishReason(): string | undefined {
    return this.#meta?.finishReason;
  }

  /**
   * `IN_PROGRESS` until the stream ends: `SUCCESS` after `[DONE]`, `FAILED` after a failure.
   * Leaving the loop early keeps `IN_PROGRESS`.
   */
  get status(): ResponseStatus {
    return this.#reader?.status ?? this.#status;
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
    // A body reader tracks the status itself: no wrapper generator (one more promise per chunk).
    return this.#reader ?? this.#track();
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
    if (this.#reader) this.#reader.cancel();
    else this.#cancel();
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
      text += chunk.text;
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
        // A rejected pull errors the stream with its reason.
        pull: async (controller) => {
          const { done, value } = await iterator.next();
          if (done) controller.close();
          else controller.enqueue(value);
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
    // The web stream's tee buffers for the slower branch and cancels its source (and so the
    // request) once both branches are cancelled; each branch sees the same error.
    const [left, right] = this.toReadableStream().tee();
    return [branchOf(left, this), branchOf(right, this)];
  }
}

/** A streamer over one branch of a tee; leaving it early cancels the branch. */
function branchOf(
  stream: ReadableStream<ModelResponse>,
  source: ModelResponseStreamer,
): ModelResponseStreamer {
  async function* chunks(): AsyncGenerator<ModelResponse> {
    const reader = stream.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.cancel().catch(noop);
    }
  }
  return new ModelResponseStreamer(chunks(), noop, source);
}
