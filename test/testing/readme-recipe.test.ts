/**
 * The README's vitest recipe is examples/vitest-contract/, which test/package/ runs against the
 * tarball: every code block of the README marked `<!-- recipe:FILE -->` must be that file of
 * the example, exactly.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';

const root = new URL('../../', import.meta.url);
const readme = readFileSync(new URL('README.md', root), 'utf8');
const blocks = [...readme.matchAll(/<!-- recipe:(\S+) -->\n```ts\n([\s\S]*?)```\n/g)].map(
  ([, file, code]) => ({ file: file as string, code: code as string }),
);

describe('the README recipe', () => {
  test('has its blocks', () => {
    expect(blocks.map((block) => block.file)).toEqual(['vitest.config.ts', 'test/global-setup.ts']);
  });

  test.each(blocks)('the block of $file is examples/vitest-contract/$file', ({ file, code }) => {
    expect(code).toBe(readFileSync(new URL(`examples/vitest-contract/${file}`, root), 'utf8'));
  });
});
