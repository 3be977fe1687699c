/**
 * Starts Stoplight Prism (`@stoplight/prism-cli`, a dev dependency) on a loopback port, as a
 * mock of the aiXplain model API or as a validating proxy in front of another server. The
 * integration tests, the CLI's `--mock` and the demo all use it, so it imports Node built-ins
 * only and resolves Prism at run time.
 *
 * Why the mock serves a rewritten copy of the spec: the real service answers a run that went
 * asynchronous with an absolute poll URL that names its own origin
 * (`https://models.aixplain.com/api/v1/data/...`), and Prism returns the spec's examples exactly
 * as written. A client pointed at the mock would then be handed a poll URL for the real service,
 * which it must refuse (the key is never sent to a foreign origin) or would call for real. So
 * `startPrismMock` writes a copy of the spec to a temp file (in `os.tmpdir()`) in which every
 * `https://models.aixplain.com` is replaced by the mock's own origin (`http://127.0.0.1:PORT`),
 * and serves that: a poll URL from the mock points back at the mock. `close()` deletes the copy.
 *
 * Prism is spawned as `node .../prism-cli/dist/index.js` with `process.execPath`, so the PID we
 * hold is Prism itself (killing an `npx` wrapper would orphan the real server).
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A running Prism process. */
export interface PrismServer {
  /** Its origin, e.g. `http://127.0.0.1:43117` (no trailing slash). */
  readonly url: string;
  /** Stops Prism (SIGTERM, then SIGKILL after 3 s) and removes its temp files. Idempotent. */
  close(): Promise<void>;
}

/** The origin of the real service; the mock replaces it by its own in the spec it serves. */
const PRODUCTION_ORIGIN = 'https://models.aixplain.com';
const SPEC_RELATIVE_PATH = join('openapi', 'aixplain-models.yaml');
const PRISM_ENTRY = '@stoplight/prism-cli/dist/index.js';
const PRISM_VERSION = '5.14.2';
const STARTUP_TIMEOUT_MS = 30_000;
const PORT_POLL_INTERVAL_MS = 50;
const KILL_GRACE_MS = 3_000;
const STDERR_TAIL_BYTES = 4_096;

/**
 * The path of `openapi/aixplain-models.yaml`, found by walking up from this module's directory
 * (so it works from `src/cli/` and from a built file under `dist/`).
 */
export function defaultSpecPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, SPEC_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `Cannot find ${SPEC_RELATIVE_PATH} in ${dirname(fileURLToPath(import.meta.url))} or any parent directory.`,
      );
    }
    dir = parent;
  }
}

/**
 * Starts `prism mock` on the spec, rewritten so that the spec's production origin becomes the
 * mock's own origin (see the header comment).
 */
export async function startPrismMock(
  options: { specPath?: string; port?: number; host?: string } = {},
): Promise<PrismServer> {
  const specPath = resolve(options.specPath ?? defaultSpecPath());
  const spec = readSpec(specPath);
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const url = originOf(host, port);

  const tempDir = mkdtempSync(join(tmpdir(), 'aixplain-prism-'));
  const servedSpec = join(tempDir, 'aixplain-models.yaml');
  try {
    writeFileSync(servedSpec, spec.replaceAll(PRODUCTION_ORIGIN, url));
  } catch (error) {
    rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }
  return startPrism(['mock', servedSpec], { host, port, url, tempDir });
}

/**
 * Starts `prism proxy <spec> <upstream>`: requests and responses are validated against the spec
 * and forwarded. With `errors` (the default) invalid requests are refused (422, not forwarded)
 * and invalid responses become 500s; either way violations are listed in `sl-violations`.
 * Prism keeps the upstream URL's path as a prefix of every forwarded path.
 */
export async function startPrismProxy(options: {
  upstream: string;
  specPath?: string;
  port?: number;
  errors?: boolean;
}): Promise<PrismServer> {
  const specPath = resolve(options.specPath ?? defaultSpecPath());
  readSpec(specPath);
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const args = ['proxy', specPath, options.upstream];
  if (options.errors ?? true) args.push('--errors');
  return startPrism(args, { host, port, url: originOf(host, port) });
}

function readSpec(specPath: string): string {
  try {
    return readFileSync(specPath, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the OpenAPI document ${specPath}.`, { cause: error });
  }
}

function originOf(host: string, port: number): string {
  // A wildcard listen address is not a usable origin; loopback reaches it.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

function resolvePrismEntry(): string {
  const bases = [import.meta.url, join(process.cwd(), 'noop.js')];
  for (const base of bases) {
    try {
      return createRequire(base).resolve(PRISM_ENTRY);
    } catch {
      // try the next base
    }
  }
  throw new Error(
    `Cannot find Prism (${PRISM_ENTRY}). Install it with \`npm i -D @stoplight/prism-cli@${PRISM_VERSION}\`.`,
  );
}

/** A port that was free a moment ago (listen on port 0, read it, close). */
async function freePort(host: string): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('No free port.'))));
    });
  });
}

async function startPrism(
  args: string[],
  where: { host: string; port: number; url: string; tempDir?: string },
): Promise<PrismServer> {
  const removeTemp = () => {
    if (where.tempDir !== undefined) rmSync(where.tempDir, { recursive: true, force: true });
  };
  let entry: string;
  try {
    entry = resolvePrismEntry();
    // Something already listening there would look like Prism being ready.
    if (await accepts(where.host, where.port)) {
      throw new Error(`Port ${where.port} on ${where.host} is already in use.`);
    }
  } catch (error) {
    removeTemp();
    throw error;
  }

  const child = spawn(
    process.execPath,
    [entry, ...args, '-h', where.host, '-p', String(where.port), '-v', 'warn'],
    {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, SCARF_ANALYTICS: 'false' },
    },
  );

  // Keep draining stderr for the whole life of the child (a full pipe would block it), and
  // remember its tail for error messages.
  let stderrTail = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-STDERR_TAIL_BYTES);
  });

  let spawnError: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.on('error', (error) => {
      // The process could not be spawned (or killed); no 'exit' may follow.
      spawnError = error;
      done();
    });
  });
  // If this process ends without calling close(), take Prism down with it.
  const killOnExit = () => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      process.removeListener('exit', killOnExit);
      if (child.exitCode === null && child.signalCode === null && spawnError === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      removeTemp();
    })();
    return closing;
  };

  try {
    await waitForPort(
      child,
      where.host,
      where.port,
      () => spawnError,
      () => stderrTail,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { url: where.url, close };
}

async function waitForPort(
  child: ChildProcess,
  host: string,
  port: number,
  spawnError: () => Error | undefined,
  stderrTail: () => string,
): Promise<void> {
  const describe = (what: string) => {
    const tail = stderrTail().trim();
    return tail === '' ? what : `${what}\nPrism's stderr ends with:\n${tail}`;
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const error = spawnError();
    if (error !== undefined) {
      throw new Error(describe(`Prism could not be started: ${error.message}`), { cause: error });
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.exitCode !== null ? `code ${child.exitCode}` : `signal ${child.signalCode}`;
      throw new Error(describe(`Prism exited with ${how} before listening on ${host}:${port}.`));
    }
    if (await accepts(host, port)) return;
    if (Date.now() >= deadline) {
      throw new Error(
        describe(`Prism did not listen on ${host}:${port} within ${STARTUP_TIMEOUT_MS / 1000} s.`),
      );
    }
    await new Promise((wake) => setTimeout(wake, PORT_POLL_INTERVAL_MS));
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      answer(true);
    });
    socket.once('error', () => {
      socket.destroy();
      answer(false);
    });
  });
}
