/**
 * `npm run bench`: speed and size of aixplain-llm, each measured side by side with a peer or a
 * raw baseline in the same run and reported as ratios. Timed assertions in tests are flaky on a
 * shared machine, so speed is measured here and never asserted; `npm test` does not run this.
 *
 *   1. latency.mjs      llm.run() vs raw fetch vs the generated SDK, loopback server
 *   2. stream.mjs       SSE bytes -> tokens: ours vs the generated client's parser vs naive
 *   3. size.mjs         gzipped bundle of `import { LLM }` vs the generated client vs zod
 *   4. cold-import.mjs  fresh-process import of our bundle vs the generated client's
 *
 * The TypeScript sources are bundled with esbuild into a temporary folder first (no new
 * dependencies, plain `node`). Results are printed as tables and written to bench/results.json.
 * `node bench/run.mjs latency size` runs a subset.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { pathToFileURL } from 'node:url';
import { bundleToFile, tempDir } from './bundle.mjs';
import { benchColdImport } from './cold-import.mjs';
import { benchLatency } from './latency.mjs';
import { benchSize } from './size.mjs';
import { benchStream } from './stream.mjs';

// What the runtime benchmarks import: the facade, the SSE steps (not public) and the generated
// client's pieces, from one bundle so that they share one copy of everything.
const RUNTIME_ENTRY = `
export { LLM } from './src/index.ts';
export { readBody, decodeUtf8, splitLines, parseEvents } from './src/sse.ts';
export { tokenOf, openStream } from './src/stream.ts';
export { createSseClient } from './generated/core/serverSentEvents.gen.ts';
export { createClient } from './generated/client/index.ts';
export { executeModel } from './generated/sdk.gen.ts';
`;

const ALL = ['latency', 'stream', 'size', 'cold'];
const selected = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ALL;

const started = performance.now();
const tmp = tempDir();
try {
  const lib = await import(
    pathToFileURL(await bundleToFile(tmp.dir, 'runtime.mjs', RUNTIME_ENTRY, { platform: 'node' }))
      .href
  );
  console.log(
    `# aixplain-llm benchmarks (node ${process.version}, ${availableParallelism()} cores, ${cpus()[0]?.model ?? 'unknown CPU'})`,
  );
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cores: availableParallelism(),
  };
  if (selected.includes('latency')) results.latency = await benchLatency(lib);
  if (selected.includes('stream')) results.stream = await benchStream(lib);
  if (selected.includes('size')) results.size = await benchSize();
  if (selected.includes('cold')) results.coldImport = await benchColdImport(tmp.dir);
  results.totalSeconds = (performance.now() - started) / 1000;
  const out = new URL('./results.json', import.meta.url);
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nDone in ${results.totalSeconds.toFixed(1)} s; results in bench/results.json.`);
} finally {
  tmp.remove();
}
