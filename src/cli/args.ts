/**
 * The command line's grammar: which commands exist, which flags each takes, and the one error a
 * bad command line gives (`UsageError`, exit status 2, one line, no stack trace).
 *
 * Parsing uses `node:util`'s `parseArgs` (built in since Node 18.3), so the package keeps `zod`
 * as its only runtime dependency. `strict: true` makes an unknown flag or a flag without its value
 * an error instead of a silent positional.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A bad command line: main() prints the message on one line and exits with status 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** GPT-4o mini on aiXplain: the model `run` uses without `--model` or `AIXPLAIN_MODEL_ID`. */
export const DEFAULT_MODEL_ID = '669a63646eb56306647e1091';

/** The port of `aixplain-llm mock` (and `npm run mock`), Prism's own default. */
export const DEFAULT_MOCK_PORT = 4010;

export interface RunArgs {
  command: 'run';
  /**
   * The input: the words of TEXT joined by spaces, or `undefined` when it comes from stdin
   * (TEXT is `-`, or absent: the command then reads stdin unless it is a terminal).
   */
  text: string | undefined;
  /** TEXT was `-`: read stdin even when it is a terminal (until end of file, as `cat -` does). */
  stdin: boolean;
  model: string | undefined;
  stream: boolean;
  context: string | undefined;
  prompt: string | undefined;
  temperature: number | undefined;
  maxTokens: number | undefined;
  topP: number | undefined;
  /** `--timeout-ms`: the deadline of the whole run, in milliseconds (the facade's `timeoutMs`). */
  timeoutMs: number | undefined;
  /** `--header K=V`, repeatable; names lower-cased, so the last of a name wins. */
  headers: Record<string, string>;
  json: boolean;
  mock: boolean;
}

export interface PollArgs {
  command: 'poll';
  url: string;
  json: boolean;
}

export type Command =
  | { command: 'help' }
  | { command: 'version' }
  | RunArgs
  | PollArgs
  | { command: 'mock'; port: number }
  | { command: 'demo' };

const COMMON = {
  help: { type: 'boolean', short: 'h' },
} as const;

const RUN_OPTIONS = {
  ...COMMON,
  model: { type: 'string', short: 'm' },
  stream: { type: 'boolean', short: 's' },
  context: { type: 'string', short: 'c' },
  prompt: { type: 'string' },
  temperature: { type: 'string', short: 't' },
  'max-tokens': { type: 'string' },
  'top-p': { type: 'string' },
  'timeout-ms': { type: 'string' },
  header: { type: 'string', short: 'H', multiple: true },
  json: { type: 'boolean' },
  mock: { type: 'boolean' },
} as const;

const POLL_OPTIONS = { ...COMMON, json: { type: 'boolean' } } as const;
const MOCK_OPTIONS = { ...COMMON, port: { type: 'string', short: 'p' } } as const;

/** Parses `argv` (without `node` and the script); throws `UsageError` on a bad command line. */
export function parseCommand(argv: readonly string[]): Command {
  const [first, ...rest] = argv;
  switch (first) {
    case undefined:
      throw new UsageError('missing command (run, poll, mock or demo)');
    case '-h':
    case '--help':
    case 'help':
      return { command: 'help' };
    case '-v':
    case '--version':
      return { command: 'version' };
    case 'run':
      return parseRun(rest);
    case 'poll':
      return parsePoll(rest);
    case 'mock':
      return parseMock(rest);
    case 'demo': {
      const { values } = parse(rest, COMMON, false);
      return values.help ? { command: 'help' } : { command: 'demo' };
    }
    default:
      throw new UsageError(
        first.startsWith('-') ? `unknown option '${first}'` : `unknown command '${first}'`,
      );
  }
}

function parseRun(args: string[]): RunArgs | { command: 'help' } {
  const { values, positionals } = parse(args, RUN_OPTIONS, true);
  if (values.help) return { command: 'help' };
  // Several words are one prompt, as `echo` joins them: `run Hello world` runs "Hello world".
  // No words, or `-` alone, means the input comes from stdin (read by the command).
  const fromStdin = positionals.length === 1 && positionals[0] === '-';
  const text = positionals.length === 0 || fromStdin ? undefined : positionals.join(' ');
  if (text !== undefined && text.trim() === '') throw new UsageError(MISSING_TEXT);
  return {
    command: 'run',
    text,
    stdin: fromStdin,
    model: nonEmpty(values.model, '--model'),
    stream: values.stream ?? false,
    context: values.context,
    prompt: values.prompt,
    temperature: numberOf(values.temperature, '--temperature'),
    // Only parsed here: the LLM checks the range against the spec, like every run option.
    maxTokens: numberOf(values['max-tokens'], '--max-tokens'),
    topP: numberOf(values['top-p'], '--top-p'),
    timeoutMs: integerOf(values['timeout-ms'], '--timeout-ms', 1),
    headers: headersOf(values.header ?? []),
    json: values.json ?? false,
    mock: values.mock ?? false,
  };
}

/** The message of a run without input. */
export const MISSING_TEXT =
  'missing TEXT: aixplain-llm run [options] TEXT (or - to read it from stdin)';

// RFC 9110's token: the characters a header name may have.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * `--header K=V` pairs as a record. The key goes in the environment, not on a command line that
 * shell history and `ps` show, so `x-api-key` is refused; so are names and values that `fetch`
 * would reject (with a TypeError, after the mock had started).
 */
function headersOf(pairs: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    const name = (at === -1 ? pair : pair.slice(0, at)).trim().toLowerCase();
    const value = at === -1 ? undefined : pair.slice(at + 1).trim();
    // Only a valid name is echoed: the rest may be a credential.
    if (value === undefined) throw new UsageError("--header must be NAME=VALUE, with an '='");
    if (!HEADER_NAME.test(name)) {
      throw new UsageError("--header NAME may have only letters, digits and !#$%&'*+-.^_`|~");
    }
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(`--header ${name} must be one line`);
    }
    if (name === 'x-api-key') {
      throw new UsageError('--header x-api-key is refused: set AIXPLAIN_API_KEY instead');
    }
    headers[name] = value;
  }
  return headers;
}

function parsePoll(args: string[]): PollArgs | { command: 'help' } {
  const { values, positionals } = parse(args, POLL_OPTIONS, true);
  if (values.help) return { command: 'help' };
  const [url, ...extra] = positionals;
  if (url === undefined) throw new UsageError('missing URL: aixplain-llm poll URL');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  if (!URL.canParse(url)) throw new UsageError(`URL must be an absolute URL, got '${url}'`);
  return { command: 'poll', url, json: values.json ?? false };
}

function parseMock(args: string[]): { command: 'mock'; port: number } | { command: 'help' } {
  const { values } = parse(args, MOCK_OPTIONS, false);
  if (values.help) return { command: 'help' };
  return {
    command: 'mock',
    port: integerOf(values.port, '--port', 1, 65_535) ?? DEFAULT_MOCK_PORT,
  };
}

/** `parseArgs` in strict mode, its errors turned into one-line `UsageError`s. */
function parse<O extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: O,
  allowPositionals: boolean,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
  } catch (error) {
    throw new UsageError(usageMessageOf(error));
  }
}

/** Node's messages are long and several sentences; keep the part a user needs. */
function usageMessageOf(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  const text = message ?? String(error);
  const quoted = /'([^']+)'/.exec(text)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${quoted ?? text}'`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument '${quoted ?? text}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      // "Option '-m, --model <value>' argument missing": name the long form.
      return `option '${/--[\w-]+/.exec(quoted ?? text)?.[0] ?? quoted}' needs a value`;
    default:
      return text.split('\n')[0] ?? text;
  }
}

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value !== undefined && value.trim() === '') throw new UsageError(`${flag} must not be empty`);
  return value;
}

function numberOf(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`${flag} must be a number, got '${value}'`);
  }
  return n;
}

function integerOf(
  value: string | undefined,
  flag: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  const n = numberOf(value, flag);
  if (n !== undefined && (!Number.isInteger(n) || n < min || n > max)) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new UsageError(`${flag} must be an integer ${range}, got '${value}'`);
  }
  return n;
}
