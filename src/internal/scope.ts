/**
 * One abort-and-deadline scope for every request the package sends: a signal that aborts when
 * the caller's signal does (with `AbortError`) or when one of its timers fires (with the error
 * that timer names), so that the reader of the signal can tell the two apart. `linkAbort` is the
 * one place that listens to a caller's signal.
 */
import { AbortError, type LLMError } from '../errors.js';
import type { Clock } from './time.js';

/** Does nothing: the unlink of nothing, the catch of an ignored rejection. */
export const noop = () => {};

/**
 * Calls `onAbort` once when `signal` aborts, at once when it already has; the returned function
 * removes the listener (a no-op once it has run, or when there is no signal).
 */
export function linkAbort(signal: AbortSignal | undefined, onAbort: () => void): () => void {
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  return () => signal?.removeEventListener('abort', onAbort);
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise((resolve, reject) => {
    const unlink = linkAbort(signal, () => reject(signal.reason));
    promise.then(resolve, reject).finally(unlink);
  });
}

/**
 * The error a caller's abort stands for; the caller's reason is its `cause`. Its text is the
 * transport's for an abort during a request, so an abort reads the same whenever it came.
 */
export function abortErrorOf(signal: AbortSignal): AbortError {
  return new AbortError('The request was aborted.', { cause: signal.reason });
}

/**
 * A request's signal, aborted by the caller's `outer` signal or by a named timer. Timers are
 * plain clock timers (no AbortController, no error object until one fires), so re-arming one for
 * every token costs little. `stop()` clears the timers and unlinks the caller's signal; with a
 * reason it also aborts the signal, once.
 */
export class Scope {
  readonly #controller = new AbortController();
  readonly #clock: Clock;
  // A plain object, not a Map: a scope is made per request, and a Map costs more than the
  // request's own timers. The names are the package's own ('deadline', the timeout options).
  readonly #timers: Record<string, (() => void) | undefined> = {};
  readonly #unlink: () => void;

  /** Throws the caller's AbortError at once when `outer` has already aborted: nothing starts. */
  constructor(outer: AbortSignal | undefined, clock: Clock) {
    if (outer?.aborted) throw abortErrorOf(outer);
    this.#clock = clock;
    this.#unlink = linkAbort(outer, () => this.stop(abortErrorOf(outer as AbortSignal)));
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The error the scope was stopped with, once it has been. */
  get reason(): LLMError | undefined {
    // An AbortSignal's reason stays undefined until it aborts.
    return this.signal.reason as LLMError | undefined;
  }

  /**
   * Starts (or restarts) the timer `name`: after `ms`, the scope stops with `error(ms)`. Nothing
   * is armed once the scope has stopped.
   */
  arm(name: string, ms: number, error: (ms: number) => LLMError): void {
    if (this.signal.aborted) return;
    this.#timers[name]?.();
    this.#timers[name] = this.#clock.after(ms, () => this.stop(error(ms)));
  }

  /** Clears the timer `name`, if it runs. */
  disarm(name: string): void {
    this.#timers[name]?.();
    this.#timers[name] = undefined;
  }

  /** Clears every timer and unlinks the caller's signal; with a reason, aborts the signal. */
  stop(reason?: LLMError): void {
    for (const name of Object.keys(this.#timers)) this.disarm(name);
    this.#unlink();
    // A second abort() is a no-op: the first reason stays.
    if (reason !== undefined) this.#controller.abort(reason);
  }
}
