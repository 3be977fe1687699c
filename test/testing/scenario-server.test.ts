/**
 * Tests of the scenario server (src/testing/scenario-server.ts) itself, called directly (not through Prism), for the behaviour
 * that the proxy cannot carry and that integration tests build on: poll URLs naming the origin
 * called, streams written in awkward pieces, a stream that never ends and the `closedEarly`
 * flag, the request logs, CORS, and the key check.
 */

import { randomUUID } from 'node:crypto';
import { describe, expect, inject, test } from 'vitest';
import type { LoggedRequest } from '../../src/testing/scenario-server.js';

const upstreamUrl = inject('upstreamUrl');
const foreignUrl = inject('foreignUrl');
const model = (prefix: string) => `${prefix}-x${randomUUID().slice(0, 8)}`;

function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${upstreamUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'test-key', ...headers },
    body: JSON.stringify(body),
  });
}

async function logOf(modelId: string): Promise<LoggedRequest[]> {
  const response = await fetch(`${upstreamUrl}/__log?model=${encodeURIComponent(modelId)}`);
  return (await response.json()) as LoggedRequest[];
}

/** Reads a body chunk by chunk, as the bytes arrived. */
async function chunksOf(response: Response): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    chunks.push(chunk);
  }
  return chunks;
}

describe('poll URLs of direct calls', () => {
  test.each([
    { version: 'v2', prefix: 'async-2', status: 200 },
    { version: 'v1', prefix: 'ok', status: 201 },
  ])(
    'a $version run of a $prefix- model gets a poll URL on the fake itself',
    async ({ version, prefix, status }) => {
      const response = await post(`/api/${version}/execute/${model(prefix)}`, { data: 'Hi' });
      expect(response.status).toBe(status);
      const { data } = (await response.json()) as { data: string };
      expect(new URL(data).origin).toBe(upstreamUrl);
      const poll = await fetch(data, { headers: { 'x-api-key': 'test-key' } });
      expect(await poll.json()).toEqual({ completed: false, status: 'IN_PROGRESS' });
    },
  );

  test('the foreign listener records the poll of a foreign- run and answers it done', async () => {
    const id = model('foreign');
    const response = await post(`/api/v2/execute/${id}`, { data: 'Hi' });
    const { data } = (await response.json()) as { data: string };
    expect(new URL(data).origin).toBe(foreignUrl);

    const poll = await fetch(data, { headers: { 'x-api-key': 'leaked' } });
    expect(await poll.json()).toEqual({ completed: true, status: 'SUCCESS', data: 'foreign' });
    const log = (await (await fetch(`${foreignUrl}/__log`)).json()) as LoggedRequest[];
    expect(log.filter((entry) => entry.model === id)).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: new URL(data).pathname,
        headers: expect.objectContaining({ 'x-api-key': '<present>' }),
      }),
    ]);
  });
});

describe('streams of direct calls', () => {
  test('a stream- model writes its events in pieces that split lines and UTF-8 characters', async () => {
    const response = await post(`/api/v2/execute/${model('stream')}`, {
      data: 'Hi',
      options: { stream: true },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const chunks = await chunksOf(response);
    expect(chunks.length).toBeGreaterThan(5);
    const strict = new TextDecoder('utf-8', { fatal: true });
    const splitsACharacter = chunks.some((chunk) => {
      try {
        strict.decode(chunk);
        return false;
      } catch {
        return true;
      }
    });
    expect(splitsACharacter).toBe(true);
    expect(Buffer.concat(chunks).toString('utf8')).toBe(
      'data: {"data":"Hel"}\n\ndata: {"data":"lo"}\n\ndata: {"data":" wörld"}\n\n' +
        'data: {"data":" 👋"}\n\ndata: {"data":"!"}\n\ndata: [DONE]\n\n',
    );
  });

  test('a streamcrlf- model splits CR and LF of a line end across two writes', async () => {
    const response = await post(`/api/v2/execute/${model('streamcrlf')}`, {
      data: 'Hi',
      options: { stream: true },
    });
    const chunks = (await chunksOf(response)).map((chunk) => Buffer.from(chunk).toString('utf8'));
    expect(chunks.some((chunk) => chunk.endsWith('\r'))).toBe(true);
    expect(chunks.join('')).toMatch(/data: \[DONE\]\r\n$/);
  });

  test('aborting a streamslow- stream after its first token is logged as closedEarly', async () => {
    const id = model('streamslow');
    const controller = new AbortController();
    const response = await fetch(`${upstreamUrl}/api/v2/execute/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'test-key' },
      body: JSON.stringify({ data: 'Hi', options: { stream: true } }),
      signal: controller.signal,
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value ?? []).toString('utf8')).toBe('data: {"data":"Hel"}\n\n');
    controller.abort();

    await expect
      .poll(async () => (await logOf(id))[0]?.closedEarly, { timeout: 2_000, interval: 20 })
      .toBe(true);
  });

  test('a finished request is not closedEarly', async () => {
    const id = model('ok');
    await (await post(`/api/v2/execute/${id}`, { data: 'Hi' })).json();
    expect(await logOf(id)).toEqual([
      expect.objectContaining({ closedEarly: false, via: 'direct' }),
    ]);
  });
});

describe('headers', () => {
  test('a preflight is answered 204 with the CORS headers a browser client needs', async () => {
    const response = await fetch(`${upstreamUrl}/api/v2/execute/${model('ok')}`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://app.example',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-api-key, content-type',
      },
    });
    expect(response.status).toBe(204);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'access-control-allow-origin': '*',
      'access-control-allow-methods': 'GET, POST',
      'access-control-allow-headers':
        'x-api-key, content-type, accept, user-agent, x-aixplain-scenario',
    });
  });

  test('every answer allows any origin and exposes the request id and retry hints', async () => {
    const response = await post(`/api/v2/execute/${model('status-429')}`, { data: 'Hi' });
    expect(response.status).toBe(429);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-expose-headers')).toBe(
      'x-request-id, retry-after, retry-after-ms',
    );
    expect(response.headers.get('retry-after')).toBe('1');
  });

  test('a request without x-api-key gets 401, and the log shows the key as absent', async () => {
    const id = model('ok');
    const response = await fetch(`${upstreamUrl}/api/v2/execute/${id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"data":"Hi"}',
    });
    expect(response.status).toBe(401);
    const [entry] = await logOf(id);
    expect(entry?.headers).not.toHaveProperty('x-api-key');
    expect(entry?.status).toBe(401);
  });
});
