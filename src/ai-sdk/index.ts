/**
 * `aixplain-llm/ai-sdk`: a provider for the Vercel AI SDK (ai@6 and ai@7, `LanguageModelV3`).
 *
 * It runs on this package's `LLM` facade and imports nothing from `ai` or `@ai-sdk/*` at run
 * time (types only), so it works with `zod` as the only dependency. The public surface of the
 * subpath; anything else under src/ai-sdk/ may change.
 *
 * @module aixplain-llm/ai-sdk
 */
export type { AixplainLanguageModel } from './language-model.js';
export {
  type AixplainProvider,
  type AixplainProviderSettings,
  aixplain,
  createAixplain,
} from './provider.js';
