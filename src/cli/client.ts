/**
 * How the command line gets an `LLM` and, with `--mock` or `demo`, a mock server to point it at.
 * Progress comes from the facade's `onPoll` option of `run` and `syncPoll`.
 *
 * The mock is always stopped: `withMock` closes it in `finally`, so an error, a FAILED run or
 * Ctrl-C (an aborted signal) never leaves Prism running.
 */
import { AbortError } from '../errors.js';
import { LLM } from '../llm.js';
import { DEFAULTS } from '../options.js';
import { type MockServer, startMock } from '../testing/mock.js';
import { DEFAULT_MODEL_ID } from './args.js';

/** The key sent to the mock: Prism checks that `x-api-key` is present, not what it is. */
export const MOCK_API_KEY = 'mock-api-key';

/** Starts a mock of the API; `startMock` of `aixplain-llm/testing` unless a test supplies another. */
export type StartMock = (options?: { port?: number }) => Promise<Pick<MockServer, 'url' | 'close'>>;

/** The API key from the environment: AIXPLAIN_API_KEY, then TEAM_API_KEY; empty means unset. */
export function apiKeyOf(env: Record<string, string | undefined>): string | undefined {
  return nonEmpty(env.AIXPLAIN_API_KEY) ?? nonEmpty(env.TEAM_API_KEY);
}

/** The service to call: AIXPLAIN_BASE_URL, else the production origin. */
export function baseUrlOf(env: Record<string, string | undefined>): string {
  return nonEmpty(env.AIXPLAIN_BASE_URL) ?? DEFAULTS.baseUrl;
}

/** The model of `run` without `--model`: AIXPLAIN_MODEL_ID, else GPT-4o mini. */
export function modelIdOf(env: Record<string, string | undefined>): string {
  return nonEmpty(env.AIXPLAIN_MODEL_ID) ?? DEFAULT_MODEL_ID;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/**
 * An `LLM` with everything passed explicitly, so the facade reads nothing from `process.env`
 * behind the CLI's back (tests pass their own env).
 */
export function createLLM(options: {
  id: string;
  apiKey: string;
  baseUrl: string;
  fetch?: typeof fetch;
}): LLM {
  return new LLM({
    id: options.id,
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
  });
}

/** Runs `work` against a fresh mock and stops the mock afterwards, whatever happens. */
export async function withMock<T>(
  start: StartMock,
  signal: AbortSignal | undefined,
  work: (url: string) => Promise<T>,
): Promise<T> {
  const server = await start();
  try {
    // Ctrl-C while Prism was starting: stop here rather than send a request.
    if (signal?.aborted) throw new AbortError('Interrupted.', { cause: signal.reason });
    return await work(server.url);
  } finally {
    await server.close();
  }
}

export { startMock };
