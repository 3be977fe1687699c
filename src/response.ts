/**
 * `ModelResponse`, what every run, poll and stream chunk gives back, and `ResponseStatus`.
 */
import type { LLMError } from './errors.js';

/**
 * The three states of a run.
 *
 * @example
 * const res = await llm.run('Hello');
 * if (res.status === ResponseStatus.SUCCESS) console.log(res.data);
 */
export const ResponseStatus = {
  /** Not finished: a run that went asynchronous, or a stream chunk. */
  IN_PROGRESS: 'IN_PROGRESS',
  /** Finished with an answer. */
  SUCCESS: 'SUCCESS',
  /** Finished without one: `errorMessage` and `error` say why. */
  FAILED: 'FAILED',
} as const;
/** `"IN_PROGRESS" | "SUCCESS" | "FAILED"`. */
export type ResponseStatus = (typeof ResponseStatus)[keyof typeof ResponseStatus];

/** Token counts, as the server reports them. */
export interface Usage {
  /** Tokens of the input (prompt, context and history). */
  prompt_tokens?: number;
  /** Tokens generated. */
  completion_tokens?: number;
  /** Both together. */
  total_tokens?: number;
}

/**
 * The fields of a `ModelResponse`; every one but `status` may be left out and takes its default.
 *
 * @example
 * const canned = new ModelResponse({ status: 'SUCCESS', completed: true, data: 'Hello!' });
 */
export type ModelResponseInit = Partial<Omit<ModelResponse, 'status' | 'toJSON'>> & {
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
  /** `IN_PROGRESS`, `SUCCESS` or `FAILED`. */
  status: ResponseStatus;
  /** The output: text for an LLM, any JSON otherwise. @default "" */
  data: unknown;
  /** Further details of the output. @default {} */
  details: Record<string, unknown> | unknown[];
  /** Whether the run has finished. @default false */
  completed: boolean;
  /** What went wrong, when `status` is FAILED. @default "" */
  errorMessage: string;
  /** Credits the run used. @default 0 */
  usedCredits: number;
  /** Time the run took, in seconds, as the server reports it. @default 0 */
  runTime: number;
  /** Token counts, when the server reports them. */
  usage: Usage | undefined;
  /** The poll URL of an unfinished (or timed-out) run. */
  url: string | undefined;
  /** The server's error code (`error_code`), when it gave one. */
  errorCode: string | undefined;
  /** The request id, from the body's `requestId` or the `x-request-id` header. */
  requestId: string | undefined;
  /** The asset that ran, when the server says. */
  asset: Record<string, unknown> | undefined;
  /** Every other key of the answer (`rawData`, `supplierError`, ...). @default {} */
  additionalFields: Record<string, unknown>;
  /** The typed error, set when `status` is FAILED. */
  error: LLMError | undefined;

  constructor(init: ModelResponseInit) {
    this.status = init.status;
    this.data = init.data ?? '';
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
  }

  /** The fields as plain JSON; `error` becomes `{ name, message }`. */
  toJSON(): Record<string, unknown> {
    const { error, ...rest } = this;
    return error === undefined
      ? rest
      : { ...rest, error: { name: error.name, message: error.message } };
  }
}
