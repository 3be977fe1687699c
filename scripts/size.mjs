#!/usr/bin/env node
/**
 * The size budget: what `import { LLM } from 'aixplain-llm'` adds to a user's bundle, its
 * dependencies included, must stay within 12.5 KB gzipped (12,500 bytes, gzip level 9), the
 * target bench/RESULTS.md reports against. `npm test` runs this after the build and fails
 * above the budget.
 *
 * It bundles the built package (dist/, resolved by name through package.json `exports`, the way
 * a user's bundler would) with esbuild `--bundle --minify --format=esm --platform=neutral`, and
 * gzips the result. Over budget, it lists the biggest inputs and exits 1.
 *
 * Usage: node scripts/size.mjs [--json]  (run `npm run build` first)
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

export const BUDGET_BYTES = 12_500;
/** The target the benchmark reports against: the budget itself. */
export const TARGET_BYTES = BUDGET_BYTES;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Bundles the module `contents` as a user's bundler would: esbuild, minified, ESM, platform
 * neutral, packages resolved from this project (by `exports`, else `module` or `main`). The
 * benchmark bundles its peer the same way.
 */
export function bundle(contents, options = {}) {
  return build({
    stdin: { contents, resolveDir: root, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'silent',
    ...options,
  });
}

/** Bundles `import { LLM } from 'aixplain-llm'` and measures it. */
export async function measure() {
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error('dist/index.js is missing: run `npm run build` first.');
  }
  const result = await bundle("export { LLM } from 'aixplain-llm';", { metafile: true });
  const code = result.outputFiles[0].contents;
  const inputs = Object.entries(result.metafile.outputs)[0][1].inputs;
  const biggest = Object.entries(inputs)
    .map(([path, { bytesInOutput }]) => ({ path, bytes: bytesInOutput }))
    .sort((a, b) => b.bytes - a.bytes);
  return {
    minifiedBytes: code.byteLength,
    gzipBytes: gzipSync(code, { level: 9 }).byteLength,
    budgetBytes: BUDGET_BYTES,
    targetBytes: TARGET_BYTES,
    biggest,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = await measure();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(size, null, 2));
  } else {
    const ok = size.gzipBytes <= BUDGET_BYTES;
    console.log(
      `import { LLM } from 'aixplain-llm': ${size.minifiedBytes} B minified, ${size.gzipBytes} B gzipped ` +
        `(budget ${BUDGET_BYTES} B): ${ok ? 'OK' : 'OVER BUDGET'}`,
    );
    if (!ok) {
      console.log('Biggest inputs (minified bytes):');
      for (const { path, bytes } of size.biggest.slice(0, 12)) console.log(`  ${bytes}\t${path}`);
    }
  }
  process.exitCode = size.gzipBytes <= BUDGET_BYTES ? 0 : 1;
}
