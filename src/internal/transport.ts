/**
 * The single importer of generated/: sends the three requests through the generated SDK
 * functions (on the minimal client of client.ts) and turns whatever comes back into an
 * `Answer`, a streaming `Response`, or a typed error.
 *
 * It also keeps the API key at home: poll URLs and redirects are followed only to `baseUrl`'s
 * origin or a trusted one (the runtime's fetch would keep `x-api-key` on a cross-origin redirect),
 * and the key is scrubbed from anything an error could show.
 */
import { executeModel, executeModelAsync, pollRun } from '../../generated/sdk.gen.js';
import {
  AbortError,
  APIError,
  ConnectionError,
  LLMError,
  TimeoutError,
  ValidationError,
} from '../errors.js';
import type { Answer, RequestBody } from '../payload.js';
import { VERSION } from '../version.js';
import { type CallInit, createMinimalClient, type SendInit } from './client.js';
import { headersLine, type Log, scrubSecret } from './log.js';
import { abortErrorOf } from './scope.js';

/** What the transport needs from the LLM's resolved options. */
export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch | undefined;
  headers: Record<string, string>;
  trustedOrigins: string[];
  /** Where request lines go (`info`), with headers and bodies (`debug`). */
  log: Log;
}

/** Per-call settings. */
// A type, not an interface: it is passed on as the SDK functions' `meta` record.
export type CallOptions = {
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** The attempt this request is, from 1: for the log line. */
  attempt?: number;
};

const MAX_REDIRECTS = 5;

export type Transport = ReturnType<typeof createTransport>;

export function createTransport(config: TransportConfig) {
  const { log, apiKey } = config;
  const trusted = new Set([new URL(config.baseUrl).origin, ...config.trustedOrigins]);
  const fetchImpl: typeof fetch = config.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const isBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined';
  const client = createMinimalClient({
    baseUrl: config.baseUrl,
    // Browsers refuse to let a page set User-Agent.
    headers: {
      ...(isBrowser ? {} : { 'User-Agent': `aixplain-llm/${VERSION}` }),
      ...config.headers,
    },
    // The key goes last, so that no header of the LLM or of a call can replace it.
    fixedHeaders: { 'x-api-key': apiKey },
    send,
  });

  /** Throws ValidationError, sending nothing, unless `url` is on a trusted origin. */
  function assertTrusted(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ValidationError('Invalid poll URL: it is not an absolute URL.', [
        { path: 'url', message: 'is not an absolute URL' },
      ]);
    }
    if (!trusted.has(parsed.origin)) {
      throw new ValidationError(
        `Refused to send the API key to ${parsed.origin}: it is neither baseUrl's origin nor in trustedOrigins.`,
        [{ path: 'url', message: `origin ${parsed.origin} is not trusted` }],
      );
    }
    return parsed;
  }

  /**
   * Sends one request of the SDK functions and reads its answer: `{ data, response }`, `data`
   * the body as text, or the unread stream with `parseAs: 'stream'`. Every failure becomes this
   * package's error, and the request writes its line at `info`:
   * `POST /api/v2/execute/m 200 in 12 ms, attempt 1, request id ...`.
   */
  async function send(url: string, init: SendInit, call: CallInit) {
    const logging = log.enabled('info');
    const started = logging ? Date.now() : 0;
    const attempt = call.meta?.attempt;
    const line = (outcome: string, requestId?: string | null) =>
      log.info(
        `${init.method} ${pathOf(url)} ${outcome} in ${Date.now() - started} ms` +
          `${attempt === undefined ? '' : `, attempt ${attempt}`}` +
          `${requestId ? `, request id ${requestId}` : ''}`,
      );
    try {
      const response = await followTrusted(url, init, fetchImpl, trusted, log);
      if (!response.ok) {
        const error = answerFrom(await response.text(), response);
        throw APIError.generate(error.status, scrub(error.body, apiKey), error.headers, error.json);
      }
      const data = call.parseAs === 'stream' ? response.body : await response.text();
      if (logging) line(String(response.status), response.headers.get('x-request-id'));
      return { data, response };
    } catch (error) {
      const failure = toLLMError(error, init.signal, apiKey, url);
      if (logging) {
        line(
          failure instanceof APIError ? String(failure.status) : `failed (${failure.message})`,
          failure instanceof APIError ? failure.requestId : undefined,
        );
      }
      throw failure;
    }
  }

  /** The answer of a `parseAs: 'text'` call, whose `data` is the body's text. */
  const answerOf = ({ data, response }: { data?: unknown; response: Response }): Answer => {
    const text = data as string;
    if (log.enabled('debug')) log.debug(`answer ${response.status} body: ${text}`);
    return answerFrom(text, response);
  };

  return {
    assertTrusted,

    /** `POST /api/v2/execute/{id}` (sync) or `/api/v1/execute/{id}` (async). */
    execute(version: 'v1' | 'v2', modelId: string, body: RequestBody, call: CallOptions) {
      return (version === 'v2' ? executeModel : executeModelAsync)({
        client,
        path: { modelId },
        body,
        parseAs: 'text',
        signal: call.signal,
        headers: call.headers,
        meta: call,
      }).then(answerOf);
    },

    /** The streamed run: resolves with the 2xx `Response` whose body is still unread. */
    stream(modelId: string, body: RequestBody, call: CallOptions): Promise<Response> {
      return executeModel({
        client,
        path: { modelId },
        body,
        parseAs: 'stream',
        signal: call.signal,
        headers: { Accept: 'text/event-stream', ...call.headers },
        meta: call,
      }).then((result) => result.response);
    },

    /** One `GET` on a poll URL, used exactly as the service gave it. */
    poll(url: string, call: CallOptions): Promise<Answer> {
      const parsed = assertTrusted(url);
      return pollRun({
        client,
        // The URL exactly as the service gave it (its path has no parameter left to fill).
        baseUrl: parsed.origin,
        url: `${parsed.pathname}${parsed.search}` as '/api/v1/data/{requestId}',
        parseAs: 'text',
        signal: call.signal,
        headers: call.headers,
        meta: call,
      } as unknown as Parameters<typeof pollRun>[0]).then(answerOf);
    },
  };
}

/**
 * Sends one request with `redirect: 'manual'`, so that the runtime follows no redirect: the
 * runtime would keep `x-api-key` on a redirect to another origin. Only what fetch understands
 * is passed (Deno's fetch refuses an unknown `client`).
 *
 * Redirects to a trusted origin are followed here, at most five times: any of them for a poll
 * (GET); for an execute (POST) only 307 and 308, which keep the method and the body (a string,
 * replayed as it is) and mean the service did not take the request. A 301, 302 or 303 would
 * turn the POST into a GET of another resource, whose answer is no run's: it comes back as the
 * APIError of its status, as does a redirect to an untrusted origin.
 */
async function followTrusted(
  url: string,
  init: SendInit,
  fetchImpl: typeof fetch,
  trusted: ReadonlySet<string>,
  log: Log,
): Promise<Response> {
  const { headers, method, body } = init;
  // Every request carries Content-Type, polls too (the SDK function of a request without a
  // body sets none; the reference SDK sends it on its poll GET).
  headers['content-type'] ??= 'application/json';
  let target = url;
  // Not async: without debug logging, the fetch's own promise is awaited, with no frame around it.
  const fetchOnce = (): Promise<Response> => {
    if (!log.enabled('debug')) return fetchImpl(target, init);
    log.debug(`${method} ${target} headers: ${headersLine(new Headers(headers))}`);
    if (typeof body === 'string') log.debug(`${method} ${target} body: ${body}`);
    // Promise.resolve: a test double may answer without a promise.
    return Promise.resolve(fetchImpl(target, init)).then((answer) => {
      log.debug(`answer ${answer.status} headers: ${headersLine(answer.headers)}`);
      return answer;
    });
  };
  let response = await fetchOnce();
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    const location = response.headers.get('location');
    const { status } = response;
    const follows =
      method === 'GET' ? status >= 300 && status <= 399 : status === 307 || status === 308;
    if (!follows || location === null) break;
    const next = new URL(location, response.url === '' ? target : response.url);
    if (!trusted.has(next.origin)) break;
    await response.body?.cancel();
    log.info(
      `${method} ${pathOf(target)} ${status}: following the redirect to ${pathOf(next.href)}`,
    );
    target = next.href;
    response = await fetchOnce();
  }
  return response;
}

/** An answer and its body: the body's JSON value, or its text when it is not JSON. */
function answerFrom(text: string, { headers, status }: Response): Answer {
  try {
    return { body: JSON.parse(text), json: true, headers, status };
  } catch {
    return { body: text, json: false, headers, status };
  }
}

/** A deep copy of `value` with every occurrence of `secret` in its strings replaced. */
function scrub(value: unknown, secret: string): unknown {
  if (typeof value === 'string') return scrubSecret(value, secret);
  if (value === null || typeof value !== 'object') return value;
  const text = JSON.stringify(value);
  const scrubbed = scrubSecret(text, secret);
  return scrubbed === text ? value : JSON.parse(scrubbed);
}

/** The path and query of the absolute `url`, for a log line (the origin is the LLM's). */
function pathOf(url: string): string {
  const { pathname, search } = new URL(url);
  return `${pathname}${search}`;
}

/** How many `cause` links to follow for the system error (TypeError -> Error -> ...). */
const MAX_CAUSE_DEPTH = 4;

/**
 * The system error under a failed fetch: its code (`ECONNREFUSED`, `ENOTFOUND`) and its message
 * (`connect ECONNREFUSED 127.0.0.1:40089`). Node's fetch says only "fetch failed" and keeps
 * these in its `cause` (an AggregateError's first error when several addresses were tried).
 */
function systemErrorOf(error: unknown): { code?: string; message?: string } {
  const found: { code?: string; message?: string } = {};
  let current: unknown = error;
  for (
    let depth = 0;
    depth < MAX_CAUSE_DEPTH && current !== null && typeof current === 'object';
    depth++
  ) {
    const { code, message, errors, cause } = current as {
      code?: unknown;
      message?: unknown;
      errors?: unknown;
      cause?: unknown;
    };
    if (typeof code === 'string') found.code = code;
    if (typeof message === 'string' && message !== '' && message !== 'fetch failed') {
      found.message = message;
    }
    current = cause ?? (Array.isArray(errors) ? errors[0] : undefined);
  }
  return found;
}

/**
 * The LLMError a failed call stands for: the caller's abort or deadline, else a ConnectionError
 * that names the host and the system error (`Could not reach models.test: connect ECONNREFUSED
 * 127.0.0.1:40089 (ECONNREFUSED).`).
 */
function toLLMError(
  error: unknown,
  signal: AbortSignal | null | undefined,
  apiKey: string,
  url: string,
): LLMError {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof TimeoutError || reason instanceof AbortError
      ? reason
      : abortErrorOf(signal);
  }
  if (error instanceof LLMError) return error;
  const system = systemErrorOf(error);
  const detail = scrubSecret(
    system.message ?? (error instanceof Error ? error.message : String(error)),
    apiKey,
  );
  const code =
    system.code !== undefined && !detail.includes(system.code) ? ` (${system.code})` : '';
  // `url` is the absolute URL the client built.
  return new ConnectionError(`Could not reach ${new URL(url).host}: ${detail}${code}.`, {
    cause: error,
    code: system.code,
  });
}
