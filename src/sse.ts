/**
 * Server-sent events: one synchronous pass over each read of the body, bytes -> text -> lines ->
 * events, with every event handed to a callback. No promise, array or object is made per line or
 * per event: lines are found with `indexOf` and read in place, and only an unfinished last line is
 * kept between reads.
 *
 * Hand-written rather than taken from eventsource-parser: the package has no runtime dependency
 * but zod, and a final event without its blank line must still be dispatched when the body ends
 * (the bug of openai-node#2725). It follows the WHATWG rules for the fields we read and nothing
 * more: there is no reconnection, so `id:` and `retry:` are ignored.
 */

/**
 * Receives one dispatched event: its data, `text.slice(start, end)` (the `data` lines joined with
 * `\n`; given as a range, so that a reader of the commonest payloads makes no string of it) and
 * its type.
 */
export type SseListener = (text: string, start: number, end: number, event: string) => void;

const LF = 10;
const COLON = 58;
const SPACE = 32;
const STREAM: TextDecodeOptions = { stream: true };

/** Whether the line at `at` is a `data` field, by char codes (an inlined `startsWith`). */
const isData = (text: string, at: number): boolean =>
  text.charCodeAt(at) === 100 && // d
  text.charCodeAt(at + 1) === 97 && // a
  text.charCodeAt(at + 2) === 116 && // t
  text.charCodeAt(at + 3) === 97 && // a
  text.charCodeAt(at + 4) === COLON;

/** Where the value of a field starts, `from` being just after its colon: one space is dropped. */
const valueAt = (text: string, from: number, end: number): number =>
  from < end && text.charCodeAt(from) === SPACE ? from + 1 : from;

/**
 * Parses an event stream fed in pieces of any size. Text is decoded as UTF-8 whatever the
 * Content-Type says (the service sends no charset, and ISO-8859-1 would garble every non-ASCII
 * token), a character split across reads arrives whole, a leading BOM is dropped and bad bytes
 * become U+FFFD. Lines end at CRLF, LF or CR (a CR that ends one read and an LF that starts the
 * next are one line end). Fields follow the SSE rules: `field: value` (one space after the colon
 * dropped), a line without a colon is a field with an empty value, `:` starts a comment, `data`
 * lines join with `\n`, a blank line dispatches, an event without `data` is dropped, and `end()`
 * dispatches a pending event.
 */
export class SseParser {
  readonly #onEvent: SseListener;
  readonly #decoder = new TextDecoder();
  /** The unfinished last line of the text so far. */
  #carry = '';
  /** The text so far ended with CR: an LF that starts the next piece ends no line. */
  #skipLf = false;
  /** The `data` lines of the pending event; unset while it has none. */
  #data: string | undefined;
  #event = '';

  constructor(onEvent: SseListener) {
    this.#onEvent = onEvent;
  }

  /** Parses one read of the body. */
  feed(bytes: Uint8Array): void {
    this.push(this.#decoder.decode(bytes, STREAM));
  }

  /** Parses a piece of already decoded text. */
  push(text: string): void {
    const length = text.length;
    let pos = 0;
    if (this.#skipLf && length > 0) {
      this.#skipLf = false;
      if (text.charCodeAt(0) === LF) pos = 1;
    }
    // Each of `lf` and `cr` is searched again only once passed: one scan of the text each.
    let lf = text.indexOf('\n', pos);
    let cr = text.indexOf('\r', pos);
    while (lf !== -1 || cr !== -1) {
      let end: number;
      let next: number;
      if (cr === -1 || (lf !== -1 && lf < cr)) {
        end = lf;
        next = lf + 1;
        if (
          text.charCodeAt(next) === LF &&
          this.#carry === '' &&
          this.#data === undefined &&
          isData(text, pos)
        ) {
          // The commonest event, one `data` line and a blank line, is dispatched at once. A CR,
          // if any, lies past both line ends.
          this.#emit(text, valueAt(text, pos + 5, end), end);
          pos = next + 1;
          lf = text.indexOf('\n', pos);
          continue;
        }
      } else {
        end = cr;
        next = cr + 1;
        if (next === length) this.#skipLf = true;
        else if (text.charCodeAt(next) === LF) next++;
      }
      if (this.#carry === '') this.#line(text, pos, end);
      else {
        const line = this.#carry + text.slice(pos, end);
        this.#carry = '';
        this.#line(line, 0, line.length);
      }
      pos = next;
      if (lf !== -1 && lf < pos) lf = text.indexOf('\n', pos);
      if (cr !== -1 && cr < pos) cr = text.indexOf('\r', pos);
    }
    if (pos < length) this.#carry += text.slice(pos);
  }

  /**
   * The body has ended: flushes the decoder, then ends the last line and the pending event as a
   * line end and a blank line would (after a CR, the first LF only completes its CRLF).
   */
  end(): void {
    this.push(`${this.#decoder.decode()}\n\n`);
  }

  /** One line, `text` from `start` to `end` (no line end in between). */
  #line(text: string, start: number, end: number): void {
    if (start === end) {
      this.#dispatch();
      return;
    }
    let colon = text.indexOf(':', start);
    if (colon === -1 || colon > end) colon = end; // no colon: the whole line names the field
    if (colon === start) return; // a comment
    const field = text.slice(start, colon);
    // With no colon the value starts past `end`: the slice is empty.
    const value = text.slice(valueAt(text, colon + 1, end), end);
    if (field === 'data') {
      this.#data = this.#data === undefined ? value : `${this.#data}\n${value}`;
    } else if (field === 'event') this.#event = value;
  }

  /** A blank line: the pending event is dispatched if it has data; its type never carries over. */
  #dispatch(): void {
    const data = this.#data;
    if (data !== undefined) {
      this.#data = undefined;
      this.#emit(data, 0, data.length);
    } else this.#event = '';
  }

  #emit(text: string, start: number, end: number): void {
    const event = this.#event;
    this.#event = '';
    this.#onEvent(text, start, end, event === '' ? 'message' : event);
  }
}
