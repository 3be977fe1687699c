// The README's examples, run as a new user would run them: the code between the markers,
// importing the built package (dist/), against the mock and the scenario server.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { describe, expect, inject, test } from 'vitest';

const execFileAsync = promisify(execFile);

/** Runs the README block between `<!-- name:start -->` and its end marker with `env`. */
async function runExample(name: string, env: Record<string, string>): Promise<string> {
  const dist = resolve('dist/index.js');
  if (!existsSync(dist)) throw new Error('dist/index.js is missing: run `npm run build` first.');
  const readme = readFileSync('README.md', 'utf8');
  const block = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(
    readme,
  )?.[1];
  if (block === undefined) throw new Error(`README.md has no ${name} block.`);
  const source = block
    .replace(`from 'aixplain-llm'`, `from '${pathToFileURL(dist).href}'`)
    .replaceAll('http://127.0.0.1:4010', inject('mockUrl'));
  const { code } = await transform(source, { loader: 'ts', format: 'esm' });
  const dir = mkdtempSync(join(tmpdir(), 'aixplain-readme-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, code);
    // A new user has no key, model or base URL in the environment.
    const { AIXPLAIN_API_KEY, AIXPLAIN_BASE_URL, AIXPLAIN_MODEL_ID, TEAM_API_KEY, ...clean } =
      process.env;
    const { stdout } = await execFileAsync(process.execPath, [file], {
      env: { ...clean, ...env },
      timeout: 20_000,
    });
    return stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('README', () => {
  test('the quick-start example prints SUCCESS for the run, the async run and the stream', async () => {
    const stdout = await runExample('readme-example', {});
    expect(stdout.match(/SUCCESS/g)).toHaveLength(3);
    expect(stdout).toContain('Hello world');
  });

  test('the streaming example shows tokens arriving one by one in the stream scenario of the mock', async () => {
    const stdout = await runExample('readme-stream-example', {
      AIXPLAIN_MODEL_ID: `stream-${randomUUID().slice(0, 8)}`,
      AIXPLAIN_BASE_URL: inject('mockUrl'),
    });
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('SUCCESS');
    const tokens = lines.slice(0, -1).map((line) => /^(\d+) ms (.*)$/.exec(line));
    expect(tokens.map((m) => JSON.parse(m?.[2] ?? 'null'))).toEqual([
      'Hel',
      'lo',
      ' wörld',
      ' 👋',
      '!',
    ]);
    const times = tokens.map((m) => Number(m?.[1]));
    // The scenario writes a token about every 15 ms: a stream delivered in one piece would show
    // one arrival time for all of them.
    expect(new Set(times).size).toBeGreaterThanOrEqual(3);
  });
});
