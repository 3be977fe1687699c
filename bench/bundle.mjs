/**
 * esbuild helpers shared by the benchmarks: TypeScript sources are bundled (zod included, as a
 * user's bundler would) into a temporary folder, so plain `node` can run them without new
 * dependencies. Entries are given as source text (`stdin`), resolved from the project root.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

/** A fresh temporary folder for bundles, and its clean-up. */
export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), 'aixplain-llm-bench-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Bundles `source` (ESM text whose imports are relative to the project root). `minify: true`
 * gives the size measurement's build, the one scripts/size.mjs uses:
 * `--bundle --minify --format=esm --platform=neutral`. Returns the code and, per input file
 * (path relative to the project root), the bytes it contributes to the output.
 */
export async function build(source, { minify = false, platform = 'neutral' } = {}) {
  const result = await esbuild.build({
    stdin: { contents: source, resolveDir: ROOT, sourcefile: 'bench-entry.js', loader: 'js' },
    bundle: true,
    minify,
    format: 'esm',
    platform,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  const output = Object.values(result.metafile.outputs)[0];
  if (file === undefined || output === undefined) throw new Error('esbuild produced no output');
  const inputs = Object.fromEntries(
    Object.entries(output.inputs).map(([path, { bytesInOutput }]) => [path, bytesInOutput]),
  );
  return { code: file.text, inputs };
}

/** Bundles `source` into `dir/name` and returns the file's path. */
export async function bundleToFile(dir, name, source, options) {
  const path = join(dir, name);
  writeFileSync(path, (await build(source, options)).code);
  return path;
}

export const ESBUILD_VERSION = esbuild.version;
