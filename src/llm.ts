/**
 * The `LLM` facade: validates options, shapes the body, and wires the transport, the retry
 * policy, the poll loop and the stream reader together. The logic lives in those modules.
 */
import {
  AbortError,
  APIError,
  ConnectionError,
  type LLMError,
  retryAfterMsOf,
  TimeoutError,
  ValidationError,
} from './errors.js';
import { isRecord } from './internal/check.js';
import type { Log, LogLevel } from './internal/log.js';
import { Scope } from './internal/scope.js';
import { systemClock } from './internal/time.js';
import { createTransport, type Transport } from './internal/transport.js';
import {
  fail,
  type LLMOptions,
  type PollOptions,
  type ResolvedLLMOptions,
  type ResolvedRunOptions,
  type RunOptions,
  resolveLLMOptions,
  resolvePollOptions,
  resolveRunOptions,
  resolveSyncPollOptions,
  type SyncPollOptions,
  validateInput,
} from './options.js';
import { type Answer, fromAnswer, fromError, toRequestBody } from './payload.js';
import { pollUntilDone } from './polling.js';
import { type ModelResponse, ResponseStatus } from './response.js';
import { type HttpMethod, withRetries } from './retry.js';
import { type ModelResponseStreamer, openStream } from './stream.js';

/** The input of a run: the text, or an object whose `data` key is the input and whose other keys are parameters. */
export type RunInput = string | Record<string, unknown>;

/**
 * A hosted large language model on the aiXplain model API.
 *
 * @example
 * const llm = new LLM({ id: '669a63646eb56306647e1091', apiKey: process.env.AIXPLAIN_API_KEY });
 * const res = await llm.run('Write a haiku about the sea.');
 * console.log(res.status, res.data);
 */
export class LLM {
  // `declare`: the constructor assigns these, in this order (no field defined twice).
  /** The model id. */
  declare readonly id: string;
  /** A display name (the `name` option, else the id). */
  declare readonly name: string;
  /** A description of the model (the `description` option). */
  declare readonly description: string;
  /** Who supplies the model, as the platform describes it. */
  declare readonly supplier: string | number | Record<string, unknown>;
  /** The model's version. */
  declare readonly version: string;
  /** The model's function: always `"text-generation"`, the only one this class runs. */
  declare readonly function: 'text-generation';
  /** Whether the team is subscribed to the model. */
  declare readonly isSubscribed: boolean;
  /** The model's pricing, as the platform describes it, when given. */
  declare readonly cost: Record<string, unknown> | undefined;
  /** The default temperature of every run. */
  declare readonly temperature: number;
  /** The platform's function type of the model. */
  declare readonly functionType: string;
  /** Further metadata of the model (a copy of the `additionalInfo` option). */
  declare readonly additionalInfo: Record<string, unknown>;
  /** The service's origin and path prefix. */
  declare readonly baseUrl: string;
  /** Further attempts after a retryable failure (a retry never runs a model twice). */
  declare readonly maxRetries: number;
  /** Whether failures are thrown rather than returned as a FAILED `ModelResponse`. */
  declare readonly throwOnError: boolean;
  /** Origins besides `baseUrl`'s to which the API key may be sent, normalised. */
  declare readonly trustedOrigins: readonly string[];
  /** How much the LLM logs (`off`, `error`, `warn`, `info` or `debug`). */
  declare readonly logLevel: LogLevel;
  // Private fields: never shown by JSON.stringify, util.inspect or String().
  readonly #transport: Transport;
  readonly #log: Log;

  /**
   * Validates `options` (throws `ValidationError`) and reads the environment for what is missing.
   *
   * @example
   * const llm = new LLM({ id: 'my-model-id' }); // key from AIXPLAIN_API_KEY or TEAM_API_KEY
   */
  constructor(options: LLMOptions) {
    const o: ResolvedLLMOptions = resolveLLMOptions(options);
    // The public settings, in the order resolveLLMOptions lists them; the key, the fetch, the
    // headers and the log stay private.
    const { apiKey: _key, fetch: _fetch, headers: _headers, log, ...settings } = o;
    // trustedOrigins is the resolved options' own array, a copy of the caller's.
    Object.assign(this, settings, { trustedOrigins: Object.freeze(o.trustedOrigins) });
    this.#log = log;
    this.#transport = createTransport(o);
  }

  /**
   * Runs the model and resolves when it has finished: a run that turns asynchronous is polled
   * within the same `timeoutMs`. API failures come back as a FAILED `ModelResponse` (or are
   * thrown with `throwOnError`); bad options reject with `ValidationError` before any request.
   * With `{ stream: true }` it resolves to a `ModelResponseStreamer`, as `stream()` does.
   *
   * @example
   * const res = await llm.run('Hello', { context: 'You are terse.', maxTokens: 64 });
   * if (res.status === 'SUCCESS') console.log(res.data);
   * else console.error(res.errorMessage);
   */
  run(data: RunInput, options: RunOptions & { stream: true }): Promise<ModelResponseStreamer>;
  run(data: RunInput, options?: RunOptions & { stream?: false }): Promise<ModelResponse>;
  run(data: RunInput, options?: RunOptions): Promise<ModelResponse | ModelResponseStreamer>;
  async run(data: RunInput, options?: RunOptions): Promise<ModelResponse | ModelResponseStreamer> {
    const input = validateInput(data);
    const run = resolveRunOptions(options, this.temperature);
    if (run.stream) return this.#stream(input, run);
    const body = toRequestBody(input, run);
    const start = systemClock.now();
    let first: ModelResponse;
    try {
      first = fromAnswer(await this.#execute('v2', body, run, start), 'execute');
    } catch (error) {
      return this.#failed(error);
    }
    if (first.status !== ResponseStatus.IN_PROGRESS || first.url === undefined) {
      return this.#settle(first);
    }
    return this.#pollLoop(first.url, { ...run, start });
  }

  /**
   * Runs the model and streams its tokens: `run(data, { ...options, stream: true })`.
   *
   * @example
   * const stream = await llm.stream('Tell me a story.');
   * for await (const chunk of stream) process.stdout.write(String(chunk.data));
   * console.log(stream.status); // SUCCESS, or FAILED with the last chunk's errorMessage
   */
  stream(data: RunInput, options?: RunOptions): Promise<ModelResponseStreamer> {
    // Options that are not an object go to run() as they are, which refuses them.
    const streamed = isRecord(options)
      ? { ...options, stream: true }
      : (options ?? { stream: true });
    return this.run(data, streamed as RunOptions & { stream: true });
  }

  /**
   * Starts an asynchronous run and resolves at once with `status: IN_PROGRESS` and the poll URL
   * in `url`; follow it with `syncPoll(url)` or `poll(url)`.
   *
   * @example
   * const started = await llm.runAsync('Summarise this text...');
   * const done = await llm.syncPoll(started.url!);
   */
  async runAsync(data: RunInput, options?: RunOptions): Promise<ModelResponse> {
    const input = validateInput(data);
    const run = resolveRunOptions(options, this.temperature);
    if (run.stream) {
      fail('run options', [{ path: 'stream', message: 'is not available with runAsync' }]);
    }
    try {
      const answer = await this.#execute('v1', toRequestBody(input, run), run, systemClock.now());
      return this.#settle(fromAnswer(answer, 'execute'));
    } catch (error) {
      return this.#failed(error);
    }
  }

  /**
   * Polls an asynchronous run once (one GET on `url`, retried on network errors, 408, 429 and
   * 5xx). `url` must be on `baseUrl`'s origin or a trusted one, else `ValidationError`.
   *
   * @example
   * const state = await llm.poll(started.url!);
   * if (state.completed) console.log(state.data);
   */
  async poll(url: string, options?: PollOptions): Promise<ModelResponse> {
    const { signal, maxRetries } = resolvePollOptions(options);
    this.#transport.assertTrusted(url);
    try {
      const answer = await this.#get(url, signal, undefined, undefined, maxRetries);
      return this.#settle(fromAnswer(answer, 'poll', url));
    } catch (error) {
      return this.#failed(error, url);
    }
  }

  /**
   * Polls `url` until the run finishes or `timeoutMs` passes. The first poll is immediate; the
   * pause starts at `waitTimeMs` and grows x1.1, capped at 60 s. At the deadline the result is
   * FAILED with `url` still set, so polling can resume (with `throwOnError`: `PollTimeoutError`).
   *
   * @example
   * const res = await llm.syncPoll(url, { timeoutMs: 60_000 });
   * if (res.status === 'FAILED' && !res.completed) console.log('resume later with', res.url);
   */
  async syncPoll(url: string, options?: SyncPollOptions): Promise<ModelResponse> {
    const poll = resolveSyncPollOptions(options);
    this.#transport.assertTrusted(url);
    return this.#pollLoop(url, { ...poll, start: systemClock.now(), headers: {} });
  }

  /** `LLM(<id>, <name>)`: never the API key. */
  toString(): string {
    return `LLM(${this.id}, ${this.name})`;
  }

  /** The public settings; the API key is not among them. */
  toJSON(): Record<string, unknown> {
    return { ...this } as Record<string, unknown>;
  }

  async #pollLoop(
    url: string,
    o: Pick<ResolvedRunOptions, 'timeoutMs' | 'waitTimeMs' | 'name' | 'headers'> &
      Partial<Pick<ResolvedRunOptions, 'signal' | 'onPoll' | 'maxRetries'>> & { start: number },
  ): Promise<ModelResponse> {
    const deadline = o.start + o.timeoutMs;
    const response = await pollUntilDone(
      async (signal) => {
        const answer = await this.#get(url, signal, deadline, o.headers, o.maxRetries);
        const retryAfterMs = retryAfterMsOf(answer.headers);
        if (retryAfterMs !== undefined) {
          this.#log.info(`the service asks to poll again in ${retryAfterMs} ms`);
        }
        return { response: fromAnswer(answer, 'poll', url), retryAfterMs };
      },
      { ...o, url },
    ).catch((error: unknown) => this.#failed(error, url));
    return this.#settle(response);
  }

  #get(
    url: string,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
    headers?: Record<string, string>,
    maxRetries?: number,
  ): Promise<Answer> {
    return this.#retry(
      'GET',
      signal,
      deadline,
      (n) => this.#transport.poll(url, { signal, headers, attempt: n + 1 }),
      maxRetries,
    );
  }

  /** One execute POST, retried where the model cannot have started, within the run's deadline. */
  async #execute(
    version: 'v1' | 'v2',
    body: ReturnType<typeof toRequestBody>,
    run: Pick<ResolvedRunOptions, 'timeoutMs' | 'signal' | 'headers' | 'name' | 'maxRetries'>,
    start: number,
  ): Promise<Answer> {
    const deadline = start + run.timeoutMs;
    const scope = new Scope(run.signal, systemClock);
    // The TimeoutError is built only when the deadline passes: a run that ends in time pays
    // for no stack trace.
    scope.arm(
      'deadline',
      deadline - systemClock.now(),
      () => new TimeoutError(`${run.name}: no answer within ${run.timeoutMs} ms.`),
    );
    try {
      return await this.#retry(
        'POST',
        scope.signal,
        deadline,
        (n) =>
          this.#transport.execute(version, this.id, body, {
            signal: scope.signal,
            headers: run.headers,
            attempt: n + 1,
          }),
        run.maxRetries,
      );
    } catch (error) {
      // The deadline or the caller's abort wins over what the request made of it.
      throw scope.reason ?? error;
    } finally {
      scope.stop();
    }
  }

  /** `attempt`, retried by the retry policy, each retry written to the log at `info`. */
  #retry<T>(
    method: HttpMethod,
    signal: AbortSignal | undefined,
    deadline: number | undefined,
    attempt: (attemptNumber: number) => Promise<T>,
    maxRetries = this.maxRetries,
  ): Promise<T> {
    return withRetries(attempt, {
      maxRetries,
      method,
      signal,
      deadline,
      onRetry: ({ error, delayMs, attempt: next, attempts }) => {
        const cause =
          error instanceof APIError
            ? String(error.status)
            : error instanceof ConnectionError
              ? (error.code ?? 'a connection error')
              : 'an error';
        this.#log.info(
          `retrying ${method} after ${cause} in ${Math.round(delayMs)} ms, attempt ${next} of ${attempts}`,
        );
      },
    });
  }

  #stream(input: RunInput, run: ResolvedRunOptions): Promise<ModelResponseStreamer> {
    const body = toRequestBody(input, run);
    const deadline = systemClock.now() + run.timeoutMs;
    return openStream(
      (signal) =>
        this.#retry(
          'POST',
          signal,
          deadline,
          (n) =>
            this.#transport.stream(this.id, body, { signal, headers: run.headers, attempt: n + 1 }),
          run.maxRetries,
        ),
      // The run's timeouts and signal, by their names.
      { ...run, throwOnError: this.throwOnError },
    );
  }

  /**
   * Bad input and the caller's own abort always reject; any other failure becomes FAILED, or is
   * thrown with `throwOnError`.
   */
  #failed(error: unknown, url?: string): ModelResponse {
    if (error instanceof ValidationError || error instanceof AbortError) throw error;
    return this.#settle(fromError(error as LLMError, url));
  }

  #settle(response: ModelResponse): ModelResponse {
    if (this.throwOnError && response.status === ResponseStatus.FAILED && response.error) {
      throw response.error;
    }
    return response;
  }
}
