/**
 * The input of `run` when it comes from stdin: `aixplain-llm run -`, or `run` without TEXT when
 * stdin is a pipe or a file (`git diff | aixplain-llm run --context "Review this"`).
 */
import { AbortError } from '../errors.js';

/** A readable stdin: `process.stdin` fits, and so does any async iterable of bytes or text. */
export interface InputStream extends AsyncIterable<Uint8Array | string> {
  /** Whether it is a terminal: then `run` without TEXT does not wait for it. */
  isTTY?: boolean;
}

/**
 * Reads `stdin` to its end as UTF-8 and drops the line breaks at the end (the newline that
 * `echo` and editors add is not part of the prompt, as `$(...)` drops it in a shell). An abort
 * (Ctrl-C) stops the reading at once with an `AbortError`, even while no byte is coming.
 */
export async function readInput(stdin: InputStream, signal?: AbortSignal): Promise<string> {
  const decoder = new TextDecoder();
  const iterator = stdin[Symbol.asyncIterator]();
  const aborted = abortPromise(signal);
  let text = '';
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted.promise]);
      if (next.done) break;
      const chunk = next.value;
      text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    }
    text += decoder.decode();
  } finally {
    aborted.dispose();
    // Let go of the stream (process.stdin would otherwise keep the process alive after abort).
    void Promise.resolve(iterator.return?.()).catch(() => {});
  }
  return text.replace(/(?:\r?\n)+$/, '');
}

/** A promise that rejects with an `AbortError` when `signal` aborts, and its clean-up. */
function abortPromise(signal: AbortSignal | undefined): {
  promise: Promise<never>;
  dispose: () => void;
} {
  if (signal === undefined) return { promise: new Promise<never>(() => {}), dispose: () => {} };
  let onAbort = () => {};
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(new AbortError('Interrupted.', { cause: signal.reason }));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
