/**
 * What the command line writes, and how: results on stdout, messages and progress on stderr.
 *
 * - Colour only where it helps and is wanted: on a stream that is a terminal, and never when
 *   `NO_COLOR` is set to a non-empty value (https://no-color.org).
 * - The progress line (polls made, elapsed time) is redrawn in place with `\r`, so it is shown
 *   only when stderr is a terminal; in a pipe or a log it would be noise.
 * - Every write goes through `redact`: the facade already keeps the API key out of its messages,
 *   and this is the second lock on the door for anything the CLI prints itself.
 */

import { ResponseStatus } from '../response.js';

/** A stream the CLI writes to: `process.stdout` and `process.stderr` fit, and so do test fakes. */
export interface OutputStream {
  write(text: string): unknown;
  /** Whether it is a terminal (colour and the progress line depend on it). */
  isTTY?: boolean;
}

type Style = 'red' | 'green' | 'yellow' | 'dim' | 'bold';

const CODES: Record<Style, [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  dim: [2, 22],
  bold: [1, 22],
};

const CLEAR_LINE = '\r\x1b[2K';
/** Keys shorter than this are not real keys; redacting them would garble ordinary text. */
const MIN_SECRET_LENGTH = 8;

/** Writes to stdout and stderr with colour where allowed and the API key removed. */
export class Terminal {
  readonly #stdout: OutputStream;
  readonly #stderr: OutputStream;
  readonly #secrets: string[];
  /** Whether stdout / stderr get colour. */
  readonly colour: { out: boolean; err: boolean };
  /** Whether stderr is a terminal (the progress line needs one). */
  readonly stderrIsTTY: boolean;

  constructor(
    streams: { stdout: OutputStream; stderr: OutputStream },
    env: Record<string, string | undefined>,
  ) {
    this.#stdout = streams.stdout;
    this.#stderr = streams.stderr;
    this.#secrets = [];
    const noColor = (env.NO_COLOR ?? '') !== '';
    this.stderrIsTTY = streams.stderr.isTTY === true;
    this.colour = {
      out: !noColor && streams.stdout.isTTY === true,
      err: !noColor && this.stderrIsTTY,
    };
  }

  /** Never print `secret`, whatever the message (an API key). */
  addSecret(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= MIN_SECRET_LENGTH) this.#secrets.push(secret);
  }

  out(text: string): void {
    this.#stdout.write(this.#redact(text));
  }

  err(text: string): void {
    this.#stderr.write(this.#redact(text));
  }

  /** `text` in `style` when `stream` gets colour. */
  paint(stream: 'out' | 'err', style: Style, text: string): string {
    if (!this.colour[stream]) return text;
    const [open, close] = CODES[style];
    return `\x1b[${open}m${text}\x1b[${close}m`;
  }

  /** One line on stderr: `aixplain-llm: message`. */
  error(message: string): void {
    this.err(`${this.paint('err', 'red', 'aixplain-llm:')} ${oneLine(message)}\n`);
  }

  /** A status word, green for SUCCESS, red for FAILED, yellow otherwise. */
  status(stream: 'out' | 'err', status: string): string {
    const style =
      status === ResponseStatus.SUCCESS
        ? 'green'
        : status === ResponseStatus.FAILED
          ? 'red'
          : 'yellow';
    return this.paint(stream, style, status);
  }

  #redact(text: string): string {
    let safe = text;
    for (const secret of this.#secrets) safe = safe.split(secret).join('[redacted]');
    return safe;
  }
}

/** The first line of `text`, trimmed: usage and error messages are one line. */
export function oneLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

/** The polling progress line: counts polls and shows the time since `startedAt`. */
export interface Progress {
  /** Count one poll (redraws the line). */
  poll(): void;
  /** Polls counted so far. */
  readonly polls: number;
  /** Remove the line and stop the clock. Idempotent. */
  stop(): void;
}

const REDRAW_MS = 200;

/**
 * Starts a progress line on stderr that appears with the first poll and is redrawn every
 * 200 ms (the pause between polls grows, so the clock must move on its own). Counts polls even
 * when nothing is drawn (stderr not a terminal), for the demo's summary.
 */
export function startProgress(
  terminal: Terminal,
  now: () => number = Date.now,
  label = 'polling',
): Progress {
  const startedAt = now();
  let polls = 0;
  let drawn = false;
  let timer: ReturnType<typeof setInterval> | undefined;

  const draw = () => {
    const seconds = ((now() - startedAt) / 1000).toFixed(1);
    const text = `${label}: ${polls} ${polls === 1 ? 'poll' : 'polls'}, ${seconds} s`;
    terminal.err(`${CLEAR_LINE}${terminal.paint('err', 'dim', text)}`);
    drawn = true;
  };

  return {
    poll() {
      polls += 1;
      if (!terminal.stderrIsTTY) return;
      draw();
      if (timer === undefined) {
        timer = setInterval(draw, REDRAW_MS);
        timer.unref?.();
      }
    },
    get polls() {
      return polls;
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
      if (drawn) terminal.err(CLEAR_LINE);
      drawn = false;
    },
  };
}
