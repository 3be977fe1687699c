import { describe, expect, test, vi } from 'vitest';
import { AbortError, StreamError } from '../src/errors.js';
import { Scope } from '../src/internal/scope.js';
import { systemClock } from '../src/internal/time.js';
import type { ModelResponse } from '../src/response.js';
import { ChunkReader } from '../src/stream-reader.js';
import { DONE } from '../src/stream-token.js';

const encoder = new TextEncoder();

/** A body that hands out `texts` one per read, counting the reads. */
function body(texts: readonly string[]) {
  const state = { reads: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull: (controller) => {
        const text = texts[state.reads++];
        if (text === undefined) controller.close();
        else controller.enqueue(encoder.encode(text));
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

function readerOf(stream: ReadableStream<Uint8Array> | null, throwOnError = false) {
  const reader = new ChunkReader(new Scope(undefined, systemClock), { throwOnError });
  if (stream !== null) reader.readFrom(stream);
  return reader;
}

async function all(reader: ChunkReader): Promise<ModelResponse[]> {
  const out: ModelResponse[] = [];
  for await (const chunk of reader) out.push(chunk);
  return out;
}

describe('ChunkReader', () => {
  test('serves every token of one read from its queue, reading nothing more', async () => {
    const { stream, state } = body(['data: a\n\ndata: b\n\ndata: c\n\n', 'data: [DONE]\n\n']);
    const reader = readerOf(stream);
    expect(state.reads).toBe(0); // nothing is read before the consumer asks
    const first = await reader.next();
    expect([first.value?.data, state.reads]).toEqual(['a', 1]);
    expect((await reader.next()).value?.data).toBe('b');
    expect((await reader.next()).value?.data).toBe('c');
    expect(state.reads).toBe(1);
    expect(await reader.next()).toEqual({ done: true, value: undefined });
    expect(reader.status).toBe('SUCCESS');
  });

  test('concurrent next() calls get the tokens in order', async () => {
    const { stream } = body(['data: a\n\n', 'data: b\n\n', 'data: [DONE]\n\n']);
    const reader = readerOf(stream);
    const results = await Promise.all([reader.next(), reader.next(), reader.next()]);
    expect(results.map((r) => r.value?.data ?? 'end')).toEqual(['a', 'b', 'end']);
  });

  test('nothing after [DONE] or a failure in the same read counts', async () => {
    const done = await all(readerOf(body(['data: a\n\ndata: [DONE]\n\ndata: late\n\n']).stream));
    expect(done.map((c) => c.data)).toEqual(['a']);
    const failed = await all(
      readerOf(body(['data: a\n\nevent: error\ndata: boom\n\ndata: late\n\n']).stream),
    );
    expect(failed.map((c) => [c.status, c.data, c.errorMessage])).toEqual([
      ['IN_PROGRESS', 'a', ''],
      ['FAILED', '', 'boom'],
    ]);
  });

  test('settle() and answer() end a reader without a body', async () => {
    const success = readerOf(null);
    success.answer('{"completed":true,"status":"SUCCESS","data":"whole answer"}');
    expect((await all(success)).map((c) => c.data)).toEqual(['whole answer']);
    expect(success.status).toBe('SUCCESS');

    const done = readerOf(null);
    done.settle(DONE);
    expect([await all(done), done.status]).toEqual([[], 'SUCCESS']);

    const failure = readerOf(null);
    failure.settle(new StreamError('no'));
    const chunks = await all(failure);
    expect(chunks.map((c) => [c.status, c.completed, c.errorMessage])).toEqual([
      ['FAILED', true, 'no'],
    ]);
    expect(failure.status).toBe('FAILED');

    const thrown = readerOf(null, true);
    thrown.settle(new StreamError('thrown'));
    await expect(all(thrown)).rejects.toThrow('thrown');
    expect(thrown.status).toBe('FAILED');
  });

  test('a body given once the scope has stopped is cancelled at once, and never read', async () => {
    const scope = new Scope(undefined, systemClock);
    const reader = new ChunkReader(scope, {});
    scope.stop(new AbortError('gone'));
    const cancel = vi.fn();
    const pull = vi.fn();
    reader.readFrom(new ReadableStream<Uint8Array>({ pull, cancel }, { highWaterMark: 0 }));
    expect(cancel).toHaveBeenCalledWith(expect.objectContaining({ message: 'gone' }));
    await expect(reader.next()).rejects.toThrow('gone');
    expect(pull).not.toHaveBeenCalled();
  });

  test('return() aborts the scope and cancels the body; the status stays IN_PROGRESS', async () => {
    const cancel = vi.fn();
    const stream = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(encoder.encode('data: x\n\n')),
      cancel,
    });
    const reader = readerOf(stream);
    await reader.next();
    await reader.return();
    expect(cancel).toHaveBeenCalledOnce();
    expect(reader.status).toBe('IN_PROGRESS');
    expect(await reader.next()).toEqual({ done: true, value: undefined });
  });
});
