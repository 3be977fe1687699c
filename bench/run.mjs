/**
 * `npm run bench`: every figure of the speed and size table, each as a ratio against its
 * baseline measured in the same run (raw fetch, eventsource-parser 3.1.1, openai 6.49), with
 * its target. Prints the table, writes bench/RESULTS.md (machine, Node version, the table, and
 * the spread of the last three runs, kept in bench/runs.jsonl). Timed assertions are flaky on a
 * shared machine, so nothing here is asserted and `npm test` does not run it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { pathToFileURL } from 'node:url';
import { bundleToFile, tempDir } from './bundle.mjs';
import { benchLatency } from './latency.mjs';
import { benchLoad } from './load.mjs';
import { benchColdImport, benchSize } from './size.mjs';
import { fmt } from './stats.mjs';
import { benchStream } from './stream.mjs';

const RUNTIME_ENTRY = `
export { LLM } from './src/index.ts';
export { openStream } from './src/stream.ts';
export { ModelResponse } from './src/response.ts';
`;

const started = performance.now();
const load = loadavg()[0];
const tmp = tempDir();
let figures;
try {
  const bundle = await bundleToFile(tmp.dir, 'runtime.mjs', RUNTIME_ENTRY, { platform: 'node' });
  const lib = await import(pathToFileURL(bundle).href);
  const latency = await benchLatency(lib);
  const stream = await benchStream(lib);
  const loaded = await benchLoad(lib, bundle);
  const size = await benchSize();
  const cold = await benchColdImport();
  figures = { latency, stream, load: loaded, size, cold };
} finally {
  tmp.remove();
}

const l = figures.latency.medianMs;
const s = figures.stream.tokensPerSecond;
const kb = (bytes) => `${fmt(bytes / 1000, 1)} KB`;
const mb = (bytes) => `${fmt(bytes / 1e6, 0)} MB`;
const us = (ms) => `${fmt(ms * 1000, 0)} µs`;
const x = (value) => `x${fmt(value, 2)}`;
/** [figure, ours, baseline, ratio, peer, target, ratio value, target value, at most?] */
const rows = [
  {
    figure: '`llm.run()` latency on loopback (median)',
    ours: us(l.ours),
    baseline: `raw \`fetch\` + \`res.json()\` ${us(l.raw)}; floor (raw + AbortSignal + timer) ${us(l.floor)}, ${x(l.floor / l.raw)}`,
    ratio: l.ours / l.raw,
    peer: `openai ${us(l.openai)}, ${x(l.openai / l.rawChat)} of its raw fetch`,
    target: 1.2,
    atMost: true,
  },
  {
    figure: '`runAsync` + `syncPoll` (2 requests)',
    ours: us(l.oursAsync),
    baseline: `two raw fetches ${us(l.rawAsync)}`,
    ratio: l.oursAsync / l.rawAsync,
    peer: '',
    target: 1.35,
    atMost: true,
  },
  {
    figure: '1 000 concurrent `run()`: throughput',
    ours: `${fmt(figures.load.ours.perSecond, 0)} runs/s`,
    baseline: `raw fetch ${fmt(figures.load.raw.perSecond, 0)} runs/s`,
    ratio: figures.load.ours.perSecond / figures.load.raw.perSecond,
    peer: '',
    target: 0.8,
    atMost: false,
  },
  {
    figure: '1 000 concurrent `run()`: peak RSS above idle',
    ours: mb(figures.load.ours.peakRssBytes),
    baseline: `raw fetch ${mb(figures.load.raw.peakRssBytes)}`,
    ratio: figures.load.ours.peakRssBytes / figures.load.raw.peakRssBytes,
    peer: '',
    target: 1.2,
    atMost: true,
  },
  {
    figure: 'stream decode, 100 000 events in random reads (tokens/s)',
    ours: `${fmt(s.ours / 1e6, 2)} M/s (heap after: ${kb(figures.stream.oursHeapAfterBytes)})`,
    baseline: `eventsource-parser 3.1.1 + \`JSON.parse\` ${fmt(s.esp / 1e6, 2)} M/s`,
    ratio: s.ours / s.esp,
    peer: `openai ${fmt(s.openai / 1e6, 2)} M/s, ${x(s.openai / s.esp)}; floor (esp + a \`for await\` of ModelResponse) ${fmt(s.floor / 1e6, 2)} M/s, ${x(s.floor / s.esp)}`,
    target: 0.7,
    atMost: false,
  },
  {
    figure: '`import { LLM }`, esbuild min + gzip -9',
    ours: `${figures.size.oursGzipBytes} B`,
    baseline: `target ${figures.size.targetBytes} B`,
    ratio: figures.size.oursGzipBytes / figures.size.targetBytes,
    peer: `openai ${kb(figures.size.openaiGzipBytes)}`,
    target: 1,
    atMost: true,
  },
  {
    figure: 'cold `import()` (fresh process, median)',
    ours: `${fmt(figures.cold.medianMs.ours, 1)} ms`,
    baseline: `openai ${fmt(figures.cold.medianMs.openai, 1)} ms`,
    ratio: figures.cold.medianMs.ours / figures.cold.medianMs.openai,
    peer: '',
    target: 0.15,
    atMost: true,
  },
];
for (const row of rows) row.met = row.atMost ? row.ratio <= row.target : row.ratio >= row.target;

const runsFile = new URL('./runs.jsonl', import.meta.url);
const runs = existsSync(runsFile)
  ? readFileSync(runsFile, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line))
  : [];
runs.push({ date: new Date().toISOString(), ratios: rows.map((row) => row.ratio) });
const last = runs.slice(-3);
writeFileSync(runsFile, last.map((run) => `${JSON.stringify(run)}\n`).join(''));

const spread = (i) => {
  const values = last.map((run) => run.ratios[i]).filter((v) => v !== undefined);
  return `${x(Math.min(...values))} – ${x(Math.max(...values))}`;
};
const table = [
  '| figure | ours | baseline (same run) | ratio | target | met | last runs | peer |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (row, i) =>
      `| ${row.figure} | ${row.ours} | ${row.baseline} | ${x(row.ratio)} | ${row.atMost ? '<=' : '>='} ${x(row.target)} | ${row.met ? 'yes' : `no (by ${x(Math.abs(row.ratio - row.target))})`} | ${spread(i)} | ${row.peer} |`,
  ),
];
const machine = `${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores, ${fmt(totalmem() / 2 ** 30, 1)} GiB, Node ${process.version}, ${process.platform}`;
const text = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString()}.`,
  '',
  `Machine: ${machine}. Load average at the start: ${fmt(load, 2)} (the machine is shared;`,
  'figures are medians of interleaved rounds, each ratio against its baseline of the same run).',
  '',
  ...table,
  '',
  `"last runs" is the spread of the ratio over the last ${last.length} run(s) (bench/runs.jsonl).`,
  '',
].join('\n');
writeFileSync(new URL('./RESULTS.md', import.meta.url), text);
console.log(`\n${text}`);
console.log(`Done in ${fmt((performance.now() - started) / 1000, 1)} s.`);
