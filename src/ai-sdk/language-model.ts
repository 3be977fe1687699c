/**
 * `LanguageModelV3` on top of the `LLM` facade: `doGenerate` is `llm.run` (which polls a run
 * that goes asynchronous), `doStream` is `llm.stream`. The facade does the HTTP, the SSE
 * parsing, the key's safety and the timeouts; this module only translates.
 *
 * Failures are thrown (or, mid-stream, sent as `error` parts) as `APICallError`-compatible errors
 * whose `cause` is this package's typed error, so `ai` retries exactly what the package's retry policy
 * allows. The facade's own retries are off (`maxRetries: 0`, set by the provider) so that one
 * failure is retried once, by `ai`, as `maxRetries` of `generateText` says.
 */

import type {
  LanguageModelV3,
  LanguageModelV3CallOptions,
  LanguageModelV3GenerateResult,
  LanguageModelV3StreamResult,
} from '@ai-sdk/provider';
import { APIError, ConnectionError } from '../errors.js';
import type { LLM } from '../llm.js';
import { resolveRunOptions, validateInput } from '../options.js';
import { toRequestBody } from '../payload.js';
import type { ModelResponse } from '../response.js';
import { ResponseStatus } from '../response.js';
import { convertUsage } from './convert-usage.js';
import { type FailedRequest, toAPICallError } from './errors.js';
import { mapFinishReason } from './map-finish-reason.js';
import { type PreparedCall, prepareCall } from './prepare-call.js';
import { toStreamParts } from './stream-parts.js';

/** An aiXplain model as an AI SDK language model. Made by `createAixplain()(modelId)`. */
export class AixplainLanguageModel implements LanguageModelV3 {
  readonly specificationVersion = 'v3';
  readonly provider = 'aixplain';
  readonly modelId: string;
  /** The API takes no file URLs: the AI SDK downloads nothing for it (files are refused anyway). */
  readonly supportedUrls: Record<string, RegExp[]> = {};
  readonly #llm: LLM;

  /** @param llm the facade that runs `modelId`, made with `maxRetries: 0`. */
  constructor(llm: LLM) {
    this.#llm = llm;
    this.modelId = llm.id;
  }

  async doGenerate(call: LanguageModelV3CallOptions): Promise<LanguageModelV3GenerateResult> {
    const prepared = prepareCall(call);
    const body = this.#body(prepared, false);
    const response = await this.#llm.run(prepared.data, prepared.options);
    if (response.status !== ResponseStatus.SUCCESS) {
      throw toAPICallError(response.error, response.errorMessage, this.#failed(body, response));
    }
    const text = typeof response.data === 'string' ? response.data : JSON.stringify(response.data);
    return {
      content: text === '' ? [] : [{ type: 'text', text }],
      finishReason: mapFinishReason(response.additionalFields.rawData),
      usage: convertUsage(response.usage),
      providerMetadata: {
        aixplain: { usedCredits: response.usedCredits, runTime: response.runTime },
      },
      request: { body },
      response: { id: response.requestId, modelId: this.modelId },
      warnings: prepared.warnings,
    };
  }

  async doStream(call: LanguageModelV3CallOptions): Promise<LanguageModelV3StreamResult> {
    const prepared = prepareCall(call);
    const body = this.#body(prepared, true);
    const streamer = await this.#llm.stream(prepared.data, prepared.options);
    const reader = streamer.toReadableStream().getReader();
    // The first chunk tells whether the request itself failed (an HTTP error, no connection):
    // that is thrown here, as a provider's fetch would, so `ai` can retry a 429 or a 503.
    const first = await reader.read();
    const request = this.#failed(body, undefined);
    if (!first.done && first.value.status === ResponseStatus.FAILED) {
      const { error } = first.value;
      if (error instanceof APIError || error instanceof ConnectionError) {
        throw toAPICallError(error, first.value.errorMessage, request);
      }
    }
    return {
      stream: toStreamParts(first, reader, {
        warnings: prepared.warnings,
        modelId: this.modelId,
        request,
        meta: streamer,
      }),
      request: { body },
    };
  }

  /** The body `llm.run` sends for this call (the same pure function), for `request.body`. */
  #body(prepared: PreparedCall, stream: boolean): Record<string, unknown> {
    const run = resolveRunOptions({ ...prepared.options, stream }, this.#llm.temperature);
    return toRequestBody(validateInput(prepared.data), run);
  }

  /** Where a failed call went: the execute URL, or the poll URL once the run went async. */
  #failed(body: unknown, response: ModelResponse | undefined): FailedRequest {
    const pollUrl = response?.url;
    return {
      url: pollUrl ?? `${this.#llm.baseUrl}/api/v2/execute/${encodeURIComponent(this.modelId)}`,
      body,
      polling: pollUrl !== undefined,
    };
  }
}
