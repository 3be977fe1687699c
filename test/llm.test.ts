import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  AbortError,
  AuthenticationError,
  ConnectionError,
  InternalServerError,
  LLM,
  type LLMOptions,
  PollTimeoutError,
  type RunOptions,
  TimeoutError,
  ValidationError,
  VERSION,
} from '../src/index.js';
import { BASE, DEFAULT_BODY, fakeFetch, json, KEY } from './helpers/fake-fetch.js';

function llm(fetch: typeof globalThis.fetch, options: Partial<LLMOptions> = {}) {
  return new LLM({ id: 'model-1', apiKey: KEY, baseUrl: BASE, fetch, ...options });
}

const done = { completed: true, status: 'SUCCESS', data: 'Hi there', usedCredits: 1, runTime: 0.5 };

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllEnvs();
});

describe('new LLM', () => {
  test('fills in the defaults', () => {
    const model = new LLM({ id: 'm', apiKey: KEY });
    expect(model.toJSON()).toEqual({
      id: 'm',
      name: 'm',
      description: '',
      supplier: 'aiXplain',
      version: '1.0',
      function: 'text-generation',
      isSubscribed: false,
      cost: undefined,
      temperature: 0.001,
      functionType: 'ai',
      additionalInfo: {},
      baseUrl: 'https://models.aixplain.com',
      maxRetries: 2,
      throwOnError: false,
      trustedOrigins: [],
      logLevel: 'warn',
    });
  });

  test('reads the key and base URL from the environment when constructed', () => {
    vi.stubEnv('AIXPLAIN_API_KEY', '');
    vi.stubEnv('TEAM_API_KEY', 'team-key');
    vi.stubEnv('AIXPLAIN_BASE_URL', 'http://127.0.0.1:9/prefix/');
    const model = new LLM({ id: 'm' });
    expect(model.baseUrl).toBe('http://127.0.0.1:9/prefix');
    vi.stubEnv('AIXPLAIN_API_KEY', 'aix-key');
    expect(() => new LLM({ id: 'm' })).not.toThrow();
  });

  test('throws ValidationError naming apiKey when no key can be found', () => {
    vi.stubEnv('AIXPLAIN_API_KEY', '');
    vi.stubEnv('TEAM_API_KEY', '');
    expect(() => new LLM({ id: 'm' })).toThrow(ValidationError);
    expect(() => new LLM({ id: 'm' })).toThrow(/apiKey/);
  });

  test.each([
    ['id', { id: '' }],
    ['function', { function: 'translation' }],
    ['temperature', { temperature: 2.5 }],
    ['temperature', { temperature: Number.NaN }],
    ['maxRetries', { maxRetries: -1 }],
    ['maxRetries', { maxRetries: 1.5 }],
    ['baseUrl', { baseUrl: 'not a url' }],
    ['baseUrl', { baseUrl: 'ftp://host' }],
    ['trustedOrigins', { trustedOrigins: ['nope'] }],
    ['fetch', { fetch: 'no' }],
    ['headers', { headers: { a: 1 } }],
    ['maxRetry', { maxRetry: 3 }],
  ])('rejects a bad %s with ValidationError naming it', (name, bad) => {
    const make = () => new LLM({ id: 'm', apiKey: KEY, ...(bad as object) } as LLMOptions);
    expect(make).toThrow(ValidationError);
    try {
      make();
    } catch (error) {
      expect((error as ValidationError).issues.map((i) => i.path).join(' ')).toContain(name);
      expect((error as Error).message).toContain(name);
    }
  });

  test('never shows the API key in String, JSON, inspect or an error', async () => {
    const { fetch } = fakeFetch(json({ error: `bad key ${KEY}` }, 401));
    const model = llm(fetch, { throwOnError: true });
    expect(String(model)).not.toContain(KEY);
    expect(JSON.stringify(model)).not.toContain(KEY);
    expect(inspect(model, { showHidden: true, depth: 5 })).not.toContain(KEY);
    const error = await model.run('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(String(error)).not.toContain(KEY);
    expect(JSON.stringify((error as AuthenticationError).body)).not.toContain(KEY);
    expect(inspect(error, { depth: 5 })).not.toContain(KEY);
  });
});

describe('run', () => {
  test('POSTs the body to /api/v2/execute/{id} with the key, JSON and a User-Agent', async () => {
    const { fetch, sent } = fakeFetch(json(done, 200, { 'x-request-id': 'req-9' }));
    const res = await llm(fetch, { id: 'a/b c' }).run('Hello');
    expect(sent).toHaveLength(1);
    const [req] = sent;
    expect(req?.method).toBe('POST');
    expect(req?.url).toBe(`${BASE}/api/v2/execute/a%2Fb%20c`);
    expect(req?.headers.get('x-api-key')).toBe(KEY);
    expect(req?.headers.get('content-type')).toBe('application/json');
    expect(req?.headers.get('user-agent')).toBe(`aixplain-llm/${VERSION}`);
    expect(req?.body).toStrictEqual(DEFAULT_BODY);
    expect(res).toMatchObject({
      status: 'SUCCESS',
      data: 'Hi there',
      completed: true,
      requestId: 'req-9',
    });
  });

  test('sends the LLM headers and the call headers', async () => {
    const { fetch, sent } = fakeFetch(json(done));
    await llm(fetch, { headers: { 'x-team': 't' } }).run('x', { headers: { 'x-call': 'c' } });
    expect(sent[0]?.headers.get('x-team')).toBe('t');
    expect(sent[0]?.headers.get('x-call')).toBe('c');
  });

  test('sends only own headers, never inherited ones the checks did not see, polls included', async () => {
    vi.useFakeTimers();
    const poll = `${BASE}/api/v1/data/r1`;
    const { fetch, sent } = fakeFetch(json({ status: 'IN_PROGRESS', data: poll }), json(done));
    const llmHeaders = Object.assign(Object.create({ 'x-llm-inherited': 'no' }), { 'x-llm': 'a' });
    const callHeaders = Object.assign(Object.create({ 'x-call-inherited': 'no' }), {
      'x-call': 'b',
    });
    const pending = llm(fetch, { headers: llmHeaders }).run('x', { headers: callHeaders });
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe('SUCCESS');
    expect(sent.map((s) => s.method)).toEqual(['POST', 'GET']);
    for (const request of sent) {
      expect(request.headers.get('x-llm')).toBe('a');
      expect(request.headers.get('x-call')).toBe('b');
      expect(request.headers.get('x-llm-inherited')).toBeNull();
      expect(request.headers.get('x-call-inherited')).toBeNull();
    }
  });

  test('no LLM or call header replaces the key, in any case; a call header replaces a default', async () => {
    const { fetch, sent } = fakeFetch(json(done), json(done));
    const model = llm(fetch, { headers: { 'X-Api-Key': 'llm-other', 'User-Agent': 'mine/1' } });
    await model.run('x', { headers: { 'X-API-KEY': 'call-other', 'CONTENT-TYPE': 'text/x' } });
    await model.run('x');
    for (const req of sent) expect(req.headers.get('x-api-key')).toBe(KEY);
    expect(sent[0]?.headers.get('content-type')).toBe('text/x');
    expect(sent[1]?.headers.get('content-type')).toBe('application/json');
    expect(sent[1]?.headers.get('user-agent')).toBe('mine/1');
  });

  test.each<[string, unknown, RunOptions | undefined]>([
    ['temperature', 'x', { temperature: 3 }],
    ['temperature', 'x', { temperature: -0.1 }],
    ['maxTokens', 'x', { maxTokens: 0 }],
    ['maxTokens', 'x', { maxTokens: 1.5 }],
    ['topP', 'x', { topP: 0 }],
    ['topP', 'x', { topP: 1.1 }],
    ['history', 'x', { history: [{ role: 'user' }] as never }],
    ['history', 'x', { history: [{ content: 'hi' }] as never }],
    ['history', 'x', { history: [{ role: 'robot', content: 'hi' }] as never }],
    ['timeoutMs', 'x', { timeoutMs: -1 }],
    ['signal', 'x', { signal: 'no' as never }],
    ['parameters', 'x', { parameters: 'no' as never }],
    ['maxTokenz', 'x', { maxTokenz: 5 } as never],
    ['data', 42, undefined],
    ['data', null, undefined],
    ['data', ['a'], undefined],
  ])('rejects a bad %s with ValidationError before any request', async (name, data, options) => {
    for (const throwOnError of [false, true]) {
      const { fetch, sent } = fakeFetch(json(done));
      const error = await llm(fetch, { throwOnError })
        .run(data as string, options)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as Error).message).toContain(name === 'data' ? 'input' : name);
      expect(sent).toHaveLength(0);
    }
  });

  test('refuses a body the spec forbids (a parameter out of range) with ValidationError', async () => {
    const { fetch, sent } = fakeFetch(json(done));
    const error = await llm(fetch)
      .run('x', { parameters: { max_tokens: 0 } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('max_tokens');
    expect(sent).toHaveLength(0);
  });

  test('returns FAILED with the reference message on an HTTP error, or throws with throwOnError', async () => {
    const body = { error: 'An unspecified error occurred while processing your request.' };
    const { fetch } = fakeFetch(json(body, 401));
    const res = await llm(fetch).run('x');
    expect(res).toMatchObject({
      status: 'FAILED',
      completed: true,
      errorMessage:
        'Unauthorized API key: Please verify the spelling of the API key and its current validity. Details: An unspecified error occurred while processing your request.',
    });
    expect(res.error).toBeInstanceOf(AuthenticationError);
    await expect(llm(fetch, { throwOnError: true }).run('x')).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });

  test('retries a 503 on the execute POST, and not a 500', async () => {
    vi.useFakeTimers();
    const flaky = fakeFetch(json({ error: 'down' }, 503), json(done));
    const pending = llm(flaky.fetch).run('x');
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe('SUCCESS');
    expect(flaky.sent).toHaveLength(2);

    const broken = fakeFetch(json({ error: 'boom' }, 500), json(done));
    const res = llm(broken.fetch).run('x');
    await vi.runAllTimersAsync();
    expect((await res).error).toBeInstanceOf(InternalServerError);
    expect(broken.sent).toHaveLength(1);
  });

  test('gives ConnectionError when the service cannot be reached', async () => {
    const fetch = vi.fn(async () => {
      throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
    }) as unknown as typeof globalThis.fetch;
    const res = await llm(fetch).run('x');
    expect(res.status).toBe('FAILED');
    expect(res.error).toBeInstanceOf(ConnectionError);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  test('polls a run that went async until it finishes, within the same timeoutMs', async () => {
    vi.useFakeTimers();
    const poll = `${BASE}/api/v1/data/r1`;
    const { fetch, sent } = fakeFetch(
      json({ status: 'IN_PROGRESS', data: poll }),
      json({ completed: false, status: 'IN_PROGRESS' }),
      json({ completed: false, status: 'IN_PROGRESS' }),
      json({ ...done, data: 'late' }),
    );
    const pending = llm(fetch).run('x');
    await vi.runAllTimersAsync();
    const res = await pending;
    expect(res).toMatchObject({ status: 'SUCCESS', data: 'late', url: poll });
    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      `POST ${BASE}/api/v2/execute/model-1`,
      `GET ${poll}`,
      `GET ${poll}`,
      `GET ${poll}`,
    ]);
    expect(sent[1]?.headers.get('x-api-key')).toBe(KEY);
    expect(sent[1]?.headers.get('content-type')).toBe('application/json');
    expect(sent[1]?.headers.get('user-agent')).toBe(`aixplain-llm/${VERSION}`);
  });

  test('times out the polling at timeoutMs, keeping the URL', async () => {
    vi.useFakeTimers();
    const poll = `${BASE}/api/v1/data/r1`;
    const { fetch } = fakeFetch(
      json({ status: 'IN_PROGRESS', data: poll }),
      json({ completed: false, status: 'IN_PROGRESS' }),
    );
    const pending = llm(fetch).run('x', { timeoutMs: 2000 });
    await vi.advanceTimersByTimeAsync(2000);
    const res = await pending;
    expect(res).toMatchObject({
      status: 'FAILED',
      completed: false,
      errorMessage: expect.stringMatching(
        /^No response from the service\. model_process: no final answer from .+ within 2000 ms\.$/,
      ),
      url: poll,
    });
    expect(res.error).toBeInstanceOf(PollTimeoutError);
    expect((res.error as PollTimeoutError).url).toBe(poll);
  });

  test('times out a POST that does not answer within timeoutMs', async () => {
    vi.useFakeTimers();
    const fetch = vi.fn(
      (_url: string, init: RequestInit) =>
        new Promise<Response>((_, reject) => {
          const signal = init.signal as AbortSignal;
          signal.addEventListener('abort', () => reject(signal.reason));
        }),
    ) as unknown as typeof globalThis.fetch;
    const pending = llm(fetch).run('x', { timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(1000);
    const res = await pending;
    expect(res.status).toBe('FAILED');
    expect(res.error).toBeInstanceOf(TimeoutError);
  });

  test('rejects with AbortError when the signal aborts, whatever throwOnError says', async () => {
    const controller = new AbortController();
    const fetch = vi.fn(
      (_url: string, init: RequestInit) =>
        new Promise<Response>((_, reject) => {
          const signal = init.signal as AbortSignal;
          signal.addEventListener('abort', () => reject(signal.reason));
          controller.abort();
        }),
    ) as unknown as typeof globalThis.fetch;
    await expect(llm(fetch).run('x', { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    );
    await expect(llm(fetch).run('x', { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortError,
    );
  });
});

describe('runAsync', () => {
  test('POSTs to /api/v1/execute/{id} and returns IN_PROGRESS with the poll URL', async () => {
    const poll = `${BASE}/api/v1/data/8d`;
    const { fetch, sent } = fakeFetch(json({ completed: false, data: poll, requestId: '8d' }, 201));
    const res = await llm(fetch).runAsync('Hello', { temperature: 0.3 });
    expect(sent[0]?.url).toBe(`${BASE}/api/v1/execute/model-1`);
    expect(sent[0]?.body).toMatchObject({ data: 'Hello', temperature: 0.3 });
    expect(res).toMatchObject({
      status: 'IN_PROGRESS',
      completed: false,
      url: poll,
      requestId: '8d',
    });
  });
});

describe('poll and syncPoll', () => {
  test('refuses a poll URL on a foreign origin, sending nothing', async () => {
    const { fetch, sent } = fakeFetch(json(done));
    const model = llm(fetch, { throwOnError: false });
    await expect(model.poll('https://evil.test/api/v1/data/1')).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(model.syncPoll('https://evil.test/api/v1/data/1')).rejects.toBeInstanceOf(
      ValidationError,
    );
    await expect(model.poll('/relative')).rejects.toBeInstanceOf(ValidationError);
    expect(sent).toHaveLength(0);
  });

  test('rejects options poll does not take, sending nothing', async () => {
    const { fetch, sent } = fakeFetch(json(done));
    const error = await llm(fetch)
      .poll(`${BASE}/api/v1/data/1`, { timeoutMs: 5 } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toContain('timeoutMs');
    expect(sent).toHaveLength(0);
  });

  test('polls a trusted origin besides baseUrl', async () => {
    const { fetch, sent } = fakeFetch(json(done));
    const res = await llm(fetch, { trustedOrigins: ['https://poll.example.test'] }).poll(
      'https://poll.example.test/api/v1/data/1?x=1',
    );
    expect(res.status).toBe('SUCCESS');
    expect(sent[0]?.url).toBe('https://poll.example.test/api/v1/data/1?x=1');
  });

  test('does not follow a redirect to a foreign origin with the key', async () => {
    const { fetch, sent } = fakeFetch(
      new Response(null, { status: 302, headers: { location: 'https://evil.test/steal' } }),
    );
    const res = await llm(fetch).poll(`${BASE}/api/v1/data/1`);
    expect(res.status).toBe('FAILED');
    expect(res.errorMessage).toContain('Status 302');
    expect(sent.map((s) => s.url)).toEqual([`${BASE}/api/v1/data/1`]);
    // The runtime must not follow it either (fetch keeps x-api-key across origins).
    expect(sent[0]?.redirect).toBe('manual');
  });

  test('follows a redirect on the same origin', async () => {
    const { fetch, sent } = fakeFetch(
      new Response(null, { status: 307, headers: { location: '/api/v1/data/2' } }),
      json(done),
    );
    const res = await llm(fetch).poll(`${BASE}/api/v1/data/1`);
    expect(res.status).toBe('SUCCESS');
    expect(sent.map((s) => s.url)).toEqual([`${BASE}/api/v1/data/1`, `${BASE}/api/v1/data/2`]);
    expect(sent[1]?.headers.get('x-api-key')).toBe(KEY);
  });

  test('retries a poll on a 500 and ends a 404 as FAILED with its message', async () => {
    vi.useFakeTimers();
    const { fetch, sent } = fakeFetch(json({ error: 'x' }, 500), json(done));
    const pending = llm(fetch).poll(`${BASE}/api/v1/data/1`);
    await vi.runAllTimersAsync();
    expect((await pending).status).toBe('SUCCESS');
    expect(sent).toHaveLength(2);

    const missing = fakeFetch(json({ error: 'gone' }, 404));
    const pending2 = llm(missing.fetch).syncPoll(`${BASE}/api/v1/data/1`);
    await vi.runAllTimersAsync();
    const res = await pending2;
    expect(res).toMatchObject({ status: 'FAILED', url: `${BASE}/api/v1/data/1` });
    expect(res.errorMessage).toMatch(/^Resource not found: .* Details: gone$/);
  });

  test('throws PollTimeoutError carrying the URL with throwOnError', async () => {
    vi.useFakeTimers();
    const url = `${BASE}/api/v1/data/1`;
    const { fetch } = fakeFetch(json({ completed: false }));
    const pending = llm(fetch, { throwOnError: true })
      .syncPoll(url, { timeoutMs: 1500 })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1500);
    const error = await pending;
    expect(error).toBeInstanceOf(PollTimeoutError);
    expect((error as PollTimeoutError).url).toBe(url);
  });
});

beforeEach(() => {
  vi.stubEnv('AIXPLAIN_API_KEY', '');
  vi.stubEnv('TEAM_API_KEY', '');
  vi.stubEnv('AIXPLAIN_BASE_URL', '');
});
