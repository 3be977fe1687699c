/**
 * The unit tests' stand-in for the network: a `fetch` that records every request and answers
 * from a handler or a list of replies, and builders of the API's answers (JSON and SSE).
 */
import { vi } from 'vitest';

/** The API key of the unit tests; no message or log may ever contain it. */
export const KEY = 'sk-secret-key-123';
/** A base URL that no test ever reaches: every request goes to a fake fetch. */
export const BASE = 'https://models.example.test';

/** What `llm.run('Hello')` sends: the input and the run defaults. */
export const DEFAULT_BODY = {
  data: 'Hello',
  context: null,
  prompt: null,
  history: null,
  temperature: 0.001,
  max_tokens: 128,
  top_p: 1,
};

/** One request as the fake fetch received it. */
export interface Sent {
  method: string;
  url: string;
  headers: Headers;
  /** The parsed JSON body, or undefined when there was none. */
  body: Record<string, unknown> | undefined;
  redirect: RequestRedirect;
  signal: AbortSignal;
}

/** Answers the `n`-th request (from 1), whose parsed body is `body`. */
export type Handler = (
  request: Request,
  body: Record<string, unknown> | undefined,
  n: number,
) => Response | Promise<Response>;

/** A reply: a response (cloned at each use), or a function of the request. */
export type Reply = Response | ((request: Request) => Response | Promise<Response>);

/** A fetch that records every request in `sent` and answers with `handler`. */
export function fakeApi(handler: Handler): { fetch: typeof fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request =
      input instanceof Request && init === undefined ? input : new Request(input, init);
    const text = request.method === 'GET' ? '' : await request.clone().text();
    const body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    sent.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body,
      redirect: request.redirect,
      signal: request.signal,
    });
    return handler(request, body, sent.length);
  });
  return { fetch: fn as unknown as typeof fetch, sent };
}

/** A fetch that answers from `replies` in order (the last one repeats), recording requests. */
export function fakeFetch(...replies: Reply[]): { fetch: typeof fetch; sent: Sent[] } {
  return fakeApi((request, _body, n) => {
    const reply = replies[Math.min(n - 1, replies.length - 1)];
    if (reply === undefined) throw new Error('no reply');
    return typeof reply === 'function' ? reply(request) : reply.clone();
  });
}

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** An SSE answer: one `data: {"data": token}` event per token, then `extra` (`[DONE]`). */
export function sse(tokens: string[], extra = 'data: [DONE]\n\n'): Response {
  const text = tokens.map((t) => `data: ${JSON.stringify({ data: t })}\n\n`).join('') + extra;
  return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
}
