/**
 * The AI SDK's call options -> one run of the `LLM` facade (its input and `RunOptions`), plus
 * the warnings for the settings the aiXplain API has no equivalent for.
 *
 * Defaults: a setting the caller left out is not sent by the AI SDK's convention, but this API's
 * body always carries `temperature`, `max_tokens` and `top_p`; the package's own defaults fill
 * them (temperature 0.001, max_tokens 128, top_p 1), exactly as `llm.run` does. Pass
 * `temperature` and `maxOutputTokens` to choose otherwise.
 */
import type { LanguageModelV3CallOptions, SharedV3Warning } from '@ai-sdk/provider';
import type { RunOptions } from '../options.js';
import { convertPrompt } from './convert-prompt.js';

/** The run that a call becomes. */
export interface PreparedCall {
  /** The input: the last user message's text. */
  data: string;
  options: Omit<RunOptions, 'stream'>;
  warnings: SharedV3Warning[];
}

/** The settings with no aiXplain equivalent; each one that is set gives an `unsupported` warning. */
const UNSUPPORTED = [
  'topK',
  'stopSequences',
  'seed',
  'presencePenalty',
  'frequencyPenalty',
] as const satisfies ReadonlyArray<keyof LanguageModelV3CallOptions>;

/**
 * Maps one call. `providerOptions.aixplain` becomes `parameters`: its keys are merged into the
 * request body and win over the mapped settings (`parameters` win over everything but the input).
 * `responseFormat: { type: 'json' }` becomes `response_format: { type: 'json_object' }` (the
 * OpenAI-style JSON mode that the hosted models take); a `schema` is not sent, with a warning.
 */
export function prepareCall(call: LanguageModelV3CallOptions): PreparedCall {
  const { context, history, data, warnings } = convertPrompt(call.prompt);
  for (const feature of UNSUPPORTED) {
    if (call[feature] !== undefined) warnings.push({ type: 'unsupported', feature });
  }
  if (call.tools !== undefined && call.tools.length > 0) {
    warnings.push({ type: 'unsupported', feature: 'tools' });
  }
  // ai@7 passes `toolChoice: { type: 'auto' }` on every call, tools or not. `auto` and `none`
  // ask for what a model without tools does anyway; only forcing a tool call is a setting lost.
  const forced = call.toolChoice?.type === 'required' || call.toolChoice?.type === 'tool';
  if (forced) warnings.push({ type: 'unsupported', feature: 'toolChoice' });

  let responseFormat: unknown;
  if (call.responseFormat?.type === 'json') {
    responseFormat = { type: 'json_object' };
    if (call.responseFormat.schema !== undefined) {
      warnings.push({
        type: 'unsupported',
        feature: 'responseFormat.schema',
        details: 'The JSON schema is not sent: the model is asked for a JSON object only.',
      });
    }
  }

  const options: PreparedCall['options'] = {
    context,
    history,
    temperature: call.temperature,
    maxTokens: call.maxOutputTokens,
    topP: call.topP,
    responseFormat,
    parameters: call.providerOptions?.aixplain,
    signal: call.abortSignal,
    headers: definedHeaders(call.headers),
  };
  return { data, options, warnings };
}

/** The AI SDK lets a header be `undefined` (meaning: not sent); the facade takes strings only. */
function definedHeaders(
  headers: Record<string, string | undefined> | undefined,
): Record<string, string> | undefined {
  if (headers === undefined) return undefined;
  const defined: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) defined[name] = value;
  }
  return defined;
}
