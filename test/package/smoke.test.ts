/**
 * The package as users get it: build it, check its manifest (publint, are-the-types-
 * wrong, the size budget), `npm pack` it, install the tarball into a throwaway consumer project,
 * and use it there the ways users do: `import`, `require`, TypeScript under node16 and bundler
 * resolution, the `aixplain-llm` command, `--mock` included, and the contract-test recipe of
 * the README (examples/vitest-contract/, run with vitest).
 *
 * Prism: the consumer installs `@stoplight/prism-cli` (the version this repo pins) next to the
 * tarball, with `--prefer-offline`, so it comes from the local npm cache that `npm ci` filled.
 * That is the set-up the README gives users of `--mock`, and it checks that the installed CLI
 * finds Prism in the consumer's node_modules, not in this repo's.
 *
 * It takes about 25 s (build, pack, install), so it is its own vitest project ("package"), not a
 * unit test. It packs this repo's dist/, which `npm test` builds first.
 */
import { type SpawnSyncReturns, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import consumerCompilerOptions from '../helpers/consumer-compiler-options.json' with {
  type: 'json',
};

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
};
const PRISM = `@stoplight/prism-cli@${pkg.devDependencies['@stoplight/prism-cli']}`;
const MOCK_ANSWER = 'Hello! How can I help you today?';
const STEP_MS = 60_000;

// The consumer must not see this machine's aiXplain settings (nor colour codes). Scripts are
// off for every npm that runs here (`npm pack` inside attw and publint too): `prepack` builds,
// and a build would pull dist/ from under the tests that read it in parallel.
const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', npm_config_ignore_scripts: 'true' };
for (const name of Object.keys(env)) {
  if (/^(AIXPLAIN_|TEAM_API_KEY$)/.test(name)) delete env[name];
}

/** Runs a command to completion; throws with its output when it fails. */
function sh(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: STEP_MS });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} exited with ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result;
}

/** Runs a command and returns its status and output, whatever the status. */
function attempt(command: string, args: string[], cwd: string) {
  const { status, stdout, stderr } = spawnSync(command, args, {
    cwd,
    env,
    encoding: 'utf8',
    timeout: STEP_MS,
  });
  return { status, stdout, stderr };
}

const bin = (name: string) => join(root, 'node_modules', '.bin', name);

let work: string;
let consumer: string;
let packedFiles: string[];

beforeAll(() => {
  // `npm test` builds before vitest starts; building here again would pull dist/ from under
  // the tests that read it in parallel.
  if (!existsSync(join(root, 'dist', 'index.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first.');
  }
  work = mkdtempSync(join(tmpdir(), 'aixplain-llm-smoke-'));
  const [packed] = JSON.parse(
    sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root).stdout,
  ) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (packed === undefined) throw new Error('npm pack printed nothing');
  packedFiles = packed.files.map((file) => file.path);

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  sh(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      join(work, packed.filename),
      PRISM,
    ],
    consumer,
  );
}, 3 * STEP_MS);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the built package', () => {
  test('publint finds no problems', () => {
    const { status, stdout, stderr } = attempt(bin('publint'), ['--strict'], root);
    expect(stdout + stderr).toContain('All good!');
    expect(status).toBe(0);
  });

  test('are-the-types-wrong finds no problems under node10, node16 (ESM and CJS) and bundlers', () => {
    const { status, stdout, stderr } = attempt(
      bin('attw'),
      ['--pack', '.', '--format', 'table-flipped'],
      root,
    );
    // attw exits 1 when it finds a problem; no profile, so node10 resolution is checked too.
    expect(status, stdout + stderr).toBe(0);
  });

  test('every subpath has a typesVersions entry (node10 resolution ignores `exports`)', () => {
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      exports: Record<string, { require: { types: string } } | string>;
      typesVersions: { '*': Record<string, string[]> };
    };
    const expected = Object.fromEntries(
      Object.entries(manifest.exports)
        .filter(([path]) => path !== '.' && path !== './package.json')
        .map(([path, target]) => [
          path.slice(2),
          [typeof target === 'string' ? target : target.require.types],
        ]),
    );
    expect(manifest.typesVersions).toEqual({ '*': expected });
  });

  test("what `import { LLM } from 'aixplain-llm'` adds to a bundle stays within 12.5 KB gzipped", () => {
    const { stdout } = attempt(
      process.execPath,
      [join(root, 'scripts', 'size.mjs'), '--json'],
      root,
    );
    const size = JSON.parse(stdout) as { gzipBytes: number; budgetBytes: number };
    expect(size.budgetBytes).toBe(12_500);
    expect(size.gzipBytes).toBeLessThanOrEqual(size.budgetBytes);
  });

  test('zod stays external: the builds import it and bundle none of it', () => {
    for (const file of [
      'index.js',
      'index.cjs',
      'generated.js',
      'generated.cjs',
      'ai-sdk.js',
      'ai-sdk.cjs',
      'cli.js',
    ]) {
      // `._zod.` is on every zod schema instance; no code but zod's own has it.
      expect(readFileSync(join(root, 'dist', file), 'utf8'), file).not.toContain('._zod.');
    }
    expect(readFileSync(join(root, 'dist', 'generated.js'), 'utf8')).toMatch(/from "zod\/mini"/);
  });

  test('the AI SDK provider needs nothing from the AI SDK at run time or to type-check', () => {
    const js = readFileSync(join(root, 'dist', 'ai-sdk.js'), 'utf8');
    expect(js).not.toMatch(/from "(ai|@ai-sdk\/[^"]+)"/);
    for (const file of ['ai-sdk.d.ts', 'ai-sdk.d.cts']) {
      expect(readFileSync(join(root, 'dist', file), 'utf8'), file).not.toMatch(/from ['"]@ai-sdk/);
    }
  });

  test('the tarball holds the builds, the spec and the README, and no sources', () => {
    expect(packedFiles).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'openapi/aixplain-models.yaml',
        'dist/cli.js',
        ...['index', 'generated', 'ai-sdk', 'testing'].flatMap((name) =>
          ['.js', '.cjs', '.d.ts', '.d.cts'].map((ext) => `dist/${name}${ext}`),
        ),
      ]),
    );
    expect(packedFiles.filter((path) => /^(src|test|generated|scripts)\//.test(path))).toEqual([]);
  });
});

describe('a project that installs the tarball', () => {
  // A run through a fake fetch proves the class works without any network.
  const useIt = (load: string) => `${load}
const fetch = async () => new Response(JSON.stringify({ completed: true, status: 'SUCCESS', data: 'ok' }), { headers: { 'content-type': 'application/json' } });
const llm = new pkg.LLM({ id: 'model-1', apiKey: 'k'.repeat(12), fetch });
const res = await llm.run('Hi');
const model = aiSdk.createAixplain({ apiKey: 'k'.repeat(12), fetch })('model-1');
console.log(JSON.stringify({ status: res.status, data: res.data, isResponse: res instanceof pkg.ModelResponse, generated: Object.keys(generated), parsed: generated.zRunResult.parse({ completed: true, status: 'SUCCESS', data: 'x' }).status, aiSdk: [model.specificationVersion, model.modelId] }));`;
  const expected = {
    status: 'SUCCESS',
    data: 'ok',
    isResponse: true,
    generated: expect.arrayContaining([
      'executeModel',
      'executeModelAsync',
      'pollRun',
      'createClient',
      'zRunResult',
    ]),
    // zod (the one dependency) is loaded from the consumer's node_modules, not bundled.
    parsed: 'SUCCESS',
    aiSdk: ['v3', 'model-1'],
  };

  test('loads it with import', () => {
    const script = useIt(
      "const pkg = await import('aixplain-llm'); const generated = await import('aixplain-llm/generated'); const aiSdk = await import('aixplain-llm/ai-sdk');",
    );
    const { stdout } = sh(process.execPath, ['--input-type=module', '-e', script], consumer);
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  test('loads it with require', () => {
    const script = `(async () => { ${useIt(
      "const pkg = require('aixplain-llm'); const generated = require('aixplain-llm/generated'); const aiSdk = require('aixplain-llm/ai-sdk');",
    )} })().catch((e) => { console.error(e); process.exit(1); });`;
    const { stdout } = sh(process.execPath, ['--input-type=commonjs', '-e', script], consumer);
    expect(JSON.parse(stdout)).toEqual(expected);
  });

  test('type-checks TypeScript that uses it, under node16 (ESM and CJS) and bundler resolution', () => {
    const body = `
const llm = new LLM({ id: 'model-1', temperature: 0.2 });
async function use(): Promise<string> {
  const res: ModelResponse = await llm.run('Hi', { maxTokens: 64 });
  const streamer: ModelResponseStreamer = await llm.run('Hi', { stream: true });
  const status: 'IN_PROGRESS' | 'SUCCESS' | 'FAILED' = streamer.status;
  // @ts-expect-error the input is a string or an object, never a number
  await llm.run(42);
  if (res.error instanceof LLMError) return res.error.message;
  const spec: 'v3' = createAixplain({ apiKey: 'k' })('model-1').specificationVersion;
  return \`\${status} \${String(res.data)} \${typeof executeModel} \${spec}\`;
}
export { use };
`;
    writeFileSync(
      join(consumer, 'esm.mts'),
      `import { LLM, LLMError, type ModelResponse, type ModelResponseStreamer } from 'aixplain-llm';
import { executeModel } from 'aixplain-llm/generated';
import { createAixplain } from 'aixplain-llm/ai-sdk';
${body}`,
    );
    writeFileSync(
      join(consumer, 'cjs.cts'),
      `import { LLM, LLMError, type ModelResponse, type ModelResponseStreamer } from 'aixplain-llm';
import { executeModel } from 'aixplain-llm/generated';
import { createAixplain } from 'aixplain-llm/ai-sdk';
${body}`,
    );
    // A strict consumer's options; skipLibCheck is off, so the package's own declarations are
    // checked too. The ecosystem suite's type checks start from the same options.
    const compilerOptions = consumerCompilerOptions;
    writeFileSync(
      join(consumer, 'tsconfig.node16.json'),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, module: 'node16', moduleResolution: 'node16' },
        files: ['esm.mts', 'cjs.cts'],
      }),
    );
    writeFileSync(
      join(consumer, 'tsconfig.bundler.json'),
      JSON.stringify({
        compilerOptions: { ...compilerOptions, module: 'esnext', moduleResolution: 'bundler' },
        files: ['esm.mts'],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    for (const project of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
      const { status, stdout } = attempt(process.execPath, [tsc, '-p', project], consumer);
      expect(stdout, project).toBe('');
      expect(status, project).toBe(0);
    }
  });

  test('`npx aixplain-llm --version` prints the version', () => {
    const { stdout } = sh('npx', ['--no-install', 'aixplain-llm', '--version'], consumer);
    expect(stdout).toBe(`${pkg.version}\n`);
  });

  test('`npx aixplain-llm run --mock "Hello"` answers from the bundled mock and exits 0', () => {
    const { status, stdout, stderr } = attempt(
      'npx',
      ['--no-install', 'aixplain-llm', 'run', '--mock', 'Hello'],
      consumer,
    );
    expect(stderr).toBe('');
    expect(stdout).toBe(`${MOCK_ANSWER}\n`);
    expect(status).toBe(0);
  });
});

describe('aixplain-llm/testing in a project that installs the tarball', () => {
  test('loads with import and require, and nothing of it is in the LLM bundle', () => {
    const names =
      'console.log(JSON.stringify([typeof t.startMock, typeof t.startProxy, typeof t.readViolations, t.SCENARIO_HEADER]));';
    const expected = ['function', 'function', 'function', 'x-aixplain-scenario'];
    const esm = sh(
      process.execPath,
      ['--input-type=module', '-e', `const t = await import('aixplain-llm/testing'); ${names}`],
      consumer,
    );
    expect(JSON.parse(esm.stdout)).toEqual(expected);
    const cjs = sh(
      process.execPath,
      ['--input-type=commonjs', '-e', `const t = require('aixplain-llm/testing'); ${names}`],
      consumer,
    );
    expect(JSON.parse(cjs.stdout)).toEqual(expected);
    for (const file of ['index.js', 'index.cjs']) {
      expect(readFileSync(join(root, 'dist', file), 'utf8'), file).not.toMatch(
        /child_process|prism/i,
      );
    }
  });

  /**
   * The command lines of this machine's processes that run something from `dir` or in it
   * (vitest's workers run from the real path of vitest, in the project's directory).
   */
  const processesIn = (dir: string): string[] => {
    const found: string[] = [];
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      try {
        const status = readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (/^\d+ \(.*\) Z/.test(status)) continue;
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
        const cwd = readlinkSync(`/proc/${pid}/cwd`);
        if (args.includes(dir) || cwd.startsWith(dir)) found.push(`${pid} ${args}`);
      } catch {
        // the process ended while it was being read
      }
    }
    return found;
  };

  /** A copy of examples/vitest-contract in the consumer, which gets vitest beside the tarball. */
  const exampleIn = (name: string, skip: RegExp): string => {
    const example = join(consumer, name);
    cpSync(join(root, 'examples', 'vitest-contract'), example, {
      recursive: true,
      filter: (source) => !skip.test(source),
    });
    // This repo's vitest, linked rather than installed again: the example needs a vitest, not
    // a second download of it.
    const link = join(consumer, 'node_modules', 'vitest');
    if (!existsSync(link)) symlinkSync(join(root, 'node_modules', 'vitest'), link, 'dir');
    return example;
  };

  test('runs the README recipe (examples/vitest-contract) in vitest, and leaves no process', () => {
    const example = exampleIn('example', /(package\.json|node_modules|README\.md)$/);
    const vitest = join(consumer, 'node_modules', 'vitest', 'vitest.mjs');
    const { status, stdout, stderr } = attempt(process.execPath, [vitest, 'run'], example);
    expect(stdout + stderr).toMatch(/Tests {2}8 passed \(8\)/);
    expect(status, stdout + stderr).toBe(0);
    expect(processesIn(consumer)).toEqual([]);
  });

  test('leaves no process when the test process is killed in the middle of the run', async () => {
    const example = exampleIn('killed', /(package\.json|node_modules|README\.md|app\.test\.ts)$/);
    writeFileSync(
      join(example, 'test', 'hang.test.ts'),
      "import { test } from 'vitest';\ntest('waits to be killed', () => new Promise(() => {}), 600_000);\n",
    );
    const vitest = spawn(
      process.execPath,
      [join(consumer, 'node_modules', 'vitest', 'vitest.mjs'), 'run'],
      {
        cwd: example,
        env,
        stdio: 'ignore',
      },
    );
    try {
      // Prism runs from the consumer's node_modules once the mock has started.
      await expect
        .poll(() => processesIn(consumer).filter((line) => line.includes('prism-cli')), {
          timeout: STEP_MS,
          interval: 250,
        })
        .toHaveLength(2);
      vitest.kill('SIGKILL');
      await expect
        .poll(() => processesIn(consumer), { timeout: 15_000, interval: 250 })
        .toEqual([]);
    } finally {
      vitest.kill('SIGKILL');
    }
  });

  test('without Prism, startMock and --mock name the install command, with the exact version', () => {
    const prism = join(consumer, 'node_modules', '@stoplight', 'prism-cli');
    renameSync(prism, `${prism}.away`);
    try {
      const hint = 'Install it with `npm i -D @stoplight/prism-cli@5.14.2`.';
      const script =
        "import('aixplain-llm/testing').then((t) => t.startMock()).catch((e) => { console.log(e.name + ': ' + e.message); })";
      const { stdout } = sh(process.execPath, ['--input-type=module', '-e', script], consumer);
      expect(stdout).toBe(
        `PrismNotInstalledError: The mock needs Stoplight Prism, which is not installed. ${hint}\n`,
      );
      const cli = attempt(
        'npx',
        ['--no-install', 'aixplain-llm', 'run', '--mock', 'Hello'],
        consumer,
      );
      expect(cli.stderr).toContain(hint);
      expect(cli.status).toBe(1);
    } finally {
      renameSync(`${prism}.away`, prism);
    }
  });
});
