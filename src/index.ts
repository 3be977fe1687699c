/**
 * aixplain-llm: run hosted large language models over the aiXplain model API.
 *
 * The public surface. Anything not exported here (or from `aixplain-llm/generated`) may change.
 *
 * @module aixplain-llm
 */
export {
  AbortError,
  APIError,
  AuthenticationError,
  BadRequestError,
  BillingError,
  ConnectionError,
  InternalServerError,
  LLMError,
  NotFoundError,
  PermissionDeniedError,
  PollTimeoutError,
  RateLimitError,
  StreamError,
  SubscriptionError,
  SupplierError,
  TimeoutError,
  ValidationError,
} from './errors.js';
export { LLM, type RunInput } from './llm.js';
export {
  DEFAULTS,
  type HistoryMessage,
  type LLMOptions,
  type Logger,
  type LogLevel,
  type PollOptions,
  type PollProgress,
  type RunOptions,
  type SyncPollOptions,
} from './options.js';
export { ModelResponse, type ModelResponseInit, ResponseStatus, type Usage } from './response.js';
export { ModelResponseStreamer } from './stream.js';
export { VERSION } from './version.js';
