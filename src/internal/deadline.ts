/**
 * A signal for one request phase that aborts when the caller's does (with AbortError) or at
 * `deadline` (with TimeoutError), so that the transport can tell the two apart. `dispose`
 * clears the timer and the listener.
 */
import { AbortError, TimeoutError } from '../errors.js';
import { systemClock } from './time.js';

export function deadlineScope(outer: AbortSignal | undefined, deadline: number, message: string) {
  const controller = new AbortController();
  // Built only when the deadline passes: a run that ends in time pays for no stack trace.
  let timeoutError: TimeoutError | undefined;
  const onAbort = () =>
    controller.abort(new AbortError('The run was aborted.', { cause: outer?.reason }));
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  const cancel = systemClock.after(deadline - systemClock.now(), () => {
    timeoutError = new TimeoutError(message);
    controller.abort(timeoutError);
  });
  return {
    signal: controller.signal,
    /** The TimeoutError of the deadline, once it has passed. */
    timeoutError: () => timeoutError,
    dispose() {
      cancel();
      outer?.removeEventListener('abort', onAbort);
    },
  };
}
