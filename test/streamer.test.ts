import { describe, expect, test, vi } from 'vitest';
import { StreamError } from '../src/errors.js';
import { ModelResponse } from '../src/response.js';
import { ModelResponseStreamer } from '../src/streamer.js';

const chunk = (data: string) => new ModelResponse({ status: 'IN_PROGRESS', data });
const failed = (message: string) =>
  new ModelResponse({ status: 'FAILED', completed: true, errorMessage: message });

async function* from(chunks: readonly ModelResponse[]) {
  yield* chunks;
}

describe('ModelResponseStreamer over any AsyncIterable', () => {
  test('tracks the status: SUCCESS at the end, FAILED after a FAILED chunk', async () => {
    const ok = new ModelResponseStreamer(from([chunk('a'), chunk('b')]));
    expect(ok.status).toBe('IN_PROGRESS');
    expect(await ok.text()).toBe('ab');
    expect(ok.status).toBe('SUCCESS');

    const bad = new ModelResponseStreamer(from([chunk('a'), failed('gone')]));
    const seen: string[] = [];
    for await (const c of bad) seen.push(c.status);
    expect([seen, bad.status]).toEqual([['IN_PROGRESS', 'FAILED'], 'FAILED']);
  });

  test('is read once', () => {
    const streamer = new ModelResponseStreamer(from([]));
    streamer[Symbol.asyncIterator]();
    expect(() => streamer[Symbol.asyncIterator]()).toThrow(StreamError);
  });

  test('toReadableStream cancels through the given cancel', async () => {
    const cancel = vi.fn();
    async function* endless() {
      for (;;) yield chunk('x');
    }
    const stream = new ModelResponseStreamer(endless(), cancel).toReadableStream();
    const reader = stream.getReader();
    expect((await reader.read()).value?.data).toBe('x');
    await reader.cancel();
    expect(cancel).toHaveBeenCalledOnce();
  });

  test('tee gives both branches every chunk and the same end', async () => {
    const [left, right] = new ModelResponseStreamer(from([chunk('a'), failed('end')])).tee();
    const [l, r] = await Promise.all([
      left.text().catch((e: Error) => e.message),
      right.text().catch((e: Error) => e.message),
    ]);
    expect([l, r, left.status, right.status]).toEqual(['end', 'end', 'FAILED', 'FAILED']);
  });
});
