/**
 * Errors that the `ai` package recognises, without importing `@ai-sdk/provider` at run time.
 *
 * The AI SDK identifies its errors by marker, not by `instanceof` (so that two copies of the
 * package still agree): `AISDKError.hasMarker` looks for an own property keyed by
 * `Symbol.for('vercel.ai.error')` and one keyed by `Symbol.for('vercel.ai.error.<name>')`, each set
 * to `true` (`@ai-sdk/provider` 3.0.15, `src/errors/ai-sdk-error.ts` and `api-call-error.ts`).
 * `ai` retries an error only when `APICallError.isInstance(error)` holds and `isRetryable` is
 * `true` (`retry-with-exponential-backoff.ts`). These classes set the same markers and fields, so
 * `APICallError.isInstance`, `NoSuchModelError.isInstance`, ... hold for them.
 *
 * Hand-written: `aixplain-llm/ai-sdk` must run with `zod` as its only dependency.
 */
import { APIError, type LLMError } from '../errors.js';
import { isRetryable } from '../retry.js';

/** An `Error` carrying the AI SDK's markers for `name` (e.g. `AI_APICallError`). */
class MarkedError extends Error {
  constructor(name: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = name;
    const self = this as unknown as Record<symbol, boolean>;
    self[Symbol.for('vercel.ai.error')] = true;
    self[Symbol.for(`vercel.ai.error.${name}`)] = true;
  }
}

/** Mirrors `APICallError` of `@ai-sdk/provider`: the request to the API failed. */
export class AixplainAPICallError extends MarkedError {
  readonly url: string;
  readonly requestBodyValues: unknown;
  readonly statusCode: number | undefined;
  readonly responseHeaders: Record<string, string> | undefined;
  readonly responseBody: string | undefined;
  /** Whether `ai` may send the request again: only where the model cannot have started. */
  readonly isRetryable: boolean;
  readonly data: unknown;

  constructor(init: {
    message: string;
    url: string;
    requestBodyValues: unknown;
    statusCode?: number;
    responseHeaders?: Record<string, string>;
    responseBody?: string;
    isRetryable: boolean;
    cause?: unknown;
    data?: unknown;
  }) {
    super('AI_APICallError', init.message, init.cause);
    this.url = init.url;
    this.requestBodyValues = init.requestBodyValues;
    this.statusCode = init.statusCode;
    this.responseHeaders = init.responseHeaders;
    this.responseBody = init.responseBody;
    this.isRetryable = init.isRetryable;
    this.data = init.data;
  }
}

/** Mirrors `NoSuchModelError`: this provider has no model of that kind. */
export class AixplainNoSuchModelError extends MarkedError {
  readonly modelId: string;
  readonly modelType: 'embeddingModel' | 'imageModel';
  constructor(modelId: string, modelType: 'embeddingModel' | 'imageModel') {
    super('AI_NoSuchModelError', `No such ${modelType}: ${modelId}`);
    this.modelId = modelId;
    this.modelType = modelType;
  }
}

/** Mirrors `UnsupportedFunctionalityError`: the prompt holds something the API cannot carry. */
export class AixplainUnsupportedFunctionalityError extends MarkedError {
  readonly functionality: string;
  constructor(functionality: string, message = `'${functionality}' functionality not supported.`) {
    super('AI_UnsupportedFunctionalityError', message);
    this.functionality = functionality;
  }
}

/** Mirrors `InvalidPromptError`: the prompt cannot be turned into a run. */
export class AixplainInvalidPromptError extends MarkedError {
  readonly prompt: unknown;
  constructor(prompt: unknown, message: string) {
    super('AI_InvalidPromptError', `Invalid prompt: ${message}`);
    this.prompt = prompt;
  }
}

/** Where the failed request went and what it sent, for the error's `url` and `requestBodyValues`. */
export interface FailedRequest {
  url: string;
  body: unknown;
  /** The run had gone asynchronous and failed while polling: the model has started. */
  polling: boolean;
}

/**
 * The `APICallError`-compatible error for a failure of this package (`response.error` of a
 * FAILED answer, or a FAILED stream chunk's), with that error as `cause`. `isRetryable` follows
 * the package's POST policy (a retry never runs a model twice): 429, 503 and a connection never made are
 * retryable; anything that may come after the model started (5xx, a cut stream, a failed poll,
 * a run that reported failure) is not, so an `ai` retry never runs the model twice.
 */
export function toAPICallError(
  error: LLMError | undefined,
  message: string,
  request: FailedRequest,
): AixplainAPICallError {
  const http = error instanceof APIError ? error : undefined;
  return new AixplainAPICallError({
    message: message === '' ? (error?.message ?? 'The model run failed.') : message,
    url: request.url,
    requestBodyValues: request.body,
    statusCode: http?.status,
    responseHeaders: http ? Object.fromEntries(http.headers.entries()) : undefined,
    responseBody: http ? bodyText(http.body) : undefined,
    isRetryable: !request.polling && isRetryable(error, 'POST'),
    cause: error,
    data: http?.body,
  });
}

function bodyText(body: unknown): string | undefined {
  if (body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}
