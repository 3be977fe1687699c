/**
 * The build (`npm run build`): tsup 8.5.1, pinned because it is the newest bundler that runs on
 * Node 20 (tsup 9 and tsdown need Node 22).
 *
 * - The library's three entries, `aixplain-llm` (src/index.ts), `aixplain-llm/ai-sdk` (the
 *   Vercel AI SDK provider) and `aixplain-llm/generated` (src/generated.ts: the generated SDK,
 *   client and zod schemas), are built as ESM (`.js`; the
 *   package is `"type": "module"`) and CommonJS (`.cjs`), each with its own declarations
 *   (`.d.ts` / `.d.cts`, so that TypeScript under node16 resolution sees a CJS type file for
 *   `require`) and source maps.
 * - `zod` stays external: it is the one runtime dependency, so the user's bundler dedupes it
 *   with their own copy instead of shipping it twice.
 * - `aixplain-llm/testing` (src/testing/index.ts: the mock for users' tests) is a separate
 *   Node-only build (ESM and CommonJS, with declarations): it uses `node:` built-ins, so nothing
 *   of it may land in a chunk that the browser-safe entries share. `shims` gives its CommonJS
 *   build an `import.meta.url`, which it needs to find the bundled spec and Prism.
 * - The CLI is a separate ESM-only build with the `#!/usr/bin/env node` banner (a banner on the
 *   library entries would land in every file). It bundles its own copy of the library, which
 *   keeps `dist/cli.js` independent of the library's chunk names.
 * - `node:` prefixes are kept (`removeNodeProtocol: false`): Node >= 20 needs none removed, and
 *   the prefix tells bundlers these are built-ins.
 */
import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      generated: 'src/generated.ts',
      'ai-sdk': 'src/ai-sdk/index.ts',
    },
    format: ['esm', 'cjs'],
    target: 'es2022',
    platform: 'neutral',
    // The AI SDK's V3 types are copied into dist/ai-sdk.d.ts: @ai-sdk/provider is only a dev
    // dependency, so a user without `ai` installed still gets resolvable types.
    dts: { resolve: [/^@ai-sdk\/provider/, 'json-schema'] },
    sourcemap: true,
    // The builds run at once, and tsup's clean of a build with declarations removes every
    // `.d.ts` in dist/, other builds' too; so no build cleans, and `npm run build` empties
    // dist/ before tsup starts.
    clean: false,
    splitting: true,
    external: ['zod', /^zod\//],
    removeNodeProtocol: false,
  },
  {
    entry: { testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    shims: true,
    clean: false,
    removeNodeProtocol: false,
  },
  {
    entry: { cli: 'src/cli/index.ts' },
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    sourcemap: true,
    clean: false,
    external: ['zod', /^zod\//],
    removeNodeProtocol: false,
    banner: { js: '#!/usr/bin/env node' },
  },
]);
