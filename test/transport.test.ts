/**
 * What the transport sends and how it reads an error answer from its raw text: the model id as
 * one path segment, only what fetch understands in the init, and the reference SDK's Details rule
 * for every kind of error body.
 */
import { describe, expect, test } from 'vitest';
import { LLM } from '../src/index.js';

const KEY = 'test-key-0123456789';
const BASE = 'https://models.test';

interface Sent {
  url: string;
  init: RequestInit;
}

/** A fetch that records what it was called with and answers `status` with the raw `text`. */
function answering(status: number, text: string, contentType = 'application/json') {
  const sent: Sent[] = [];
  const fetch = (async (url: string, init: RequestInit) => {
    sent.push({ url, init });
    return new Response(text, { status, headers: { 'content-type': contentType } });
  }) as typeof globalThis.fetch;
  return { fetch, sent };
}

describe('the request', () => {
  test.each([
    ['openai/gpt-4o', '/api/v2/execute/openai%2Fgpt-4o'],
    ['a b?c#d', '/api/v2/execute/a%20b%3Fc%23d'],
    ['669a63646eb56306647e1091', '/api/v2/execute/669a63646eb56306647e1091'],
  ])('sends the model id %j as one path segment (%s)', async (id, path) => {
    const { fetch, sent } = answering(200, '{"completed":true,"status":"SUCCESS","data":"x"}');
    await new LLM({ id, apiKey: KEY, baseUrl: BASE, fetch }).run('Hi');
    expect(new URL(sent[0]?.url ?? '').pathname).toBe(path);
  });

  test('passes fetch only what fetch understands, never the generated client or its options', async () => {
    const { fetch, sent } = answering(200, '{"completed":true,"status":"SUCCESS","data":"x"}');
    await new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch }).run('Hi');
    expect(Object.keys(sent[0]?.init ?? {}).sort()).toEqual(
      ['body', 'headers', 'method', 'redirect', 'signal'].sort(),
    );
    expect(sent[0]?.init.redirect).toBe('manual');
  });
});

describe('the Details of an error answer, read from its raw text', () => {
  const SERVER = 'Internal server error: Please try again later.';
  test.each([
    ['an object with a string error', '{"error":"bad"}', `${SERVER} Details: bad`],
    [
      'an object error, as JSON',
      '{"error":{"message":"bad"}}',
      `${SERVER} Details: {"message":"bad"}`,
    ],
    [
      'an object without error, as JSON',
      '{"message":"bad"}',
      `${SERVER} Details: {"message":"bad"}`,
    ],
    [
      'a JSON string, as that string',
      '"the model crashed"',
      `${SERVER} Details: the model crashed`,
    ],
    ['a JSON array, as JSON', '["a","b"]', `${SERVER} Details: ["a","b"]`],
    ['a JSON null: no suffix', 'null', SERVER],
    ['an empty error: no suffix', '{"error":""}', SERVER],
    ['a null error: no suffix', '{"error":null}', SERVER],
    ['an empty object: no suffix', '{}', SERVER],
    ['an empty array: no suffix', '[]', SERVER],
    ['a JSON false: no suffix', 'false', SERVER],
    ['an empty body: no suffix', '', SERVER],
    ['a blank body: no suffix', '  \n', SERVER],
    [
      'text that is not JSON',
      '<html><body>502</body></html>',
      `${SERVER} Details: unspecified error`,
    ],
  ])('%s', async (_what, text, message) => {
    const { fetch } = answering(500, text, text.startsWith('<') ? 'text/html' : 'application/json');
    const llm = new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch, maxRetries: 0 });
    const res = await llm.run('Hi');
    expect(res.status).toBe('FAILED');
    expect(res.completed).toBe(true);
    expect(res.errorMessage).toBe(message);
  });

  test.each([
    [501, 'Unspecified Server Error (Status 501) Details: bad'],
    [502, 'Unspecified Server Error (Status 502) Details: bad'],
    [504, 'Gateway timeout: Please try again later. Details: bad'],
    [418, 'Unspecified Client Error (Status 418) Details: bad'],
  ])('a %i gets the reference message', async (status, message) => {
    const { fetch } = answering(status, '{"error":"bad"}');
    const res = await new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch, maxRetries: 0 }).run(
      'Hi',
    );
    expect(res.errorMessage).toBe(message);
  });
});

describe('redirects of an execute POST', () => {
  /** A fetch that answers each request from `replies` in order, recording method, URL and body. */
  function replying(...replies: Array<() => Response>) {
    const sent: Array<{ method: string; url: string; body: unknown }> = [];
    const fetch = (async (url: string, init: RequestInit) => {
      sent.push({ method: String(init.method), url, body: init.body });
      const reply = replies[Math.min(sent.length - 1, replies.length - 1)];
      return (reply as () => Response)();
    }) as typeof globalThis.fetch;
    return { fetch, sent };
  }
  const done = () =>
    new Response('{"completed":true,"status":"SUCCESS","data":"moved"}', {
      headers: { 'content-type': 'application/json' },
    });
  const redirect = (status: number, location: string) => () =>
    new Response(null, { status, headers: { location } });

  test.each([307, 308])(
    'follows a %i on a trusted origin with the same method and body',
    async (status) => {
      const { fetch, sent } = replying(redirect(status, '/api/v2/execute/m2'), done);
      const res = await new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch }).run('Hi');
      expect(res).toMatchObject({ status: 'SUCCESS', data: 'moved' });
      expect(sent.map((s) => [s.method, s.url])).toEqual([
        ['POST', `${BASE}/api/v2/execute/m`],
        ['POST', `${BASE}/api/v2/execute/m2`],
      ]);
      expect(sent[1]?.body).toBe(sent[0]?.body);
    },
  );

  test('follows a 307 to a trusted origin', async () => {
    const { fetch, sent } = replying(
      redirect(307, 'https://eu.models.test/api/v2/execute/m'),
      done,
    );
    const llm = new LLM({
      id: 'm',
      apiKey: KEY,
      baseUrl: BASE,
      fetch,
      trustedOrigins: ['https://eu.models.test'],
    });
    expect((await llm.run('Hi')).status).toBe('SUCCESS');
    expect(sent).toHaveLength(2);
  });

  test.each([301, 302, 303])(
    'does not follow a %i (it would turn the run into a GET)',
    async (status) => {
      const { fetch, sent } = replying(redirect(status, '/elsewhere'), done);
      const res = await new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch }).run('Hi');
      expect(res.status).toBe('FAILED');
      expect(res.errorMessage).toBe(`Unspecified Server Error (Status ${status})`);
      expect(sent).toHaveLength(1);
    },
  );

  test('does not follow a 307 to a foreign origin: the key stays home', async () => {
    const { fetch, sent } = replying(redirect(307, 'https://evil.example/steal'), done);
    const res = await new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch }).run('Hi');
    expect(res.status).toBe('FAILED');
    expect(sent.map((s) => s.url)).toEqual([`${BASE}/api/v2/execute/m`]);
  });
});

describe('a server hint longer than the run can wait', () => {
  test('a 429 asking for an hour ends the run at once with its retryAfterMs', async () => {
    const { fetch, sent } = answering(429, '{"error":"slow down"}');
    const withHint = (async (url: string, init: RequestInit) => {
      const response = await fetch(url, init);
      return new Response(await response.text(), {
        status: 429,
        headers: { 'retry-after': '3600' },
      });
    }) as typeof globalThis.fetch;
    const llm = new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch: withHint });
    const res = await llm.run('Hi', { timeoutMs: 3000 });
    expect(res.status).toBe('FAILED');
    expect(res.error).toMatchObject({ name: 'RateLimitError', retryAfterMs: 3_600_000 });
    expect(sent).toHaveLength(1);
  });
});

describe('a plain-http baseUrl', () => {
  test('warns once per process when the host is not this machine, never for loopback', async () => {
    const { vi } = await import('vitest');
    vi.resetModules();
    const fresh = (await import('../src/index.js')) as typeof import('../src/index.js');
    const warnings: string[] = [];
    const spy = vi.spyOn(process, 'emitWarning').mockImplementation(((message: string) => {
      warnings.push(message);
    }) as typeof process.emitWarning);
    try {
      new fresh.LLM({ id: 'm', apiKey: KEY, baseUrl: 'http://127.0.0.1:4010' });
      new fresh.LLM({ id: 'm', apiKey: KEY, baseUrl: 'http://localhost:4010' });
      expect(warnings).toEqual([]);
      new fresh.LLM({ id: 'm', apiKey: KEY, baseUrl: 'http://models.internal' });
      new fresh.LLM({ id: 'm', apiKey: KEY, baseUrl: 'http://other.internal' });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain('http://models.internal');
      expect(warnings[0]).not.toContain(KEY);
    } finally {
      spy.mockRestore();
    }
  });
});
