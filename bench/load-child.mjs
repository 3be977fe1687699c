/**
 * One sample of the load figure, in a fresh process so that its peak RSS is its own:
 * `node load-child.mjs <raw|ours> <origin> <runtime bundle> <body>` warms up, then runs ROUNDS
 * bursts of CONCURRENCY concurrent calls and prints, as JSON, the median calls per second of a
 * burst and the peak RSS above the RSS before the first burst (sampled every 2 ms).
 */
import { pathToFileURL } from 'node:url';

const CONCURRENCY = 1000;
const ROUNDS = 3;
const [variant, origin, bundle, body] = process.argv.slice(2);
const { LLM } = await import(pathToFileURL(bundle).href);
const headers = { 'content-type': 'application/json', 'x-api-key': 'bench-key' };
const url = `${origin}/api/v2/execute/bench-model`;
const llm = new LLM({ id: 'bench-model', apiKey: 'bench-key', baseUrl: origin });
const calls = {
  raw: async () => {
    const res = await fetch(url, { method: 'POST', headers, body });
    if ((await res.json()).status !== 'SUCCESS') throw new Error('raw');
  },
  ours: async () => {
    const res = await llm.run('Hello');
    if (res.status !== 'SUCCESS') throw new Error(`ours: ${res.errorMessage}`);
  },
};
const call = calls[variant];
for (let i = 0; i < 200; i++) await call();
globalThis.gc?.();
const baseRss = process.memoryUsage.rss();
let peakRss = baseRss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}, 2);
const perSecond = [];
for (let round = 0; round < ROUNDS; round++) {
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, call));
  perSecond.push(CONCURRENCY / ((performance.now() - start) / 1000));
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
}
clearInterval(sampler);
perSecond.sort((a, b) => a - b);
process.stdout.write(
  JSON.stringify({ perSecond: perSecond[Math.floor(ROUNDS / 2)], peakRssBytes: peakRss - baseRss }),
);
