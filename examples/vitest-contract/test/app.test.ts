import { readViolations, SCENARIO_HEADER } from 'aixplain-llm/testing';
import { afterAll, describe, expect, inject, test } from 'vitest';
import { createApp } from '../src/app.js';

const baseUrl = inject('aixplainUrl');
const apiKey = 'test-key';
/** The app, with every request naming a scenario of the mock. */
const appIn = (scenario: string) =>
  createApp({ baseUrl, apiKey, headers: { [SCENARIO_HEADER]: scenario } });

describe('the app against the aixplain-llm mock', () => {
  test('a finished run', async () => {
    const res = await createApp({ baseUrl, apiKey }).ask('Hello');
    expect(res.status).toBe('SUCCESS');
    expect(res.data).toBe('Hello! How can I help you today?');
  });

  test('a run that goes async, is polled twice in progress, then succeeds', async () => {
    let polls = 0;
    const res = await appIn('async-2').ask('Hello', { onPoll: () => polls++ });
    expect(res.status).toBe('SUCCESS');
    expect(polls).toBe(3);
  });

  test('a stream', async () => {
    const tokens: string[] = [];
    for await (const token of appIn('stream').tokens('Hello')) tokens.push(token);
    expect(tokens.join('')).toBe('Hello wörld 👋!');
  });

  test('a stream that fails mid-way', async () => {
    const tokens: string[] = [];
    const reading = (async () => {
      for await (const token of appIn('streamerror').tokens('Hello')) tokens.push(token);
    })();
    await expect(reading).rejects.toThrow('boom');
    expect(tokens).toEqual(['Hel']);
  });

  test('a 401', async () => {
    const res = await appIn('status-401').ask('Hello');
    expect(res.status).toBe('FAILED');
    expect(res.error?.name).toBe('AuthenticationError');
  });

  test('a 429 retried after Retry-After', async () => {
    const started = Date.now();
    const res = await appIn('ratelimited').ask('Hello');
    expect(res.status).toBe('SUCCESS');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('a timeout', async () => {
    const res = await appIn('delay-10000').ask('Hello', { timeoutMs: 500 });
    expect(res.status).toBe('FAILED');
    expect(res.error?.name).toBe('TimeoutError');
  });

  test('a request the API would refuse is reported as a violation', async () => {
    // Code of the app's own that calls the API without the SDK, and gets the body wrong.
    await fetch(`${baseUrl}/api/v2/execute/hand-written`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'Hello', temperature: 3 }),
    });
    const violations = await readViolations(baseUrl);
    expect(violations.filter((v) => v.path === '/api/v2/execute/hand-written')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ message: "Request body must have required property 'data'" }),
        expect.objectContaining({ message: 'Request body property temperature must be <= 2' }),
      ]),
    );
  });

  afterAll(async () => {
    // Everything else the app sent, and every answer it got, conformed to the spec.
    const violations = await readViolations(baseUrl);
    expect(violations.filter((v) => v.path !== '/api/v2/execute/hand-written')).toEqual([]);
  });
});
