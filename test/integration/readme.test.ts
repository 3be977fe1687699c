// The README's quick-start example, run as a new user would run it: the code between the
// readme-example markers, against the Prism mock, importing the built package (dist/).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { expect, inject, test } from 'vitest';

const run = promisify(execFile);

test('the README example prints SUCCESS for the run, the async run and the stream', async () => {
  const dist = resolve('dist/index.js');
  if (!existsSync(dist)) throw new Error('dist/index.js is missing: run `npm run build` first.');
  const readme = readFileSync('README.md', 'utf8');
  const block = /<!-- readme-example:start -->\s*```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(block).toBeDefined();
  const source = (block as string)
    .replace(`from 'aixplain-llm'`, `from '${pathToFileURL(dist).href}'`)
    .replaceAll('http://127.0.0.1:4010', inject('mockUrl'));
  const { code } = await transform(source, { loader: 'ts', format: 'esm' });
  const dir = mkdtempSync(join(tmpdir(), 'aixplain-readme-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, code);
    const { AIXPLAIN_API_KEY: _, ...env } = process.env; // a new user has no key
    const { stdout } = await run(process.execPath, [file], {
      env,
      timeout: 20_000,
    });
    expect(stdout.match(/SUCCESS/g)).toHaveLength(3);
    expect(stdout).toContain('Hello world');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
