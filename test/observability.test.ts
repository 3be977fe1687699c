/**
 * What a user of a serious SDK expects to see: log lines at the level they chose (the key in
 * none of them), per-call retries, the HTTP status and headers of every answer, the text of a
 * response typed as a string, and error messages that say what happened.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ConnectionError, LLM, type LLMOptions, ValidationError } from '../src/index.js';

const KEY = 'secret-key-0123456789abcdef';
const BASE = 'https://models.test';

/** A logger that keeps every line, by level. */
function recordingLogger() {
  const lines: Array<[string, string]> = [];
  const at = (level: string) => (message: string) => lines.push([level, message]);
  return {
    logger: { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') },
    lines,
  };
}

/** A fetch answering each request from `replies` in order (the last one repeats). */
function replying(...replies: Array<() => Response | Promise<Response>>) {
  let n = 0;
  const fetch = vi.fn(async (_url: string, _init: RequestInit) => {
    const reply = replies[Math.min(n, replies.length - 1)] as () => Response;
    n++;
    return reply();
  });
  return fetch as unknown as typeof globalThis.fetch & typeof fetch;
}

const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { 'content-type': 'application/json', ...headers },
    });
const done = json(
  { completed: true, status: 'SUCCESS', data: 'Hi there', requestId: 'req-1' },
  200,
  { 'x-request-id': 'req-1', 'x-ratelimit-remaining': '41' },
);

function llm(fetch: typeof globalThis.fetch, options: Partial<LLMOptions> = {}) {
  return new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch, ...options });
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('logging', () => {
  test('info: one line per request with method, path, status, duration, attempt and request id', async () => {
    const { logger, lines } = recordingLogger();
    await llm(replying(done), { logLevel: 'info', logger }).run('Hello');
    expect(lines).toEqual([
      [
        'info',
        expect.stringMatching(
          /^aixplain-llm: POST \/api\/v2\/execute\/m 200 in \d+ ms, attempt 1, request id req-1$/,
        ),
      ],
    ]);
  });

  test('info: retries and their reason, attempt n of m', async () => {
    vi.useFakeTimers();
    const { logger, lines } = recordingLogger();
    const pending = llm(replying(json({ error: 'busy' }, 503), done), {
      logLevel: 'info',
      logger,
    }).run('Hello');
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe('SUCCESS');
    const messages = lines.map(([, m]) => m);
    expect(messages[0]).toMatch(/POST \/api\/v2\/execute\/m 503 in \d+ ms, attempt 1$/);
    expect(messages[1]).toMatch(
      /^aixplain-llm: retrying POST after 503 in \d+ ms, attempt 2 of 3$/,
    );
    expect(messages[2]).toMatch(/200 in \d+ ms, attempt 2, request id req-1$/);
  });

  test('debug: headers and bodies, with x-api-key as *** and the key scrubbed everywhere', async () => {
    const { logger, lines } = recordingLogger();
    const echo = json({ completed: true, status: 'FAILED', error_message: `bad key ${KEY}` });
    await llm(replying(echo), { logLevel: 'debug', logger }).run(`my key is ${KEY}`);
    const text = lines.map(([, m]) => m).join('\n');
    expect(text).toContain('x-api-key: ***');
    expect(text).toContain('"data":"my key is [redacted]"');
    expect(text).toContain('bad key [redacted]');
    expect(lines.some(([level]) => level === 'debug')).toBe(true);
  });

  test.each(['off', 'error', 'warn', 'info', 'debug'] as const)(
    'at %s, no line carries the key, whatever happens',
    async (logLevel) => {
      const { logger, lines } = recordingLogger();
      const model = llm(
        replying(json({ error: KEY }, 401), json({ error: KEY }, 500), () => {
          throw new TypeError('fetch failed', { cause: new Error(`boom ${KEY}`) });
        }),
        { logLevel, logger, maxRetries: 0 },
      );
      await model.run(KEY);
      await model.run(KEY);
      await model.run(KEY);
      for (const [, message] of lines) expect(message).not.toContain(KEY);
      if (logLevel === 'off' || logLevel === 'error' || logLevel === 'warn')
        expect(lines).toEqual([]);
    },
  );

  test('the level comes from AIXPLAIN_LOG when the option is absent, and a bad one is refused', () => {
    vi.stubEnv('AIXPLAIN_LOG', 'debug');
    expect(new LLM({ id: 'm', apiKey: KEY }).logLevel).toBe('debug');
    expect(new LLM({ id: 'm', apiKey: KEY, logLevel: 'off' }).logLevel).toBe('off');
    vi.stubEnv('AIXPLAIN_LOG', 'loud');
    expect(() => new LLM({ id: 'm', apiKey: KEY })).toThrow(ValidationError);
    vi.stubEnv('AIXPLAIN_LOG', '');
    expect(new LLM({ id: 'm', apiKey: KEY }).logLevel).toBe('warn');
  });

  test('refuses a bad level or a logger without the four methods', () => {
    expect(() => new LLM({ id: 'm', apiKey: KEY, logLevel: 'loud' as never })).toThrow(
      ValidationError,
    );
    expect(() => new LLM({ id: 'm', apiKey: KEY, logger: { info() {} } as never })).toThrow(
      'must have error, warn, info and debug methods',
    );
  });
});

describe('per-call maxRetries', () => {
  test("overrides the LLM's for one run, and for a poll", async () => {
    vi.useFakeTimers();
    const fetch = replying(json({ error: 'busy' }, 503));
    const model = llm(fetch, { maxRetries: 2 });
    const pending = model.run('x', { maxRetries: 0 });
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe('FAILED');
    expect(fetch).toHaveBeenCalledTimes(1);

    fetch.mockClear();
    const polled = model.poll(`${BASE}/api/v1/data/r`, { maxRetries: 1 });
    await vi.runAllTimersAsync();
    await polled;
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  test("is validated like the LLM's", async () => {
    await expect(llm(replying(done)).run('x', { maxRetries: -1 })).rejects.toThrow(ValidationError);
    await expect(llm(replying(done)).run('x', { maxRetries: 1.5 })).rejects.toThrow(
      ValidationError,
    );
  });
});

describe('the raw answer', () => {
  test('a response carries the HTTP status and headers of its answer, read once', async () => {
    const res = await llm(replying(done)).run('x');
    expect(res.httpStatus).toBe(200);
    expect(res.headers?.get('x-ratelimit-remaining')).toBe('41');
    expect(res.toJSON()).not.toHaveProperty('headers');
    expect(res.toJSON()).toMatchObject({ httpStatus: 200 });
  });

  test('a FAILED response of an HTTP error carries that status and headers', async () => {
    const res = await llm(replying(json({ error: 'no' }, 403, { 'x-request-id': 'r9' }))).run('x');
    expect(res.httpStatus).toBe(403);
    expect(res.headers?.get('x-request-id')).toBe('r9');
  });

  test('text is the data when it is a string, else ""', async () => {
    const text: string = (await llm(replying(done)).run('x')).text;
    expect(text).toBe('Hi there');
    const other = await llm(
      replying(json({ completed: true, status: 'SUCCESS', data: { a: 1 } })),
    ).run('x');
    expect(other.text).toBe('');
    expect(other.data).toEqual({ a: 1 });
  });
});

describe('messages that say what happened', () => {
  test('a refused connection names the host, the system error and the attempts', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const model = new LLM({ id: 'm', apiKey: KEY, baseUrl: `http://127.0.0.1:${port}` });
    const pending = model.run('x');
    await vi.runAllTimersAsync();
    const res = await pending;
    expect(res.error).toBeInstanceOf(ConnectionError);
    expect(res.errorMessage).toMatch(
      new RegExp(
        `^Could not reach 127\\.0\\.0\\.1:${port}: connect ECONNREFUSED 127\\.0\\.0\\.1:${port}, after 3 attempts\\.$`,
      ),
    );
    expect((res.error as ConnectionError).code).toBe('ECONNREFUSED');
    expect((res.error as ConnectionError).attempts).toBe(3);
  });

  test('an unknown host names the host and the code', async () => {
    const fetch = replying(() => {
      const cause = Object.assign(new Error('getaddrinfo ENOTFOUND models.nowhere'), {
        code: 'ENOTFOUND',
      });
      throw new TypeError('fetch failed', { cause });
    });
    const res = await llm(fetch, { baseUrl: 'https://models.nowhere', maxRetries: 0 }).run('x');
    expect(res.errorMessage).toBe(
      'Could not reach models.nowhere: getaddrinfo ENOTFOUND models.nowhere.',
    );
  });

  test('a short key does not mangle the message it is scrubbed from', async () => {
    const fetch = replying(json({ error: 'Invalid API key' }, 401));
    const res = await new LLM({ id: 'm', apiKey: 'k', baseUrl: BASE, fetch }).run('x');
    expect(res.errorMessage).toBe(
      'Unauthorized API key: Please verify the spelling of the API key and its current validity. Details: Invalid API key',
    );
  });

  test('a real-length key is scrubbed from an echoed error body', async () => {
    const fetch = replying(json({ error: `key ${KEY} is invalid` }, 401));
    const res = await llm(fetch).run('x');
    expect(res.errorMessage).toContain('Details: key [redacted] is invalid');
    expect(res.errorMessage).not.toContain(KEY);
  });
});
