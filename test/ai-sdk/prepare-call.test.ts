/**
 * src/ai-sdk/prepare-call.ts: call settings to the request body, and the warnings.
 * Through the real `ai` package (ai@6), against a fake fetch that answers like the API.
 */
import { generateText, jsonSchema, tool } from 'ai';
import { describe, expect, test } from 'vitest';
import { call, fakeApi, finished, MODEL, provider } from '../helpers/ai-sdk.js';
import { json } from '../helpers/fake-fetch.js';

describe('generateText (doGenerate)', () => {
  test('sends the package defaults for the settings left out (temperature 0.001, max_tokens 128, top_p 1)', async () => {
    const api = fakeApi();
    await generateText({ model: provider(api.fetch)(MODEL), prompt: 'Hi' });
    expect(api.sent[0]?.body).toMatchObject({ temperature: 0.001, max_tokens: 128, top_p: 1 });
  });

  test('merges providerOptions.aixplain into the body and sends the call headers', async () => {
    const api = fakeApi();
    await generateText({
      model: provider(api.fetch, { headers: { 'x-team': 'a' } })(MODEL),
      prompt: 'Hi',
      temperature: 0.5,
      headers: { 'x-trace': 't-1' },
      providerOptions: { aixplain: { temperature: 0.9, seed_like: 7 } },
    });
    expect(api.sent[0]?.body).toMatchObject({ temperature: 0.9, seed_like: 7, data: 'Hi' });
    expect(api.sent[0]?.headers.get('x-trace')).toBe('t-1');
    expect(api.sent[0]?.headers.get('x-team')).toBe('a');
  });

  test('asks for a JSON object for responseFormat json, and warns that the schema is not sent', async () => {
    const api = fakeApi(() => json({ ...finished, data: '{"a":1}' }));
    const model = provider(api.fetch)(MODEL);
    const result = await model.doGenerate(
      call('Give JSON', { responseFormat: { type: 'json', schema: { type: 'object' } } }),
    );
    expect(api.sent[0]?.body?.response_format).toEqual({ type: 'json_object' });
    expect(result.content).toEqual([{ type: 'text', text: '{"a":1}' }]);
    expect(result.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported', feature: 'responseFormat.schema' }),
    ]);
  });

  test('warns about every setting the API has no equivalent for, and does not send it', async () => {
    const api = fakeApi();
    const result = await generateText({
      model: provider(api.fetch)(MODEL),
      prompt: 'Hi',
      topK: 5,
      stopSequences: ['END'],
      seed: 42,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      tools: { weather: tool({ inputSchema: jsonSchema({ type: 'object', properties: {} }) }) },
    });
    expect(result.warnings?.map((w) => ('feature' in w ? w.feature : w.message))).toEqual([
      'topK',
      'stopSequences',
      'seed',
      'presencePenalty',
      'frequencyPenalty',
      'tools',
    ]);
    expect(Object.keys(api.sent[0]?.body ?? {}).sort()).toEqual([
      'context',
      'data',
      'history',
      'max_tokens',
      'prompt',
      'temperature',
      'top_p',
    ]);
  });

  test.each([
    ['auto, as ai@7 sends it on every call', { type: 'auto' }, []],
    ['none', { type: 'none' }, []],
    ['required', { type: 'required' }, ['toolChoice']],
    ['a named tool', { type: 'tool', toolName: 'weather' }, ['toolChoice']],
  ] as const)(
    'a toolChoice of %s warns only when it forces a tool call',
    async (_, toolChoice, expected) => {
      const result = await provider(fakeApi().fetch)(MODEL).doGenerate({
        ...call('Hi'),
        toolChoice,
      });
      expect(result.warnings.map((w) => ('feature' in w ? w.feature : w.type))).toEqual(expected);
    },
  );

  test('generateText without tools gives no warning at all', async () => {
    const result = await generateText({ model: provider(fakeApi().fetch)(MODEL), prompt: 'Hi' });
    expect(result.warnings).toEqual([]);
  });
});
