/**
 * Benchmark 3: what the package costs a browser or edge bundle. Each entry is bundled the way
 * toolchain.md section 7 measured (esbuild `--bundle --minify --format=esm --platform=neutral`,
 * zod bundled in) and gzipped at level 9 (zlib, as `gzip -9 <file` gives, no file name header).
 *
 * The figure that matters is `import { LLM } from 'aixplain-llm'` (the issue's limit is 15 KB
 * gzipped). For scale, in the same run: the raw generated client alone (the SDK functions with
 * the fetch client, and the bare client alone), zod at its smallest use
 * (one `z.object().parse`) and zod whole. A second table splits the `import { LLM }` bundle by
 * origin (esbuild's metafile), to show where the bytes come from.
 */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, ESBUILD_VERSION, ROOT } from './bundle.mjs';
import { fmt, printTable, ratio } from './stats.mjs';

// The same budget as scripts/size.mjs (issue 5): 15 KB read as 15,000 bytes.
export const LIMIT_GZIP_BYTES = 15_000;

const ENTRIES = [
  [
    'llm',
    "import { LLM } from 'aixplain-llm' (src/index.ts)",
    "export { LLM } from './src/index.ts';",
  ],
  ['all', 'every export of src/index.ts', "export * from './src/index.ts';"],
  [
    'dist',
    'import { LLM } from dist/index.js (as built)',
    "export { LLM } from './dist/index.js';",
  ],
  [
    'generated',
    'generated/index.ts (SDK functions + client)',
    "export * from './generated/index.ts';",
  ],
  [
    'client',
    'generated/client createClient only (no zod)',
    "export { createClient } from './generated/client/index.ts';",
  ],
  [
    'zodMiniOne',
    'zod/mini, one z.object().parse',
    "import * as z from 'zod/mini'; export const f = (v) => z.object({ a: z.string() }).parse(v);",
  ],
  [
    'zodOne',
    'zod (classic), one z.object().parse',
    "import * as z from 'zod'; export const f = (v) => z.object({ a: z.string() }).parse(v);",
  ],
  ['zod', 'zod (classic), whole namespace', "export * as z from 'zod';"],
];

/** Which part of the project (or which dependency) a bundled input file belongs to. */
function originOf(path) {
  if (path.startsWith('node_modules/')) return path.split('/')[1] ?? path;
  if (path.startsWith('src/')) return 'src/ (hand-written)';
  if (path.startsWith('generated/core/serverSentEvents'))
    return 'generated/ SSE client (unused by us)';
  if (path.startsWith('generated/')) return 'generated/ (rest)';
  return path;
}

export async function benchSize() {
  const distFile = join(ROOT, 'dist/index.js');
  const hasDist = existsSync(distFile);
  const sizes = {};
  let llmInputs = {};
  for (const [key, , source] of ENTRIES) {
    if (key === 'dist' && !hasDist) continue;
    const { code, inputs } = await build(source, { minify: true });
    const bytes = Buffer.from(code);
    sizes[key] = { minified: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    if (key === 'llm') llmInputs = inputs;
  }
  const base = sizes.generated;
  printTable(
    `3. Bundle size (esbuild ${ESBUILD_VERSION}, minified esm neutral, zod bundled; gzip level 9), bytes`,
    ['entry', 'minified', 'gzip', 'gzip/generated', 'gzip/zod', 'gzip/15 KB'],
    ENTRIES.filter(([key]) => sizes[key] !== undefined).map(([key, label]) => [
      label,
      fmt(sizes[key].minified, 0),
      fmt(sizes[key].gzip, 0),
      ratio(sizes[key].gzip, base.gzip),
      ratio(sizes[key].gzip, sizes.zod.gzip),
      ratio(sizes[key].gzip, LIMIT_GZIP_BYTES),
    ]),
    'lrrrrr',
  );

  const byOrigin = {};
  for (const [path, bytes] of Object.entries(llmInputs)) {
    const origin = originOf(path);
    byOrigin[origin] = (byOrigin[origin] ?? 0) + bytes;
  }
  const byFile = Object.entries(llmInputs)
    .filter(([path]) => path.startsWith('src/'))
    .sort((a, b) => b[1] - a[1]);
  const total = Object.values(byOrigin).reduce((sum, x) => sum + x, 0);
  printTable(
    '3b. Where the minified bytes of `import { LLM }` come from (esbuild metafile)',
    ['origin', 'minified bytes', 'share'],
    Object.entries(byOrigin)
      .filter(([, bytes]) => bytes > 0)
      .sort((a, b) => b[1] - a[1])
      .map(([origin, bytes]) => [origin, fmt(bytes, 0), `${fmt((bytes / total) * 100, 0)}%`]),
    'lrr',
  );
  console.log(
    `\nLargest src/ files: ${byFile
      .slice(0, 6)
      .map(([path, bytes]) => `${path} ${fmt(bytes, 0)}`)
      .join(', ')}.`,
  );
  const llm = sizes.llm.gzip;
  console.log(
    `import { LLM }: ${fmt(llm, 0)} B gzipped, ${fmt((llm / LIMIT_GZIP_BYTES) * 100, 0)}% of the 15 KB limit` +
      ` (${fmt(LIMIT_GZIP_BYTES, 0)} B); ${fmt(llm - base.gzip, 0)} B more than the generated client alone.`,
  );
  if (hasDist) {
    console.log(
      `dist/index.js was built ${statSync(distFile).mtime.toISOString()} (may be stale).`,
    );
  }
  return {
    esbuild: ESBUILD_VERSION,
    flags: '--bundle --minify --format=esm --platform=neutral',
    limitGzipBytes: LIMIT_GZIP_BYTES,
    bytes: sizes,
    llmMinifiedBytesByOrigin: byOrigin,
    llmMinifiedBytesBySrcFile: Object.fromEntries(byFile),
    ratios: {
      llmGzipVsGenerated: llm / base.gzip,
      llmGzipVsClientOnly: llm / sizes.client.gzip,
      llmGzipVsZodClassic: llm / sizes.zod.gzip,
      llmGzipVsLimit: llm / LIMIT_GZIP_BYTES,
      llmMinifiedVsGenerated: sizes.llm.minified / base.minified,
    },
  };
}
