// Behaviour of the LLM facade against the fake aiXplain API behind `prism proxy --errors`:
// every request the facade sends, and every answer, is checked against openapi/ on the way,
// and a violation makes the test fail (violationRecordingFetch).
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, test } from 'vitest';
import {
  AuthenticationError,
  BadRequestError,
  BillingError,
  InternalServerError,
  LLM,
  type LLMOptions,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  SubscriptionError,
  SupplierError,
  ValidationError,
} from '../../src/index.js';
import { violationRecordingFetch } from '../helpers/violations.js';

const proxyUrl = inject('proxyUrl');
const upstreamUrl = inject('upstreamUrl');
const foreignUrl = inject('foreignUrl');

function model(prefix: string, options: Partial<LLMOptions> = {}) {
  const recorder = violationRecordingFetch();
  const llm = new LLM({
    id: `${prefix}-x${randomUUID().slice(0, 8)}`,
    apiKey: 'test-key',
    baseUrl: proxyUrl,
    fetch: recorder.fetch,
    ...options,
  });
  return { llm, ...recorder };
}

async function upstreamLog(modelId: string): Promise<Array<{ method: string; path: string }>> {
  const response = await fetch(`${upstreamUrl}/__log?model=${encodeURIComponent(modelId)}`);
  return (await response.json()) as Array<{ method: string; path: string }>;
}

describe('run', () => {
  test('returns the finished answer of a run that ends at once', async () => {
    const { llm, violations } = model('ok');
    const res = await llm.run('Hello', {
      context: 'Be brief.',
      history: [{ role: 'user', content: 'Hi' }],
    });
    expect(res).toMatchObject({
      status: 'SUCCESS',
      completed: true,
      data: 'Echo: Hello',
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    expect(res.requestId).toEqual(expect.any(String));
    expect(violations).toEqual([]);
  });

  test('polls a run that went async three times, through the proxy', async () => {
    const { llm, violations, urls } = model('async-2');
    const res = await llm.run('Hello', { waitTimeMs: 200 });
    expect(res).toMatchObject({ status: 'SUCCESS', data: 'Echo: Hello' });
    expect(res.url?.startsWith(`${proxyUrl}/api/v1/data/`)).toBe(true);
    expect(urls.filter((u) => u.startsWith('GET'))).toHaveLength(3);
    const log = await upstreamLog(llm.id);
    expect(log.map((r) => r.method)).toEqual(['POST', 'GET', 'GET', 'GET']);
    expect(violations).toEqual([]);
  });

  test.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [402, BillingError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [429, RateLimitError],
    [465, SubscriptionError],
    [475, BillingError],
    [485, SupplierError],
    [495, BadRequestError],
    [500, InternalServerError],
    [503, InternalServerError],
  ])('turns a %i into a FAILED response with the reference message', async (status, Class) => {
    const { llm, violations } = model(`status-${status}`, { maxRetries: 0 });
    const res = await llm.run('Hello');
    expect(res.status).toBe('FAILED');
    expect(res.completed).toBe(true);
    expect(res.error).toBeInstanceOf(Class);
    expect(res.errorMessage).toMatch(
      / Details: An unspecified error occurred while processing your request\.$/,
    );
    expect(violations).toEqual([]);
    await expect(
      new LLM({
        id: llm.id,
        apiKey: 'k',
        baseUrl: proxyUrl,
        maxRetries: 0,
        throwOnError: true,
      }).run('x'),
    ).rejects.toBeInstanceOf(Class);
  });

  test('retries a 503 and then succeeds', async () => {
    const { llm, violations } = model('flaky503');
    const res = await llm.run('Hello');
    expect(res.status).toBe('SUCCESS');
    expect((await upstreamLog(llm.id)).filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(violations).toEqual([]);
  });

  test('waits for Retry-After on a 429 and then succeeds', async () => {
    const { llm, violations } = model('ratelimited');
    const started = Date.now();
    const res = await llm.run('Hello');
    expect(res.status).toBe('SUCCESS');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect((await upstreamLog(llm.id)).filter((r) => r.method === 'POST')).toHaveLength(2);
    expect(violations).toEqual([]);
  });

  test('does not retry a 500 on the execute POST: the model may have run', async () => {
    const { llm } = model('status-500');
    await llm.run('Hello');
    expect((await upstreamLog(llm.id)).filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  test('refuses a poll URL on a foreign origin and sends nothing there', async () => {
    const { llm, urls } = model('foreign');
    await expect(llm.run('Hello')).rejects.toBeInstanceOf(ValidationError);
    expect(urls.some((u) => u.includes(foreignUrl))).toBe(false);
    // Other test files use the foreign listener too: look only at this model's requests.
    const foreignLog = (await (await fetch(`${foreignUrl}/__log`)).json()) as Array<{
      model?: string;
    }>;
    expect(foreignLog.filter((r) => r.model === llm.id)).toEqual([]);
  });

  test('reports a failed poll answer and a supplier error', async () => {
    const failed = await model('pollfail').llm.run('Hello');
    expect(failed).toMatchObject({
      status: 'FAILED',
      completed: true,
      errorMessage: 'Some error occurred',
    });
    const supplier = await model('pollsupplier').llm.run('Hello');
    expect(supplier).toMatchObject({
      status: 'FAILED',
      errorMessage: 'The model supplier returned an error. - Upstream timeout',
    });
  });

  test('follows the server poll hint instead of the pause', async () => {
    const { llm, violations } = model('pollhint');
    const started = Date.now();
    // Without the 50 ms hint the second poll would wait 20 s; the margin is wide on purpose.
    const res = await llm.run('Hello', { waitTimeMs: 20_000 });
    expect(res.status).toBe('SUCCESS');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(violations).toEqual([]);
  });
});

describe('runAsync and syncPoll', () => {
  test('starts a run, then polls it to completion', async () => {
    const { llm, violations } = model('ok');
    const started = await llm.runAsync('Hello');
    expect(started).toMatchObject({ status: 'IN_PROGRESS', completed: false });
    expect(started.url?.startsWith(`${proxyUrl}/api/v1/data/`)).toBe(true);
    const progress: number[] = [];
    const res = await llm.syncPoll(started.url as string, {
      waitTimeMs: 200,
      onPoll: ({ polls }) => progress.push(polls),
    });
    expect(res).toMatchObject({ status: 'SUCCESS', data: 'Echo: Hello', completed: true });
    expect(progress).toEqual([1, 2, 3]);
    expect(violations).toEqual([]);
  });

  test('times out a run that never finishes, keeping the URL to resume', async () => {
    const { llm } = model('slow');
    const started = await llm.runAsync('Hello');
    const res = await llm.syncPoll(started.url as string, { timeoutMs: 700, waitTimeMs: 200 });
    expect(res).toMatchObject({
      status: 'FAILED',
      completed: false,
      errorMessage: expect.stringMatching(/^No response from the service\. .+ within 700 ms\.$/),
      url: started.url,
    });
    const again = await llm.poll(started.url as string);
    expect(again.status).toBe('IN_PROGRESS');
  });
});

describe('stream', () => {
  test('streams every token through the proxy with a request that conforms to the spec', async () => {
    const { llm, violations } = model('stream');
    const stream = await llm.stream('Hello');
    const tokens: unknown[] = [];
    for await (const chunk of stream) tokens.push(chunk.data);
    expect(tokens).toEqual(['Hel', 'lo', ' wörld', ' 👋', '!']);
    expect(stream.status).toBe('SUCCESS');
    expect(violations).toEqual([]);
  });

  test('delivers tokens one by one straight from the upstream', async () => {
    const llm = new LLM({
      id: `stream-x${randomUUID().slice(0, 8)}`,
      apiKey: 'k',
      baseUrl: upstreamUrl,
    });
    const arrivals: number[] = [];
    const stream = await llm.run('Hello', { stream: true });
    for await (const _ of stream) arrivals.push(Date.now());
    expect(arrivals).toHaveLength(5);
    // Written about 15 ms apart, so the tokens cannot all have arrived in one piece.
    expect((arrivals.at(-1) ?? 0) - (arrivals[0] ?? 0)).toBeGreaterThan(20);
  });

  test('closes the connection at the upstream when the loop breaks', async () => {
    const id = `streamslow-x${randomUUID().slice(0, 8)}`;
    const llm = new LLM({ id, apiKey: 'k', baseUrl: upstreamUrl });
    const stream = await llm.stream('Hello');
    for await (const chunk of stream) {
      expect(chunk.data).toBe('Hel');
      break;
    }
    let closed = false;
    for (let i = 0; i < 50 && !closed; i++) {
      const log = (await upstreamLog(id)) as Array<{ closedEarly?: boolean }>;
      closed = log.some((r) => r.closedEarly === true);
      if (!closed) await new Promise((r) => setTimeout(r, 20));
    }
    expect(closed).toBe(true);
  });

  test('ends a cut stream and an error event with one FAILED chunk', async () => {
    for (const prefix of ['streamcut', 'streamerror']) {
      const llm = new LLM({
        id: `${prefix}-x${randomUUID().slice(0, 8)}`,
        apiKey: 'k',
        baseUrl: upstreamUrl,
      });
      const chunks = [];
      const stream = await llm.stream('Hello');
      for await (const chunk of stream) chunks.push(chunk);
      expect(chunks.at(-1)?.status).toBe('FAILED');
      expect(chunks.slice(0, -1).every((c) => c.status === 'IN_PROGRESS')).toBe(true);
      expect(stream.status).toBe('FAILED');
    }
  });

  test('ends a stream refused with an HTTP error with one FAILED chunk', async () => {
    const { llm, violations } = model('status-401');
    const stream = await llm.stream('Hello');
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]?.error).toBeInstanceOf(AuthenticationError);
    expect(violations).toEqual([]);
  });
});
