/**
 * The options of `new LLM()` and of each run: their types, their defaults (DEFAULTS) and the one
 * place that validates and merges them (resolveLLMOptions, resolveRunOptions).
 *
 * The option names and defaults are the package's own. Every limit of a value that goes on the
 * wire (the temperature's range, `max_tokens`, `top_p`, the history roles and message shape, the
 * types of `context` and `prompt`) is read from the spec's `ExecuteRequest` schema, as
 * `npm run generate` writes it, so a spec change moves the checks with it.
 */
import { ExecuteRequestSchema } from '../generated/schemas.gen.js';
import type { HistoryMessage as WireHistoryMessage } from '../generated/types.gen.js';
import { ValidationError } from './errors.js';
import {
  abortSignal,
  type Check,
  checkShape,
  func,
  headerProblem,
  headerRecord,
  type Issue,
  isRecord,
  jsonProblem,
  nonEmptyString,
  own,
  unknown,
} from './internal/check.js';
import { envDeniedNote, readEnv } from './internal/env.js';
import { createLog, LOG_LEVELS, type Log, type Logger, type LogLevel } from './internal/log.js';
import { problemOf, propertyOf, type Schema, withoutNull } from './internal/schema.js';
import type { ModelResponse } from './response.js';

export type { Logger, LogLevel };

/**
 * A message of the conversation so far, as the spec's `HistoryMessage` describes it: a `role`
 * among the spec's `ChatRole`s and its `content`.
 *
 * @example
 * const history: HistoryMessage[] = [
 *   { role: 'user', content: 'My name is Ada.' },
 *   { role: 'assistant', content: 'Hello, Ada!' },
 * ];
 * await llm.run('What is my name?', { history });
 */
export type HistoryMessage = WireHistoryMessage;

/**
 * The options of `new LLM(options)`.
 *
 * @example
 * const options: LLMOptions = {
 *   id: '669a63646eb56306647e1091',
 *   apiKey: process.env.AIXPLAIN_API_KEY,
 *   temperature: 0.2,
 *   maxRetries: 4,
 *   throwOnError: true,
 * };
 * const llm = new LLM(options);
 */
export interface LLMOptions {
  /** The id of the model to run. Required, non-empty. */
  id: string;
  /** A display name. @default the id */
  name?: string;
  /** @default "" */
  description?: string;
  /** The team API key. @default env AIXPLAIN_API_KEY, then env TEAM_API_KEY */
  apiKey?: string;
  /** The service: an origin plus an optional path prefix. @default env AIXPLAIN_BASE_URL, then "https://models.aixplain.com" */
  baseUrl?: string;
  /** @default "aiXplain" */
  supplier?: string | number | Record<string, unknown>;
  /** @default "1.0" */
  version?: string;
  /** Only "text-generation" is accepted. @default "text-generation" */
  function?: string;
  /** @default false */
  isSubscribed?: boolean;
  /** The model's pricing, as the platform describes it. @default undefined */
  cost?: Record<string, unknown>;
  /** The default temperature of every run, in the range the spec's `ExecuteRequest` allows. @default 0.001 */
  temperature?: number;
  /** @default "ai" */
  functionType?: string;
  /** @default {} */
  additionalInfo?: Record<string, unknown>;
  /**
   * The fetch to send requests with (a proxy agent, a test double...). It is called as
   * `fetch(url, init)`, `init.headers` an object of lower-case header names, and
   * `init.redirect` `"manual"` (trusted redirects are followed by the package). @default globalThis.fetch
   */
  fetch?: typeof fetch;
  /** Extra headers sent with every request. @default {} */
  headers?: Record<string, string>;
  /** Further attempts after a retryable failure; a retry never runs a model twice. @default 2 */
  maxRetries?: number;
  /** Throw the typed error instead of returning a FAILED `ModelResponse`. @default false */
  throwOnError?: boolean;
  /** Origins besides `baseUrl`'s to which the API key may be sent (poll URLs, redirects). @default [] */
  trustedOrigins?: string[];
  /**
   * How much to log: `off`, `error`, `warn`, `info` (a line per request and per retry) or
   * `debug` (headers and bodies too; the key is never logged). @default env AIXPLAIN_LOG, then "warn"
   */
  logLevel?: LogLevel;
  /** Where log lines go: `console`, a pino logger, anything with error/warn/info/debug. @default console */
  logger?: Logger;
}

/**
 * The options of one run (`run`, `stream`, `runAsync`).
 *
 * @example
 * const options: RunOptions = {
 *   context: 'You are terse.',
 *   maxTokens: 256,
 *   timeoutMs: 60_000,
 *   signal: AbortSignal.timeout(90_000),
 *   onPoll: ({ polls, elapsedMs }) => console.error(`polled ${polls} times in ${elapsedMs} ms`),
 * };
 * const res = await llm.run('Summarise the plot of Hamlet.', options);
 */
export interface RunOptions {
  /** The system prompt (wire `context`). @default null */
  context?: string | null;
  /** A prompt template (wire `prompt`). @default null */
  prompt?: string | null;
  /** The conversation so far (wire `history`). @default null */
  history?: HistoryMessage[] | null;
  /** Sampling temperature, in the range the spec allows (wire `temperature`). @default the LLM's temperature (0.001) */
  temperature?: number;
  /** The most tokens to generate, an integer the spec allows (wire `max_tokens`). @default 128 */
  maxTokens?: number;
  /** Nucleus sampling, in the range the spec allows (wire `top_p`). @default 1.0 */
  topP?: number;
  /** The answer's format, sent as `response_format` exactly as given, and only when given. */
  responseFormat?: unknown;
  /** Further body keys; they win over everything but the input `data`. Never mutated. @default {} */
  parameters?: Record<string, unknown>;
  /** A label for errors; not sent. @default "model_process" */
  name?: string;
  /** Deadline of the whole run, polling included, in milliseconds. @default 300_000 */
  timeoutMs?: number;
  /** The first pause between polls, in milliseconds (at least 200 is used). @default 500 */
  waitTimeMs?: number;
  /** Stream the tokens (`run` then resolves to a `ModelResponseStreamer`). @default false */
  stream?: boolean;
  /** Streams only: the longest wait for the first token, in milliseconds. @default none */
  firstChunkTimeoutMs?: number;
  /** Streams only: the longest gap between two tokens, in milliseconds. @default none */
  idleTimeoutMs?: number;
  /** Aborts the run: its requests, its pauses and its stream. */
  signal?: AbortSignal;
  /** Extra headers for this call. */
  headers?: Record<string, string>;
  /** Called after every poll answer of a run that went asynchronous (progress). */
  onPoll?: (progress: PollProgress) => void;
  /** Further attempts after a retryable failure, for this call. @default the LLM's maxRetries (2) */
  maxRetries?: number;
}

/**
 * What `onPoll` hears after every poll answer.
 *
 * @example
 * await llm.syncPoll(url, {
 *   onPoll: ({ polls, elapsedMs, response }) => console.error(polls, elapsedMs, response.status),
 * });
 */
export interface PollProgress {
  /** Polls made so far. */
  polls: number;
  /** Milliseconds since the run (or `syncPoll`) started. */
  elapsedMs: number;
  /** The answer of this poll. */
  response: ModelResponse;
}

/**
 * The options of `syncPoll`.
 *
 * @example
 * const started = await llm.runAsync('Summarise the plot of Hamlet.');
 * const options: SyncPollOptions = { timeoutMs: 120_000, waitTimeMs: 1_000 };
 * const done = await llm.syncPoll(started.url!, options);
 */
export interface SyncPollOptions {
  /** Deadline of the polling, in milliseconds. @default 300_000 */
  timeoutMs?: number;
  /** The first pause between polls, in milliseconds (at least 200 is used). @default 500 */
  waitTimeMs?: number;
  /** A label for errors. @default "model_process" */
  name?: string;
  /** Aborts the polling. */
  signal?: AbortSignal;
  /** Called after every poll answer (progress). */
  onPoll?: (progress: PollProgress) => void;
  /** Further attempts of each poll after a retryable failure. @default the LLM's maxRetries (2) */
  maxRetries?: number;
}

/**
 * The options of `poll`.
 *
 * @example
 * const state = await llm.poll(url, { signal: AbortSignal.timeout(10_000), maxRetries: 0 });
 */
export interface PollOptions {
  /** Aborts the poll. */
  signal?: AbortSignal;
  /** Further attempts after a retryable failure. @default the LLM's maxRetries (2) */
  maxRetries?: number;
}

/**
 * The defaults of every option that has one, in one place.
 *
 * @example
 * console.log(DEFAULTS.timeoutMs); // 300000
 */
export const DEFAULTS = {
  /** The service of `baseUrl` when neither the option nor AIXPLAIN_BASE_URL is set. */
  baseUrl: 'https://models.aixplain.com',
  /** The `supplier` of an LLM. */
  supplier: 'aiXplain',
  /** The `version` of an LLM. */
  version: '1.0',
  /** The `function` of an LLM, the only one accepted. */
  function: 'text-generation',
  /** The `functionType` of an LLM. */
  functionType: 'ai',
  /** The `temperature` of an LLM, and so of its runs. */
  temperature: 0.001,
  /** Further attempts after a retryable failure. */
  maxRetries: 2,
  /** The most tokens a run generates (wire `max_tokens`). */
  maxTokens: 128,
  /** Nucleus sampling (wire `top_p`). */
  topP: 1.0,
  /** The label of a run in error messages. */
  name: 'model_process',
  /** The deadline of a run or of `syncPoll`, in milliseconds (5 minutes). */
  timeoutMs: 300_000,
  /** The first pause between polls, in milliseconds. */
  waitTimeMs: 500,
} as const;

/** A check by a JSON Schema: one of the spec's, or one of an option's own. */
const bySchema =
  (schema: Schema): Check =>
  (value) =>
    problemOf(schema, value);

const string = bySchema({ type: 'string' });
const boolean = bySchema({ type: 'boolean' });
const record = bySchema({ type: 'object' });
const timeMs = bySchema({ type: 'number', minimum: 0 });
const maxRetries = bySchema({ type: 'integer', minimum: 0 });

/**
 * The check of the wire property `key` of `ExecuteRequest`. An option that may not be `null`
 * (the temperature, the token limit, top_p: leave it out instead) refuses `null` even where the
 * wire accepts it.
 */
const wire = (key: keyof typeof ExecuteRequestSchema.properties, nullable = false): Check => {
  const schema = propertyOf(ExecuteRequestSchema, key);
  return bySchema(nullable ? schema : withoutNull(schema));
};
const temperature = wire('temperature');

/** The model id: a non-empty string that a URL can carry (no lone surrogate). */
const modelId: Check = (value) => {
  if (typeof value !== 'string' || value === '') return 'must be a non-empty string';
  try {
    encodeURIComponent(value);
    return undefined;
  } catch {
    return 'must be well-formed Unicode (it has a lone surrogate)';
  }
};

const LLM_SHAPE: Record<keyof LLMOptions, Check> = {
  id: modelId,
  name: string,
  description: string,
  apiKey: nonEmptyString,
  baseUrl: string,
  supplier: bySchema({ type: ['string', 'number', 'object'] }),
  version: string,
  function: (v) => (v === 'text-generation' ? undefined : 'only "text-generation" is supported'),
  isSubscribed: boolean,
  cost: record,
  temperature,
  functionType: string,
  additionalInfo: record,
  fetch: func,
  headers: headerRecord,
  maxRetries,
  throwOnError: boolean,
  trustedOrigins: bySchema({ type: 'array', items: { type: 'string' } }),
  logLevel: bySchema({ enum: LOG_LEVELS }),
  logger: (v) =>
    v !== null &&
    typeof v === 'object' &&
    ['error', 'warn', 'info', 'debug'].every(
      (m) => typeof (v as Record<string, unknown>)[m] === 'function',
    )
      ? undefined
      : 'must have error, warn, info and debug methods',
};

const RUN_SHAPE: Record<keyof RunOptions, Check> = {
  context: wire('context', true),
  prompt: wire('prompt', true),
  history: wire('history', true),
  temperature,
  maxTokens: wire('max_tokens'),
  topP: wire('top_p'),
  responseFormat: unknown,
  parameters: record,
  name: string,
  timeoutMs: timeMs,
  waitTimeMs: timeMs,
  stream: boolean,
  firstChunkTimeoutMs: timeMs,
  idleTimeoutMs: timeMs,
  signal: abortSignal,
  headers: headerRecord,
  onPoll: func,
  maxRetries,
};

const SYNC_POLL_SHAPE: Record<keyof SyncPollOptions, Check> = {
  timeoutMs: timeMs,
  waitTimeMs: timeMs,
  name: string,
  signal: abortSignal,
  onPoll: func,
  maxRetries,
};

const BODY_PROPERTIES: ReadonlyArray<[string, Schema]> = Object.entries(
  ExecuteRequestSchema.properties,
);

/**
 * Throws a ValidationError when a key of `body` that the spec's `ExecuteRequest` declares breaks
 * its schema, or a required one is missing: values from `parameters` or an object input are
 * checked too, so a body the API would refuse is never sent. Other keys are free-form model
 * parameters. Then every value must survive JSON as it is (see jsonProblem).
 */
export function validateBody(body: Record<string, unknown>): void {
  const issues: Issue[] = [];
  for (const key of ExecuteRequestSchema.required) {
    if (body[key] === undefined) issues.push({ path: `body.${key}`, message: 'is required' });
  }
  for (const [key, schema] of BODY_PROPERTIES) {
    if (own(body, key) === undefined) continue;
    const message = problemOf(schema, body[key]);
    if (message !== undefined) issues.push({ path: `body.${key}`, message });
  }
  const what = 'request body (from parameters or the input object)';
  if (issues.length > 0) fail(what, issues);
  const problem = jsonProblem(body, 'body');
  if (problem !== undefined) fail(what, [problem]);
}

/** Throws a ValidationError naming every problem: ``Invalid <what>: `path` message; ...``. */
export function fail(what: string, issues: Issue[]): never {
  const list = issues.map((i) => `\`${i.path}\` ${i.message}`).join('; ');
  throw new ValidationError(`Invalid ${what}: ${list}.`, issues);
}

/** Checks `value` against `shape` and returns it typed, or throws a ValidationError. */
function validate<T>(
  value: unknown,
  shape: Record<string, Check>,
  what: string,
  required: readonly string[] = [],
): T {
  const issues = checkShape(value, shape, required);
  if (issues.length > 0) fail(what, issues);
  return value as T;
}

/** The LLM's settings once validated and merged with the environment and DEFAULTS. */
export interface ResolvedLLMOptions {
  id: string;
  name: string;
  description: string;
  apiKey: string;
  baseUrl: string;
  supplier: string | number | Record<string, unknown>;
  version: string;
  function: 'text-generation';
  isSubscribed: boolean;
  cost: Record<string, unknown> | undefined;
  temperature: number;
  functionType: string;
  additionalInfo: Record<string, unknown>;
  fetch: typeof fetch | undefined;
  headers: Record<string, string>;
  maxRetries: number;
  throwOnError: boolean;
  trustedOrigins: string[];
  logLevel: LogLevel;
  /** The log, at `logLevel`, writing to the `logger`, with the key scrubbed from every line. */
  log: Log;
}

function normalizeBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('LLM options', [{ path: 'baseUrl', message: 'is not a URL' }]);
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash) {
    fail('LLM options', [
      { path: 'baseUrl', message: 'must be an http(s) origin with an optional path prefix' },
    ]);
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function normalizeOrigin(value: string): string {
  try {
    const origin = new URL(value).origin;
    if (origin !== 'null') return origin;
  } catch {}
  return fail('LLM options', [
    { path: 'trustedOrigins', message: `has "${value}", not an origin` },
  ]);
}

/** Validates the constructor's options and fills in the environment and the defaults. */
export function resolveLLMOptions(options: LLMOptions): ResolvedLLMOptions {
  const o = validate<LLMOptions>(options, LLM_SHAPE, 'LLM options', ['id']);
  const apiKey = o.apiKey ?? readEnv('AIXPLAIN_API_KEY') ?? readEnv('TEAM_API_KEY');
  if (apiKey === undefined) {
    throw new ValidationError(
      `Invalid LLM options: no API key. Pass \`apiKey\` or set AIXPLAIN_API_KEY (or TEAM_API_KEY).${envDeniedNote('AIXPLAIN_API_KEY')}`,
      [{ path: 'apiKey', message: 'is missing' }],
    );
  }
  // The key goes in the x-api-key header: one that cannot be sent is a bad option, not a
  // connection error on every call. The message never shows the key.
  if (headerProblem('x-api-key', apiKey) !== undefined) {
    fail('LLM options', [
      {
        path: 'apiKey',
        message: 'cannot be sent in an HTTP header (Latin-1 only, no line breaks)',
      },
    ]);
  }
  const baseUrl = normalizeBaseUrl(o.baseUrl ?? readEnv('AIXPLAIN_BASE_URL') ?? DEFAULTS.baseUrl);
  const trustedOrigins = (o.trustedOrigins ?? []).map(normalizeOrigin);
  for (const origin of [baseUrl, ...trustedOrigins]) warnIfCleartext(origin);
  const envLevel = readEnv('AIXPLAIN_LOG');
  const envProblem = envLevel === undefined ? undefined : LLM_SHAPE.logLevel(envLevel);
  if (envProblem !== undefined)
    fail('LLM options', [{ path: 'AIXPLAIN_LOG', message: envProblem }]);
  const logLevel = o.logLevel ?? (envLevel as LogLevel | undefined) ?? 'warn';
  // In the order of the LLM's public fields, which are copied from here; the private ones last.
  return {
    id: o.id,
    name: o.name ?? o.id,
    description: o.description ?? '',
    supplier: o.supplier ?? DEFAULTS.supplier,
    version: o.version ?? DEFAULTS.version,
    function: DEFAULTS.function,
    isSubscribed: o.isSubscribed ?? false,
    cost: o.cost,
    temperature: o.temperature ?? DEFAULTS.temperature,
    functionType: o.functionType ?? DEFAULTS.functionType,
    additionalInfo: { ...o.additionalInfo },
    baseUrl,
    maxRetries: o.maxRetries ?? DEFAULTS.maxRetries,
    throwOnError: o.throwOnError ?? false,
    trustedOrigins,
    logLevel,
    apiKey,
    fetch: o.fetch,
    headers: { ...o.headers },
    log: createLog(logLevel, o.logger ?? console, apiKey),
  };
}

let warnedCleartext = false;

/**
 * Warns once per process when the key would travel in clear: a plain `http://` URL whose host
 * is not this machine (loopback is fine: a mock or a local proxy).
 */
function warnIfCleartext(url: string): void {
  const { protocol, hostname, origin } = new URL(url);
  if (warnedCleartext || protocol !== 'http:' || isLoopback(hostname)) return;
  warnedCleartext = true;
  const message = `aixplain-llm: ${origin} is plain http, so the API key travels unencrypted; use https.`;
  const proc = (globalThis as { process?: { emitWarning?: (m: string, t: string) => void } })
    .process;
  if (typeof proc?.emitWarning === 'function')
    proc.emitWarning(message, 'InsecureConnectionWarning');
  else console.warn(message);
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/** One run's options once validated and merged with the LLM's and DEFAULTS. */
export interface ResolvedRunOptions {
  context: string | null;
  prompt: string | null;
  history: HistoryMessage[] | null;
  temperature: number;
  maxTokens: number;
  topP: number;
  /** `undefined` when not given: `response_format` is then not sent. */
  responseFormat: unknown;
  parameters: Record<string, unknown>;
  name: string;
  timeoutMs: number;
  waitTimeMs: number;
  stream: boolean;
  firstChunkTimeoutMs: number | undefined;
  idleTimeoutMs: number | undefined;
  signal: AbortSignal | undefined;
  headers: Record<string, string>;
  onPoll: ((progress: PollProgress) => void) | undefined;
  /** `undefined`: the LLM's. */
  maxRetries: number | undefined;
}

/** Validates the input of a run: a string, or an object. */
export function validateInput(data: unknown): string | Record<string, unknown> {
  if (typeof data === 'string' || isRecord(data)) return data;
  return fail('input', [{ path: 'data', message: 'must be a string or an object' }]);
}

/** Validates one run's options and fills in the LLM's temperature and DEFAULTS. */
export function resolveRunOptions(
  options: RunOptions | undefined,
  llmTemperature: number,
): ResolvedRunOptions {
  const o = validate<RunOptions>(options ?? {}, RUN_SHAPE, 'run options');
  // The defaults, then the given options over them (the ones without a default are only set
  // when given). The checks refuse `null` for every option whose default is not `null`, so
  // only `undefined` (not given) must be skipped.
  return withGiven<ResolvedRunOptions>(
    {
      context: null,
      prompt: null,
      history: null,
      temperature: llmTemperature,
      maxTokens: DEFAULTS.maxTokens,
      topP: DEFAULTS.topP,
      parameters: {},
      name: DEFAULTS.name,
      timeoutMs: DEFAULTS.timeoutMs,
      waitTimeMs: DEFAULTS.waitTimeMs,
      stream: false,
      headers: {},
    },
    o,
  );
}

/**
 * `defaults` with each option of `given` that is not `undefined` written over it; an option
 * without a default is left out until given (reading it gives `undefined` all the same).
 */
function withGiven<T>(defaults: Partial<T>, given: object): T {
  for (const key of Object.keys(given)) {
    const value = (given as Record<string, unknown>)[key];
    if (value !== undefined) (defaults as Record<string, unknown>)[key] = value;
  }
  return defaults as T;
}

/** Validates `poll`'s options: a signal and the retries. */
export function resolvePollOptions(options: PollOptions | undefined): PollOptions {
  return validate(options ?? {}, { signal: abortSignal, maxRetries }, 'poll options');
}

/** Validates `syncPoll`'s options and fills in DEFAULTS. */
export function resolveSyncPollOptions(
  options: SyncPollOptions | undefined,
): Required<Omit<SyncPollOptions, 'signal' | 'onPoll' | 'maxRetries'>> &
  Pick<SyncPollOptions, 'signal' | 'onPoll' | 'maxRetries'> {
  const o = validate<SyncPollOptions>(options ?? {}, SYNC_POLL_SHAPE, 'syncPoll options');
  return withGiven(
    {
      timeoutMs: DEFAULTS.timeoutMs,
      waitTimeMs: DEFAULTS.waitTimeMs,
      name: DEFAULTS.name,
    },
    o,
  );
}
