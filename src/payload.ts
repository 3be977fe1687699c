/**
 * The only code that touches wire shapes: the request body of a run (toRequestBody) and the
 * mapping of an answer to a ModelResponse (fromAnswer, fromError). Pure functions.
 *
 * Hand-written: the body precedence (parameters, then an object input's keys, then the options,
 * then the defaults) and the status rules are the aiXplain API's own, as its reference SDK applies them.
 */
import type { ExecuteRequest, RunResult } from '../generated/types.gen.js';
import { APIError, type LLMError, ValidationError } from './errors.js';
import { isRecord, numberOf } from './internal/check.js';
import { type ResolvedRunOptions, validateBody } from './options.js';
import {
  isResponseStatus,
  ModelResponse,
  type ModelResponseInit,
  ResponseStatus,
} from './response.js';

/** A JSON request body of `POST /api/v{1,2}/execute/{id}`: the spec's `ExecuteRequest`. */
export type RequestBody = ExecuteRequest;

/** The keys the spec's `ExecuteRequest` declares, without its index signature: a misspelt wire key fails to compile. */
type DeclaredRequest = {
  [K in keyof RequestBody as string extends K ? never : K]: RequestBody[K];
};

/**
 * The body of a run. Precedence, highest first: `parameters`, the keys of an object `data`, the
 * run options, the LLM's defaults (already folded into `run`). The input itself is always the
 * body's `data`: an object input gives its `data` key (`""` without one) and its other keys as
 * parameters; a string is sent as it is. Nothing passed in is mutated.
 */
export function toRequestBody(
  input: string | Record<string, unknown>,
  run: ResolvedRunOptions,
): RequestBody {
  // An object's `data` is the input as given, `null` included; only a missing one is "".
  const given = typeof input === 'string' ? input : input.data;
  const inputData = given === undefined ? '' : given;
  const body: RequestBody = {
    data: inputData,
    context: run.context,
    prompt: run.prompt,
    history: run.history,
    temperature: run.temperature,
    max_tokens: run.maxTokens,
    top_p: run.topP,
    ...(run.responseFormat === undefined ? NONE : { response_format: run.responseFormat }),
    // An object's keys, its `data` among them: `data` is set back to the input below.
    ...(typeof input === 'string' ? NONE : copied(input)),
    ...copied(run.parameters),
  } satisfies DeclaredRequest;
  // As in the reference SDK, a `data` key among the parameters does not replace the input.
  body.data = inputData;
  const options = body.options;
  if (run.stream) {
    body.options = { ...(isRecord(options) ? options : {}), stream: true };
  } else if (isRecord(options) && options.stream === true) {
    // The answer would be an event stream that run() cannot read: say so before sending.
    throw new ValidationError(
      'Invalid run options: `options.stream` is set in the parameters; use stream() or run(data, { stream: true }).',
      [{ path: 'parameters.options.stream', message: 'use stream() instead' }],
    );
  }
  validateBody(body);
  return body;
}

/** Spread where there is nothing to add: no object per request. */
const NONE: Readonly<Record<string, never>> = Object.freeze({});

/**
 * A copy of the own keys of `values` whose value is not `undefined`, but for the `skipped` ones:
 * a parameter set to `undefined` is not given, so the default beneath it still applies (JSON
 * would drop the key anyway). A `"__proto__"` key stays data (defined, not assigned: assigned,
 * it would become the prototype of the copy), as JSON.stringify would send it.
 */
function copied(
  values: Record<string, unknown>,
  skipped?: ReadonlySet<string>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(values)) {
    const value = values[key];
    if (value === undefined || skipped?.has(key)) continue;
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    } else out[key] = value;
  }
  return out;
}

/** What the transport read from a 2xx answer. */
export interface Answer {
  /** The parsed JSON body, or the text when it was not JSON. */
  body: unknown;
  /** Whether `body` came from JSON. */
  json: boolean;
  headers: Headers;
  status: number;
}

/** The answer keys that the spec's `RunResult` declares, without its index signature. */
type DeclaredAnswerKey = keyof {
  [K in keyof RunResult as string extends K ? never : K]: RunResult[K];
};

/**
 * The answer keys that fromAnswer reads into fields of the ModelResponse. Every other key stays
 * in `additionalFields`: the undeclared ones, and the declared ones that the spec marks as raw
 * (`x-additional-field`). A list here, not read from the spec at run time, because mapping a key
 * takes code below anyway; test/payload.test.ts holds it to the spec's markers, and a key that
 * is neither listed nor raw fails to compile.
 */
export const MAPPED_ANSWER_KEYS = [
  'status',
  'completed',
  'data',
  'details',
  'error_message',
  'error',
  'error_code',
  'usedCredits',
  'runTime',
  'usage',
  'asset',
  'requestId',
] as const satisfies readonly DeclaredAnswerKey[];
const MAPPED_KEYS: ReadonlySet<string> = new Set(MAPPED_ANSWER_KEYS);

/** The declared answer keys that stay raw, as the spec marks them. */
type RawAnswerKey = 'supplierError' | 'rawData';
type Unclassified = Exclude<DeclaredAnswerKey, RawAnswerKey | (typeof MAPPED_ANSWER_KEYS)[number]>;
/** Compiles only while every declared answer key is either mapped or raw. */
export type EveryAnswerKeyClassified = [Unclassified] extends [never] ? true : Unclassified;
const _check: EveryAnswerKeyClassified = true;

/** The reference's message for a 2xx `IN_PROGRESS` answer without a poll URL. */
export const NO_POLL_URL_MESSAGE = 'Model Run: An error occurred while processing your request.';

/**
 * Maps a 2xx answer of an execute (`kind: 'execute'`) or a poll (`kind: 'poll'`) to a
 * ModelResponse. One status rule for both: a valid server `status` wins; else `SUCCESS` when
 * `completed` is true (`FAILED` when the answer names an error), else `IN_PROGRESS`. An
 * unfinished execute answer carries the poll URL in `data`; it moves to `url`.
 */
export function fromAnswer(
  answer: Answer,
  kind: 'execute' | 'poll',
  pollUrl?: string,
): ModelResponse {
  const { body, headers, status: httpStatus } = answer;
  const headerRequestId = headers.get('x-request-id') ?? undefined;
  if (!answer.json || !isRecord(body)) {
    // A poll answer that is not a JSON object (an HTML page of a gateway, an empty body) says
    // nothing of the run: it is unfinished, and polling goes on within the deadline.
    if (kind === 'poll') {
      return new ModelResponse({
        status: ResponseStatus.IN_PROGRESS,
        requestId: headerRequestId,
        url: pollUrl,
        httpStatus,
        headers,
      });
    }
    const message = `The service answered ${httpStatus} with a body that is not a JSON object.`;
    return fromError(new APIError(httpStatus, body, headers, message), pollUrl);
  }

  const result = body as RunResult;
  const errorMessage = errorMessageOf(result);
  const supplierError = result.supplierError;
  const status = isResponseStatus(result.status)
    ? result.status
    : result.completed === true
      ? errorMessage === '' && (supplierError === undefined || supplierError === null)
        ? ResponseStatus.SUCCESS
        : ResponseStatus.FAILED
      : ResponseStatus.IN_PROGRESS;

  // One init object, completed below by the status: no copy of it per answer.
  const init: ModelResponseInit = {
    status,
    details: isRecord(result.details) || Array.isArray(result.details) ? result.details : undefined,
    // A number, or a numeric string ("0.0002") as some services send; anything else is 0.
    usedCredits: numberOf(result.usedCredits),
    runTime: numberOf(result.runTime),
    usage: isRecord(result.usage) ? result.usage : undefined,
    errorCode: typeof result.error_code === 'string' ? result.error_code : undefined,
    requestId:
      typeof result.requestId === 'string' && result.requestId !== ''
        ? result.requestId
        : headerRequestId,
    asset: isRecord(result.asset) ? result.asset : undefined,
    additionalFields: copied(result, MAPPED_KEYS),
    httpStatus,
    headers,
  };

  if (status === ResponseStatus.IN_PROGRESS) {
    const url = kind === 'execute' ? result.data : pollUrl;
    if (typeof url !== 'string' || url === '') {
      init.status = ResponseStatus.FAILED;
      init.completed = true;
      init.errorMessage = NO_POLL_URL_MESSAGE;
      init.error = new APIError(httpStatus, result, headers, NO_POLL_URL_MESSAGE);
    } else {
      init.data = kind === 'execute' ? '' : result.data;
      init.url = url;
    }
    return new ModelResponse(init);
  }

  init.completed = typeof result.completed === 'boolean' ? result.completed : true;
  init.data = result.data;
  init.errorMessage = errorMessage;
  init.url = pollUrl;
  if (status === ResponseStatus.FAILED) {
    init.error = new APIError(
      httpStatus,
      result,
      headers,
      errorMessage === '' ? 'The model run failed.' : errorMessage,
    );
  }
  return new ModelResponse(init);
}

/** A FAILED ModelResponse for an error: an HTTP error, a cut connection, a deadline. */
export function fromError(error: LLMError, url?: string): ModelResponse {
  const answered = error instanceof APIError ? error : undefined;
  return new ModelResponse({
    status: ResponseStatus.FAILED,
    // An HTTP error is a finished answer; a cut connection or a deadline leaves the run unknown.
    completed: answered !== undefined,
    errorMessage: error.message,
    error,
    requestId: answered?.requestId,
    url,
    httpStatus: answered?.status,
    headers: answered?.headers,
  });
}

/** `error_message`, else `error` followed by `" - " + supplierError` (the reference's rule). */
function errorMessageOf(body: Record<string, unknown>): string {
  const direct = body.error_message;
  if (typeof direct === 'string' && direct !== '') return direct;
  const error = body.error;
  let message =
    error === undefined || error === null
      ? ''
      : typeof error === 'string'
        ? error
        : JSON.stringify(error);
  if (body.supplierError !== undefined && body.supplierError !== null) {
    const supplier = body.supplierError;
    message += ` - ${typeof supplier === 'string' ? supplier : JSON.stringify(supplier)}`;
  }
  return message;
}
