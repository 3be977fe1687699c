// The SSE decoding of src/sse.ts before it became one synchronous pass (four async generators),
// kept as the reference the new parser is compared with.
/**
 * Server-sent events, as small AsyncIterable steps: body bytes -> text -> lines -> events
 * Each step is usable and testable alone.
 *
 * Hand-written rather than taken from eventsource-parser: the package has no runtime dependency
 * but zod, and a final event without its blank line must still be dispatched when the body ends
 * (the bug of openai-node#2725). It follows the WHATWG rules for the fields we read and nothing
 * more (no reconnection, `retry:` ignored).
 */

/** One dispatched event. */
export interface SseEvent {
  /** The `event:` field. @default "message" */
  event: string;
  /** The `data:` lines, joined with `\n`. */
  data: string;
  /** The last `id:` seen so far (SSE's "last event ID"), when there was one. */
  id?: string;
}

const noop = () => {};

/**
 * Reads a web stream as an AsyncIterable. Stopping early (`break`, `return()`, an error
 * downstream) cancels the stream; an abort of `signal` cancels it at once, even during a pending
 * read, and the iteration then throws `signal.reason`.
 */
export async function* readBody(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  if (signal?.aborted) {
    await body.cancel(signal.reason).catch(noop);
    signal.throwIfAborted();
  }
  const reader = body.getReader();
  const onAbort = () => reader.cancel(signal?.reason).catch(noop);
  signal?.addEventListener('abort', onAbort, { once: true });
  let ended = false;
  try {
    while (true) {
      const { done, value } = await reader.read();
      signal?.throwIfAborted();
      if (done) {
        ended = true;
        return;
      }
      yield value;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!ended) await reader.cancel().catch(noop);
    reader.releaseLock();
  }
}

/**
 * Decodes UTF-8 whatever the Content-Type says (the service sends no charset, and ISO-8859-1 would garble every non-ASCII token), with a
 * streaming decoder so that a character split across chunks arrives whole. A leading BOM is
 * dropped, as SSE requires; bad bytes become U+FFFD.
 */
export async function* decodeUtf8(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

const LINE_END = /\r\n|\r|\n/g;

/**
 * Splits text into lines ending at CRLF, LF or CR. A CR that ends one piece and an LF that
 * starts the next are one line end. The last line is yielded even without a line end.
 */
export async function* splitLines(text: AsyncIterable<string>): AsyncGenerator<string> {
  let partial = '';
  let skipLf = false;
  for await (const piece of text) {
    if (piece === '') continue;
    const start = skipLf && piece.startsWith('\n') ? 1 : 0;
    let from = start;
    for (const match of piece.slice(start).matchAll(LINE_END)) {
      yield partial + piece.slice(from, start + match.index);
      partial = '';
      from = start + match.index + match[0].length;
    }
    partial += piece.slice(from);
    skipLf = piece.endsWith('\r');
  }
  if (partial !== '') yield partial;
}

/**
 * Turns lines into events by the SSE field rules: `field: value` (one space after the colon
 * dropped), a line without a colon is a field with an empty value, `:` starts a comment, `data`
 * lines join with `\n`, a blank line dispatches, an event without `data` is dropped, and a
 * pending event is dispatched when the lines end.
 */
export async function* parseEvents(lines: AsyncIterable<string>): AsyncGenerator<SseEvent> {
  let event = '';
  let data: string[] = [];
  let id: string | undefined;
  const take = (): SseEvent | undefined => {
    const out =
      data.length === 0
        ? undefined
        : {
            event: event === '' ? 'message' : event,
            data: data.join('\n'),
            ...(id === undefined ? {} : { id }),
          };
    event = '';
    data = [];
    return out;
  };
  for await (const line of lines) {
    if (line === '') {
      const out = take();
      if (out !== undefined) yield out;
      continue;
    }
    if (line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const raw = colon === -1 ? '' : line.slice(colon + 1);
    const value = raw.startsWith(' ') ? raw.slice(1) : raw;
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) id = value;
  }
  const out = take();
  if (out !== undefined) yield out;
}
