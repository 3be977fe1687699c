import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { AbortError, TimeoutError } from '../src/errors.js';
import { linkAbort, Scope } from '../src/internal/scope.js';
import { systemClock } from '../src/internal/time.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('linkAbort', () => {
  test('calls back once on abort, and the unlink removes the listener', () => {
    const controller = new AbortController();
    const onAbort = vi.fn();
    const unlink = linkAbort(controller.signal, onAbort);
    controller.abort();
    controller.abort();
    expect(onAbort).toHaveBeenCalledOnce();
    unlink();
    const other = new AbortController();
    const never = vi.fn();
    linkAbort(other.signal, never)();
    other.abort();
    expect(never).not.toHaveBeenCalled();
  });

  test('calls back at once for a signal already aborted, and not at all without one', () => {
    const onAbort = vi.fn();
    linkAbort(AbortSignal.abort(), onAbort);
    expect(onAbort).toHaveBeenCalledOnce();
    expect(linkAbort(undefined, onAbort)).toBeTypeOf('function');
    expect(onAbort).toHaveBeenCalledOnce();
  });
});

describe('Scope', () => {
  test("throws the caller's AbortError at once for a signal already aborted", () => {
    const reason = new Error('mine');
    const make = () => new Scope(AbortSignal.abort(reason), systemClock);
    expect(make).toThrow(AbortError);
    expect(make).toThrow('The request was aborted.');
    try {
      make();
    } catch (error) {
      expect((error as AbortError).cause).toBe(reason);
    }
  });

  test("the caller's abort aborts the scope with an AbortError caused by its reason", () => {
    const caller = new AbortController();
    const scope = new Scope(caller.signal, systemClock);
    caller.abort('user left');
    expect(scope.reason).toBeInstanceOf(AbortError);
    expect(scope.reason?.cause).toBe('user left');
  });

  test('a timer aborts the scope with the error it names, built only then', async () => {
    const scope = new Scope(undefined, systemClock);
    const make = vi.fn((ms: number) => new TimeoutError(`late after ${ms} ms`));
    scope.arm('deadline', 100, make);
    await vi.advanceTimersByTimeAsync(99);
    expect([scope.signal.aborted, make.mock.calls.length]).toEqual([false, 0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(scope.reason?.message).toBe('late after 100 ms');
    expect(vi.getTimerCount()).toBe(0);
  });

  test('re-arming restarts a timer; disarm and stop clear timers and unlink the caller', async () => {
    const caller = new AbortController();
    const remove = vi.spyOn(caller.signal, 'removeEventListener');
    const scope = new Scope(caller.signal, systemClock);
    const make = () => new TimeoutError('idle');
    scope.arm('idle', 100, make);
    await vi.advanceTimersByTimeAsync(60);
    scope.arm('idle', 100, make);
    await vi.advanceTimersByTimeAsync(60);
    expect(scope.signal.aborted).toBe(false);
    scope.disarm('idle');
    scope.arm('other', 10, make);
    scope.stop();
    expect(vi.getTimerCount()).toBe(0);
    expect(remove).toHaveBeenCalledOnce();
    caller.abort();
    expect(scope.signal.aborted).toBe(false);
  });

  test('stop with a reason aborts once; nothing is armed after', () => {
    const scope = new Scope(undefined, systemClock);
    const first = new AbortError('first');
    scope.stop(first);
    scope.stop(new AbortError('second'));
    expect(scope.reason).toBe(first);
    scope.arm('late', 10, () => new TimeoutError('late'));
    expect(vi.getTimerCount()).toBe(0);
  });
});
