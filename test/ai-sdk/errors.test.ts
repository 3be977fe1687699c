/**
 * src/ai-sdk/errors.ts: failures as APICallError, and what ai may retry.
 * Through the real `ai` package (ai@6), against a fake fetch that answers like the API.
 */
import { APICallError } from '@ai-sdk/provider';
import { generateText } from 'ai';
import { describe, expect, test } from 'vitest';
import { AuthenticationError } from '../../src/index.js';
import {
  call,
  EXECUTE_URL,
  fakeApi,
  finished,
  MODEL,
  provider,
  rejection,
} from '../helpers/ai-sdk.js';
import { json } from '../helpers/fake-fetch.js';

describe('generateText (doGenerate)', () => {
  test('throws an APICallError with the status, headers and body of an HTTP error, and no retry for a 401', async () => {
    const api = fakeApi(() => json({ error: 'bad key' }, 401, { 'x-request-id': 'r-401' }));
    const error = await rejection(
      generateText({ model: provider(api.fetch)(MODEL), prompt: 'Hi', maxRetries: 2 }),
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'AI_APICallError',
      statusCode: 401,
      isRetryable: false,
      url: EXECUTE_URL,
      responseBody: '{"error":"bad key"}',
      requestBodyValues: expect.objectContaining({ data: 'Hi' }),
      message: expect.stringMatching(/^Unauthorized API key.* Details: bad key$/),
    });
    expect((error as APICallError).responseHeaders).toMatchObject({ 'x-request-id': 'r-401' });
    expect((error as Error).cause).toBeInstanceOf(AuthenticationError);
    expect(api.sent).toHaveLength(1);
  });

  test.each([
    [429, true],
    [503, true],
    [500, false],
    [502, false],
    [400, false],
    [402, false],
  ])(
    'marks an HTTP %i as retryable: %s (a POST is retried only where the model cannot have started)',
    async (status, retryable) => {
      const api = fakeApi(() => json({ error: 'nope' }, status));
      const error = await rejection(provider(api.fetch)(MODEL).doGenerate(call('Hi')));
      expect(error).toMatchObject({ statusCode: status, isRetryable: retryable });
    },
  );

  test('lets ai retry a 429, honouring retry-after-ms, then returns the answer', async () => {
    const api = fakeApi((_request, _body, n) =>
      n === 1 ? json({ error: 'slow down' }, 429, { 'retry-after-ms': '5' }) : json(finished),
    );
    const result = await generateText({
      model: provider(api.fetch)(MODEL),
      prompt: 'Hi',
      maxRetries: 1,
    });
    expect(result.text).toBe('Hello!');
    expect(api.sent).toHaveLength(2);
  });

  test('is not retried by ai on a 500: the model may have started', async () => {
    const api = fakeApi(() => json({ error: 'boom' }, 500));
    const error = await rejection(
      generateText({ model: provider(api.fetch)(MODEL), prompt: 'Hi', maxRetries: 2 }),
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(api.sent).toHaveLength(1);
  });

  test('throws a non-retryable APICallError when the run reports failure', async () => {
    const api = fakeApi(() =>
      json({ completed: true, status: 'FAILED', error_message: 'Model exploded' }),
    );
    const error = await rejection(provider(api.fetch)(MODEL).doGenerate(call('Hi')));
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ message: 'Model exploded', isRetryable: false });
  });
});
