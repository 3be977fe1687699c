/**
 * The answer's `usage` (OpenAI-style token counts, numbers or numeric strings) -> the AI SDK's usage. The service reports
 * neither cached nor reasoning tokens, so those stay `undefined`, and every count it left out
 * (a stream reports none) is `undefined` too.
 */
import type { JSONObject, LanguageModelV3Usage } from '@ai-sdk/provider';
import { numberOf } from '../internal/check.js';
import type { Usage } from '../response.js';

/** A token count: a number, or a numeric string as some services send; else `undefined`. */
const count = (value: unknown): number | undefined => numberOf(value);

/** The AI SDK usage of `usage`; all counts `undefined` when the service gave none. */
export function convertUsage(usage: Usage | undefined): LanguageModelV3Usage {
  const input = count(usage?.prompt_tokens);
  const output = count(usage?.completion_tokens);
  return {
    inputTokens: { total: input, noCache: input, cacheRead: undefined, cacheWrite: undefined },
    outputTokens: { total: output, text: output, reasoning: undefined },
    ...(usage === undefined ? {} : { raw: usage as JSONObject }),
  };
}
