/**
 * `createAixplain()`: the AI SDK provider (ProviderV3) for aiXplain's hosted language models,
 * shaped like the AI SDK's own providers (`@ai-sdk/mistral`'s `createMistral`): a function of the
 * model id, with `languageModel()`, and `embeddingModel()` / `imageModel()` that throw
 * `NoSuchModelError` since the API runs text generation only.
 *
 * Each model is an `LLM` of this package made with `maxRetries: 0`: `ai` already retries what is
 * retryable (`maxRetries` of `generateText` / `streamText`, 2 by default), and two retry loops
 * stacked would send up to 3 x 3 requests for one call and hide `ai`'s setting. The cost: a
 * transient failure while polling a run that went asynchronous is not retried either (`ai` must
 * not retry it, as the model has started), so it fails the call.
 */
import type { ProviderV3 } from '@ai-sdk/provider';
import { LLM } from '../llm.js';
import { AixplainNoSuchModelError } from './errors.js';
import { AixplainLanguageModel } from './language-model.js';

/**
 * The settings of `createAixplain()`; every one is optional.
 *
 * @example
 * const settings: AixplainProviderSettings = {
 *   baseUrl: process.env.AIXPLAIN_BASE_URL ?? 'http://127.0.0.1:4010', // the mock of `npm run mock`
 *   apiKey: process.env.AIXPLAIN_API_KEY ?? 'mock-key',
 *   headers: { 'X-Trace-Id': '42' },
 * };
 * const aixplain = createAixplain(settings);
 */
export interface AixplainProviderSettings {
  /** The team API key. @default env AIXPLAIN_API_KEY, then env TEAM_API_KEY, read when a model is made */
  apiKey?: string;
  /** The service: an origin plus an optional path prefix. @default env AIXPLAIN_BASE_URL, then "https://models.aixplain.com" */
  baseUrl?: string;
  /** Extra headers sent with every request. @default {} */
  headers?: Record<string, string>;
  /** The fetch to send requests with (a proxy agent, a test double...). @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Origins besides `baseUrl`'s to which the API key may be sent (poll URLs, redirects). @default [] */
  trustedOrigins?: string[];
}

/** An aiXplain provider: call it with a model id to get an AI SDK language model. */
export interface AixplainProvider extends ProviderV3 {
  /** The language model `modelId` (an aiXplain model id, e.g. `669a63646eb56306647e1091`). */
  (modelId: string): AixplainLanguageModel;
  /** The language model `modelId`. */
  languageModel(modelId: string): AixplainLanguageModel;
  /** Throws `NoSuchModelError`: the API runs text generation only. */
  embeddingModel(modelId: string): never;
  /** Throws `NoSuchModelError`: the API runs text generation only. */
  imageModel(modelId: string): never;
}

/**
 * Creates an aiXplain provider for the Vercel AI SDK (ai@6 and ai@7: `LanguageModelV3`).
 * The API key is read when a model is made (`aixplain(modelId)`), never at import; a missing key
 * throws `ValidationError` then.
 *
 * System messages become the run's `context`, earlier turns its `history` and the last user
 * message its input; `maxOutputTokens`, `temperature` and `topP` map to `max_tokens`,
 * `temperature` and `top_p` (left out, the package's defaults 128, 0.001 and 1 are sent), and
 * `providerOptions.aixplain` is merged into the request body.
 *
 * @example
 * import { generateText, streamText } from 'ai';
 * import { createAixplain } from 'aixplain-llm/ai-sdk';
 *
 * const aixplain = createAixplain({ apiKey: process.env.AIXPLAIN_API_KEY });
 * const { text, usage } = await generateText({
 *   model: aixplain('669a63646eb56306647e1091'),
 *   system: 'You are terse.',
 *   prompt: 'Write a haiku about the sea.',
 *   maxOutputTokens: 256,
 * });
 *
 * const result = streamText({ model: aixplain('669a63646eb56306647e1091'), prompt: 'Tell a story.' });
 * for await (const token of result.textStream) process.stdout.write(token);
 */
export function createAixplain(settings: AixplainProviderSettings = {}): AixplainProvider {
  const languageModel = (modelId: string): AixplainLanguageModel =>
    new AixplainLanguageModel(
      new LLM({
        id: modelId,
        apiKey: settings.apiKey,
        baseUrl: settings.baseUrl,
        headers: settings.headers,
        fetch: settings.fetch,
        trustedOrigins: settings.trustedOrigins,
        maxRetries: 0,
      }),
    );

  const provider = function aixplain(modelId: string) {
    if (new.target) {
      throw new Error('The aiXplain model function cannot be called with the new keyword.');
    }
    return languageModel(modelId);
  } as AixplainProvider;

  Object.assign(provider, {
    specificationVersion: 'v3' as const,
    languageModel,
    embeddingModel: (modelId: string): never => {
      throw new AixplainNoSuchModelError(modelId, 'embeddingModel');
    },
    imageModel: (modelId: string): never => {
      throw new AixplainNoSuchModelError(modelId, 'imageModel');
    },
  });
  return provider;
}

/**
 * The default provider: the API key from env AIXPLAIN_API_KEY (then TEAM_API_KEY), read when a
 * model is made.
 *
 * @example
 * import { generateText } from 'ai';
 * import { aixplain } from 'aixplain-llm/ai-sdk';
 *
 * const { text } = await generateText({ model: aixplain('669a63646eb56306647e1091'), prompt: 'Hi' });
 */
export const aixplain: AixplainProvider = /* #__PURE__ */ createAixplain();
