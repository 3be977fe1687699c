/**
 * The `run`, `poll` and `mock` commands. Each returns its exit status: 0 on SUCCESS, 1 on
 * FAILED. Bad usage is thrown as `UsageError` and turned into status 2 by main().
 */
import { ValidationError } from '../errors.js';
import { linkAbort } from '../internal/scope.js';
import type { ModelResponse } from '../response.js';
import { ResponseStatus } from '../response.js';
import type { ModelResponseStreamer } from '../stream.js';
import { SCENARIO_HEADER } from '../testing/scenario-server.js';
import { MISSING_TEXT, type PollArgs, type RunArgs, UsageError } from './args.js';
import {
  apiKeyOf,
  baseUrlOf,
  createLLM,
  MOCK_API_KEY,
  modelIdOf,
  type StartMock,
  withMock,
} from './client.js';
import { type InputStream, readInput } from './input.js';
import { startProgress, type Terminal } from './output.js';

/** What every command needs from main(). */
export interface Context {
  terminal: Terminal;
  env: Record<string, string | undefined>;
  fetch: typeof fetch | undefined;
  signal: AbortSignal | undefined;
  startMock: StartMock;
  /** Where `run -` (or `run` without TEXT, from a pipe) reads its input; none: TEXT is required. */
  stdin: InputStream | undefined;
}

const NO_KEY = 'no API key: set AIXPLAIN_API_KEY (or TEAM_API_KEY)';

/** `aixplain-llm run [options] TEXT`. */
export async function runCommand(args: RunArgs, ctx: Context): Promise<number> {
  const apiKey = apiKeyOf(ctx.env);
  if (!args.mock && apiKey === undefined) {
    throw new UsageError(`${NO_KEY}, or add --mock to run against a local mock`);
  }
  ctx.terminal.addSecret(apiKey);
  const id = args.model ?? modelIdOf(ctx.env);
  // Read before the mock starts, so an empty input never starts it.
  const text = args.text ?? (await inputOf(args, ctx));

  const go = async (baseUrl: string, key: string): Promise<number> => {
    const progress = startProgress(ctx.terminal);
    const llm = createLLM({ id, apiKey: key, baseUrl, fetch: ctx.fetch });
    const options = {
      onPoll: progress.poll,
      context: args.context,
      prompt: args.prompt,
      temperature: args.temperature,
      maxTokens: args.maxTokens,
      topP: args.topP,
      timeoutMs: args.timeoutMs,
      headers: args.headers,
      signal: ctx.signal,
    };
    try {
      if (args.stream) {
        return await printStream(await llm.stream(text, options), ctx.terminal, args.json);
      }
      const response = await llm.run(text, options);
      progress.stop();
      return printResponse(response, ctx.terminal, args.json);
    } finally {
      progress.stop();
    }
  };

  // The mock gets a placeholder key, never the user's: it checks only that one is present.
  if (args.mock) return withMock(ctx.startMock, ctx.signal, (url) => go(url, MOCK_API_KEY));
  return go(baseUrlOf(ctx.env), apiKey as string);
}

/**
 * The input of a run without TEXT: stdin, when TEXT was `-` or stdin is not a terminal. An input
 * that is empty (or only blanks) is a usage error, as an empty TEXT is.
 */
async function inputOf(args: RunArgs, ctx: Context): Promise<string> {
  const stdin = ctx.stdin;
  if (stdin === undefined || (!args.stdin && stdin.isTTY === true)) {
    throw new UsageError(MISSING_TEXT);
  }
  const text = await readInput(stdin, ctx.signal);
  if (text.trim() === '') throw new UsageError('missing TEXT: stdin was empty');
  return text;
}

/** `aixplain-llm poll URL`: polls until the run finishes, with a progress line on a terminal. */
export async function pollCommand(args: PollArgs, ctx: Context): Promise<number> {
  const apiKey = apiKeyOf(ctx.env);
  if (apiKey === undefined) throw new UsageError(NO_KEY);
  ctx.terminal.addSecret(apiKey);
  const baseUrl = baseUrlOf(ctx.env);
  const progress = startProgress(ctx.terminal);
  const llm = createLLM({ id: modelIdOf(ctx.env), apiKey, baseUrl, fetch: ctx.fetch });
  let response: ModelResponse;
  try {
    response = await llm.syncPoll(args.url, { signal: ctx.signal, onPoll: progress.poll });
  } catch (error) {
    if (error instanceof ValidationError) {
      // The facade refuses to send the key to a foreign origin; say how to allow it.
      const origin = URL.canParse(args.url) ? new URL(args.url).origin : args.url;
      throw new UsageError(
        `refused to send the API key to ${origin}: the poll URL must be on ${new URL(baseUrl).origin} (set AIXPLAIN_BASE_URL to poll another service)`,
      );
    }
    throw error;
  } finally {
    progress.stop();
  }
  return printResponse(response, ctx.terminal, args.json);
}

/** `aixplain-llm mock [--port N]`: serves the mock until Ctrl-C (the signal aborts). */
export async function mockCommand(args: { port: number }, ctx: Context): Promise<number> {
  const server = await ctx.startMock({ port: args.port });
  try {
    const t = ctx.terminal;
    t.out(`Mock of the aiXplain model API (Stoplight Prism) listening on ${server.url}\n`);
    t.out(
      t.paint(
        'out',
        'dim',
        `Try: AIXPLAIN_BASE_URL=${server.url} AIXPLAIN_API_KEY=${MOCK_API_KEY} aixplain-llm run Hello\n` +
          `Scenarios: send the header ${SCENARIO_HEADER}: async-2 (or use it as the model id); see the README, "Testing your app".\n` +
          'Press Ctrl-C to stop.\n',
      ),
    );
    await untilAborted(ctx.signal);
  } finally {
    await server.close();
  }
  return 0;
}

/** Prints a finished response; the exit status is 0 on SUCCESS, 1 otherwise. */
export function printResponse(response: ModelResponse, terminal: Terminal, json: boolean): number {
  if (json) terminal.out(`${JSON.stringify(response, null, 2)}\n`);
  if (response.status === ResponseStatus.SUCCESS) {
    if (!json) terminal.out(`${textOf(response.data)}\n`);
    return 0;
  }
  terminal.error(`${response.status}: ${response.errorMessage || 'the run did not finish.'}`);
  return 1;
}

/**
 * Prints tokens as they arrive. With `json`, one JSON line per token chunk (`IN_PROGRESS`), and
 * always one last line with the outcome, so a reader of the lines knows how the stream ended:
 * `{"status":"SUCCESS","completed":true}`, or the FAILED chunk (its `status`, `errorMessage`,
 * `error`...). A failure's message also goes to stderr; the exit status is 0 on SUCCESS, else 1.
 */
export async function printStream(
  streamer: ModelResponseStreamer,
  terminal: Terminal,
  json: boolean,
): Promise<number> {
  let endsWithNewline = true;
  let failure: ModelResponse | undefined;
  for await (const chunk of streamer) {
    if (chunk.status === ResponseStatus.FAILED) {
      failure = chunk;
    } else if (json) {
      terminal.out(`${JSON.stringify(chunk)}\n`);
    } else {
      const text = textOf(chunk.data);
      if (text !== '') endsWithNewline = text.endsWith('\n');
      terminal.out(text);
    }
  }
  const ok = streamer.status === ResponseStatus.SUCCESS && failure === undefined;
  const errorMessage = failure?.errorMessage || 'the stream ended early.';
  if (json) {
    const outcome = ok
      ? { status: ResponseStatus.SUCCESS, completed: true }
      : (failure ?? { status: ResponseStatus.FAILED, completed: true, errorMessage });
    terminal.out(`${JSON.stringify(outcome)}\n`);
  } else if (!endsWithNewline) {
    terminal.out('\n');
  }
  if (ok) return 0;
  terminal.error(`FAILED: ${errorMessage}`);
  return 1;
}

/** Text as it is; anything else (an object answer) as JSON. */
export function textOf(data: unknown): string {
  return typeof data === 'string' ? data : JSON.stringify(data);
}

function untilAborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return; // nothing can stop it but the process ending
    linkAbort(signal, () => resolve());
  });
}
