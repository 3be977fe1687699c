import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { AbortError } from '../src/errors.js';
import { after as callAfter, MAX_TIMER_MS, sleep } from '../src/internal/time.js';
import { LLM } from '../src/llm.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('after (callAfter)', () => {
  test.each([0, 1, 1000, MAX_TIMER_MS, MAX_TIMER_MS + 1, 2 ** 31, 3 * MAX_TIMER_MS + 5])(
    'calls back after %d ms, not before',
    async (ms) => {
      const fn = vi.fn();
      callAfter(ms, fn);
      if (ms > 0) {
        await vi.advanceTimersByTimeAsync(ms - 1);
        expect(fn).not.toHaveBeenCalled();
      }
      await vi.advanceTimersByTimeAsync(1);
      expect(fn).toHaveBeenCalledOnce();
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  test('cancelling a chained timer clears the timer of its current link', async () => {
    const fn = vi.fn();
    const cancel = callAfter(2 ** 32, fn);
    await vi.advanceTimersByTimeAsync(MAX_TIMER_MS + 10);
    expect(vi.getTimerCount()).toBe(1);
    cancel();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(2 ** 32);
    expect(fn).not.toHaveBeenCalled();
  });

  test('a negative delay runs at once', async () => {
    const fn = vi.fn();
    callAfter(-5, fn);
    await vi.advanceTimersByTimeAsync(0);
    expect(fn).toHaveBeenCalledOnce();
  });
});

describe('sleep', () => {
  test('waits longer than one timer can', async () => {
    let done = false;
    void sleep(2 ** 31).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(2 ** 31 - 1);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
  });

  test('an abort ends the wait with AbortError and frees the timer and the listener', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const waiting = sleep(10_000, controller.signal);
    controller.abort('stop');
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).cause).toBe('stop');
    expect(vi.getTimerCount()).toBe(0);
    expect(remove).not.toHaveBeenCalled(); // a once listener that ran is gone already
  });

  test('a wait that ends removes its abort listener', async () => {
    const controller = new AbortController();
    const remove = vi.spyOn(controller.signal, 'removeEventListener');
    const waiting = sleep(10, controller.signal);
    await vi.advanceTimersByTimeAsync(10);
    await waiting;
    expect(remove).toHaveBeenCalledWith('abort', expect.any(Function));
  });
});

describe('a deadline of 2^31 ms or more', () => {
  test.each([2 ** 31, 2 ** 40])(
    'run() with timeoutMs %d waits for the answer',
    async (timeoutMs) => {
      // Answers after 5 ms unless the request is aborted first, as a real fetch does.
      const fetch = vi.fn(
        (_url: RequestInfo | URL, init?: RequestInit) =>
          new Promise<Response>((resolve, reject) => {
            const answer = Response.json({
              completed: true,
              status: 'SUCCESS',
              data: 'late but fine',
            });
            const timer = setTimeout(() => resolve(answer), 5);
            init?.signal?.addEventListener('abort', () => {
              clearTimeout(timer);
              reject(init?.signal?.reason);
            });
          }),
      );
      const llm = new LLM({ id: 'model', apiKey: 'key', baseUrl: 'http://127.0.0.1:9', fetch });
      const running = llm.run('x', { timeoutMs });
      await vi.advanceTimersByTimeAsync(5);
      const res = await running;
      expect([res.status, res.data, res.errorMessage]).toEqual(['SUCCESS', 'late but fine', '']);
      expect(vi.getTimerCount()).toBe(0);
    },
  );
});
