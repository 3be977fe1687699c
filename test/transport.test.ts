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
