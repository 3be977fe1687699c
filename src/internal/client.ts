/**
 * The client the generated SDK functions run on (`executeModel({ client, ... })`): only what
 * their three calls use, so that none of the generic client (its serializers, interceptors,
 * auth step, SSE client and response mapping) is bundled or run per call. The SDK functions
 * still give every call its method, path template, security and headers from the spec; this
 * fills `{name}` path parameters, sends the body as JSON and hands back the raw answer.
 */
import type { Client } from '../../generated/client/index.js';

/** What one SDK function passes to `client.post` or `client.get`. */
interface CallInit {
  url: string;
  baseUrl?: string;
  path?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  parseAs?: 'text' | 'stream';
}

/** The settings of `createMinimalClient`. */
export interface MinimalClientConfig {
  baseUrl: string;
  /** Sent with every request, before the call's own headers. */
  headers: Record<string, string>;
  /** Sent with every request, after the call's own headers: no call can replace them. */
  fixedHeaders: Record<string, string>;
  /** The fetch every request goes through; it receives the headers as an object of lower-case names. */
  fetch: (
    url: string,
    init: RequestInit & { headers: Record<string, string> },
  ) => Promise<Response>;
}

const PARAM = /\{([^{}]+)\}/g;

/**
 * A `Client` for the SDK functions: `post` and `get` only, each resolving with
 * `{ data, response }`, `data` the body as text, or the unread stream with `parseAs: 'stream'`.
 * Errors are the fetch's own (the facade's fetch turns every non-2xx answer into one).
 */
export function createMinimalClient(config: MinimalClientConfig): Client {
  const defaults = lowerCased({}, config.headers);
  const request = (method: 'GET' | 'POST') => async (init: CallInit) => {
    const { path = {} } = init;
    // A plain object rather than a Headers: fetch copies its init's headers anyway, and a
    // Headers built per call costs more than the request's own JavaScript. Names are
    // lower-cased, so that a call's header replaces a default of another case.
    const headers = lowerCased(lowerCased({ ...defaults }, init.headers), config.fixedHeaders);
    const response = await config.fetch(
      (init.baseUrl ?? config.baseUrl) +
        init.url.replace(PARAM, (all, name: string) =>
          name in path ? encodeURIComponent(path[name] as string) : all,
        ),
      {
        method,
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: init.signal,
      },
    );
    return { data: init.parseAs === 'stream' ? response.body : await response.text(), response };
  };
  return { post: request('POST'), get: request('GET') } as unknown as Client;
}

/** `target` with each header of `headers` written over it under its lower-case name. */
function lowerCased(
  target: Record<string, string>,
  headers: Record<string, string> | undefined,
): Record<string, string> {
  for (const name in headers) target[name.toLowerCase()] = headers[name] as string;
  return target;
}
