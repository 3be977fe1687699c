import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { AbortError, NotFoundError, PollTimeoutError } from '../src/errors.js';
import {
  POLL_TIMEOUT_MESSAGE,
  type PollAnswer,
  type PollLoopOptions,
  pollUntilDone,
} from '../src/polling.js';
import { ModelResponse } from '../src/response.js';

const URL = 'https://models.aixplain.com/api/v1/data/run-1';
const T0 = Date.UTC(2025, 0, 1);

const unfinished = (retryAfterMs?: number): PollAnswer => ({
  response: new ModelResponse({ status: 'IN_PROGRESS', completed: false, url: URL }),
  ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
});
const finished = (status: 'SUCCESS' | 'FAILED' = 'SUCCESS'): PollAnswer => ({
  response: new ModelResponse({ status, completed: true, data: 'done' }),
});

/**
 * A `pollOnce` that gives `answers` in turn (`'hang'`: never settles, whatever its signal does;
 * past the end: unfinished), recording the time (ms since T0) and signal of every call.
 */
function scripted(...answers: Array<PollAnswer | 'hang'>) {
  const times: number[] = [];
  const signals: AbortSignal[] = [];
  const pollOnce = vi.fn((signal: AbortSignal): Promise<PollAnswer> => {
    times.push(Date.now() - T0);
    signals.push(signal);
    const answer = answers[times.length - 1] ?? unfinished();
    return answer === 'hang' ? new Promise(() => {}) : Promise.resolve(answer);
  });
  return { pollOnce, times, signals };
}

/** Pauses between consecutive polls, in ms. */
const gaps = (times: number[]) => times.slice(1).map((time, i) => time - (times[i] as number));

/** Starts the loop; `settled` resolves with its outcome and the time (ms since T0) it came. */
function start(
  pollOnce: (signal: AbortSignal) => Promise<PollAnswer>,
  options: Partial<PollLoopOptions> = {},
) {
  const promise = pollUntilDone(pollOnce, {
    url: URL,
    timeoutMs: 300_000,
    waitTimeMs: 500,
    name: 'model_process',
    start: Date.now(),
    ...options,
  });
  const settled = promise.then(
    (value) => ({ value, error: undefined, atMs: Date.now() - T0 }),
    (error: unknown) => ({ value: undefined, error, atMs: Date.now() - T0 }),
  );
  return { promise, settled };
}

function expectTimedOut(response: ModelResponse | undefined) {
  expect(response).toMatchObject({
    status: 'FAILED',
    completed: false,
    // The reference SDK's text first, then which run and how long.
    errorMessage: expect.stringMatching(
      new RegExp(
        `^${POLL_TIMEOUT_MESSAGE.replace('.', '\\.')} .+: no final answer from ${URL} within \\d+ ms\\.$`,
      ),
    ),
    url: URL,
  });
  // The same text whether the result is returned or thrown (throwOnError).
  expect(response?.error?.message).toBe(response?.errorMessage);
  expect(response?.error).toBeInstanceOf(PollTimeoutError);
  expect(response?.error).toHaveProperty('url', URL);
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('pollUntilDone', () => {
  test('polls at once, then pauses 500, 550, 605, 665.5 ms ... (x1.1)', async () => {
    const { pollOnce, times } = scripted(...Array(7).fill(unfinished()), finished());
    const { settled } = start(pollOnce);
    await vi.runAllTimersAsync();
    expect((await settled).value?.status).toBe('SUCCESS');
    expect(times[0]).toBe(0);
    // Fake timers fire on whole milliseconds, so each gap is within 1 ms of the schedule.
    const expected = [500, 550, 605, 665.5, 732.05, 805.255, 885.7805];
    expect(gaps(times)).toHaveLength(expected.length);
    gaps(times).forEach((gap, i) => {
      expect(Math.abs(gap - (expected[i] as number))).toBeLessThan(1);
    });
  });

  test.each([
    [0, [200, 220, 242]],
    [150, [200, 220, 242]],
    [200, [200, 220, 242]],
    [1000, [1000, 1100, 1210]],
  ])('starts the pause at max(waitTimeMs, 200): %i ms gives %o', async (waitTimeMs, expected) => {
    const { pollOnce, times } = scripted(unfinished(), unfinished(), unfinished(), finished());
    const { settled } = start(pollOnce, { waitTimeMs });
    await vi.runAllTimersAsync();
    await settled;
    expect(gaps(times)).toEqual(expected);
  });

  test('caps the pause at exactly 60 000 ms', async () => {
    const { pollOnce, times } = scripted(...Array(5).fill(unfinished()), finished());
    const { settled } = start(pollOnce, { waitTimeMs: 50_000, timeoutMs: 3_600_000 });
    await vi.runAllTimersAsync();
    await settled;
    expect(gaps(times)).toEqual([50_000, 55_000, 60_000, 60_000, 60_000]);
  });

  test('keeps the cap after a long run of unfinished answers', async () => {
    const { pollOnce, times } = scripted(...Array(70).fill(unfinished()), finished());
    const { settled } = start(pollOnce, { timeoutMs: 10_000_000 });
    await vi.runAllTimersAsync();
    await settled;
    expect(Math.max(...gaps(times))).toBe(60_000);
    expect(gaps(times).slice(-10)).toEqual(Array(10).fill(60_000));
  });

  test.each(['SUCCESS', 'FAILED'] as const)(
    'resolves with a %s answer as it is',
    async (status) => {
      const answer = finished(status);
      const { pollOnce } = scripted(unfinished(), answer);
      const { settled } = start(pollOnce);
      await vi.runAllTimersAsync();
      expect((await settled).value).toBe(answer.response);
      expect(pollOnce).toHaveBeenCalledTimes(2);
      expect(vi.getTimerCount()).toBe(0);
    },
  );

  test('waits a full pause after an unfinished answer: never a tight loop', async () => {
    const { pollOnce } = scripted();
    start(pollOnce);
    await vi.advanceTimersByTimeAsync(499);
    expect(pollOnce).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(pollOnce).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(549);
    expect(pollOnce).toHaveBeenCalledTimes(2);
  });

  test('lets a server hint replace one pause while the schedule grows underneath', async () => {
    const { pollOnce, times } = scripted(unfinished(3000), unfinished(), unfinished(), finished());
    const { settled } = start(pollOnce);
    await vi.runAllTimersAsync();
    await settled;
    expect(gaps(times)).toEqual([3000, 550, 605]);
  });

  test('caps a server hint at 60 000 ms', async () => {
    const { pollOnce, times } = scripted(unfinished(120_000), finished());
    const { settled } = start(pollOnce);
    await vi.runAllTimersAsync();
    await settled;
    expect(gaps(times)).toEqual([60_000]);
  });

  test('returns FAILED with the url at exactly the deadline, no pause running past it', async () => {
    const { pollOnce, times } = scripted();
    const { settled } = start(pollOnce, { timeoutMs: 2000 });
    await vi.runAllTimersAsync();
    const { value, atMs } = await settled;
    expectTimedOut(value);
    expect(atMs).toBe(2000);
    expect(times).toEqual([0, 500, 1050, 1655]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('names the run label and the url in the PollTimeoutError message', async () => {
    const { pollOnce } = scripted();
    const { settled } = start(pollOnce, { timeoutMs: 1000, name: 'summary' });
    await vi.runAllTimersAsync();
    expect((await settled).value?.error?.message).toBe(
      `No response from the service. summary: no final answer from ${URL} within 1000 ms.`,
    );
  });

  test('cuts a server hint that runs past the deadline', async () => {
    const { pollOnce } = scripted(unfinished(10_000));
    const { settled } = start(pollOnce, { timeoutMs: 2000 });
    await vi.runAllTimersAsync();
    const { value, atMs } = await settled;
    expectTimedOut(value);
    expect(atMs).toBe(2000);
    expect(pollOnce).toHaveBeenCalledTimes(1);
  });

  test('aborts the poll in flight when the deadline hits', async () => {
    const { pollOnce, signals } = scripted(unfinished(), 'hang');
    const { settled } = start(pollOnce, { timeoutMs: 1000 });
    await vi.advanceTimersByTimeAsync(999);
    expect(signals[1]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const { value, atMs } = await settled;
    expectTimedOut(value);
    expect(atMs).toBe(1000);
    expect(signals[1]?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('counts the deadline from `start`', async () => {
    const { pollOnce, times } = scripted();
    const { settled } = start(pollOnce, { timeoutMs: 2000, start: T0 - 1500 });
    await vi.runAllTimersAsync();
    const { value, atMs } = await settled;
    expectTimedOut(value);
    expect(times).toEqual([0]);
    expect(atMs).toBe(500);
  });

  test('returns the timed-out result without polling when the deadline has already passed', async () => {
    const { pollOnce } = scripted(finished());
    const { settled } = start(pollOnce, { timeoutMs: 1000, start: T0 - 5000 });
    const { value, atMs } = await settled;
    expectTimedOut(value);
    expect(atMs).toBe(0);
    expect(pollOnce).not.toHaveBeenCalled();
  });

  test('rejects with AbortError at once when the signal aborts during a pause', async () => {
    const controller = new AbortController();
    const { pollOnce } = scripted();
    const { settled } = start(pollOnce, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(200);
    controller.abort();
    const { error, atMs } = await settled;
    expect(error).toBeInstanceOf(AbortError);
    expect(atMs).toBe(200);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pollOnce).toHaveBeenCalledTimes(1);
  });

  test('rejects with AbortError at once when the signal aborts during a poll', async () => {
    const controller = new AbortController();
    const { pollOnce, signals } = scripted(unfinished(), 'hang');
    const { settled } = start(pollOnce, { signal: controller.signal });
    await vi.advanceTimersByTimeAsync(700);
    expect(signals[1]?.aborted).toBe(false);
    controller.abort();
    const { error, atMs } = await settled;
    expect(error).toBeInstanceOf(AbortError);
    expect(atMs).toBe(700);
    expect(signals[1]?.aborted).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(pollOnce).toHaveBeenCalledTimes(2);
  });

  test('rejects with AbortError without polling when the signal has already aborted', async () => {
    const { pollOnce } = scripted();
    const { settled } = start(pollOnce, { signal: AbortSignal.abort() });
    expect((await settled).error).toBeInstanceOf(AbortError);
    expect(pollOnce).not.toHaveBeenCalled();
  });

  test('removes its abort listener and timers when it ends', async () => {
    const signal = new AbortController().signal;
    const add = vi.spyOn(signal, 'addEventListener');
    const remove = vi.spyOn(signal, 'removeEventListener');
    const { pollOnce } = scripted(unfinished(), finished());
    const { settled } = start(pollOnce, { signal });
    await vi.runAllTimersAsync();
    await settled;
    expect(add).toHaveBeenCalledTimes(1);
    expect(remove).toHaveBeenCalledWith('abort', add.mock.calls[0]?.[1]);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('rethrows an error of pollOnce as it is', async () => {
    const notFound = NotFoundError.generate(404, { error: 'no such run' });
    const pollOnce = vi.fn(() => Promise.reject(notFound));
    const { settled } = start(pollOnce);
    expect((await settled).error).toBe(notFound);
    expect(vi.getTimerCount()).toBe(0);
  });

  test('reports every answer to onPoll with the poll count and elapsed time', async () => {
    const answers = [unfinished(), unfinished(), finished()];
    const { pollOnce } = scripted(...answers);
    const onPoll = vi.fn();
    const { settled } = start(pollOnce, { onPoll });
    await vi.runAllTimersAsync();
    await settled;
    expect(onPoll.mock.calls).toEqual([
      [{ polls: 1, elapsedMs: 0, response: answers[0]?.response }],
      [{ polls: 2, elapsedMs: 500, response: answers[1]?.response }],
      [{ polls: 3, elapsedMs: 1050, response: answers[2]?.response }],
    ]);
  });
});
