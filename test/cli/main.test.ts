/**
 * main() (src/cli/main.ts): `--help` and `--version`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { VERSION } from '../../src/version.js';
import { cli } from './harness.js';

describe('aixplain-llm --help and --version', () => {
  test.each([['--help'], ['-h'], ['help'], ['run', '--help'], ['mock', '-h']])(
    '%s prints the usage and exits 0',
    async (...argv) => {
      const { code, stdout } = await cli(argv);
      expect(code).toBe(0);
      expect(stdout.text).toMatch(/^Usage: aixplain-llm <command>/);
      for (const word of ['run [options] TEXT', 'poll', 'mock', 'demo', '--stream', '--json']) {
        expect(stdout.text).toContain(word);
      }
    },
  );

  test('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    const { code, stdout } = await cli(['--version']);
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${VERSION}\n`);
    expect(VERSION).toBe(pkg.version);
  });
});
