/**
 * src/ai-sdk/provider.ts: createAixplain, and the public types.
 * Through the real `ai` package (ai@6), against a fake fetch that answers like the API.
 */
import { type LanguageModelV3, NoSuchModelError, type ProviderV3 } from '@ai-sdk/provider';
import { generateText } from 'ai';
import { describe, expect, expectTypeOf, test, vi } from 'vitest';
import {
  type AixplainLanguageModel,
  type AixplainProvider,
  createAixplain,
  aixplain as defaultProvider,
} from '../../src/ai-sdk/index.js';
import { ValidationError } from '../../src/index.js';
import { fakeApi, MODEL, provider } from '../helpers/ai-sdk.js';
import { BASE } from '../helpers/fake-fetch.js';

describe('createAixplain', () => {
  test('makes v3 language models named by their aiXplain model id', () => {
    const aixplain = provider(fakeApi().fetch);
    const model = aixplain(MODEL);
    expect(aixplain.specificationVersion).toBe('v3');
    expect(model).toMatchObject({
      specificationVersion: 'v3',
      provider: 'aixplain',
      modelId: MODEL,
    });
    expect(aixplain.languageModel(MODEL)).toMatchObject({ modelId: MODEL });
  });

  test('reads AIXPLAIN_API_KEY, then TEAM_API_KEY, when a model is made, not before', async () => {
    vi.stubEnv('AIXPLAIN_API_KEY', '');
    vi.stubEnv('TEAM_API_KEY', '');
    const api = fakeApi();
    const aixplain = createAixplain({ baseUrl: BASE, fetch: api.fetch });
    expect(() => aixplain(MODEL)).toThrow(ValidationError);

    vi.stubEnv('TEAM_API_KEY', 'team-key');
    await generateText({ model: aixplain(MODEL), prompt: 'Hi' });
    vi.stubEnv('AIXPLAIN_API_KEY', 'aixplain-key');
    await generateText({ model: aixplain(MODEL), prompt: 'Hi' });
    expect(api.sent.map((s) => s.headers.get('x-api-key'))).toEqual(['team-key', 'aixplain-key']);
  });

  test('exports a default provider that reads the environment only when a model is made', () => {
    vi.stubEnv('AIXPLAIN_API_KEY', 'env-key');
    expect(defaultProvider(MODEL).modelId).toBe(MODEL);
  });

  test.each(['embeddingModel', 'imageModel'] as const)('%s throws NoSuchModelError', (kind) => {
    const aixplain = provider(fakeApi().fetch);
    let thrown: unknown;
    try {
      aixplain[kind](MODEL);
    } catch (error) {
      thrown = error;
    }
    expect(NoSuchModelError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ modelId: MODEL, modelType: kind });
  });

  test('refuses to be called with new', () => {
    const aixplain = provider(fakeApi().fetch);
    // @ts-expect-error the provider is a function, not a constructor
    expect(() => new aixplain(MODEL)).toThrow(/new keyword/);
  });
});

describe('types', () => {
  test('the models are LanguageModelV3 and the provider a ProviderV3', () => {
    expectTypeOf<AixplainLanguageModel>().toMatchTypeOf<LanguageModelV3>();
    expectTypeOf<AixplainProvider>().toMatchTypeOf<ProviderV3>();
    expectTypeOf(createAixplain).returns.toMatchTypeOf<(modelId: string) => LanguageModelV3>();
    // generateText takes the model as it is, with no cast.
    const typed = (aixplain: AixplainProvider) =>
      generateText({ model: aixplain(MODEL), prompt: 'x' });
    expectTypeOf(typed).toBeFunction();
  });
});
