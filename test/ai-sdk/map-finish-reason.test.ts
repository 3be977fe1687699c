/**
 * src/ai-sdk/map-finish-reason.ts: the finish reason, from the supplier's rawData.
 * Through the real `ai` package (ai@6), against a fake fetch that answers like the API.
 */
import { describe, expect, test } from 'vitest';
import { call, fakeApi, finished, MODEL, provider } from '../helpers/ai-sdk.js';
import { json } from '../helpers/fake-fetch.js';

describe('generateText (doGenerate)', () => {
  test.each([
    [undefined, { unified: 'stop', raw: undefined }],
    [{ choices: [{ finish_reason: 'length' }] }, { unified: 'length', raw: 'length' }],
    [
      { choices: [{ finish_reason: 'content_filter' }] },
      { unified: 'content-filter', raw: 'content_filter' },
    ],
    [{ choices: [{ finish_reason: 'eos' }] }, { unified: 'other', raw: 'eos' }],
  ])('reads the finish reason from the supplier rawData %j', async (rawData, finishReason) => {
    const api = fakeApi(() => json({ ...finished, rawData }));
    const result = await provider(api.fetch)(MODEL).doGenerate(call('Hi'));
    expect(result.finishReason).toEqual(finishReason);
  });
});
