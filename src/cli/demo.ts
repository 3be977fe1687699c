/**
 * `aixplain-llm demo` (what `npm start` runs): the three ways to call a model, shown against the
 * bundled mock of the API, so it needs no API key and no network. One synchronous run, one
 * asynchronous run polled to completion, and one streamed run whose tokens are printed as they
 * arrive; each with its status. Exit status 0 when all three succeed, else 1.
 */
import type { ModelResponse } from '../response.js';
import { ResponseStatus } from '../response.js';
import { DEFAULT_MODEL_ID } from './args.js';
import { createLLM, MOCK_API_KEY, withMock } from './client.js';
import { type Context, textOf } from './commands.js';
import { startProgress, type Terminal } from './output.js';

const PROMPT = 'Hello';

/** Runs the demo; see the header comment. */
export function demoCommand(ctx: Context): Promise<number> {
  const t = ctx.terminal;
  return withMock(ctx.startMock, ctx.signal, async (url) => {
    const progress = startProgress(t);
    const llm = createLLM({
      id: DEFAULT_MODEL_ID,
      apiKey: MOCK_API_KEY,
      baseUrl: url,
      fetch: ctx.fetch,
    });
    const options = { signal: ctx.signal };
    const statuses: string[] = [];

    t.out(
      `${t.paint('out', 'bold', 'aixplain-llm demo')}: a mock of the aiXplain model API at ${url}\n`,
    );
    t.out(t.paint('out', 'dim', `model ${DEFAULT_MODEL_ID}, prompt ${JSON.stringify(PROMPT)}\n`));

    heading(t, 1, 'run', 'one synchronous run (POST /api/v2/execute/{id})');
    const sync = await llm.run(PROMPT, options);
    statuses.push(result(t, sync));

    heading(t, 2, 'runAsync + syncPoll', 'start an asynchronous run, then poll it to the end');
    const started = await llm.runAsync(PROMPT, options);
    t.out(`   ${t.status('out', started.status)}  poll URL ${started.url ?? '(none)'}\n`);
    let done = started;
    if (started.status === ResponseStatus.IN_PROGRESS && started.url !== undefined) {
      try {
        done = await llm.syncPoll(started.url, { ...options, onPoll: progress.poll });
      } finally {
        progress.stop();
      }
    }
    const polls = progress.polls;
    statuses.push(result(t, done, `(${polls} ${polls === 1 ? 'poll' : 'polls'})`));

    heading(t, 3, 'stream', 'tokens printed as they arrive (Accept: text/event-stream)');
    const streamer = await llm.stream(PROMPT, options);
    t.out('   ');
    let tokens = 0;
    let failure: ModelResponse | undefined;
    for await (const chunk of streamer) {
      if (chunk.status === ResponseStatus.FAILED) failure = chunk;
      else {
        tokens += 1;
        t.out(String(chunk.data));
      }
    }
    t.out('\n');
    const streamStatus = failure === undefined ? streamer.status : ResponseStatus.FAILED;
    t.out(`   ${t.status('out', streamStatus)}  ${t.paint('out', 'dim', `(${tokens} tokens)`)}\n`);
    if (failure !== undefined) t.error(`stream: ${failure.errorMessage}`);
    statuses.push(streamStatus);

    const failed = statuses.filter((status) => status !== ResponseStatus.SUCCESS).length;
    t.out('\n');
    if (failed === 0) {
      t.out(
        `All ${statuses.length} runs finished with ${t.status('out', ResponseStatus.SUCCESS)}.\n`,
      );
      return 0;
    }
    t.out(`${failed} of ${statuses.length} runs did not succeed.\n`);
    return 1;
  });
}

function heading(t: Terminal, n: number, name: string, what: string): void {
  t.out(`\n${n}. ${t.paint('out', 'bold', name)}: ${what}\n`);
}

/** Prints `   STATUS  text` and returns the status; a FAILED run's message goes to stderr. */
function result(t: Terminal, response: ModelResponse, note = ''): string {
  const text =
    response.status === ResponseStatus.SUCCESS ? textOf(response.data) : response.errorMessage;
  const suffix = note === '' ? '' : `  ${t.paint('out', 'dim', note)}`;
  t.out(`   ${t.status('out', response.status)}  ${text}${suffix}\n`);
  if (response.status === ResponseStatus.FAILED) t.error(response.errorMessage);
  return response.status;
}
