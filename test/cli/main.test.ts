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

describe('the help and the README', () => {
  const help = async () => (await cli(['--help'])).stdout.text;

  test('--help names every flag of run, and how to give the input on stdin', async () => {
    const text = await help();
    for (const flag of ['--prompt', '--top-p', '--timeout-ms MS', '--header K=V', '-H,']) {
      expect(text).toContain(flag);
    }
    expect(text).toMatch(/TEXT - reads it from\s+stdin/);
    expect(text).toMatch(/in milliseconds/);
    expect(text).toMatch(/one line per\s+chunk, then one line with the final status/);
  });

  test("the README's Command line section documents every long flag of --help", async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = /## Command line\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const flags = new Set((await help()).match(/--[a-z][a-z-]+/g));
    expect(flags.size).toBeGreaterThan(10);
    const missing = [...flags].filter((flag) => !section.includes(flag));
    expect(missing).toEqual([]);
  });
});
