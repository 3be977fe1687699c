/**
 * The one place that reads the clock and waits, so that polling, retries and stream timeouts
 * can be tested with fake timers (vi.useFakeTimers() drives both functions below).
 */
import { abortErrorOf, linkAbort } from './scope.js';

/** Reads the time and waits; injectable for tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects with `AbortError` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms` milliseconds; the returned function cancels it (cheaply). */
  after(ms: number, fn: () => void): () => void;
}

/**
 * The longest delay `setTimeout` keeps (2^31 - 1 ms, about 24.8 days): Node, browsers and Deno
 * fire a longer one after 1 ms (Node with a TimeoutOverflowWarning), so longer waits are chained.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Calls `fn` after `ms` milliseconds (at least 0) unless the returned function is called first.
 * A delay longer than `MAX_TIMER_MS` runs as a chain of timers, each at most that long.
 */
export function after(ms: number, fn: () => void): () => void {
  if (ms <= MAX_TIMER_MS) {
    const timer = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(timer);
  }
  let cancel = after(MAX_TIMER_MS, () => {
    cancel = after(ms - MAX_TIMER_MS, fn);
  });
  return () => cancel();
}

/** Waits `ms` milliseconds (at least 0); an abort ends the wait at once and removes its listener. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const cancel = after(ms, () => {
      unlink();
      resolve();
    });
    // Calls back at once, clearing the timer just set, when `signal` has already aborted.
    const unlink = linkAbort(signal, () => {
      cancel();
      reject(abortErrorOf(signal as AbortSignal));
    });
  });
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = { now: () => Date.now(), sleep, after };
