/**
 * The child process of the load, soak and exit checks: bundled with the package by esbuild
 * (test/reliability/child.ts) and run with plain `node --expose-gc`, so that its peak RSS and
 * heap are its own and its exit shows whether anything of the package is left running.
 *
 *   node main.mjs <mode> <base URL of the scenario> <count>
 *
 * It prints one JSON line of figures on stdout and returns from its main without
 * `process.exit`: the process must end on its own.
 */
import { LLM } from '../../../src/index.js';

const [mode = '', base = '', countText = '0'] = process.argv.slice(2);
const count = Number(countText);
const KEY = 'sk-child-key-0123456789';
const llm = new LLM({ id: 'm', apiKey: KEY, baseUrl: base, maxRetries: 2 });

type Figures = Record<string, unknown>;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The package: `count` concurrent runs that go async and poll until the third poll finishes them. */
async function asyncRuns(): Promise<Figures> {
  const started = performance.now();
  const results = await Promise.all(
    Array.from({ length: count }, () => llm.run('hello', { waitTimeMs: 0, timeoutMs: 120_000 })),
  );
  return {
    ms: performance.now() - started,
    success: results.filter((r) => r.status === 'SUCCESS' && r.data === 'done').length,
    failed: results
      .filter((r) => r.status !== 'SUCCESS')
      .map((r) => r.errorMessage)
      .slice(0, 3),
  };
}

/** The same sequences with plain fetch: POST, then GETs 200 and 220 ms apart, as the package pauses. */
async function asyncFetch(): Promise<Figures> {
  const headers = { 'x-api-key': KEY, 'content-type': 'application/json' };
  const one = async () => {
    const started = await fetch(`${base}/api/v2/execute/m`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ data: 'hello' }),
    });
    const ticket = (await started.json()) as { data: string };
    let pause = 200;
    for (;;) {
      const answer = (await (await fetch(ticket.data, { headers })).json()) as {
        completed?: boolean;
        data?: unknown;
      };
      if (answer.completed === true) return answer.data;
      await sleep(pause);
      pause *= 1.1;
    }
  };
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: count }, one));
  return {
    ms: performance.now() - started,
    success: results.filter((d) => d === 'done').length,
  };
}

/** `count` runs, ten at a time; the heap after a full GC at every twentieth of them, and its slope. */
async function soak(): Promise<Figures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  const samples: Array<[number, number]> = [];
  const blocks = 20;
  const step = Math.max(1, Math.floor(count / blocks));
  let done = 0;
  let failed = 0;
  const started = performance.now();
  for (let block = 0; block < blocks; block++) {
    const target = block === blocks - 1 ? count : (block + 1) * step;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (done < target) {
          done++;
          const res = await llm.run('hello');
          if (res.status !== 'SUCCESS') failed++;
        }
      }),
    );
    gc();
    await sleep(0);
    gc();
    samples.push([done, process.memoryUsage().heapUsed]);
  }
  // Least squares over the samples after the first (warm-up) block.
  const tail = samples.slice(1);
  const n = tail.length;
  const mx = tail.reduce((a, [x]) => a + x, 0) / n;
  const my = tail.reduce((a, [, y]) => a + y, 0) / n;
  const slope =
    tail.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) /
    tail.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  return {
    ms: performance.now() - started,
    calls: done,
    failed,
    bytesPerCall: slope,
    heapFirst: samples[0]?.[1],
    heapLast: samples.at(-1)?.[1],
    samples,
  };
}

/** One call of every kind, the failing and cancelled ones included. */
async function everyCall(): Promise<Figures> {
  const outcomes: Record<string, string> = {};
  const note = (name: string, value: unknown) => {
    outcomes[name] = String(value);
  };
  note('run', (await llm.run('hello')).status);
  note('run async', (await llm.run('async', { waitTimeMs: 0 })).status);
  const ticket = await llm.runAsync('hello');
  note('runAsync', ticket.status);
  note('poll', (await llm.poll(ticket.url as string)).status);
  note('syncPoll', (await llm.syncPoll(ticket.url as string, { waitTimeMs: 0 })).status);
  const stream = await llm.stream('hello');
  note('stream', `${await stream.text()} ${stream.status}`);
  const early = await llm.stream('hello');
  for await (const _chunk of early) break;
  note('stream left early', early.status);
  const controller = new AbortController();
  const aborted = llm.stream('hold', { signal: controller.signal });
  setTimeout(() => controller.abort(), 50);
  note('stream aborted', await aborted.then(async (s) => s.text()).catch((e: Error) => e.name));
  const abortRun = new AbortController();
  const run = llm.run('hold', { signal: abortRun.signal });
  setTimeout(() => abortRun.abort(), 50);
  note('run aborted', await run.catch((e: Error) => e.name));
  note('run timed out', (await llm.run('hold', { timeoutMs: 200 })).error?.name);
  note(
    'syncPoll timed out',
    (await llm.syncPoll(`${base}/poll/never`, { timeoutMs: 300 })).error?.name,
  );
  note('server error', (await llm.run('fail')).error?.name);
  note('retried 503', (await llm.run('busy')).status);
  note('validation', await llm.run('x', { temperature: 9 }).catch((e: Error) => e.name));
  // Let the last callbacks run, then list what is still active: the parent checks the exit.
  await sleep(10);
  return { outcomes, active: process.getActiveResourcesInfo() };
}

const modes: Record<string, () => Promise<Figures>> = {
  'async-runs': asyncRuns,
  'async-fetch': asyncFetch,
  soak,
  'every-call': everyCall,
};

const run = modes[mode];
if (run === undefined) throw new Error(`unknown mode ${mode}`);
const figures = await run();
const { maxRSS } = process.resourceUsage();
process.stdout.write(`${JSON.stringify({ ...figures, peakRssBytes: maxRSS * 1024 })}\n`);
