/**
 * The package's log: a level (`off`, `error`, `warn`, `info`, `debug`) and a logger of the
 * console's or pino's shape (`error`, `warn`, `info` and `debug` methods taking a message).
 * `info` writes one line per request and per retry; `debug` adds headers and bodies. The key
 * never reaches a line: `x-api-key` is written as `***` and the key is scrubbed from bodies.
 */

/**
 * How much the package logs, from nothing (`off`) to every header and body (`debug`).
 *
 * @example
 * const llm = new LLM({ id: '669a63646eb56306647e1091', logLevel: 'debug' }); // or AIXPLAIN_LOG=debug
 */
export type LogLevel = 'off' | 'error' | 'warn' | 'info' | 'debug';

/**
 * Anything with the console's (or pino's) four methods: `console`, a pino logger, a test double.
 *
 * @example
 * const lines: string[] = [];
 * const logger: Logger = { error: (m) => lines.push(m), warn: (m) => lines.push(m), info: (m) => lines.push(m), debug: () => {} };
 * const llm = new LLM({ id: '669a63646eb56306647e1091', logLevel: 'info', logger });
 */
export interface Logger {
  /** Writes a line about a failure. */
  error(message: string): void;
  /** Writes a line about something that is likely a mistake. */
  warn(message: string): void;
  /** Writes a line per request and per retry. */
  info(message: string): void;
  /** Writes the headers and bodies of every request and answer. */
  debug(message: string): void;
}

/** The levels, least verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = ['off', 'error', 'warn', 'info', 'debug'];

/** The package's log, with the level already applied: a method of a muted level does nothing. */
export interface Log {
  /** Whether `level` is written (to skip building a costly line). */
  enabled(level: Exclude<LogLevel, 'off'>): boolean;
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

const noop = () => {};

/**
 * A log that writes what `level` allows to `logger`, each line prefixed with the package name
 * and with `secret` scrubbed.
 */
export function createLog(level: LogLevel, logger: Logger, secret: string): Log {
  const rank = LOG_LEVELS.indexOf(level);
  const enabled = (name: LogLevel) => LOG_LEVELS.indexOf(name) <= rank;
  const at = (name: Exclude<LogLevel, 'off'>) =>
    enabled(name)
      ? (message: string) => logger[name](`aixplain-llm: ${scrubSecret(message, secret)}`)
      : noop;
  return { enabled, error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

/**
 * The shortest key that is scrubbed from text. A shorter one cannot be told from ordinary text
 * (scrubbing the key `k` would turn "Invalid API key" into "Invalid API [redacted]ey"), and no
 * real API key is that short.
 */
export const MIN_SCRUBBED_KEY_LENGTH = 8;

/** `text` with every occurrence of `secret` replaced by `[redacted]`, when `secret` is long enough. */
export function scrubSecret(text: string, secret: string): string {
  return secret.length < MIN_SCRUBBED_KEY_LENGTH ? text : text.split(secret).join('[redacted]');
}

/** The headers as one line, `x-api-key` as `***`. */
export function headersLine(headers: Headers): string {
  const parts: string[] = [];
  headers.forEach((value, name) => {
    parts.push(`${name}: ${name === 'x-api-key' ? '***' : value}`);
  });
  return parts.join(', ');
}
