/**
 * The typed errors of aixplain-llm, and the one factory that turns an HTTP error answer into
 * the right class with the reference SDK's message.
 *
 * Hand-written: the message table is specific to the aiXplain API.
 */
import { isRecord } from './internal/check.js';

/**
 * The base class of every error this package throws or attaches to a `ModelResponse`.
 *
 * @example
 * try {
 *   await strict.run('Hello'); // an LLM built with throwOnError: true
 * } catch (error) {
 *   if (error instanceof LLMError) console.error(error.name, error.message);
 *   else throw error;
 * }
 */
export class LLMError extends Error {
  /** `"LLMError"`, set as a string so that minifiers cannot change it. */
  override name = 'LLMError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A problem found in the options or the input, before any request was sent.
 *
 * @example
 * try {
 *   await llm.run('Hello', { temperature: 5 });
 * } catch (error) {
 *   if (error instanceof ValidationError) console.error(error.issues); // [{ path: 'temperature', ... }]
 *   else throw error;
 * }
 */
export class ValidationError extends LLMError {
  /** `"ValidationError"`, set as a string so that minifiers cannot change it. */
  override name = 'ValidationError';
  /** What was wrong, one entry per problem. */
  declare readonly issues: ReadonlyArray<{
    /** The option or input at fault, e.g. `temperature`, or `body.max_tokens` for a body key. */
    path: string;
    /** What is wrong with it, e.g. `must be a string`. */
    message: string;
  }>;
  constructor(
    message: string,
    issues: ReadonlyArray<{ path: string; message: string }> = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.issues = issues;
  }
}

/**
 * An error answer from the API: a non-2xx status (subclasses name the status family), or a 2xx
 * answer that reports a failed run (then `status` is that 2xx status).
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.error instanceof APIError) console.error(res.error.status, res.error.requestId);
 */
export class APIError extends LLMError {
  // `declare`: the constructor assigns these, in this order (no field defined twice).
  /** `"APIError"`, set as a string so that minifiers cannot change it. */
  override name = 'APIError';
  /** The HTTP status. */
  declare readonly status: number;
  /** The parsed body of the answer (JSON when it was JSON, else its text). */
  declare readonly body: unknown;
  /** The headers of the answer. */
  declare readonly headers: Headers;
  /** The request id, from the body's `requestId` or the `x-request-id` header. */
  declare readonly requestId: string | undefined;

  constructor(status: number, body: unknown, headers: Headers, message: string) {
    super(message);
    this.status = status;
    this.body = body;
    this.headers = headers;
    const id = isRecord(body) && body.requestId;
    this.requestId =
      typeof id === 'string' && id !== '' ? id : (headers.get('x-request-id') ?? undefined);
  }

  /**
   * Builds the subclass that fits `status`, with the message of the reference table.
   * `bodyIsJson: false` says the body was not JSON (its text is kept in `body`), which the
   * message reports as "unspecified error", as the reference SDK does, unless it is empty.
   */
  static generate(
    status: number,
    body: unknown,
    headers: Headers = new Headers(),
    bodyIsJson = true,
  ): APIError {
    const [Class, text] = rowFor(status);
    const parsed = bodyIsJson
      ? body
      : typeof body === 'string' && body.trim() === ''
        ? null
        : undefined;
    return new Class(status, body, headers, text + detailsOf(parsed));
  }
}

/**
 * 401: the API key is missing, misspelt or no longer valid.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.error instanceof AuthenticationError) console.error('Check AIXPLAIN_API_KEY.');
 */
export class AuthenticationError extends APIError {
  /** `"AuthenticationError"`, set as a string so that minifiers cannot change it. */
  override name = 'AuthenticationError';
}
/**
 * 403: the key may not run this model.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.error instanceof PermissionDeniedError) console.error(`This key may not run ${llm.id}.`);
 */
export class PermissionDeniedError extends APIError {
  /** `"PermissionDeniedError"`, set as a string so that minifiers cannot change it. */
  override name = 'PermissionDeniedError';
}
/**
 * 404: no such model or run.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.error instanceof NotFoundError) console.error(`No model ${llm.id}.`);
 */
export class NotFoundError extends APIError {
  /** `"NotFoundError"`, set as a string so that minifiers cannot change it. */
  override name = 'NotFoundError';
}
/**
 * 429: too many requests.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.error instanceof RateLimitError) {
 *   await new Promise((resolve) => setTimeout(resolve, res.error.retryAfterMs ?? 1000));
 * }
 */
export class RateLimitError extends APIError {
  /** `"RateLimitError"`, set as a string so that minifiers cannot change it. */
  override name = 'RateLimitError';
  /** The server's hint (`retry-after-ms` or `Retry-After`), in milliseconds, when it gave one. */
  declare readonly retryAfterMs: number | undefined;
  constructor(status: number, body: unknown, headers: Headers, message: string) {
    super(status, body, headers, message);
    this.retryAfterMs = retryAfterMsOf(headers);
  }
}
/**
 * 402 and 470-479: not enough credits.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.error instanceof BillingError) console.error('Add credits to the team.');
 */
export class BillingError extends APIError {
  /** `"BillingError"`, set as a string so that minifiers cannot change it. */
  override name = 'BillingError';
}
/**
 * 460-469: the subscription is not active.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.error instanceof SubscriptionError) console.error('Renew the subscription.');
 */
export class SubscriptionError extends APIError {
  /** `"SubscriptionError"`, set as a string so that minifiers cannot change it. */
  override name = 'SubscriptionError';
}
/**
 * 480-489: the model's supplier failed.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.error instanceof SupplierError) console.error('The supplier failed:', res.errorMessage);
 */
export class SupplierError extends APIError {
  /** `"SupplierError"`, set as a string so that minifiers cannot change it. */
  override name = 'SupplierError';
}
/**
 * 400, 490-499 and any other 4xx: the request was refused.
 *
 * @example
 * const res = await llm.run('Hello', { parameters: { max_tokens: 1e9 } });
 * if (res.error instanceof BadRequestError) console.error(res.error.body);
 */
export class BadRequestError extends APIError {
  /** `"BadRequestError"`, set as a string so that minifiers cannot change it. */
  override name = 'BadRequestError';
}
/**
 * 5xx: the service failed.
 *
 * @example
 * const res = await llm.run('Hello'); // after maxRetries further attempts
 * if (res.error instanceof InternalServerError) console.error('Try again later.');
 */
export class InternalServerError extends APIError {
  /** `"InternalServerError"`, set as a string so that minifiers cannot change it. */
  override name = 'InternalServerError';
}

/**
 * The request could not be made, or the connection was cut.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.error instanceof ConnectionError) console.error(res.errorMessage, res.error.cause);
 */
export class ConnectionError extends LLMError {
  /** `"ConnectionError"`, set as a string so that minifiers cannot change it. */
  override name = 'ConnectionError';
  /** The system error code under it (`ECONNREFUSED`, `ENOTFOUND`, ...), when there is one. */
  declare readonly code: string | undefined;
  /** How many attempts were made before giving up. @default 1 */
  attempts = 1;
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(message, options);
    this.code = options?.code;
  }
}
/**
 * A deadline (`timeoutMs`, or a stream's first-chunk or idle timeout) passed before an answer.
 *
 * @example
 * const res = await llm.run('Hello', { timeoutMs: 10_000 });
 * if (res.error instanceof TimeoutError) console.error('No answer within 10 s.');
 */
export class TimeoutError extends LLMError {
  /** `"TimeoutError"`, set as a string so that minifiers cannot change it. */
  override name = 'TimeoutError';
}
/**
 * `syncPoll`'s deadline passed; `url` resumes the run.
 *
 * @example
 * try {
 *   await strict.syncPoll(url, { timeoutMs: 60_000 }); // an LLM built with throwOnError: true
 * } catch (error) {
 *   if (error instanceof PollTimeoutError) console.log('resume later with', error.url);
 *   else throw error;
 * }
 */
export class PollTimeoutError extends TimeoutError {
  /** `"PollTimeoutError"`, set as a string so that minifiers cannot change it. */
  override name = 'PollTimeoutError';
  /** The poll URL, to resume polling later. */
  declare readonly url: string;
  constructor(message: string, url: string, options?: { cause?: unknown }) {
    super(message, options);
    this.url = url;
  }
}
/**
 * The caller's `AbortSignal` aborted.
 *
 * @example
 * try {
 *   await llm.run('Hello', { signal: AbortSignal.timeout(5_000) });
 * } catch (error) {
 *   if (!(error instanceof AbortError)) throw error; // always thrown, whatever throwOnError says
 * }
 */
export class AbortError extends LLMError {
  /** `"AbortError"`, set as a string so that minifiers cannot change it. */
  override name = 'AbortError';
}
/**
 * A stream carried an `error` event, or ended before `[DONE]`.
 *
 * @example
 * for await (const chunk of await llm.stream('Tell me a story.')) {
 *   if (chunk.error instanceof StreamError) console.error(chunk.errorMessage);
 * }
 */
export class StreamError extends LLMError {
  /** `"StreamError"`, set as a string so that minifiers cannot change it. */
  override name = 'StreamError';
}

type APIErrorClass = new (
  status: number,
  body: unknown,
  headers: Headers,
  message: string,
) => APIError;
type Row = readonly [APIErrorClass, string];

/** The reference SDK's status table: the class and message of each status it names. */
const BY_STATUS: Readonly<Record<number, Row>> = {
  400: [
    BadRequestError,
    'Bad request: Please verify the request payload and ensure it is correct.',
  ],
  401: [
    AuthenticationError,
    'Unauthorized API key: Please verify the spelling of the API key and its current validity.',
  ],
  402: [BillingError, 'Payment required: Please ensure you have enough credits to run this asset.'],
  403: [
    PermissionDeniedError,
    'Forbidden access: Please verify the API key and its current validity.',
  ],
  404: [
    NotFoundError,
    'Resource not found: Please verify the spelling of the resource and its current availability.',
  ],
  429: [RateLimitError, 'Rate limit exceeded: Please try again later.'],
  500: [InternalServerError, 'Internal server error: Please try again later.'],
  503: [InternalServerError, 'Service unavailable: Please try again later.'],
  504: [InternalServerError, 'Gateway timeout: Please try again later.'],
};

/** The table's ranges of ten, keyed by the status's tens (46 for 460-469, ...). */
const BY_TENS: Readonly<Record<number, Row>> = {
  46: [
    SubscriptionError,
    'Subscription-related error: Please ensure that your subscription is active and has not expired.',
  ],
  47: [
    BillingError,
    'Billing-related error: Please ensure you have enough credits to run this asset.',
  ],
  48: [
    SupplierError,
    'Supplier-related error: Please ensure that the selected supplier provides the asset you are trying to access.',
  ],
  49: [
    BadRequestError,
    'Validation-related error: Please verify the request payload and ensure it is correct.',
  ],
};

/**
 * The class and message of `status` (an integer): its own row, else its range's, else any other
 * 4xx is a client error and the rest (5xx, and a 2xx or 3xx reporting a failure) server errors.
 */
function rowFor(status: number): Row {
  const row = BY_STATUS[status] ?? BY_TENS[Math.floor(status / 10)];
  if (row !== undefined) return row;
  if (status >= 400 && status <= 499) {
    return [BadRequestError, `Unspecified Client Error (Status ${status})`];
  }
  const Class = status >= 500 && status <= 599 ? InternalServerError : APIError;
  return [Class, `Unspecified Server Error (Status ${status})`];
}

/**
 * The end of the reference SDK's message for an HTTP error, after the text of the status's row:
 * ` Details: <error>`, where the error is the body's `error` when the body is an object with
 * that key, else the whole body; a string is shown as it is, objects and arrays as JSON (the
 * reference prints a Python repr). Nothing is added for what Python counts as false (`null`,
 * `""`, `0`, `false`, `{}`, `[]`), nor for an empty body.
 *
 * `body` is the parsed JSON body, `null` for an empty body, or `undefined` when the body was
 * text that is not JSON, which reads "unspecified error", as in the reference SDK.
 */
function detailsOf(body: unknown): string {
  const details = isRecord(body) && 'error' in body ? body.error : body;
  if (details === undefined) return ' Details: unspecified error';
  if (!details || (typeof details === 'object' && Object.keys(details).length === 0)) return '';
  return ` Details: ${typeof details === 'string' ? details : JSON.stringify(details)}`;
}

/**
 * The server's retry hint in milliseconds: `retry-after-ms`, else `Retry-After` in seconds or as
 * an HTTP date. `undefined` when there is none or it makes no sense (negative, not a number).
 */
export function retryAfterMsOf(headers: Headers, now: number = Date.now()): number | undefined {
  // A blank value counts as absent (NaN here): Number('') would read it as 0.
  const ms = Number(headers.get('retry-after-ms')?.trim() || undefined);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = headers.get('retry-after');
  if (!after?.trim()) return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
