/**
 * A signal for one request phase that aborts when the caller's does (with AbortError) or at
 * `deadline` (with TimeoutError), so that the transport can tell the two apart. `dispose`
 * clears the timer and the listener.
 */
import { AbortError, TimeoutError } from '../errors.js';
import { systemClock } from './time.js';

export function deadlineScope(outer: AbortSignal | undefined, deadline: number, message: string) {
  const controller = new AbortController();
  const timer = new AbortController();
  const timeoutError = new TimeoutError(message);
  let timedOut = false;
  const onAbort = () =>
    controller.abort(new AbortError('The run was aborted.', { cause: outer?.reason }));
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  systemClock.sleep(deadline - systemClock.now(), timer.signal).then(
    () => {
      timedOut = true;
      controller.abort(timeoutError);
    },
    () => {},
  );
  return {
    signal: controller.signal,
    timeoutError,
    timedOut: () => timedOut,
    dispose() {
      timer.abort();
      outer?.removeEventListener('abort', onAbort);
    },
  };
}
