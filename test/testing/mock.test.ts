/**
 * Tests of src/testing/mock.ts, the `startMock` of `aixplain-llm/testing`, through the facade
 * as an app would use it: against the mock the global setup started (`inject('mockUrl')`), every
 * scenario of the README table, chosen per LLM (constructor `headers`), per call (run option
 * `headers`), by model id, or with Prism's `Prefer`; and the contract check. `startProxy` gets
 * its own Prism in front of a scenario server started here.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import {
  AuthenticationError,
  LLM,
  type LLMOptions,
  StreamError,
  TimeoutError,
} from '../../src/index.js';
import { type MockServer, readViolations, startProxy } from '../../src/testing/mock.js';
import {
  SCENARIO_HEADER,
  type ScenarioServer,
  startScenarioServer,
} from '../../src/testing/scenario-server.js';

const mockUrl = inject('mockUrl');
// A model id of this file alone, so that its violations can be told from other files'.
const MODEL = `model-${randomUUID()}`;
const EXAMPLE_ANSWER = 'Hello! How can I help you today?';

/** An LLM on the mock, recording the status of every answer it got. */
function llmOn(
  baseUrl: string,
  options: Partial<LLMOptions> = {},
): { llm: LLM; statuses: string[] } {
  const statuses: string[] = [];
  const recording = async (input: RequestInfo | URL, init?: RequestInit) => {
    const method = input instanceof Request ? input.method : (init?.method ?? 'GET');
    const url = input instanceof Request ? input.url : String(input);
    const response = await fetch(input, init);
    statuses.push(`${method} ${new URL(url).pathname} ${response.status}`);
    return response;
  };
  const llm = new LLM({ id: MODEL, apiKey: 'test-key', baseUrl, fetch: recording, ...options });
  return { llm, statuses };
}

const scenario = (name: string) => ({ headers: { [SCENARIO_HEADER]: name } });

async function chunksOf(llm: LLM, options: Record<string, unknown> = {}) {
  const streamer = await llm.stream('Hi', options);
  const chunks: Array<{ status: string; data: unknown; error?: string }> = [];
  for await (const chunk of streamer) {
    chunks.push({
      status: chunk.status,
      data: chunk.data,
      ...(chunk.error === undefined ? {} : { error: chunk.error.name }),
    });
  }
  return { status: streamer.status, chunks };
}

afterAll(async () => {
  // Every answer of every scenario above conformed to the spec (Prism's proxy checked them).
  const mine = (await readViolations(mockUrl)).filter((v) => v.path.includes(MODEL));
  expect(mine).toEqual([]);
});

describe('startMock: without a scenario', () => {
  test("a run answers the spec's finished example", async () => {
    const res = await llmOn(mockUrl).llm.run('Hi');
    expect([res.status, res.data]).toEqual(['SUCCESS', EXAMPLE_ANSWER]);
  });

  test("Prism's Prefer: code=401 gives an AuthenticationError", async () => {
    const res = await llmOn(mockUrl).llm.run('Hi', { headers: { Prefer: 'code=401' } });
    expect(res.status).toBe('FAILED');
    expect(res.error).toBeInstanceOf(AuthenticationError);
  });

  test('Prefer: example=failed gives the FAILED example', async () => {
    const { llm } = llmOn(mockUrl, { headers: { Prefer: 'example=failed' } });
    const res = await llm.run('Hi');
    expect([res.status, res.errorMessage]).toEqual(['FAILED', 'The model could not answer.']);
  });

  test('Prefer: example=inProgress is a run that never finishes: the deadline ends it', async () => {
    const { llm } = llmOn(mockUrl, { headers: { Prefer: 'example=inProgress' } });
    const res = await llm.run('Hi', { timeoutMs: 700, waitTimeMs: 200 });
    expect(res.status).toBe('FAILED');
    expect(res.errorMessage).toMatch(/^No response from the service\. /);
    expect(new URL(res.url as string).origin).toBe(mockUrl);
  });
});

describe('startMock: scenarios', () => {
  test('async-2, per LLM: two IN_PROGRESS polls, then SUCCESS', async () => {
    const { llm, statuses } = llmOn(mockUrl, scenario('async-2'));
    const polls: string[] = [];
    const res = await llm.run('Hi', {
      waitTimeMs: 200,
      onPoll: ({ response }) => polls.push(response.status),
    });
    expect([res.status, res.data]).toEqual(['SUCCESS', 'Echo: Hi']);
    expect(polls).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'SUCCESS']);
    expect(statuses[0]).toBe(`POST /api/v2/execute/${MODEL} 200`);
    expect(statuses.slice(1).every((s) => s.startsWith('GET /api/v1/data/'))).toBe(true);
  });

  test('a scenario named by the model id, for callers that cannot set headers', async () => {
    const polls: string[] = [];
    const res = await llmOn(mockUrl, { id: `async-1-${randomUUID().slice(0, 8)}` }).llm.run('Hi', {
      waitTimeMs: 200,
      onPoll: ({ response }) => polls.push(response.status),
    });
    expect(res.status).toBe('SUCCESS');
    expect(polls).toEqual(['IN_PROGRESS', 'SUCCESS']);
  });

  test('failed, per call: a FAILED answer at once', async () => {
    const res = await llmOn(mockUrl).llm.run('Hi', scenario('failed'));
    expect([res.status, res.errorMessage]).toEqual(['FAILED', 'The model could not answer.']);
  });

  test('pollfail: the run goes async and its first poll fails', async () => {
    const res = await llmOn(mockUrl).llm.run('Hi', { ...scenario('pollfail'), waitTimeMs: 200 });
    expect([res.status, res.errorMessage]).toEqual(['FAILED', 'Some error occurred']);
  });

  test.each([401, 402, 403, 404, 429, 460, 475, 480, 490, 500, 503])(
    'status-%i answers that status',
    async (status) => {
      const { llm, statuses } = llmOn(mockUrl, { maxRetries: 0 });
      const res = await llm.run('Hi', scenario(`status-${status}`));
      expect(res.status).toBe('FAILED');
      expect(statuses).toEqual([`POST /api/v2/execute/${MODEL} ${status}`]);
    },
  );

  test('status-401 gives the reference message and an AuthenticationError', async () => {
    const res = await llmOn(mockUrl).llm.run('Hi', scenario('status-401'));
    expect(res.error).toBeInstanceOf(AuthenticationError);
    expect(res.errorMessage).toMatch(/^Unauthorized API key/);
  });

  test('ratelimited: a 429 with Retry-After: 1, retried after it, then SUCCESS', async () => {
    const { llm, statuses } = llmOn(mockUrl, scenario(`ratelimited-1-${randomUUID()}`));
    const started = Date.now();
    const res = await llm.run('Hi');
    expect(res.status).toBe('SUCCESS');
    expect(statuses).toEqual([
      `POST /api/v2/execute/${MODEL} 429`,
      `POST /api/v2/execute/${MODEL} 200`,
    ]);
    // A lower bound only: the retry waited for the server's hint.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  test('delay-N: an answer slower than timeoutMs is a TimeoutError', async () => {
    const res = await llmOn(mockUrl).llm.run('Hi', { ...scenario('delay-10000'), timeoutMs: 300 });
    expect(res.status).toBe('FAILED');
    expect(res.error).toBeInstanceOf(TimeoutError);
  });

  test('stream: five tokens, each written apart, then [DONE]', async () => {
    const { status, chunks } = await chunksOf(llmOn(mockUrl, scenario('stream')).llm);
    expect(status).toBe('SUCCESS');
    expect(chunks.map((c) => c.data)).toEqual(['Hel', 'lo', ' wörld', ' 👋', '!']);
  });

  test('streamerror: a token, then event: error ends the stream as FAILED', async () => {
    const { status, chunks } = await chunksOf(llmOn(mockUrl, scenario('streamerror')).llm);
    expect(status).toBe('FAILED');
    expect(chunks).toEqual([
      { status: 'IN_PROGRESS', data: 'Hel' },
      { status: 'FAILED', data: '', error: 'StreamError' },
    ]);
  });

  test('streamcut: two tokens, then the body ends without [DONE]', async () => {
    const { status, chunks } = await chunksOf(llmOn(mockUrl, scenario('streamcut')).llm);
    expect(status).toBe('FAILED');
    expect(chunks.at(-1)).toEqual({ status: 'FAILED', data: '', error: StreamError.name });
    expect(chunks).toHaveLength(3);
  });

  test('streamslow: a token, then silence, which idleTimeoutMs ends', async () => {
    const llm = llmOn(mockUrl, scenario('streamslow')).llm;
    const { status, chunks } = await chunksOf(llm, { idleTimeoutMs: 300 });
    expect(status).toBe('FAILED');
    expect(chunks).toEqual([
      { status: 'IN_PROGRESS', data: 'Hel' },
      { status: 'FAILED', data: '', error: 'TimeoutError' },
    ]);
  });

  test('an unknown scenario name is a 400 that names it, not a silent default', async () => {
    const response = await fetch(`${mockUrl}/api/v2/execute/${MODEL}`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json', [SCENARIO_HEADER]: 'nope' },
      body: '{"data":"Hi"}',
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: `Unknown scenario 'nope' in ${SCENARIO_HEADER}.`,
    });
  });
});

describe('startMock: the contract check', () => {
  test.each([
    ['no scenario', {}],
    ['a scenario behind the proxy', { [SCENARIO_HEADER]: 'ok' }],
    ['a paced stream', { [SCENARIO_HEADER]: 'stream' }],
  ])('an invalid request is refused and recorded, with %s', async (_, headers) => {
    const model = `bad-${randomUUID()}`;
    const response = await fetch(`${mockUrl}/api/v2/execute/${model}`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ temperature: 9, options: { stream: true } }),
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    const mine = (await readViolations(mockUrl)).filter((v) => v.path.includes(model));
    expect(mine.map((v) => v.message)).toEqual(
      expect.arrayContaining([
        "Request body must have required property 'data'",
        'Request body property temperature must be <= 2',
      ]),
    );
    expect(mine[0]).toMatchObject({ method: 'POST', severity: 'Error' });
  });

  test('the requests the facade sends break nothing', async () => {
    const model = `async-1-${randomUUID().slice(0, 8)}`;
    const { llm } = llmOn(mockUrl, { id: model });
    await llm.run('Hi', { waitTimeMs: 200 });
    await (await llm.stream('Hi', scenario('stream'))).text();
    expect((await readViolations(mockUrl)).filter((v) => v.path.includes(model))).toEqual([]);
  });
});

describe('startProxy', () => {
  let upstream: ScenarioServer;
  let proxy: MockServer;

  beforeAll(async () => {
    upstream = await startScenarioServer();
    proxy = await startProxy({ upstream: upstream.url, failOnViolations: true });
  });
  afterAll(async () => {
    await upstream?.close();
  });

  test('forwards to the upstream, and its poll URLs come back through the proxy', async () => {
    const { llm } = llmOn(proxy.url, { id: `async-1-${randomUUID().slice(0, 8)}` });
    const started = await llm.runAsync('Hi');
    expect(new URL(started.url as string).origin).toBe(proxy.url);
    const done = await llm.syncPoll(started.url as string, { waitTimeMs: 200 });
    expect([done.status, done.data]).toEqual(['SUCCESS', 'Echo: Hi']);
    expect(proxy.violations()).toEqual([]);
  });

  test('records an invalid request, and close() then rejects listing it', async () => {
    const response = await fetch(`${proxy.url}/api/v2/execute/ok-1`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: '{"data":"Hi","max_tokens":0}',
    });
    expect(response.status).toBe(422);
    expect(proxy.violations()).toEqual([
      {
        method: 'POST',
        path: '/api/v2/execute/ok-1',
        status: 422,
        location: ['body', 'max_tokens'],
        severity: 'Error',
        code: 'minimum',
        message: 'Request body property max_tokens must be >= 1',
      },
    ]);
    await expect(proxy.close()).rejects.toThrow(
      'The app broke the API contract 1 time(s):\nPOST /api/v2/execute/ok-1 -> 422: Request body property max_tokens must be >= 1 (minimum at body.max_tokens)',
    );
    // Idempotent: the same outcome, and the port is free again.
    await expect(proxy.close()).rejects.toThrow(/broke the API contract/);
    await expect(fetch(`${proxy.url}/api/v2/execute/ok-1`)).rejects.toThrow();
  });
});
