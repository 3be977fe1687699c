/**
 * `npm run test:ecosystem`: the package as users install it, in every runtime the README names.
 *
 * It builds, packs the tarball once, starts the fake API (fake-api.mjs) on loopback, and for each
 * runtime of runtimes.mjs: installs the runtime (into a cache folder, once per version), makes a
 * throw-away consumer in a temporary folder that installs the tarball and `ai` from npm, copies
 * consumer/ into it and runs the same checks (consumer/scenario.mjs) there. The TypeScript
 * consumers type-check the tarball's declarations under nodenext (ESM and CJS), bundler and
 * node10 resolution instead.
 *
 * It prints one line per runtime, then the failed checks, then `N passed, N failed`, and exits 1
 * when anything failed. Nothing is skipped: a runtime that cannot be installed or started is a
 * failure, with the reason.
 *
 * Options: `--only <name>[,<name>]` runs some runtimes (still a failure if one is unknown);
 * `--no-build` packs the dist/ that is there (`npm test` has just built it). The cache folder is
 * `$AIXPLAIN_ECOSYSTEM_CACHE`, by default `~/.cache/aixplain-llm-ecosystem`.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import chromiumSetup from '../helpers/chromium.json' with { type: 'json' };
import consumerCompilerOptions from '../helpers/consumer-compiler-options.json' with {
  type: 'json',
};
import { KEY, startFakeApi } from './fake-api.mjs';
import { RUNTIMES, TYPESCRIPT } from './runtimes.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const consumerFiles = fileURLToPath(new URL('./consumer', import.meta.url));
const cacheRoot =
  process.env.AIXPLAIN_ECOSYSTEM_CACHE || join(homedir(), '.cache', 'aixplain-llm-ecosystem');
const STEP_MS = 120_000;
// biome-ignore lint/suspicious/noControlCharactersInRegex: colour codes are what it removes
const ANSI = /\u001b\[[0-9;]*m/g;
const PARALLEL = 2;

// No runtime may see this machine's aiXplain settings: the checks pass the key themselves.
const env = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
for (const name of Object.keys(env)) {
  if (/^(AIXPLAIN_|TEAM_API_KEY$)/.test(name)) delete env[name];
}
delete env.npm_config_ignore_scripts;

const { values: flags } = parseArgs({
  options: { only: { type: 'string' }, 'no-build': { type: 'boolean', default: false } },
});

async function main() {
  const started = performance.now();
  const wanted = flags.only?.split(',').map((name) => name.trim());
  const unknown = wanted?.filter((name) => !RUNTIMES.some((r) => r.name === name)) ?? [];
  const runtimes = RUNTIMES.filter((r) => wanted?.includes(r.name) ?? true);

  const work = await mkdtemp(join(tmpdir(), 'aixplain-llm-ecosystem-'));
  let api;
  const lines = unknown.map((name) => ({ label: name, ok: false, reason: 'no such runtime' }));
  for (const line of lines) console.log(format({ ...line, seconds: '0.0' }));
  try {
    let context;
    try {
      if (!flags['no-build']) await sh('npm', ['run', '-s', 'build'], root);
      const packed = JSON.parse(
        (await sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root))
          .stdout,
      );
      api = await startFakeApi();
      context = { tarball: join(work, packed[0].filename), work, api };
    } catch (error) {
      // Without a tarball no runtime can run: each one fails, with the reason.
      for (const runtime of runtimes) {
        const line = { label: runtime.name, ok: false, reason: `build or pack: ${oneLine(error)}` };
        console.log(format({ ...line, seconds: '0.0' }));
        lines.push(line);
      }
      runtimes.length = 0;
    }

    // Two at a time: this machine has two cores, and most of a runtime's time is npm and I/O.
    // The slowest (three tsc runs, a browser) start first, so that the two lanes end together.
    const heavy = (runtime) => ['typescript', 'chromium'].includes(runtime.kind);
    const queue = [...runtimes.filter(heavy), ...runtimes.filter((r) => !heavy(r))];
    const workers = Array.from({ length: PARALLEL }, async () => {
      for (let runtime = queue.shift(); runtime; runtime = queue.shift()) {
        const t0 = performance.now();
        const results = await runRuntime(runtime, context).catch((error) => [
          { label: runtime.name, ok: false, reason: oneLine(error) },
        ]);
        const seconds = ((performance.now() - t0) / 1000).toFixed(1);
        for (const result of results) {
          console.log(format({ ...result, seconds }));
          lines.push(result);
        }
      }
    });
    await Promise.all(workers);
  } finally {
    await api?.close();
    await rm(work, { recursive: true, force: true });
  }

  const failed = lines.filter((line) => !line.ok);
  for (const line of failed) {
    console.log(`\n${line.label}: ${line.reason ?? ''}`);
    for (const check of line.checks?.filter((c) => !c.ok) ?? []) {
      console.log(`  ${check.name}: ${check.detail}`);
    }
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`\necosystem: ${lines.length} runtimes in ${seconds} s`);
  console.log(`${lines.length - failed.length} passed, ${failed.length} failed`);
  process.exitCode = failed.length === 0 ? 0 : 1;
}

function format({ label, ok, version, ai, checks, reason, seconds }) {
  const passed = checks?.filter((c) => c.ok).length;
  const counts = checks ? `${passed}/${checks.length} checks` : '';
  const why = reason ?? firstFailure(checks);
  const detail = ok ? counts : [counts, oneLine(why, 160)].filter(Boolean).join(': ');
  return [
    ok ? 'PASS' : 'FAIL',
    label.padEnd(20),
    (version ?? '').padEnd(34),
    (ai ? `ai ${ai}` : '').padEnd(12),
    `${seconds} s`.padStart(7),
    ' ',
    detail,
  ].join(' ');
}

function firstFailure(checks) {
  const failure = checks?.find((c) => !c.ok);
  return failure ? `${failure.name}: ${failure.detail}` : undefined;
}

/** Installs the runtime and a consumer, runs the checks; one result, or two (Chromium). */
async function runRuntime(runtime, { tarball, work, api }) {
  const binary = await installRuntime(runtime);
  const dir = join(work, runtime.name.replace(/\W+/g, '-'));
  await mkdir(dir);
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  await sh(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--ignore-scripts',
      '--engine-strict=false',
      '--loglevel=error',
      tarball,
      `ai@${runtime.ai}`,
      ...(runtime.extras ?? []),
    ],
    dir,
  );
  await cp(consumerFiles, dir, { recursive: true });
  const config = { baseUrl: api.url, foreignUrl: api.foreignUrl, key: KEY, suffix: runtime.name };
  const base = { label: runtime.name, ai: runtime.ai };

  switch (runtime.kind) {
    case 'node':
    case 'bun':
    case 'deno': {
      const version = (await sh(binary, ['--version'], dir)).stdout.split('\n')[0].trim();
      const args =
        runtime.kind === 'deno'
          ? // Network to loopback only, and no --allow-env: the checks expect the package to
            // fall back to "no key" and to name the flag. --allow-sys is for `ai`, not for this
            // package: its @vercel/oidc dependency reads the host name when it is imported.
            [
              'run',
              '--no-prompt',
              '--allow-net=127.0.0.1',
              '--allow-sys=hostname',
              'cli.mjs',
              JSON.stringify(config),
            ]
          : ['cli.mjs', JSON.stringify(config)];
      const denoEnv = { DENO_DIR: join(dir, '.deno'), DENO_NO_UPDATE_CHECK: '1' };
      const { stdout } = await sh(binary, args, dir, runtime.kind === 'deno' ? denoEnv : {});
      // `v22.23.5`, `1.4.5`, `deno 2.9.6 (stable, ...)`: the version number alone.
      const number = /\d+\.\d+\.\d+/.exec(version)?.[0] ?? version;
      return [checked(base, `${runtime.kind} ${number}`, stdout)];
    }
    case 'workerd':
      return [await runWorkerd(base, binary, dir, config)];
    case 'chromium':
      return runChromium(base, binary, dir, config, api);
    case 'typescript':
      return typeCheck(dir);
    default:
      throw new Error(`unknown kind ${runtime.kind}`);
  }
}

/** A runtime's JSON answer -> a result line. */
function checked(base, version, output) {
  let result;
  try {
    result = typeof output === 'string' ? JSON.parse(output.trim().split('\n').at(-1)) : output;
  } catch {
    return { ...base, version, ok: false, reason: `no result: ${oneLine(output)}` };
  }
  if (!Array.isArray(result?.checks)) {
    return { ...base, version, ok: false, reason: oneLine(result?.error ?? result) };
  }
  const ok = result.checks.length > 0 && result.checks.every((c) => c.ok);
  return { ...base, version: version ?? result.runtime, ok, checks: result.checks };
}

/** The runtime's binary: the machine's, or one installed from npm into the cache, once. */
async function installRuntime(runtime) {
  if (runtime.kind === 'typescript') return undefined;
  if (runtime.system === 'node') return process.execPath;
  if (runtime.system !== undefined) {
    try {
      await sh(runtime.system, ['--version'], root);
    } catch (error) {
      throw new Error(
        `${runtime.system} cannot run (.ci/run installs it with apt-get): ${oneLine(error)}`,
      );
    }
    return runtime.system;
  }
  const spec = `${runtime.npm}@${runtime.version}`;
  const dir = join(cacheRoot, spec);
  const binary = join(dir, 'node_modules', '.bin', runtime.bin);
  try {
    await readFile(join(dir, '.installed'));
    return binary;
  } catch {}
  const partial = `${dir}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  await writeFile(join(partial, 'package.json'), '{"private":true}');
  try {
    // Install scripts stay on: bun's and deno's put the platform binary in place.
    await sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', spec], partial);
    await sh(join(partial, 'node_modules', '.bin', runtime.bin), ['--version'], partial);
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw new Error(`could not install ${spec}: ${oneLine(error)}`);
  }
  await writeFile(join(partial, '.installed'), `${spec}\n`);
  await rm(dir, { recursive: true, force: true });
  await rename(partial, dir);
  return binary;
}

/** workerd: the checks bundled as a module worker, served on a loopback port, called once. */
async function runWorkerd(base, binary, dir, config) {
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: dir,
    entryPoints: ['worker.mjs'],
    outfile: 'worker.js',
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    logLevel: 'error',
  });
  const port = await freePort();
  await writeFile(
    join(dir, 'config.capnp'),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .checks),
    # Outbound requests reach loopback only: the fake API.
    (name = "loopback", network = (allow = ["127.0.0.1/32"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const checks :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2026-11-01",
  globalOutbound = "loopback",
);
`,
  );
  const version = (await sh(binary, ['--version'], dir)).stdout.trim();
  const child = spawn(binary, ['serve', 'config.capnp'], { cwd: dir, env, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  try {
    const url = `http://127.0.0.1:${port}/?config=${encodeURIComponent(JSON.stringify(config))}`;
    await waitForPort(port, child, () => stderr);
    const response = await fetch(url, { signal: AbortSignal.timeout(STEP_MS) });
    const body = await response.text();
    return checked(
      base,
      version,
      response.ok ? body : `HTTP ${response.status}: ${body} ${stderr}`,
    );
  } finally {
    child.kill('SIGTERM');
  }
}

/** Chromium: the checks bundled for the page and for a module Web Worker, one result each. */
async function runChromium(base, binary, dir, config, api) {
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: dir,
    entryPoints: { page: 'page.mjs', webworker: 'webworker.mjs' },
    outdir: 'www',
    bundle: true,
    format: 'esm',
    platform: 'browser',
    logLevel: 'error',
  });
  await writeFile(
    join(dir, 'www', 'index.html'),
    '<!doctype html><meta charset="utf-8"><title>checks</title><script type="module" src="page.js"></script>\n',
  );
  // The page comes from the fake API's own origin: its requests are same-origin, as a web app
  // that serves its pages and proxies the API would make them.
  api.serve('/__eco/chromium/', join(dir, 'www'));
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(tmpdir(), 'aixplain-llm-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: binary,
    headless: true,
    // The flags the browser test uses on this kind of machine (no sandbox as root, no
    // background connections on a closed network).
    args: chromiumSetup.args,
  });
  try {
    const version = `chromium ${context.browser()?.version() ?? ''}`.trim();
    const page = context.pages()[0] ?? (await context.newPage());
    const errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(
      `${api.url}/__eco/chromium/index.html#${encodeURIComponent(JSON.stringify(config))}`,
    );
    let result;
    try {
      await page.waitForFunction(() => window.__result !== undefined, undefined, {
        timeout: 60_000,
      });
      result = await page.evaluate(() => window.__result);
    } catch (error) {
      result = { error: `no result: ${oneLine(error)} ${errors.join(' | ')}` };
    }
    return [
      checked({ ...base, label: 'chromium page' }, version, result.page ?? result),
      checked({ ...base, label: 'chromium worker' }, version, result.worker ?? result),
    ];
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
}

/** TypeScript 5.9 consumers: nodenext (ESM and CJS), bundler and node10 resolution. */
async function typeCheck(dir) {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  // A strict consumer's options; skipLibCheck is off, so the package's own declarations are
  // checked too. The package smoke test's type check starts from the same options.
  const compilerOptions = consumerCompilerOptions;
  const projects = [
    ['nodenext', { module: 'nodenext', moduleResolution: 'nodenext' }, ['esm.mts', 'cjs.cts']],
    // An app's set-up, as Vite's and Next's templates write it (skipLibCheck on, @types/node),
    // which also type-checks the provider against `ai`. The package's declarations themselves
    // are checked with skipLibCheck off in the two other projects.
    [
      'bundler',
      { module: 'esnext', moduleResolution: 'bundler', types: ['node'], skipLibCheck: true },
      ['esm.mts', 'ai.mts'],
    ],
    // esModuleInterop as `tsc --init` sets it: zod's CJS declarations need it under node10.
    [
      'node10',
      { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true },
      ['node10.ts'],
    ],
  ];
  return Promise.all(
    projects.map(async ([name, options, files]) => {
      const project = `tsconfig.${name}.json`;
      await writeFile(
        join(dir, project),
        JSON.stringify({
          compilerOptions: { ...compilerOptions, ...options },
          files: files.map((file) => `types/${file}`),
        }),
      );
      const label = `typescript ${name}`;
      const kinds = new Set(files.map((f) => (/\.mts$/.test(f) ? 'ESM' : 'CJS')));
      const version = `tsc ${TYPESCRIPT} (${[...kinds].join(' + ')})`;
      try {
        await sh(process.execPath, [tsc, '-p', project], dir);
        return { label, version, ok: true };
      } catch (error) {
        return { label, version, ok: false, reason: oneLine(error, 2000) };
      }
    }),
  );
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once `port` accepts a TCP connection; rejects if `child` exits first. */
async function waitForPort(port, child, output) {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${output()}`);
    const open = await new Promise((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`did not listen on ${port} within 30 s: ${output()}`);
}

/** Runs a command; rejects with its output when it fails or outlives STEP_MS. */
function sh(command, args, cwd, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...env, ...extraEnv }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), STEP_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve({ stdout, stderr });
      else {
        const status =
          signal === 'SIGKILL'
            ? `timed out after ${STEP_MS / 1000} s`
            : `exited with ${code ?? signal}`;
        reject(
          new Error(
            `${command.split('/').at(-1)} ${args.join(' ').slice(0, 80)} ${status}: ${stderr.trim()} ${stdout.trim()}`.trim(),
          ),
        );
      }
    });
  });
}

function oneLine(value, max = 400) {
  const text =
    value instanceof Error
      ? value.message
      : typeof value === 'string'
        ? value
        : JSON.stringify(value);
  return String(text).replace(ANSI, '').replace(/\s+/g, ' ').slice(0, max);
}

await main();
