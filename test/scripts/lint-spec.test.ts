/**
 * scripts/lint-spec.mjs (`npm run lint:spec`): Redocly's lint without its Node 20 banner, and
 * with every real problem and the exit status kept.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'aixplain-lint-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function lint(file: string) {
  try {
    const { stdout, stderr } = await run(process.execPath, ['scripts/lint-spec.mjs', file]);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, output: failed.stdout + failed.stderr };
  }
}

describe('npm run lint:spec', () => {
  test('passes on the spec and prints the result, without the Node 20 banner', async () => {
    const { code, output } = await lint('openapi/aixplain-models.yaml');
    expect(code).toBe(0);
    expect(output).toContain('Your API description is valid');
    expect(output).not.toMatch(/Node\.js 20|╔|Deprecation/);
  }, 30_000);

  test('fails on a broken spec and shows every problem', async () => {
    const spec = readFileSync('openapi/aixplain-models.yaml', 'utf8');
    const broken = join(dir, 'broken.yaml');
    // A top-level key that OpenAPI does not know breaks the schema of the document.
    writeFileSync(
      broken,
      spec.replace(/^openapi: .*$/m, 'openapi: 3.1.0\nx-broken: true\npaths-broken: {}'),
    );
    const { code, output } = await lint(broken);
    expect(code).not.toBe(0);
    expect(output).toMatch(/error/i);
    expect(output).toContain('paths-broken');
    expect(output).not.toMatch(/Node\.js 20 support/);
  }, 30_000);
});
