import fc from 'fast-check';
import { describe, expect, test, vi } from 'vitest';
import { decodeUtf8, parseEvents, readBody, type SseEvent, splitLines } from '../src/sse.js';

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

const bytes = (text: string) => new TextEncoder().encode(text);
const linesOf = (...pieces: string[]) => collect(splitLines(from(pieces)));
const eventsOf = (text: string) => collect(parseEvents(splitLines(from([text]))));

describe('readBody', () => {
  test('yields every chunk of the stream, then ends', async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes('a'));
        controller.enqueue(bytes('b'));
        controller.close();
      },
    });
    expect(await collect(readBody(body))).toEqual([bytes('a'), bytes('b')]);
    expect(body.locked).toBe(false);
  });

  test('cancels the stream when the loop is left early', async () => {
    const cancel = vi.fn();
    const body = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(bytes('x')),
      cancel,
    });
    for await (const _ of readBody(body)) break;
    expect(cancel).toHaveBeenCalledOnce();
    expect(body.locked).toBe(false);
  });

  test('an abort cancels a pending read and throws the reason', async () => {
    const cancel = vi.fn();
    const body = new ReadableStream<Uint8Array>({ cancel });
    const controller = new AbortController();
    const reading = collect(readBody(body, controller.signal));
    const reason = new Error('stop');
    controller.abort(reason);
    await expect(reading).rejects.toBe(reason);
    expect(cancel).toHaveBeenCalledWith(reason);
  });

  test('an already aborted signal cancels the stream without reading', async () => {
    const cancel = vi.fn();
    const body = new ReadableStream<Uint8Array>({ cancel });
    const reason = new Error('gone');
    await expect(collect(readBody(body, AbortSignal.abort(reason)))).rejects.toBe(reason);
    expect(cancel).toHaveBeenCalledWith(reason);
  });

  test('passes a transport error through', async () => {
    const cut = new TypeError('terminated');
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes('a'));
        controller.error(cut);
      },
    });
    await expect(collect(readBody(body))).rejects.toBe(cut);
  });
});

describe('decodeUtf8', () => {
  test('keeps a character split across chunks whole', async () => {
    const wave = bytes('👋');
    const pieces = [wave.slice(0, 1), wave.slice(1, 3), wave.slice(3)];
    expect((await collect(decodeUtf8(from(pieces)))).join('')).toBe('👋');
  });

  test('flushes an incomplete character at the end as U+FFFD', async () => {
    expect(await collect(decodeUtf8(from([bytes('ok'), bytes('ö').slice(0, 1)])))).toEqual([
      'ok',
      '\uFFFD',
    ]);
  });

  test('drops a leading byte order mark, once', async () => {
    const bom = new Uint8Array([0xef, 0xbb, 0xbf]);
    const text = (await collect(decodeUtf8(from([bom, bytes('data: x\n\uFEFF')])))).join('');
    expect(text).toBe('data: x\n\uFEFF');
  });
});

describe('splitLines', () => {
  test.each([
    ['LF', ['a\nb\n'], ['a', 'b']],
    ['CRLF', ['a\r\nb\r\n'], ['a', 'b']],
    ['CR', ['a\rb\r'], ['a', 'b']],
    ['mixed line ends', ['a\rb\nc\r\nd'], ['a', 'b', 'c', 'd']],
    ['blank lines', ['a\n\n\r\n\r\rb'], ['a', '', '', '', '', 'b']],
    ['CR at the end of a piece, LF at the start of the next', ['a\r', '\nb\n'], ['a', 'b']],
    ['CR, then an empty piece, then LF', ['a\r', '', '\nb'], ['a', 'b']],
    ['CR at the end of a piece, then text', ['a\r', 'b\n'], ['a', 'b']],
    ['CR then CR|LF across pieces', ['a\r\r', '\nb'], ['a', '', 'b']],
    ['LF alone in its piece after CR', ['a\r', '\n', '\n'], ['a', '']],
    ['a line across pieces', ['da', 'ta: x', 'y\n'], ['data: xy']],
    ['the last line without a line end', ['a\nb'], ['a', 'b']],
    ['nothing', [], []],
  ])('%s', async (_, pieces, lines) => {
    expect(await linesOf(...pieces)).toEqual(lines);
  });

  test('gives the same lines however the text is cut', async () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'é', '\r', '\n', ' '), maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(text, fc.array(fc.nat({ max: 40 })), async (whole, cuts) => {
        const points = [0, ...cuts.map((cut) => Math.min(cut, whole.length)).sort((a, b) => a - b)];
        const pieces = points.map((start, i) => whole.slice(start, points[i + 1] ?? whole.length));
        expect(await linesOf(...pieces)).toEqual(await linesOf(whole));
      }),
    );
  });
});

describe('parseEvents', () => {
  const message = (data: string, extra: Partial<SseEvent> = {}): SseEvent => ({
    event: 'message',
    data,
    ...extra,
  });

  test.each<[string, string, SseEvent[]]>([
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
      'id is kept as the last event id',
      'id: 7\ndata: a\n\ndata: b\n\n',
      [message('a', { id: '7' }), message('b', { id: '7' })],
    ],
    ['an id with NUL is ignored', 'id: 1\0\ndata: a\n\n', [message('a')]],
    ['CRLF', 'data: a\r\n\r\ndata: b\r\n\r\n', [message('a'), message('b')]],
    ['CR', 'data: a\r\rdata: b\r\r', [message('a'), message('b')]],
  ])('%s', async (_, text, events) => {
    expect(await eventsOf(text)).toEqual(events);
  });

  test('blank lines without data in between yield nothing', async () => {
    expect(await eventsOf('\n\n\n\r\n')).toEqual([]);
  });
});
