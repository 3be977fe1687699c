/**
 * src/ai-sdk/language-model.ts: doGenerate, through generateText and called directly.
 * Through the real `ai` package (ai@6), against a fake fetch that answers like the API.
 */
import { generateText } from 'ai';
import { describe, expect, test } from 'vitest';
import { EXECUTE_URL, fakeApi, finished, MODEL, provider, rejection } from '../helpers/ai-sdk.js';
import { BASE, json } from '../helpers/fake-fetch.js';

describe('generateText (doGenerate)', () => {
  test('returns the text, the token usage and the request id', async () => {
    const api = fakeApi();
    const result = await generateText({
      model: provider(api.fetch)(MODEL),
      system: 'You are terse.',
      prompt: 'Say hello.',
      maxOutputTokens: 64,
      temperature: 0.3,
    });
    expect(result.text).toBe('Hello!');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 3, totalTokens: 15 });
    expect(result.response.id).toBe('req-1');
    expect(result.response.modelId).toBe(MODEL);
    expect(result.providerMetadata).toEqual({ aixplain: { usedCredits: 0.5, runTime: 1.2 } });
    expect(result.warnings).toEqual([]);
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0]?.url).toBe(EXECUTE_URL);
    expect(api.sent[0]?.body).toMatchInlineSnapshot(`
      {
        "context": "You are terse.",
        "data": "Say hello.",
        "history": null,
        "max_tokens": 64,
        "prompt": null,
        "temperature": 0.3,
        "top_p": 1,
      }
    `);
    expect(result.request.body).toEqual(api.sent[0]?.body);
  });

  test('polls a run that goes asynchronous and returns its result', async () => {
    const pollUrl = `${BASE}/api/v1/data/run-1`;
    const api = fakeApi((request) =>
      request.method === 'POST' ? json({ completed: false, data: pollUrl }) : json(finished),
    );
    const result = await generateText({ model: provider(api.fetch)(MODEL), prompt: 'Hi' });
    expect(result.text).toBe('Hello!');
    expect(api.sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      `POST ${EXECUTE_URL}`,
      `GET ${pollUrl}`,
    ]);
  });

  test('aborting the signal cancels the request', async () => {
    const controller = new AbortController();
    // Like a real fetch: no answer until the request's signal aborts, then a rejection.
    const api = fakeApi(
      (request) =>
        new Promise<Response>((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
          controller.abort();
        }),
    );
    const error = await rejection(
      generateText({
        model: provider(api.fetch)(MODEL),
        prompt: 'Hi',
        abortSignal: controller.signal,
      }),
    );
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(api.sent[0]?.signal.aborted).toBe(true);
  });
});
