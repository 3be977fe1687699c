/**
 * The client the generated SDK functions run on (`executeModel({ client, ... })`): only what
 * their three calls use, so that none of the generic client (its serializers, interceptors,
 * auth step, SSE client and response mapping) is bundled or run per call. The SDK functions
 * still give every call its method, path template, security and headers from the spec; this
 * fills `{name}` path parameters, encodes the body as JSON, merges the headers and hands the
 * request to `send`, which does the rest.
 */
import type { Client } from '../../generated/client/index.js';

/** What one SDK function passes to `client.post` or `client.get`. */
export interface CallInit {
  url: string;
  baseUrl?: string;
  path?: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  parseAs?: 'text' | 'stream';
  /** What the caller of the SDK function passes through to `send` (the attempt number). */
  meta?: Record<string, unknown>;
}

/**
 * The request `send` receives, ready for fetch: header names are lower-case, and `redirect` is
 * `manual`, so that the runtime follows no redirect (it would keep `x-api-key` on a redirect
 * to another origin).
 */
export type SendInit = RequestInit & {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  redirect: 'manual';
};

/** The settings of `createMinimalClient`. */
export interface MinimalClientConfig {
  baseUrl: string;
  /** Sent with every request, before the call's own headers. */
  headers: Record<string, string>;
  /** Sent with every request, after the call's own headers: no call can replace them. */
  fixedHeaders: Record<string, string>;
  /**
   * Sends the request and resolves with `{ data, response }`: `data` the body as text, or the
   * unread stream with `parseAs: 'stream'`.
   */
  send: (url: string, init: SendInit, call: CallInit) => Promise<unknown>;
}

const PARAM = /\{([^{}]+)\}/g;

/** A `Client` for the SDK functions: `post` and `get` only, each handing its request to `send`. */
export function createMinimalClient(config: MinimalClientConfig): Client {
  const defaults = lowerCased({}, config.headers);
  const request = (method: 'GET' | 'POST') => (call: CallInit) => {
    const { path = {} } = call;
    // A plain object rather than a Headers: fetch copies its init's headers anyway, and a
    // Headers built per call costs more than the request's own JavaScript. Names are
    // lower-cased, so that a call's header replaces a default of another case.
    const headers = lowerCased(lowerCased({ ...defaults }, call.headers), config.fixedHeaders);
    const url =
      (call.baseUrl ?? config.baseUrl) +
      call.url.replace(PARAM, (all, name: string) =>
        name in path ? encodeURIComponent(path[name] as string) : all,
      );
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    return config.send(
      url,
      { method, headers, body, signal: call.signal, redirect: 'manual' },
      call,
    );
  };
  return { post: request('POST'), get: request('GET') } as unknown as Client;
}

/**
 * `target` with each own header of `headers` written over it under its lower-case name (never
 * an inherited key: only what the options' checks saw is sent).
 */
function lowerCased(
  target: Record<string, string>,
  headers: Record<string, string> | undefined,
): Record<string, string> {
  if (headers !== undefined) {
    for (const name of Object.keys(headers)) target[name.toLowerCase()] = headers[name] as string;
  }
  return target;
}
