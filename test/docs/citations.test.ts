/**
 * Every comment stands on its own: what ships (dist/*.d.ts and *.d.cts, which editors' hovers
 * and the TypeDoc pages show) and every source file under src/ state their rules, and cite no
 * note that is not in the package or the repository: no design or reference note (`api.md`,
 * `wire-protocol.md`, `style.md`, `peers.md`, `toolchain.md`), no question number (`Q12`), no
 * issue number (`issue 5`).
 *
 * dist/ is what `npm test` builds before vitest starts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';

const CITATIONS = [
  /\b(?:api|wire-protocol|style|peers|toolchain)\.md\b/,
  /\bQ\d+\b/,
  /\bissues? #?\d+\b/i,
];

/** The lines of `text` that cite a note, as `file:line: text`. */
function citationsIn(file: string, text: string): string[] {
  return text
    .split('\n')
    .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
    .filter(({ line }) => CITATIONS.some((pattern) => pattern.test(line)))
    .map(({ line, at }) => `${at}: ${line.trim()}`);
}

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter(keep)
    .map((name) => join(dir, name));
}

describe('comments that stand alone', () => {
  test.each([
    ['the patterns catch', 'see api.md, "Methods"', true],
    ['a question number', 'as Q28 decided', true],
    ['an issue number', 'the budget of issue 5', true],
    ['a reference note', 'wire-protocol.md section 7', true],
    ['ordinary text', 'Retries a 429 honouring Retry-After (RFC 9110).', false],
    ['a header name', 'x-api-key and Content-Type: application/json', false],
  ])('%s: %j', (_name, line, cites) => {
    expect(citationsIn('x', line).length > 0).toBe(cites);
  });

  test('no shipped declaration file cites a note', () => {
    if (!existsSync('dist/index.d.ts')) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does).');
    }
    const files = filesUnder('dist', (name) => /\.d\.c?ts$/.test(name));
    for (const entry of ['index', 'generated', 'ai-sdk']) {
      expect(files).toContain(join('dist', `${entry}.d.ts`));
      expect(files).toContain(join('dist', `${entry}.d.cts`));
    }
    const found = files.flatMap((file) => citationsIn(file, readFileSync(file, 'utf8')));
    expect(found).toEqual([]);
  });

  test('no source file under src/ cites a note', () => {
    const files = filesUnder('src', (name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((file) => citationsIn(file, readFileSync(file, 'utf8')));
    expect(found).toEqual([]);
  });
});
