/**
 * Runs test/reliability/child/main.ts in a child process: bundled once with the package by
 * esbuild (no TypeScript loader needed), then started with `node --expose-gc`. Resolves with
 * the figures the child printed, how long it took to exit after printing them, and its exit code.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface ChildResult {
  figures: Record<string, unknown>;
  /** From the figures line to the exit, in milliseconds. */
  exitAfterMs: number;
  code: number | null;
  stderr: string;
}

export async function bundleChild(): Promise<{ file: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'aixplain-llm-child-'));
  const file = join(dir, 'main.mjs');
  await build({
    entryPoints: [fileURLToPath(new URL('./child/main.ts', import.meta.url))],
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outfile: file,
    logLevel: 'silent',
  });
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the bundled child; it is killed if it has not exited `limitMs` after starting. */
export function runChild(file: string, args: string[], limitMs = 120_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', file, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let printedAt = 0;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (printedAt === 0 && stdout.includes('\n')) printedAt = performance.now();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line === undefined) {
        reject(new Error(`the child printed no figures (exit ${code}): ${stderr.slice(0, 2_000)}`));
        return;
      }
      resolve({
        figures: JSON.parse(line) as Record<string, unknown>,
        exitAfterMs: printedAt === 0 ? Number.NaN : performance.now() - printedAt,
        code,
        stderr,
      });
    });
  });
}
