/**
 * The poll loop of `syncPoll`: the
 * growing pause, the server's hint, a strict deadline and the caller's abort. One GET (and its
 * retries) is the caller's `pollOnce`; this module only decides when to call it and when to stop.
 *
 * Hand-written: it avoids the reference SDK's quirks (a soft 60 s cap, a late deadline, the poll URL
 * lost on timeout, a tight loop on `completed: null`, no server hint, no cancel), which no library models.
 */
import { AbortError, PollTimeoutError } from './errors.js';
import { abortErrorOf, Scope, untilAborted } from './internal/scope.js';
import { type Clock, systemClock } from './internal/time.js';
import { ModelResponse, ResponseStatus } from './response.js';

/** The `errorMessage` of a poll that reached its deadline (the reference SDK's text). */
export const POLL_TIMEOUT_MESSAGE = 'No response from the service.';

const MIN_PAUSE_MS = 200;
const MAX_PAUSE_MS = 60_000;
const PAUSE_GROWTH = 1.1;

/** One poll's mapped answer. */
export interface PollAnswer {
  /** The answer; anything but `IN_PROGRESS` ends the loop. */
  response: ModelResponse;
  /** The server's hint on this answer (`retry-after-ms` or `Retry-After`), in milliseconds. */
  retryAfterMs?: number;
}

/** Options of `pollUntilDone`. */
export interface PollLoopOptions {
  /** The poll URL, kept in the timed-out result so that the caller can resume. */
  url: string;
  /** Deadline of the loop, in milliseconds from `start`. */
  timeoutMs: number;
  /** First pause between polls, in milliseconds (at least 200 is used). */
  waitTimeMs: number;
  /** A label for the timeout error's message (the run's `name`). */
  name: string;
  /** Clock time, in milliseconds, the deadline counts from: the run's start. */
  start: number;
  /** Aborts the poll in flight or the pause; the call rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Reads the time and waits. @default systemClock */
  clock?: Clock;
  /** Called after every answer, finished or not (the CLI's progress line). */
  onPoll?: (info: { polls: number; elapsedMs: number; response: ModelResponse }) => void;
}

/**
 * Polls until an answer is finished (SUCCESS or FAILED) and resolves with it. The first poll is
 * immediate; the pause starts at `max(waitTimeMs, 200)` and grows x1.1 after every unfinished
 * answer, capped at 60 000; a server hint (itself capped at 60 000) replaces one pause while the
 * schedule grows on underneath.
 *
 * At `start + timeoutMs` the poll in flight is aborted (the signal given to `pollOnce`) and the
 * call resolves with a FAILED response holding `url` and a `PollTimeoutError`. A deadline already
 * past at the call gives that result without polling. The caller's `signal` rejects with
 * `AbortError` at once. A rejection of `pollOnce` (an `LLMError` such as a non-retryable HTTP
 * error) is rethrown as it is: the facade turns it into a FAILED response.
 */
export async function pollUntilDone(
  pollOnce: (signal: AbortSignal) => Promise<PollAnswer>,
  options: PollLoopOptions,
): Promise<ModelResponse> {
  const { url, timeoutMs, start, signal, onPoll, clock = systemClock } = options;
  const deadline = start + timeoutMs;

  // `scope` ends the poll or pause in flight, at the deadline or on the caller's abort.
  const scope = new Scope(signal, clock);
  scope.arm(
    'deadline',
    deadline - clock.now(),
    () => new PollTimeoutError(POLL_TIMEOUT_MESSAGE, url),
  );
  try {
    let pauseMs = Math.max(options.waitTimeMs, MIN_PAUSE_MS);
    // A deadline already past at the call gives the timed-out result without polling.
    for (let polls = 1; clock.now() < deadline; polls++) {
      const { response, retryAfterMs } = await untilAborted(pollOnce(scope.signal), scope.signal);
      onPoll?.({ polls, elapsedMs: clock.now() - start, response });
      if (response.status !== ResponseStatus.IN_PROGRESS) return response;
      const stepMs = Math.min(retryAfterMs ?? pauseMs, MAX_PAUSE_MS, deadline - clock.now());
      pauseMs = Math.min(pauseMs * PAUSE_GROWTH, MAX_PAUSE_MS);
      await clock.sleep(stepMs, scope.signal);
    }
  } catch (error) {
    if (signal?.aborted) throw error instanceof AbortError ? error : abortErrorOf(signal);
    // Only the scope's deadline abort falls through to the timed-out result.
    if (!scope.signal.aborted) throw error;
  } finally {
    scope.stop();
  }
  // The deadline passed: the reference SDK's text first, then what it leaves out: which run,
  // and how long.
  const message = `${POLL_TIMEOUT_MESSAGE} ${options.name}: no final answer from ${url} within ${timeoutMs} ms.`;
  return new ModelResponse({
    status: ResponseStatus.FAILED,
    completed: false,
    errorMessage: message,
    url,
    error: new PollTimeoutError(message, url),
  });
}
