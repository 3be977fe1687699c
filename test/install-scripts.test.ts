/**
 * npm (11.19 and later) blocks the install scripts of dependencies unless package.json's
 * `allowScripts` approves them, and warns about every one it has no decision for on each
 * `npm ci`. Each dependency with an install script gets a decision here, so installs print no
 * warning and a new one is looked at rather than silently skipped.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  allowScripts?: Record<string, boolean>;
};
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean }>;
};

test('package.json decides on the install script of every locked dependency that has one', () => {
  const withScripts = Object.entries(lock.packages)
    .filter(([path, entry]) => path !== '' && entry.hasInstallScript === true)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  expect(withScripts.length).toBeGreaterThan(0);
  const decided = Object.keys(pkg.allowScripts ?? {}).map((key) => key.replace(/(.)@.*$/, '$1'));
  expect([...new Set(withScripts)].filter((name) => !decided.includes(name))).toEqual([]);
});

test("esbuild's postinstall stays off: the platform binary comes from its optional dependency", () => {
  // install.js only checks the binary that @esbuild/<platform> already ships; the build works
  // without it (npm test builds with it never run).
  expect(pkg.allowScripts?.esbuild).toBe(false);
});
