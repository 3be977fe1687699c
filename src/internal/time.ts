/**
 * The one place that reads the clock and waits, so that polling, retries and stream timeouts
 * can be tested with fake timers (vi.useFakeTimers() drives both functions below).
 */
import { AbortError } from '../errors.js';

/** Reads the time and waits; injectable for tests. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds; rejects with `AbortError` as soon as `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` once after `ms` milliseconds; the returned function cancels it (cheaply). */
  after(ms: number, fn: () => void): () => void;
}

/** The error an aborted `signal` stands for: its own reason when that is an LLMError-free abort. */
export function abortErrorOf(signal: AbortSignal): AbortError {
  return new AbortError('The operation was aborted.', { cause: signal.reason });
}

/** Waits `ms` milliseconds (at least 0); an abort ends the wait at once and removes its listener. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortErrorOf(signal));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortErrorOf(signal as AbortSignal));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Calls `fn` after `ms` milliseconds unless the returned function is called first. */
export function after(ms: number, fn: () => void): () => void {
  const timer = setTimeout(fn, Math.max(0, ms));
  return () => clearTimeout(timer);
}

/** The real clock: `Date.now()` and `setTimeout`. */
export const systemClock: Clock = { now: () => Date.now(), sleep, after };
