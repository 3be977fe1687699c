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
  type LLMError,
  TimeoutError,
  ValidationError,
} from '../errors.js';
import type { Answer, RequestBody } from '../payload.js';
import { VERSION } from '../version.js';
import { createMinimalClient } from './client.js';

/** What the transport needs from the LLM's resolved options. */
export interface TransportConfig {
  baseUrl: string;
  apiKey: string;
  fetch: typeof fetch | undefined;
  headers: Record<string, string>;
  trustedOrigins: string[];
}

/** Per-call settings. */
export interface CallOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

const MAX_REDIRECTS = 5;
const REDACTED = '[redacted]';

export type Transport = ReturnType<typeof createTransport>;

export function createTransport(config: TransportConfig) {
  const trusted = new Set([new URL(config.baseUrl).origin, ...config.trustedOrigins]);
  const baseFetch: typeof fetch = config.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const isBrowser = typeof (globalThis as { document?: unknown }).document !== 'undefined';
  const client = createMinimalClient({
    baseUrl: config.baseUrl,
    fetch: (url, init) => guardedFetch(url, init, baseFetch, trusted, config.apiKey),
    // The key is a default header, last, so that a default header cannot replace it.
    headers: {
      // Browsers refuse to let a page set User-Agent.
      ...(isBrowser ? {} : { 'User-Agent': `aixplain-llm/${VERSION}` }),
      ...config.headers,
      'x-api-key': config.apiKey,
    },
  });

  /** Per-call headers, with the key last so that a header of the caller cannot replace it. */
  const callHeaders = (headers: Record<string, string> | undefined) => {
    if (headers === undefined) return undefined;
    for (const name in headers) {
      if (name.toLowerCase() === 'x-api-key') return { ...headers, [name]: config.apiKey };
    }
    return headers;
  };

  const redact = (text: string) => text.split(config.apiKey).join(REDACTED);

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

  type Result = { response?: Response; error?: unknown; data?: unknown };

  /**
   * Runs one generated-SDK call and turns every failure into this package's errors. Promise
   * chains rather than async functions: a call that succeeds allocates no extra frame.
   */
  function send(call: () => Promise<Result>, signal: AbortSignal | undefined) {
    return call().then(
      (result) => {
        // guardedFetch turns every answer that is not 2xx into an APIError, so a result here is a 2xx.
        if (result.response === undefined) throw toLLMError(result.error, signal, redact);
        return result as Result & { response: Response };
      },
      (error: unknown) => {
        throw toLLMError(error, signal, redact);
      },
    );
  }

  function answerOf(call: () => Promise<Result>, signal: AbortSignal | undefined): Promise<Answer> {
    return send(call, signal).then(({ data, response }) => {
      const text = typeof data === 'string' ? data : '';
      const { headers, status } = response;
      try {
        return { body: JSON.parse(text), json: true, headers, status };
      } catch {
        return { body: text, json: false, headers, status };
      }
    });
  }

  return {
    assertTrusted,

    /** `POST /api/v2/execute/{id}` (sync) or `/api/v1/execute/{id}` (async). */
    execute(version: 'v1' | 'v2', modelId: string, body: RequestBody, call: CallOptions) {
      const run = version === 'v2' ? executeModel : executeModelAsync;
      return answerOf(
        () =>
          run({
            client,
            path: { modelId },
            body,
            parseAs: 'text',
            signal: call.signal,
            headers: callHeaders(call.headers),
          }),
        call.signal,
      );
    },

    /** The streamed run: resolves with the 2xx `Response` whose body is still unread. */
    stream(modelId: string, body: RequestBody, call: CallOptions): Promise<Response> {
      return send(
        () =>
          executeModel({
            client,
            path: { modelId },
            body,
            parseAs: 'stream',
            signal: call.signal,
            headers: { Accept: 'text/event-stream', ...callHeaders(call.headers) },
          }),
        call.signal,
      ).then((result) => result.response);
    },

    /** One `GET` on a poll URL, used exactly as the service gave it. */
    poll(url: string, call: CallOptions): Promise<Answer> {
      const parsed = assertTrusted(url);
      return answerOf(
        () =>
          pollRun({
            client,
            // The URL exactly as the service gave it (its path has no parameter left to fill).
            baseUrl: parsed.origin,
            url: `${parsed.pathname}${parsed.search}` as '/api/v1/data/{requestId}',
            parseAs: 'text',
            signal: call.signal,
            headers: callHeaders(call.headers),
          } as unknown as Parameters<typeof pollRun>[0]),
        call.signal,
      );
    },
  };
}

/** What the generated client hands its `fetch`: a RequestInit plus the client's own options. */
type ClientInit = RequestInit & { headers: Headers };

/**
 * Sends one request of the generated client with only what fetch understands (the client's
 * own options, such as `client` or `parseAs`, stay behind: Deno's fetch refuses an unknown
 * `client`), and with `redirect: 'manual'`, so that the runtime follows no redirect: the runtime
 * would keep `x-api-key` on a redirect to another origin.
 *
 * Redirects to a trusted origin are followed here, at most five times: any of them for a poll
 * (GET); for an execute (POST) only 307 and 308, which keep the method and the body (a string,
 * replayed as it is) and mean the service did not take the request. A 301, 302 or 303 would
 * turn the POST into a GET of another resource, whose answer is no run's: it comes back as the
 * APIError of its status, as does a redirect to an untrusted origin. Any answer that is not 2xx
 * becomes the APIError of its status, read here from the raw text (so a JSON `null` or a JSON
 * string body is told apart from text), with the key scrubbed.
 */
async function guardedFetch(
  url: string,
  init: ClientInit,
  fetchImpl: typeof fetch,
  trusted: ReadonlySet<string>,
  apiKey: string,
): Promise<Response> {
  const { headers, method = 'GET', body, signal } = init;
  // Every request carries Content-Type, polls too (the generated client drops it from a request
  // without a body; the reference SDK sends it on its poll GET).
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  let target = url;
  let response = await fetchImpl(target, { method, headers, body, signal, redirect: 'manual' });
  for (let hop = 0; hop < MAX_REDIRECTS; hop++) {
    const location = response.headers.get('location');
    const { status } = response;
    const follows =
      method === 'GET' ? status >= 300 && status <= 399 : status === 307 || status === 308;
    if (!follows || location === null) break;
    const next = new URL(location, response.url === '' ? target : response.url);
    if (!trusted.has(next.origin)) break;
    await response.body?.cancel();
    target = next.href;
    response = await fetchImpl(target, { method, headers, body, signal, redirect: 'manual' });
  }
  if (response.ok) return response;
  const text = await response.text();
  const { body: parsed, json } = parseErrorBody(text);
  throw APIError.generate(response.status, scrub(parsed, apiKey), response.headers, json);
}

/** The body of an error answer: its JSON value, or its text when it is not JSON. */
function parseErrorBody(text: string): { body: unknown; json: boolean } {
  try {
    return { body: JSON.parse(text), json: true };
  } catch {
    return { body: text, json: false };
  }
}

/** A deep copy of `value` with every occurrence of `secret` in its strings replaced. */
function scrub(value: unknown, secret: string): unknown {
  if (typeof value === 'string') return value.split(secret).join(REDACTED);
  if (value === null || typeof value !== 'object') return value;
  const text = JSON.stringify(value);
  return text.includes(secret) ? JSON.parse(text.split(secret).join(REDACTED)) : value;
}

/** The LLMError a failed call stands for: the caller's abort or deadline, else a ConnectionError. */
function toLLMError(
  error: unknown,
  signal: AbortSignal | undefined,
  redact: (text: string) => string,
): LLMError {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof TimeoutError || reason instanceof AbortError) return reason;
    return new AbortError('The request was aborted.', { cause: reason });
  }
  if (error instanceof ValidationError || error instanceof APIError) return error;
  const detail = error instanceof Error ? redact(error.message) : 'unknown error';
  return new ConnectionError(`Could not reach the service: ${detail}.`, { cause: error });
}
