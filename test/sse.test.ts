import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SseParser } from '../src/sse.js';
import { decodeUtf8, parseEvents, type SseEvent, splitLines } from './helpers/legacy-sse.js';

/** An event as the parser gives it: the former decoding's, without the id it no longer keeps. */
type Event = Omit<SseEvent, 'id'>;

const bytes = (text: string) => new TextEncoder().encode(text);

/** Every event the parser dispatches for `pieces` (text, or bytes to decode), then its end. */
function eventsOf(pieces: readonly (string | Uint8Array)[]): Event[] {
  const events: Event[] = [];
  const parser = new SseParser((text, start, end, event) =>
    events.push({ event, data: text.slice(start, end) }),
  );
  for (const piece of pieces) {
    if (typeof piece === 'string') parser.push(piece);
    else parser.feed(piece);
  }
  parser.end();
  return events;
}

/** The events of the former decoding: bytes -> text -> lines -> events, as async generators. */
async function legacyEventsOf(chunks: readonly Uint8Array[]): Promise<Event[]> {
  async function* from() {
    yield* chunks;
  }
  const events: Event[] = [];
  for await (const { event, data } of parseEvents(splitLines(decodeUtf8(from())))) {
    events.push({ event, data });
  }
  return events;
}

/** `bytes` cut at `cuts` (any order, repeats allowed). */
function split(whole: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const points = [0, ...cuts.map((cut) => Math.min(cut, whole.length)).sort((a, b) => a - b)];
  return points.map((start, i) => whole.slice(start, points[i + 1] ?? whole.length));
}

describe('SseParser decoding', () => {
  test('keeps a character split across reads whole', () => {
    const wave = bytes('data: 👋\n\n');
    const pieces = [wave.slice(0, 7), wave.slice(7, 9), wave.slice(9)];
    expect(eventsOf(pieces)).toEqual([{ event: 'message', data: '👋' }]);
  });

  test('flushes an incomplete character at the end as U+FFFD', () => {
    expect(eventsOf([bytes('data: ok'), bytes('ö').slice(0, 1)])).toEqual([
      { event: 'message', data: 'ok\uFFFD' },
    ]);
  });

  test('drops a leading byte order mark, once', () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    expect(eventsOf([bom, bytes('data: x\n\n\uFEFFdata: y\n\n')])).toEqual([
      { event: 'message', data: 'x' },
    ]);
  });
});

describe('SseParser lines', () => {
  const dataOf = (pieces: string[]) => eventsOf(pieces).map((event) => event.data);

  test.each([
    ['LF', ['data: a\n\ndata: b\n\n'], ['a', 'b']],
    ['CRLF', ['data: a\r\n\r\ndata: b\r\n\r\n'], ['a', 'b']],
    ['CR', ['data: a\r\rdata: b\r\r'], ['a', 'b']],
    ['mixed line ends', ['data: a\r\ndata: b\n\rdata: c'], ['a\nb', 'c']],
    ['CR at the end of a piece, LF at the start of the next', ['data: a\r', '\ndata: b'], ['a\nb']],
    ['CR, then an empty piece, then LF', ['data: a\r', '', '\n\r\ndata: b'], ['a', 'b']],
    ['CR then CR|LF across pieces', ['data: a\r\r', '\ndata: b'], ['a', 'b']],
    ['a line across pieces', ['da', 'ta: x', 'y\n'], ['xy']],
    ['a field name across pieces', ['dat', 'a', ': z\n\n'], ['z']],
    ['the last line without a line end', ['data: a\n\ndata: b'], ['a', 'b']],
    ['nothing', [], []],
  ])('%s', (_, pieces, data) => {
    expect(dataOf(pieces)).toEqual(data);
  });
});

describe('SseParser against the former decoding', () => {
  const unit = fc.constantFrom(
    'data: ',
    'data:',
    'data',
    'event: error',
    'event:',
    'id: 7',
    'id: \0',
    ': c',
    'retry: 1',
    'x',
    'é',
    '👋',
    ' ',
    ':',
    '\r',
    '\n',
    '\r\n',
    '\uFEFF',
  );

  test('dispatches the same events for any text, cut anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit, maxLength: 60 }),
        fc.array(fc.nat({ max: 400 }), { maxLength: 12 }),
        async (text, cuts) => {
          const whole = bytes(text);
          const chunks = split(whole, cuts);
          expect(eventsOf(chunks)).toEqual(await legacyEventsOf(chunks));
        },
      ),
      { numRuns: 500 },
    );
  });

  test.each([
    'stream-lf.sse',
    'stream-crlf.sse',
    'stream-cr-openai.sse',
    'stream-truncated.sse',
    'stream-error.sse',
  ])('dispatches the same events for the recorded %s, split anywhere', async (name) => {
    const whole = new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));
    const expected = await legacyEventsOf([whole]);
    expect(expected.length).toBeGreaterThan(1);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: whole.length }), { maxLength: 24 }), async (cuts) => {
        const chunks = split(whole, cuts);
        expect(eventsOf(chunks)).toEqual(expected);
        expect(await legacyEventsOf(chunks)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  test('one byte per read', async () => {
    const whole = new Uint8Array(
      readFileSync(new URL('./fixtures/stream-crlf.sse', import.meta.url)),
    );
    const chunks = split(whole, [...whole.keys()]);
    expect(eventsOf(chunks)).toEqual(await legacyEventsOf([whole]));
  });
});

describe('SseParser fields', () => {
  const message = (data: string, extra: Partial<Event> = {}): Event => ({
    event: 'message',
    data,
    ...extra,
  });

  test.each<[string, string, Event[]]>([
    ['a blank line dispatches', 'data: a\n\ndata: b\n\n', [message('a'), message('b')]],
    ['one space after the colon is removed', 'data:  two\n\n', [message(' two')]],
    ['no space after the colon', 'data:x\n\n', [message('x')]],
    ['only the first colon separates', 'data: a: b\n\n', [message('a: b')]],
    ['data lines join with a line feed', 'data: a\ndata:\ndata: b\n\n', [message('a\n\nb')]],
    ['a line without colon is a field with empty value', 'data\n\n', [message('')]],
    ['comments are skipped', ': hi\ndata: a\n: there\n\n', [message('a')]],
    ['event names the type', 'event: error\ndata: x\n\n', [message('x', { event: 'error' })]],
    ['an empty event name means message', 'event:\ndata: x\n\n', [message('x')]],
    [
      'the type does not carry over',
      'event: a\ndata: 1\n\ndata: 2\n\n',
      [message('1', { event: 'a' }), message('2')],
    ],
    ['an event without data is not dispatched', 'event: ping\n\n: x\n\nid: 1\n\n', []],
    [
      'the pending event is dispatched at the end',
      'data: a\n\ndata: b',
      [message('a'), message('b')],
    ],
    ['unknown fields and retry are ignored', 'retry: 10\nfoo: bar\ndata: x\n\n', [message('x')]],
    ['a field name is case-sensitive', 'Data: x\n\n', []],
    [
      'id is ignored (there is no reconnection)',
      'id: 7\ndata: a\n\nid\ndata: b\n\n',
      [message('a'), message('b')],
    ],
    ['CRLF', 'data: a\r\n\r\ndata: b\r\n\r\n', [message('a'), message('b')]],
    ['CR', 'data: a\r\rdata: b\r\r', [message('a'), message('b')]],
  ])('%s', (_, text, events) => {
    expect(eventsOf([text])).toEqual(events);
  });

  test('blank lines without data in between yield nothing', () => {
    expect(eventsOf(['\n\n\n\r\n'])).toEqual([]);
  });
});
