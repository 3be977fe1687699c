/**
 * What one stream event's payload means: a token, the end (`[DONE]`), a failure, or nothing.
 * Hand-written: the payload shapes and the `[DONE]` rule are specific to the aiXplain API.
 */
import { isRecord } from './internal/check.js';
import { ResponseStatus, type Usage } from './response.js';

/**
 * What an event may say besides its token, kept by the reader: the token counts and the finish
 * reason, which OpenAI-style chunks carry (`usage`, `choices[0].finish_reason`), usually in the
 * last event before `[DONE]`.
 */
export interface StreamMeta {
  usage: Usage | undefined;
  finishReason: string | undefined;
}

/** What one event's payload means. */
export type StreamToken = { done: true } | { token: string } | { error: string } | null;

/** `[DONE]`, as `readToken` returns it. */
export const DONE: unique symbol = Symbol('[DONE]');

/** `tokenOf` without a wrapper object: the token itself, `DONE`, a failure, or `null`. */
export type TokenRead = string | typeof DONE | { error: string } | null;

const textOf = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The length of `{"data":"`, the head of the commonest payload. */
const HEAD = 9;
const QUOTE = 34;
const BACKSLASH = 92;

/** Whether `{"data":"` starts at `at`, by char codes (an inlined `startsWith`). */
const hasHead = (text: string, at: number): boolean =>
  text.charCodeAt(at) === 123 && // {
  text.charCodeAt(at + 1) === QUOTE &&
  text.charCodeAt(at + 2) === 100 && // d
  text.charCodeAt(at + 3) === 97 && // a
  text.charCodeAt(at + 4) === 116 && // t
  text.charCodeAt(at + 5) === 97 && // a
  text.charCodeAt(at + 6) === QUOTE &&
  text.charCodeAt(at + 7) === 58 && // :
  text.charCodeAt(at + 8) === QUOTE;

/**
 * The token of the commonest payload, `{"data":"text"}` with no quote, backslash or control
 * character in the text, read without JSON.parse (such a JSON string is its characters as they
 * are); `undefined` for any other payload. The payload is `text` from `start` to `end`, read in
 * place: only the token becomes a string.
 */
export function fastToken(text: string, start = 0, end = text.length): TokenRead | undefined {
  const last = end - 2; // the closing '"}'
  const first = start + HEAD;
  if (
    last < first ||
    text.charCodeAt(last) !== QUOTE ||
    text.charCodeAt(last + 1) !== 125 || // }
    !hasHead(text, start)
  ) {
    return undefined;
  }
  for (let i = first; i < last; i++) {
    const code = text.charCodeAt(i);
    if (code === QUOTE || code === BACKSLASH || code < 0x20) return undefined;
  }
  const token = text.slice(first, last);
  return token === '' ? null : token === '[DONE]' ? DONE : token;
}

/**
 * Reads one event's `data`: `[DONE]` (raw or as `{"data":"[DONE]"}`) ends the stream; an
 * `error` field is a failure; a string `data`, an object `data`'s `text` (else `output`), or an
 * OpenAI-style `choices[0].delta.content` is a token; a payload that is not JSON is itself the
 * token (a JSON string, its value). Anything else, and empty text, is `null`: objects are never
 * stringified into the text.
 */
export function readToken(payload: string, meta?: StreamMeta): TokenRead {
  return fastToken(payload) ?? parsedToken(payload, meta);
}

/** `readToken` through JSON.parse, for every payload; `meta` gets the usage and finish reason. */
export function parsedToken(payload: string, meta?: StreamMeta): TokenRead {
  if (payload.trim() === '[DONE]') return DONE;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    value = payload; // not JSON: the payload is the token
  }
  if (!isRecord(value)) return textOf(value) ?? null;
  const { data } = value;
  const choice: unknown = Array.isArray(value.choices) ? value.choices[0] : undefined;
  if (meta) {
    if (isRecord(value.usage)) meta.usage = value.usage;
    const reason = isRecord(choice) && choice.finish_reason;
    if (typeof reason === 'string' && reason) meta.finishReason = reason;
  }
  // A failed run's answer (`status: FAILED`, `error_message`) mid-stream is a failure too.
  const error =
    [value.error, value.error_message].find(
      (e) => e !== undefined && e !== null && e !== false && e !== '',
    ) ?? (value.status === ResponseStatus.FAILED ? 'The model run failed.' : undefined);
  if (error !== undefined) {
    return { error: typeof error === 'string' ? error : JSON.stringify(error) };
  }
  if (data === '[DONE]') return DONE;
  const delta = isRecord(choice) && isRecord(choice.delta) ? choice.delta.content : undefined;
  const token = isRecord(data)
    ? (textOf(data.text) ?? textOf(data.output))
    : (textOf(data) ?? textOf(delta));
  return token ?? null;
}

/** `readToken`, with the token and the end as objects. */
export function tokenOf(payload: string): StreamToken {
  const read = readToken(payload);
  if (read === null || typeof read === 'object') return read;
  return read === DONE ? { done: true } : { token: read };
}

/** The message of an `event: error`: its payload's error or text, else a fixed sentence. */
export function errorTextOf(payload: string): string {
  const read = parsedToken(payload);
  if (read !== null && typeof read === 'object') return read.error;
  if (typeof read === 'string') return read;
  return payload === '' ? 'The stream reported an error.' : payload;
}
