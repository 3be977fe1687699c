/**
 * Contract tests of the scenario server (src/testing/scenario-server.ts) through
 * `prism proxy --errors`:
 * every scenario the integration tests rely on must give the expected status with no
 * `sl-violations`, so that what the fake plays is something the spec allows. With `--errors`, a
 * response that broke the spec would also turn into a 500.
 */

import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, inject, test } from 'vitest';
import { parse } from 'yaml';
import { type Client, createClient } from '../../generated/client/index.js';
import { executeModel, executeModelAsync, pollRun } from '../../generated/index.js';
import type { LoggedRequest } from '../../src/testing/scenario-server.js';
import { defaultSpecPath } from '../../src/testing/spec.js';
import { collectViolations } from '../helpers/violations.js';

const proxyUrl = inject('proxyUrl');
const upstreamUrl = inject('upstreamUrl');
const foreignUrl = inject('foreignUrl');

const UNSPECIFIED = { error: 'An unspecified error occurred while processing your request.' };
const STREAM_TEXT =
  'data: {"data":"Hel"}\n\ndata: {"data":"lo"}\n\ndata: {"data":" wörld"}\n\n' +
  'data: {"data":" 👋"}\n\ndata: {"data":"!"}\n\ndata: [DONE]\n\n';

/**
 * The error statuses the spec declares for each operation, but 501: Prism's proxy never passes
 * an upstream 501 on; it answers with a mocked response instead (prism-core's forwarder treats
 * 501 as "not implemented upstream, mock it"), whatever the spec declares. The facade's handling
 * of 501 is tested against the fake directly (below) and in the unit tests.
 */
const spec = parse(readFileSync(defaultSpecPath(), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
};
const errorStatuses = (path: string, method: string): number[] =>
  Object.keys(spec.paths[path]?.[method]?.responses ?? {})
    .map(Number)
    .filter((status) => status >= 400 && status !== 501);
const v2Errors = errorStatuses('/api/v2/execute/{modelId}', 'post');
const v1Errors = errorStatuses('/api/v1/execute/{modelId}', 'post');
const pollErrors = errorStatuses('/api/v1/data/{requestId}', 'get');

// A letter first: the scenario server reads `<scenario>-<digits>` as a number (a delay, a
// Retry-After), which an all-digit slice of a UUID would be once in fifty runs.
const model = (prefix: string) => `${prefix}-x${randomUUID().slice(0, 8)}`;
const body = { data: 'Hello', max_tokens: 16 };

let client: Client;
let violations: ReturnType<typeof collectViolations>;

beforeEach(() => {
  client = createClient({ baseUrl: proxyUrl, auth: () => 'test-key' });
  violations = collectViolations(client);
});

afterEach(() => {
  // Every answer of every test in this file must conform to the spec.
  expect(violations.list).toEqual([]);
});

async function upstreamLog(modelId: string): Promise<LoggedRequest[]> {
  const response = await fetch(`${upstreamUrl}/__log?model=${encodeURIComponent(modelId)}`);
  return (await response.json()) as LoggedRequest[];
}

/** The run id of a poll URL on the proxy (the generated pollRun takes the id, not the URL). */
function runIdOf(pollUrl: unknown): string {
  const url = new URL(String(pollUrl));
  expect(url.origin).toBe(proxyUrl);
  const match = /^\/api\/v1\/data\/([^/]+)$/.exec(url.pathname);
  expect(match, `a poll URL: ${url}`).not.toBeNull();
  return decodeURIComponent(match?.[1] ?? '');
}

async function pollStates(runId: string, times: number): Promise<unknown[]> {
  const states: unknown[] = [];
  for (let i = 0; i < times; i++) {
    const { data, response } = await pollRun({ client, path: { requestId: runId } });
    expect(response?.status).toBe(200);
    states.push(data);
  }
  return states;
}

const running = { completed: false, status: 'IN_PROGRESS' };
const echoed = (input: string) => ({
  completed: true,
  status: 'SUCCESS',
  data: `Echo: ${input}`,
  usedCredits: 0.5,
  runTime: 0.25,
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  requestId: expect.any(String),
});

describe('executeModel through the proxy', () => {
  test('an ok- model answers 200 SUCCESS with usage, and the fake saw the key via the proxy', async () => {
    const id = model('ok');
    const { data, response } = await executeModel({
      client,
      path: { modelId: id },
      body,
    });
    expect(response?.status).toBe(200);
    expect(data).toEqual(echoed('Hello'));
    expect(response?.headers.get('x-request-id')).toBe((data as { requestId: string }).requestId);

    const [logged, ...more] = await upstreamLog(id);
    expect(more).toEqual([]);
    expect(logged).toMatchObject({
      method: 'POST',
      path: `/api/v2/execute/${id}`,
      model: id,
      via: 'proxy',
      body,
      status: 200,
      closedEarly: false,
    });
    expect(logged?.headers['x-api-key']).toBe('<present>');
  });

  test('an async-2- model goes IN_PROGRESS with a poll URL on the proxy, and finishes on the third poll', async () => {
    const { data, response } = await executeModel({
      client,
      path: { modelId: model('async-2') },
      body,
    });
    expect(response?.status).toBe(200);
    expect(data).toEqual({ status: 'IN_PROGRESS', data: expect.any(String) });
    const runId = runIdOf(data?.data);
    expect(await pollStates(runId, 4)).toEqual([
      running,
      running,
      echoed('Hello'),
      echoed('Hello'),
    ]);
  });

  test.each([
    {
      prefix: 'pollfail',
      first: { completed: true, status: 'FAILED', error_message: 'Some error occurred' },
    },
    {
      prefix: 'pollsupplier',
      first: {
        completed: true,
        error: 'The model supplier returned an error.',
        supplierError: 'Upstream timeout',
      },
    },
  ])(
    'a $prefix- model goes async and its first poll reports the failure',
    async ({ prefix, first }) => {
      const { data } = await executeModel({
        client,
        path: { modelId: model(prefix) },
        body,
      });
      expect(await pollStates(runIdOf(data?.data), 1)).toEqual([first]);
    },
  );

  test('a pollhint- model answers its first poll with retry-after-ms 50, then finishes', async () => {
    const { data } = await executeModel({
      client,
      path: { modelId: model('pollhint') },
      body,
    });
    const runId = runIdOf(data?.data);
    const first = await pollRun({ client, path: { requestId: runId } });
    expect(first.data).toEqual(running);
    expect(first.response?.headers.get('retry-after-ms')).toBe('50');
    const second = await pollRun({ client, path: { requestId: runId } });
    expect(second.data).toEqual(echoed('Hello'));
  });

  test('a slow- model never finishes', async () => {
    const { data } = await executeModel({
      client,
      path: { modelId: model('slow') },
      body,
    });
    expect(await pollStates(runIdOf(data?.data), 4)).toEqual([running, running, running, running]);
  });

  test('a foreign- model answers with a poll URL on the foreign origin', async () => {
    const { data, response } = await executeModel({
      client,
      path: { modelId: model('foreign') },
      body,
    });
    expect(response?.status).toBe(200);
    expect(new URL(String(data?.data)).origin).toBe(foreignUrl);
  });

  // 418, 507 and 599 have no entry of their own: the spec's `default` response covers them, so
  // `--errors` passes them on unchanged rather than replacing them for want of a declared status.
  test.each([...v2Errors, 418, 507, 599])(
    'a status-%i- model answers that status with the error body',
    async (status) => {
      const { error, response } = await executeModel({
        client,
        path: { modelId: model(`status-${status}`) },
        body,
      });
      expect(response?.status).toBe(status);
      expect(error).toEqual(UNSPECIFIED);
      expect(response?.headers.get('retry-after')).toBe(
        status === 429 || status === 503 ? '1' : null,
      );
    },
  );

  test('a flaky503- model answers 503 without Retry-After once, then 200', async () => {
    const id = model('flaky503');
    const first = await executeModel({ client, path: { modelId: id }, body });
    expect(first.response?.status).toBe(503);
    expect(first.response?.headers.get('retry-after')).toBeNull();
    const second = await executeModel({ client, path: { modelId: id }, body });
    expect(second.response?.status).toBe(200);
    expect(second.data).toEqual(echoed('Hello'));
  });

  test('a ratelimited- model answers 429 with Retry-After 1 once, then 200', async () => {
    const id = model('ratelimited');
    const first = await executeModel({ client, path: { modelId: id }, body });
    expect(first.response?.status).toBe(429);
    expect(first.response?.headers.get('retry-after')).toBe('1');
    const second = await executeModel({ client, path: { modelId: id }, body });
    expect(second.response?.status).toBe(200);
  });

  test.each([
    { prefix: 'stream', text: STREAM_TEXT },
    { prefix: 'streamcut', text: 'data: {"data":"Hel"}\n\ndata: {"data":"lo"}\n\n' },
    {
      prefix: 'streamerror',
      text: 'data: {"data":"Hel"}\n\nevent: error\ndata: {"error":"boom"}\n\n',
    },
    {
      prefix: 'streamcrlf',
      text: ': comment\r\ndata: a\r\ndata: b\r\n\r\nevent: token\r\ndata: {"data":"!"}\r\n\r\ndata: [DONE]\r\n',
    },
  ])(
    'a $prefix- model with options.stream answers 200 text/event-stream (buffered by the proxy)',
    async ({ prefix, text }) => {
      const { data, response } = await executeModel({
        client,
        path: { modelId: model(prefix) },
        body: { ...body, options: { stream: true } },
        headers: { Accept: 'text/event-stream' },
        parseAs: 'stream',
      });
      expect(response?.status).toBe(200);
      expect(response?.headers.get('content-type')).toBe('text/event-stream');
      expect(await new Response(data as unknown as ReadableStream<Uint8Array>).text()).toBe(text);
    },
  );

  test('a status-503- model asked to stream still answers 503 with the JSON error body', async () => {
    const { error, response } = await executeModel({
      client,
      path: { modelId: model('status-503') },
      body: { ...body, options: { stream: true } },
      headers: { Accept: 'text/event-stream' },
    });
    expect(response?.status).toBe(503);
    expect(response?.headers.get('content-type')).toBe('application/json');
    expect(error).toEqual(UNSPECIFIED);
  });
});

describe('executeModelAsync through the proxy', () => {
  test('answers 201 with a ticket whose poll URL is on the proxy; the run finishes on the third poll', async () => {
    const { data, response } = await executeModelAsync({
      client,
      path: { modelId: model('ok') },
      body,
    });
    expect(response?.status).toBe(201);
    expect(data).toEqual({
      completed: false,
      data: expect.any(String),
      requestId: expect.any(String),
    });
    const runId = runIdOf(data?.data);
    expect(runId).toBe(data?.requestId);
    expect(await pollStates(runId, 3)).toEqual([running, running, echoed('Hello')]);
  });

  test('a pollfail- model started async reports the failure on its first poll', async () => {
    const { data } = await executeModelAsync({
      client,
      path: { modelId: model('pollfail') },
      body,
    });
    expect(await pollStates(runIdOf(data?.data), 1)).toEqual([
      { completed: true, status: 'FAILED', error_message: 'Some error occurred' },
    ]);
  });

  test.each(v1Errors)(
    'a status-%i- model answers that status with the error body',
    async (status) => {
      const { error, response } = await executeModelAsync({
        client,
        path: { modelId: model(`status-${status}`) },
        body,
      });
      expect(response?.status).toBe(status);
      expect(error).toEqual(UNSPECIFIED);
    },
  );
});

describe('an upstream 501', () => {
  test('the proxy re-mocks an upstream 501 (Prism does this for 501 alone)', async () => {
    const id = model('status-501');
    const proxied = await executeModel({ client, path: { modelId: id }, body });
    expect(proxied.response?.status).toBe(200);
    // The upstream did answer 501: asked directly, it says so.
    const direct = await fetch(`${upstreamUrl}/api/v2/execute/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'test-key' },
      body: JSON.stringify(body),
    });
    expect(direct.status).toBe(501);
    expect(await direct.json()).toEqual(UNSPECIFIED);
  });
});

describe('pollRun through the proxy', () => {
  test.each(pollErrors)(
    'a poll of run id status-%i-* answers that status with the error body',
    async (status) => {
      const { error, response } = await pollRun({
        client,
        path: { requestId: model(`status-${status}`) },
      });
      expect(response?.status).toBe(status);
      expect(error).toEqual(UNSPECIFIED);
    },
  );

  test('a poll of an unknown run answers 404', async () => {
    const { error, response } = await pollRun({
      client,
      path: { requestId: 'no-such-run' },
    });
    expect(response?.status).toBe(404);
    expect(error).toEqual({ error: 'Not found.' });
  });
});

describe('request validation by the proxy (--errors)', () => {
  test('an invalid body is refused with 422 and never reaches the upstream', async () => {
    const id = model('ok');
    const response = await fetch(`${proxyUrl}/api/v2/execute/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'test-key' },
      body: JSON.stringify({ max_tokens: 0 }),
    });
    expect(response.status).toBe(422);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    const problem = (await response.json()) as { validation: Array<{ code: string }> };
    expect(problem.validation.map((v) => v.code).sort()).toEqual(['minimum', 'required']);
    expect(await upstreamLog(id)).toEqual([]);
  });

  test('a request without x-api-key is refused with 401 and never reaches the upstream', async () => {
    const id = model('ok');
    const response = await fetch(`${proxyUrl}/api/v2/execute/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(401);
    expect(await upstreamLog(id)).toEqual([]);
  });
});
