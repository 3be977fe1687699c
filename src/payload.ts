/**
 * The only code that touches wire shapes: the request body of a run (toRequestBody) and the
 * mapping of an answer to a ModelResponse (fromAnswer, fromError). Pure functions.
 *
 * Hand-written: the body precedence (parameters, then an object input's keys, then the options,
 * then the defaults) and the status rules are the aiXplain API's own, as its reference SDK applies them.
 */
import { APIError, type LLMError, ValidationError } from './errors.js';
import { isRecord } from './internal/check.js';
import { type ResolvedRunOptions, validateBody } from './options.js';
import { ModelResponse, ResponseStatus, type Usage } from './response.js';

/** A JSON request body of `POST /api/v{1,2}/execute/{id}`. */
export type RequestBody = Record<string, unknown> & { data: unknown };

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
  const { data: objectData, ...objectParameters } = typeof input === 'string' ? {} : input;
  const inputData = typeof input === 'string' ? input : (objectData ?? '');
  const body: RequestBody = {
    data: inputData,
    context: run.context,
    prompt: run.prompt,
    history: run.history,
    temperature: run.temperature,
    max_tokens: run.maxTokens,
    top_p: run.topP,
    ...(run.responseFormat === undefined ? {} : { response_format: run.responseFormat }),
    ...objectParameters,
    ...run.parameters,
  };
  // As in the reference SDK, a `data` key among the parameters does not replace the input.
  body.data = inputData;
  if (run.stream) {
    const options = body.options;
    body.options = { ...(isRecord(options) ? options : {}), stream: true };
  } else if (isRecord(body.options) && body.options.stream === true) {
    // The answer would be an event stream that run() cannot read: say so before sending.
    throw new ValidationError(
      'Invalid run options: `options.stream` is set in the parameters; use stream() or run(data, { stream: true }).',
      [{ path: 'parameters.options.stream', message: 'use stream() instead' }],
    );
  }
  validateBody(body);
  return body;
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

const MAPPED_KEYS = new Set([
  'status',
  'data',
  'details',
  'completed',
  'error_message',
  'error',
  'usedCredits',
  'runTime',
  'usage',
  'error_code',
  'requestId',
  'asset',
]);

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
  const body = answer.body;
  const headerRequestId = answer.headers.get('x-request-id') ?? undefined;
  if (!answer.json || !isRecord(body)) {
    const message = `The service answered ${answer.status} with a body that is not a JSON object.`;
    return new ModelResponse({
      status: ResponseStatus.FAILED,
      completed: true,
      errorMessage: message,
      error: new APIError(answer.status, body, answer.headers, message),
      requestId: headerRequestId,
      url: pollUrl,
    });
  }

  const errorMessage = errorMessageOf(body);
  const completed = body.completed === true;
  const status = isStatus(body.status)
    ? body.status
    : completed
      ? errorMessage === '' && body.supplierError === undefined
        ? ResponseStatus.SUCCESS
        : ResponseStatus.FAILED
      : ResponseStatus.IN_PROGRESS;

  const additionalFields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (!MAPPED_KEYS.has(key)) additionalFields[key] = value;
  }
  const fields = {
    details: isRecord(body.details) || Array.isArray(body.details) ? body.details : undefined,
    usedCredits: typeof body.usedCredits === 'number' ? body.usedCredits : undefined,
    runTime: typeof body.runTime === 'number' ? body.runTime : undefined,
    usage: isRecord(body.usage) ? (body.usage as Usage) : undefined,
    errorCode: typeof body.error_code === 'string' ? body.error_code : undefined,
    requestId:
      typeof body.requestId === 'string' && body.requestId !== ''
        ? body.requestId
        : headerRequestId,
    asset: isRecord(body.asset) ? body.asset : undefined,
    additionalFields,
  };

  if (status === ResponseStatus.IN_PROGRESS) {
    const url = kind === 'execute' ? body.data : pollUrl;
    if (typeof url !== 'string' || url === '') {
      return new ModelResponse({
        ...fields,
        status: ResponseStatus.FAILED,
        completed: true,
        errorMessage: NO_POLL_URL_MESSAGE,
        error: new APIError(answer.status, body, answer.headers, NO_POLL_URL_MESSAGE),
      });
    }
    return new ModelResponse({
      ...fields,
      status,
      completed: false,
      data: kind === 'execute' ? '' : (body.data ?? ''),
      url,
    });
  }

  return new ModelResponse({
    ...fields,
    status,
    completed: typeof body.completed === 'boolean' ? body.completed : true,
    data: body.data ?? '',
    errorMessage,
    url: pollUrl,
    error:
      status === ResponseStatus.FAILED
        ? new APIError(
            answer.status,
            body,
            answer.headers,
            errorMessage === '' ? 'The model run failed.' : errorMessage,
          )
        : undefined,
  });
}

/** A FAILED ModelResponse for an error: an HTTP error, a cut connection, a deadline. */
export function fromError(error: LLMError, url?: string): ModelResponse {
  return new ModelResponse({
    status: ResponseStatus.FAILED,
    // An HTTP error is a finished answer; a cut connection or a deadline leaves the run unknown.
    completed: error instanceof APIError,
    errorMessage: error.message,
    error,
    requestId: error instanceof APIError ? error.requestId : undefined,
    url,
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

function isStatus(value: unknown): value is ResponseStatus {
  return value === 'IN_PROGRESS' || value === 'SUCCESS' || value === 'FAILED';
}
