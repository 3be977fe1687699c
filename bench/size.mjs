/**
 * Bundle size and cold import, against openai 6.49 in the same run.
 *
 * Size: `import { LLM } from 'aixplain-llm'` as scripts/size.mjs measures it (the built package,
 * esbuild --bundle --minify --format=esm --platform=neutral, gzip -9), and `import OpenAI from
 * 'openai'` bundled the same way.
 *
 * Cold import: each sample is a fresh `node` process timing `await import()` of the package by
 * name (dist/ through package.json `exports`) or of `openai`, interleaved; medians.
 */
import { spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { bundle, measure } from '../scripts/size.mjs';
import { ROOT } from './bundle.mjs';
import { median } from './stats.mjs';

const SAMPLES = 15;
const PROBE =
  'const t = performance.now(); await import(process.argv[1]);' +
  ' process.stdout.write(String(performance.now() - t));';

export async function benchSize() {
  const ours = await measure();
  const openai = await bundle("export { OpenAI } from 'openai';");
  const openaiGzip = gzipSync(openai.outputFiles[0].contents, { level: 9 }).byteLength;
  return {
    oursGzipBytes: ours.gzipBytes,
    targetBytes: ours.targetBytes,
    openaiGzipBytes: openaiGzip,
  };
}

function sample(specifier) {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, specifier], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`import of ${specifier} failed: ${child.stderr}`);
  return Number(child.stdout);
}

export async function benchColdImport() {
  const out = { ours: [], openai: [] };
  for (let i = 0; i < SAMPLES; i++) {
    out.ours.push(sample('aixplain-llm'));
    out.openai.push(sample('openai'));
  }
  return { medianMs: { ours: median(out.ours), openai: median(out.openai) } };
}
