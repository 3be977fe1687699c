/**
 * Starts Stoplight Prism (`@stoplight/prism-cli`, an optional peer dependency, resolved at run
 * time) on a loopback port, as a mock of a spec or as a validating proxy in front of another
 * server, and makes sure it never outlives the process that started it:
 *
 * - `close()` sends SIGTERM, then SIGKILL after 3 s;
 * - the end of this process (`process.exit`, the end of the event loop, an uncaught error) kills
 *   it from an `exit` listener;
 * - a process that dies without running any listener (SIGKILL, a crash, an unhandled SIGINT or
 *   SIGTERM) closes the pipe on Prism's stdin; a one-line module preloaded into Prism
 *   (`--import data:...`) exits when that pipe ends. No signal handler is installed here: a
 *   library that listened to SIGINT would change how its host reacts to Ctrl-C.
 *
 * Prism runs as `node .../prism-cli/dist/index.js` with `process.execPath`, so the PID held is
 * Prism itself (killing an `npx` wrapper would orphan the real server). Its stdout and stderr are
 * drained for its whole life (a full pipe would block it) and their tail is quoted when it fails
 * to start.
 */

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { accepts, freePort, originOf } from './ports.js';
import { defaultSpecPath, PRODUCTION_ORIGIN, readSpec } from './spec.js';

/** A running Prism process. */
export interface PrismServer {
  /** Its origin, e.g. `http://127.0.0.1:43117` (no trailing slash). */
  readonly url: string;
  /** Stops Prism (SIGTERM, then SIGKILL after 3 s) and removes its temp files. Idempotent. */
  close(): Promise<void>;
}

/** The Prism version this package is tested with, named in the install hint. */
export const PRISM_VERSION = '5.14.2';
const PRISM_ENTRY = '@stoplight/prism-cli/dist/index.js';
const STARTUP_TIMEOUT_MS = 30_000;
const PORT_POLL_INTERVAL_MS = 50;
const KILL_GRACE_MS = 3_000;
const OUTPUT_TAIL_CHARS = 4_096;

/** Preloaded into Prism: exit when the parent's end of the stdin pipe closes. */
const WATCH_PARENT = `data:text/javascript,${encodeURIComponent(
  'process.stdin.on("end",()=>process.exit(0)).on("error",()=>process.exit(0)).resume();',
)}`;

/** Every Prism still running, killed by one `exit` listener if this process ends first. */
const running = new Set<ChildProcess>();
const killAll = () => {
  for (const child of running) child.kill('SIGKILL');
};

/** Thrown when `@stoplight/prism-cli` cannot be found; the message names the install command. */
export class PrismNotInstalledError extends Error {
  /** `PrismNotInstalledError`. */
  override readonly name = 'PrismNotInstalledError';
}

/**
 * The path of Prism's entry script, resolved from each of `bases` in turn (by default this
 * module, then the current directory, so that a project's own install is found).
 */
export function resolvePrismEntry(
  bases: readonly string[] = [import.meta.url, join(process.cwd(), 'noop.js')],
): string {
  for (const base of bases) {
    try {
      return createRequire(base).resolve(PRISM_ENTRY);
    } catch {
      // try the next base
    }
  }
  throw new PrismNotInstalledError(
    `The mock needs Stoplight Prism, which is not installed. Install it with \`npm i -D @stoplight/prism-cli@${PRISM_VERSION}\`.`,
  );
}

/**
 * Starts `prism mock` on the spec, rewritten so that its production origin becomes
 * `publicOrigin` (by default Prism's own): the real service answers a run that went
 * asynchronous with an absolute poll URL naming itself, and Prism serves examples as written, so
 * without the rewrite a client of the mock would be handed a poll URL of the real service, which
 * it must refuse (the key never goes to a foreign origin). The copy lives in a temp directory
 * that `close()` removes.
 */
export async function startPrismMock(
  options: { specPath?: string; port?: number; host?: string; publicOrigin?: string } = {},
): Promise<PrismServer> {
  const spec = readSpec(resolve(options.specPath ?? defaultSpecPath()));
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? (await freePort(host));
  const url = originOf(host, port);

  const tempDir = mkdtempSync(join(tmpdir(), 'aixplain-prism-'));
  const servedSpec = join(tempDir, 'aixplain-models.yaml');
  try {
    writeFileSync(servedSpec, spec.replaceAll(PRODUCTION_ORIGIN, options.publicOrigin ?? url));
  } catch (error) {
    rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }
  return startPrism(['mock', servedSpec], { host, port, url, tempDir });
}

/**
 * Starts `prism proxy <spec> <upstream>`: requests and responses are validated against the spec
 * and forwarded. With `errors` (the default) invalid requests are refused (422, not forwarded)
 * and invalid responses become 500s; either way the violations are listed in `sl-violations`.
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
    [
      '--import',
      WATCH_PARENT,
      entry,
      ...args,
      '-h',
      where.host,
      '-p',
      String(where.port),
      '-v',
      'warn',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, SCARF_ANALYTICS: 'false' } },
  );

  let outputTail = '';
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      outputTail = (outputTail + chunk).slice(-OUTPUT_TAIL_CHARS);
    });
  }
  // Writing to a Prism that already exited must not crash this process.
  child.stdin?.on('error', () => {});

  let spawnError: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.on('error', (error) => {
      // The process could not be spawned (or killed); no 'exit' may follow.
      spawnError = error;
      done();
    });
  });
  if (running.size === 0) process.once('exit', killAll);
  running.add(child);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      running.delete(child);
      if (running.size === 0) process.removeListener('exit', killAll);
      if (child.exitCode === null && child.signalCode === null && spawnError === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      child.stdin?.destroy();
      removeTemp();
    })();
    return closing;
  };

  try {
    await waitForPort(
      child,
      where,
      () => spawnError,
      () => outputTail,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { url: where.url, close };
}

async function waitForPort(
  child: ChildProcess,
  { host, port }: { host: string; port: number },
  spawnError: () => Error | undefined,
  outputTail: () => string,
): Promise<void> {
  const describe = (what: string) => {
    const tail = outputTail().trim();
    return tail === '' ? `${what} It printed nothing.` : `${what} Its output ends with:\n${tail}`;
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const error = spawnError();
    if (error !== undefined) {
      throw new Error(describe(`Prism could not be started: ${error.message}.`), { cause: error });
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
