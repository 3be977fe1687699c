/**
 * The AI SDK's message list -> the aiXplain run's `context`, `history` and `data`.
 *
 * The API takes text only: a system prompt (`context`), earlier turns as `{ role, content }`
 * strings (`history`), and the new user text (`data`). What it cannot carry is handled by what
 * losing it would do to the answer:
 * - file parts, tool calls, tool results and tool messages throw an
 *   `UnsupportedFunctionalityError`: dropping them would change the question, and the model
 *   would answer something else without anyone noticing;
 * - reasoning parts of earlier assistant turns are dropped with an `unsupported` warning: they
 *   are the model's scratch work, which most providers do not send back either.
 */

import type { LanguageModelV3Prompt, SharedV3Warning } from '@ai-sdk/provider';
import { ChatRole } from '../../generated/types.gen.js';
import type { HistoryMessage } from '../options.js';
import { AixplainInvalidPromptError, AixplainUnsupportedFunctionalityError } from './errors.js';

/** What a prompt becomes on the wire. */
export interface ConvertedPrompt {
  /** The system messages, joined by a blank line; `null` without any. */
  context: string | null;
  /** The turns before the last user message; `null` without any. */
  history: HistoryMessage[] | null;
  /** The text of the last user message. */
  data: string;
  warnings: SharedV3Warning[];
}

type Part = { type: string; text?: string };

/** The text of a user or assistant message, or a throw for content the API cannot carry. */
function textOf(parts: readonly Part[], warnings: SharedV3Warning[]): string {
  let text = '';
  for (const part of parts) {
    if (part.type === 'text') text += part.text ?? '';
    else if (part.type === 'reasoning') {
      if (!warnings.some((w) => w.type === 'unsupported' && w.feature === 'reasoning parts')) {
        warnings.push({
          type: 'unsupported',
          feature: 'reasoning parts',
          details: 'Reasoning in earlier assistant messages is not sent to the aiXplain API.',
        });
      }
    } else {
      throw new AixplainUnsupportedFunctionalityError(
        `${part.type} parts`,
        `The aiXplain API takes text only: '${part.type}' parts in the prompt are not supported.`,
      );
    }
  }
  return text;
}

/**
 * Splits `prompt` into `context` (every system message), `history` (the user and assistant
 * turns before the last user message) and `data` (the last user message's text).
 *
 * @throws UnsupportedFunctionalityError for tool messages, file and tool parts, and assistant
 *   messages after the last user message (an assistant prefill has no place on the wire).
 * @throws InvalidPromptError when there is no user message.
 */
export function convertPrompt(prompt: LanguageModelV3Prompt): ConvertedPrompt {
  const warnings: SharedV3Warning[] = [];
  const system: string[] = [];
  const turns: HistoryMessage[] = [];
  for (const message of prompt) {
    switch (message.role) {
      case 'system':
        system.push(message.content);
        break;
      case 'user':
      case 'assistant':
        turns.push({ role: message.role, content: textOf(message.content, warnings) });
        break;
      default:
        throw new AixplainUnsupportedFunctionalityError(
          'tool messages',
          'The aiXplain API takes text only: tool messages in the prompt are not supported.',
        );
    }
  }
  const last = turns.pop();
  if (last === undefined) throw new AixplainInvalidPromptError(prompt, 'no user message.');
  if (last.role !== ChatRole.USER) {
    throw new AixplainUnsupportedFunctionalityError(
      'assistant messages after the last user message',
      'The aiXplain API answers a user message: the prompt must end with one.',
    );
  }
  // An empty turn (an assistant message that held only reasoning) says nothing to the model.
  const history = turns.filter((turn) => turn.content !== '');
  return {
    context: system.length > 0 ? system.join('\n\n') : null,
    history: history.length > 0 ? history : null,
    data: last.content,
    warnings,
  };
}
