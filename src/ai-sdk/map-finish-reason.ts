/**
 * Why a finished run stopped. The aiXplain answer has no finish reason of its own; when the
 * supplier's raw answer is kept (`rawData`, OpenAI-shaped for most hosted models) its
 * `choices[0].finish_reason` tells, else a finished run reads `stop`.
 */
import type { LanguageModelV3FinishReason } from '@ai-sdk/provider';

const UNIFIED: Record<string, LanguageModelV3FinishReason['unified']> = {
  stop: 'stop',
  length: 'length',
  content_filter: 'content-filter',
  tool_calls: 'tool-calls',
  function_call: 'tool-calls',
};

/** The finish reason of a SUCCESS answer, from `rawData.choices[0].finish_reason` when present. */
export function mapFinishReason(rawData: unknown): LanguageModelV3FinishReason {
  const choices = (rawData as { choices?: unknown } | null | undefined)?.choices;
  return unifyFinishReason(
    Array.isArray(choices)
      ? (choices[0] as { finish_reason?: unknown } | undefined)?.finish_reason
      : undefined,
  );
}

/** A raw OpenAI-style finish reason (`stop`, `length`...) in the AI SDK's terms; none is `stop`. */
export function unifyFinishReason(raw: unknown): LanguageModelV3FinishReason {
  if (typeof raw !== 'string') return { unified: 'stop', raw: undefined };
  return { unified: Object.hasOwn(UNIFIED, raw) ? (UNIFIED[raw] ?? 'other') : 'other', raw };
}
