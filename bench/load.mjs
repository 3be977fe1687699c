/**
 * 1 000 concurrent `llm.run()` against 1 000 concurrent raw `fetch` calls of the same body, on
 * the loopback server: throughput and peak RSS above the idle process. Each sample is a fresh
 * process (load-child.mjs), raw and ours alternating; the figures are medians of the samples.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { capturedBody, startUpstream } from './latency.mjs';
import { median } from './stats.mjs';

const SAMPLES = 3;
const CHILD = fileURLToPath(new URL('./load-child.mjs', import.meta.url));

export async function benchLoad({ LLM }, bundle) {
  const upstream = await startUpstream();
  try {
    const body = await capturedBody(LLM, upstream.origin);
    const out = { raw: [], ours: [] };
    for (let i = 0; i < SAMPLES; i++) {
      for (const variant of ['raw', 'ours']) {
        const child = spawnSync(
          process.execPath,
          ['--expose-gc', CHILD, variant, upstream.origin, bundle, body],
          { encoding: 'utf8' },
        );
        if (child.status !== 0) throw new Error(`load sample ${variant}: ${child.stderr}`);
        out[variant].push(JSON.parse(child.stdout));
      }
    }
    const summary = (variant) => ({
      perSecond: median(out[variant].map((s) => s.perSecond)),
      peakRssBytes: median(out[variant].map((s) => s.peakRssBytes)),
    });
    return { raw: summary('raw'), ours: summary('ours') };
  } finally {
    upstream.stop();
  }
}
