/**
 * `ModelResponse`, what every run, poll and stream chunk gives back, and `ResponseStatus`. The
 * statuses and the usage are the spec's own (`RunStatus`, `Usage`), as `npm run generate`
 * writes them.
 */
import { RunStatus, type Usage as WireUsage } from '../generated/types.gen.js';
import type { LLMError } from './errors.js';

/**
 * The three states of a run, the spec's `RunStatus` (the values come from generated/; the
 * members are typed against it, so a status renamed in the spec fails to compile).
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.status === ResponseStatus.SUCCESS) console.log(res.data);
 */
export const ResponseStatus: {
  /** Not finished: a run that went asynchronous, or a stream chunk. */
  readonly IN_PROGRESS: typeof RunStatus.IN_PROGRESS;
  /** Finished with an answer. */
  readonly SUCCESS: typeof RunStatus.SUCCESS;
  /** Finished without one: `errorMessage` and `error` say why. */
  readonly FAILED: typeof RunStatus.FAILED;
} = RunStatus;
/** `"IN_PROGRESS" | "SUCCESS" | "FAILED"`. */
export type ResponseStatus = RunStatus;

/** Whether `value` is one of the spec's run statuses. */
const STATUSES: ReadonlySet<unknown> = new Set(Object.values(RunStatus));
export function isResponseStatus(value: unknown): value is ResponseStatus {
  return STATUSES.has(value);
}

/**
 * Token counts, as the server reports them: each a number, a numeric string or `null`, as the
 * spec's `Usage` allows.
 */
export type Usage = WireUsage;

/**
 * The fields of a `ModelResponse`; every one but `status` may be left out and takes its default.
 *
 * @example
 * const canned = new ModelResponse({ status: 'SUCCESS', completed: true, data: 'Hello!' });
 */
export type ModelResponseInit = Partial<Omit<ModelResponse, 'status' | 'toJSON' | 'text'>> & {
  /** The state of the run; the one required field. */
  status: ResponseStatus;
};

/**
 * The result of a run, a poll or one stream chunk.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.status === 'SUCCESS') console.log(res.data);
 * else console.error(res.errorMessage);
 */
export class ModelResponse {
  // `declare`: the constructor assigns every field, in this order, so no field is first defined
  // as undefined and then written again (one write per field for every answer and token).
  /** `IN_PROGRESS`, `SUCCESS` or `FAILED`. */
  declare status: ResponseStatus;
  /** The output: text for an LLM, any JSON value (`null` included) otherwise. @default "" */
  declare data: unknown;
  /** Further details of the output. @default {} */
  declare details: Record<string, unknown> | unknown[];
  /** Whether the run has finished. @default false */
  declare completed: boolean;
  /** What went wrong, when `status` is FAILED. @default "" */
  declare errorMessage: string;
  /** Credits the run used. @default 0 */
  declare usedCredits: number;
  /** Time the run took, in seconds, as the server reports it. @default 0 */
  declare runTime: number;
  /** Token counts, when the server reports them. */
  declare usage: Usage | undefined;
  /** The poll URL of an unfinished (or timed-out) run. */
  declare url: string | undefined;
  /** The server's error code (`error_code`), when it gave one. */
  declare errorCode: string | undefined;
  /** The request id, from the body's `requestId` or the `x-request-id` header. */
  declare requestId: string | undefined;
  /** The asset that ran, when the server says. */
  declare asset: Record<string, unknown> | undefined;
  /** Every other key of the answer (`rawData`, `supplierError`, ...). @default {} */
  declare additionalFields: Record<string, unknown>;
  /** The typed error, set when `status` is FAILED. */
  declare error: LLMError | undefined;
  /**
   * The HTTP status of the answer this response was read from (for a run that was polled, the
   * last poll's; for an HTTP error, the error's). `undefined` when no answer came (a cut
   * connection, a deadline) and for stream chunks.
   */
  declare httpStatus: number | undefined;
  /** The headers of that answer, read without a second look at the body. */
  declare headers: Headers | undefined;

  constructor(init: ModelResponseInit) {
    this.status = init.status;
    // `null` is an answer's data like any other; only a missing one defaults to "".
    this.data = init.data === undefined ? '' : init.data;
    this.details = init.details ?? {};
    this.completed = init.completed ?? false;
    this.errorMessage = init.errorMessage ?? '';
    this.usedCredits = init.usedCredits ?? 0;
    this.runTime = init.runTime ?? 0;
    this.usage = init.usage;
    this.url = init.url;
    this.errorCode = init.errorCode;
    this.requestId = init.requestId;
    this.asset = init.asset;
    this.additionalFields = init.additionalFields ?? {};
    this.error = init.error;
    this.httpStatus = init.httpStatus;
    this.headers = init.headers;
  }

  /**
   * The output as text: `data` when it is a string, else `""`. For a text-generation model this
   * is the answer, typed as a string (`data` stays `unknown` for other answers).
   *
   * @example
   * const answer: string = (await llm.run('Hello')).text;
   */
  get text(): string {
    return typeof this.data === 'string' ? this.data : '';
  }

  /** The fields as plain JSON; `error` becomes `{ name, message }`, `headers` are left out. */
  toJSON(): Record<string, unknown> {
    const { error, headers: _headers, ...rest } = this;
    return error === undefined
      ? rest
      : { ...rest, error: { name: error.name, message: error.message } };
  }
}
