/**
 * A streamed run's chunks -> the AI SDK's stream parts:
 * `stream-start` (the warnings), `response-metadata`, then `text-start` / a `text-delta` per
 * token / `text-end` under id `'0'`, and `finish`. A FAILED chunk becomes an `error` part and a
 * `finish` whose reason is `error`. The `finish` part carries the usage and the finish reason
 * that the stream reported (OpenAI-style chunks carry them); without them every count is
 * `undefined` and a finished stream reads `stop`.
 *
 * The chunks are read through the streamer's own `ReadableStream`, one read per pull (no read
 * ahead), because cancelling that stream stops the HTTP request at once, even while a read is
 * pending; a generator's `return()` would wait for the pending token.
 */

import type { LanguageModelV3StreamPart, SharedV3Warning } from '@ai-sdk/provider';
import type { ModelResponse, Usage } from '../response.js';
import { ResponseStatus } from '../response.js';
import { convertUsage } from './convert-usage.js';
import { type FailedRequest, toAPICallError } from './errors.js';
import { unifyFinishReason } from './map-finish-reason.js';

const TEXT_ID = '0';

/** What the parts need besides the chunks. */
export interface StreamPartsContext {
  warnings: SharedV3Warning[];
  modelId: string;
  request: FailedRequest;
  /** What the stream reported besides its tokens, read when it ends (the streamer). */
  meta?: { readonly usage: Usage | undefined; readonly finishReason: string | undefined };
}

/**
 * The parts of one stream. `first` is the chunk already read by the caller (to throw a failed
 * request from `doStream` itself); `reader` gives the rest. Cancelling the result cancels
 * `reader`, which cancels the request. An abort errors the result with the `AbortError`.
 */
export function toStreamParts(
  first: ReadableStreamReadResult<ModelResponse>,
  reader: ReadableStreamDefaultReader<ModelResponse>,
  context: StreamPartsContext,
): ReadableStream<LanguageModelV3StreamPart> {
  let textStarted = false;
  let finished = false;

  /** Enqueues the parts of one read; `false` when it gave none (an empty token). */
  const emit = (
    controller: ReadableStreamDefaultController<LanguageModelV3StreamPart>,
    result: ReadableStreamReadResult<ModelResponse>,
  ): boolean => {
    if (!result.done && result.value.status !== ResponseStatus.FAILED) {
      if (typeof result.value.data !== 'string' || result.value.data === '') return false;
      if (!textStarted) controller.enqueue({ type: 'text-start', id: TEXT_ID });
      textStarted = true;
      controller.enqueue({ type: 'text-delta', id: TEXT_ID, delta: result.value.data });
      return true;
    }
    if (textStarted) controller.enqueue({ type: 'text-end', id: TEXT_ID });
    const failed = result.done ? undefined : result.value;
    if (failed !== undefined) {
      controller.enqueue({
        type: 'error',
        error: toAPICallError(failed.error, failed.errorMessage, context.request),
      });
    }
    controller.enqueue({
      type: 'finish',
      finishReason:
        failed === undefined
          ? unifyFinishReason(context.meta?.finishReason)
          : { unified: 'error', raw: undefined },
      usage: convertUsage(context.meta?.usage),
    });
    finished = true;
    controller.close();
    // A FAILED chunk is the last one: let go of the request now rather than when it is collected.
    if (failed !== undefined) reader.cancel().catch(() => {});
    return true;
  };

  return new ReadableStream<LanguageModelV3StreamPart>({
    start(controller) {
      controller.enqueue({ type: 'stream-start', warnings: context.warnings });
      controller.enqueue({ type: 'response-metadata', modelId: context.modelId });
      emit(controller, first);
    },
    async pull(controller) {
      // A pull that enqueues nothing is not called again: read until a part is out.
      while (!finished) {
        let result: ReadableStreamReadResult<ModelResponse>;
        try {
          result = await reader.read();
        } catch (error) {
          // The caller's abort (AbortError): the stream ends with it, as a fetch body would.
          finished = true;
          controller.error(error);
          return;
        }
        if (finished || emit(controller, result)) return;
      }
    },
    cancel(reason) {
      finished = true;
      return reader.cancel(reason);
    },
  });
}
