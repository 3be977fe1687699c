#!/usr/bin/env node
/**
 * Runs `npm run build` unless dist/ is newer than every input, so that `npm start` and
 * `npm run mock` work on a fresh clone (after `npm ci`) and cost nothing the second time.
 * Inputs: src/, generated/, package.json and tsup.config.ts (the spec under openapi/ is read at
 * run time, not built in).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputs = ['dist/index.js', 'dist/index.cjs', 'dist/generated.js', 'dist/cli.js'];
const inputs = ['src', 'generated', 'package.json', 'tsup.config.ts'];

/** The newest modification time under `path` (a file or a folder), or -1 when it is missing. */
function newest(path) {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return -1;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let latest = stats.mtimeMs;
  for (const name of readdirSync(path)) latest = Math.max(latest, newest(join(path, name)));
  return latest;
}

const oldestOutput = Math.min(
  ...outputs.map((file) => {
    const time = newest(join(root, file));
    return time < 0 ? Number.NEGATIVE_INFINITY : time;
  }),
);
const newestInput = Math.max(...inputs.map((path) => newest(join(root, path))));

if (oldestOutput < newestInput) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  process.stderr.write('Building dist/ (npm run build)...\n');
  // stdout stays the command's own (the demo's output); errors still reach stderr.
  const { status } = spawnSync(npm, ['run', '-s', 'build', '--', '--silent'], {
    cwd: root,
    stdio: ['ignore', process.stderr, 'inherit'],
    shell: process.platform === 'win32',
  });
  process.exitCode = status ?? 1;
}
