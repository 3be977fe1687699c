/**
 * Benchmark 4: cold import, the start-up cost a CLI or a serverless function pays. Each sample is
 * a fresh `node` process that times `await import()` of one file (and the whole process is timed
 * from outside too); variants are interleaved and the median of the samples is kept.
 *
 * - ours: a bundle of src/index.ts (the whole public module, unminified, as
 *   toolchain.md section 7 measured), what `import ... from 'aixplain-llm'` evaluates;
 * - peer: a bundle of generated/index.ts alone (SDK functions and client);
 * - dist/index.js as built, unbundled, when it exists: what a plain Node user loads;
 * - `zod/mini` from node_modules alone, for scale (aixplain-llm/generated's schemas use it);
 * - an empty module, the floor of `import()` itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleToFile, ROOT } from './bundle.mjs';
import { fmt, median, printTable, ratio } from './stats.mjs';

const SAMPLES = 11;
const PROBE =
  'const t = performance.now(); await import(process.argv[1]);' +
  ' process.stdout.write(String(performance.now() - t));';

function sample(url) {
  const start = performance.now();
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, url], {
    encoding: 'utf8',
  });
  const wall = performance.now() - start;
  if (child.status !== 0) throw new Error(`import of ${url} failed: ${child.stderr}`);
  return { importMs: Number(child.stdout), wallMs: wall };
}

export async function benchColdImport(dir) {
  const empty = join(dir, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  const files = {
    ours: await bundleToFile(dir, 'aixplain-llm.mjs', "export * from './src/index.ts';"),
    generated: await bundleToFile(dir, 'generated.mjs', "export * from './generated/index.ts';"),
    empty,
  };
  const dist = join(ROOT, 'dist/index.js');
  if (existsSync(dist)) files.dist = dist;
  files.zodMini = fileURLToPath(import.meta.resolve('zod/mini'));
  const names = Object.keys(files);
  const raw = Object.fromEntries(names.map((name) => [name, { importMs: [], wallMs: [] }]));
  for (let i = 0; i < SAMPLES; i++) {
    for (const name of names) {
      const s = sample(pathToFileURL(files[name]).href);
      raw[name].importMs.push(s.importMs);
      raw[name].wallMs.push(s.wallMs);
    }
  }
  const med = Object.fromEntries(
    names.map((name) => [
      name,
      { importMs: median(raw[name].importMs), wallMs: median(raw[name].wallMs) },
    ]),
  );
  const labels = {
    ours: 'aixplain-llm bundle (src/index.ts)',
    generated: 'generated client bundle alone (peer)',
    dist: 'dist/index.js unbundled, zod from node_modules',
    zodMini: 'zod/mini alone, unbundled from node_modules',
    empty: 'empty module (floor)',
  };
  const order = ['empty', 'generated', 'ours', 'zodMini', 'dist'].filter(
    (name) => med[name] !== undefined,
  );
  printTable(
    `4. Cold import, median of ${SAMPLES} fresh node processes, ms`,
    ['module', 'import()', 'process wall', 'import/generated', 'wall/generated'],
    order.map((name) => [
      labels[name],
      fmt(med[name].importMs, 1),
      fmt(med[name].wallMs, 1),
      ratio(med[name].importMs, med.generated.importMs),
      ratio(med[name].wallMs, med.generated.wallMs),
    ]),
    'lrrrr',
  );
  return {
    samples: SAMPLES,
    medianMs: med,
    ratios: {
      oursImportVsGenerated: med.ours.importMs / med.generated.importMs,
      oursWallVsGenerated: med.ours.wallMs / med.generated.wallMs,
      zodMiniUnbundledImportVsGenerated: med.zodMini.importMs / med.generated.importMs,
      ...(med.dist ? { distImportVsGenerated: med.dist.importMs / med.generated.importMs } : {}),
    },
  };
}
