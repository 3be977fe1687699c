/**
 * The `aixplain-llm` command: `main(argv, io)` parses the command line, runs the command and
 * resolves with the exit status. It never touches `process` (src/cli/index.ts does), so tests
 * call it with fake streams, their own environment, a fake `fetch` and an abort signal.
 *
 * Exit status: 0 on SUCCESS, 1 on FAILED (the message on stderr), 2 on bad usage (one line, no
 * stack trace), 130 when interrupted (the signal aborted, i.e. Ctrl-C).
 */
import { AbortError, ValidationError } from '../errors.js';
import { DEFAULTS } from '../options.js';
import { VERSION } from '../version.js';
import {
  type Command,
  DEFAULT_MOCK_PORT,
  DEFAULT_MODEL_ID,
  parseCommand,
  UsageError,
} from './args.js';
import { type StartMock, startMock } from './client.js';
import { type Context, mockCommand, pollCommand, runCommand } from './commands.js';
import { demoCommand } from './demo.js';
import type { InputStream } from './input.js';
import { type OutputStream, Terminal } from './output.js';

/** What main() may use of the outside world. */
export interface CliIO {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Where `run -`, or `run` without TEXT when it is not a terminal, reads the input. @default none: TEXT is required */
  stdin?: InputStream;
  /** The environment (AIXPLAIN_API_KEY, TEAM_API_KEY, AIXPLAIN_BASE_URL, AIXPLAIN_MODEL_ID, NO_COLOR). */
  env: Record<string, string | undefined>;
  /** The fetch every request goes through. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** Aborts the command (Ctrl-C): runs stop, the mock is stopped, and main() resolves 130. */
  signal?: AbortSignal;
  /** Starts the mock of `--mock`, `mock` and `demo`. @default startMock of aixplain-llm/testing */
  startMock?: StartMock;
}

/** The exit status when the signal aborted the command (128 + SIGINT). */
export const EXIT_INTERRUPTED = 130;

/** Runs the command line `argv` (without `node` and the script) and resolves with its exit status. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const terminal = new Terminal(io, io.env);
  const ctx: Context = {
    terminal,
    env: io.env,
    fetch: io.fetch,
    signal: io.signal,
    startMock: io.startMock ?? startMock,
    stdin: io.stdin,
  };
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    terminal.error(`${(error as Error).message} (see aixplain-llm --help)`);
    return 2;
  }
  try {
    switch (command.command) {
      case 'help':
        terminal.out(HELP);
        return 0;
      case 'version':
        terminal.out(`${VERSION}\n`);
        return 0;
      case 'run':
        return await runCommand(command, ctx);
      case 'poll':
        return await pollCommand(command, ctx);
      case 'mock':
        return await mockCommand(command, ctx);
      case 'demo':
        return await demoCommand(ctx);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof ValidationError) {
      terminal.error(error.message);
      return 2;
    }
    if (error instanceof AbortError || io.signal?.aborted) {
      terminal.error('interrupted');
      return EXIT_INTERRUPTED;
    }
    terminal.error(error instanceof Error ? error.message : String(error));
    return 1;
  }
}

const HELP = `Usage: aixplain-llm <command> [options]

Run a hosted large language model over the aiXplain model API.

Commands:
  run [options] TEXT      run the model on TEXT and print its answer; TEXT - reads it from
                          stdin, as does no TEXT when stdin is not a terminal
  poll [--json] URL       poll an asynchronous run until it finishes
  mock [--port N]         serve a mock of the API (Stoplight Prism) until Ctrl-C
  demo                    a run, an asynchronous run and a stream against the mock

Options of run:
  -m, --model ID          the model (default: $AIXPLAIN_MODEL_ID, else ${DEFAULT_MODEL_ID}, GPT-4o mini)
  -s, --stream            print the tokens as they arrive
  -c, --context TEXT      the system context
      --prompt TEXT       a prompt template, sent as the body's prompt
  -t, --temperature N     the sampling temperature, 0 to 2 (default ${DEFAULTS.temperature})
      --max-tokens N      the most tokens to generate (default ${DEFAULTS.maxTokens})
      --top-p N           nucleus sampling, above 0 and at most 1 (default ${DEFAULTS.topP})
      --timeout-ms MS     the deadline of the whole run, polling included, in milliseconds
                          (default ${DEFAULTS.timeoutMs}, 5 minutes)
  -H, --header K=V        an extra request header; repeat for several (not x-api-key)
      --json              print the whole response as JSON (with --stream: one line per
                          chunk, then one line with the final status)
      --mock              run against a local mock of the API (needs @stoplight/prism-cli)

Options of mock:
  -p, --port N            the port to listen on (default ${DEFAULT_MOCK_PORT})

  -h, --help              show this help
  -v, --version           print the version

Environment:
  AIXPLAIN_API_KEY        the API key (else TEAM_API_KEY)
  AIXPLAIN_BASE_URL       the service (default https://models.aixplain.com)
  AIXPLAIN_MODEL_ID       the default model of run
  NO_COLOR                no colour

Exit status: 0 on SUCCESS, 1 on FAILED, 2 on bad usage, 130 when interrupted.
`;
