/**
 * `startMock` and `startProxy`: the mock of the aiXplain model API that the command line
 * (`aixplain-llm mock`, `--mock`, `demo`) and `aixplain-llm/testing` share, and the same
 * contract check in front of another server.
 *
 * The mock is three servers behind one front (front.ts) on the port the app is given:
 *
 * - a request that names no scenario goes to `prism mock` on the bundled spec, which serves
 *   the spec's examples (and honours Prism's `Prefer: code=401`, `Prefer: example=failed`);
 * - a request that names a scenario (scenario-server.ts: the `x-aixplain-scenario` header, or
 *   a model id such as `async-2`), and every poll of a run the scenario server started, goes
 *   to `prism proxy --errors` in front of the scenario server, so its answers are checked too;
 * - a streamed scenario whose pacing is the point (tokens apart, a cut, a stall) goes straight
 *   to the scenario server, because Prism's proxy buffers a whole answer before passing it on;
 *   its request is checked first by Prism's mock.
 *
 * Every poll URL names the front, so polls come back through it.
 */
import { type Front, type Route, startFront, VIOLATIONS_PATH } from './front.js';
import { accepts, freePort, originOf } from './ports.js';
import { type PrismServer, startPrismMock, startPrismProxy } from './prism.js';
import {
  PACED_STREAMS,
  parseScenario,
  SCENARIO_HEADER,
  type ScenarioServer,
  startScenarioServer,
} from './scenario-server.js';
import { formatViolations, type Violation } from './violations.js';

/** Options of `startMock`. */
export interface MockOptions {
  /** The port to listen on. @default a free port */
  port?: number;
  /** The address to listen on. @default '127.0.0.1' */
  host?: string;
  /** The OpenAPI document to serve and validate against. @default the package's own */
  specPath?: string;
  /** Make `close()` reject when any request or answer broke the spec. @default false */
  failOnViolations?: boolean;
}

/** A running mock (or validating proxy). */
export interface MockServer {
  /** The origin to use as the `baseUrl` of an `LLM`, e.g. `http://127.0.0.1:43117`. */
  readonly url: string;
  /** Every contract violation seen so far, oldest first. */
  violations(): Violation[];
  /** Forgets the violations seen so far. */
  clearViolations(): void;
  /**
   * Stops every server and process of the mock. Idempotent. With `failOnViolations`, rejects
   * afterwards when there were violations, listing them.
   */
  close(): Promise<void>;
  /** `close()`, for `await using mock = await startMock()`. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** Options of `startProxy`. */
export interface ProxyOptions extends MockOptions {
  /** The server to forward to (a staging deployment, your own fake), e.g. `http://127.0.0.1:8080`. */
  upstream: string;
}

interface Closable {
  close(): Promise<void>;
}

/**
 * Starts the mock of the aiXplain model API on a loopback port and resolves once it answers.
 * Needs `@stoplight/prism-cli` installed beside this package.
 *
 * @example
 * ```ts
 * import { startMock } from 'aixplain-llm/testing';
 * await using mock = await startMock();
 * const llm = new LLM({ id: 'my-model', apiKey: 'test', baseUrl: mock.url });
 * ```
 */
export async function startMock(options: MockOptions = {}): Promise<MockServer> {
  const host = options.host ?? '127.0.0.1';
  const port = await portFor(host, options.port);
  const url = originOf(host, port);
  const started: Closable[] = [];
  try {
    const scenarios = await startScenarioServer({ publicOrigin: url });
    started.push(scenarios);
    const [mock, proxy] = (await all(
      [
        startPrismMock({ specPath: options.specPath, publicOrigin: url }),
        startPrismProxy({ upstream: scenarios.url, specPath: options.specPath }),
      ],
      started,
    )) as [PrismServer, PrismServer];
    const front = await startFront({
      host,
      port,
      route: (request) => routeOf(request, { mock, proxy, scenarios }),
    });
    return mockServer(front, [front, ...started], options);
  } catch (error) {
    await Promise.allSettled(started.map((server) => server.close()));
    throw error;
  }
}

/**
 * Starts the same contract check in front of another server: every request and answer is
 * validated against the spec on its way through (an invalid request is refused with 422, an
 * invalid answer becomes a 500) and recorded in `violations()`. The upstream's origin in JSON
 * answers is replaced by the proxy's own, so poll URLs come back through the check.
 */
export async function startProxy(options: ProxyOptions): Promise<MockServer> {
  const upstream = new URL(options.upstream);
  const host = options.host ?? '127.0.0.1';
  const port = await portFor(host, options.port);
  const proxy = await startPrismProxy({ upstream: upstream.href, specPath: options.specPath });
  try {
    const front = await startFront({
      host,
      port,
      route: () => ({ to: proxy.url }),
      rewriteOrigins: [upstream.origin],
    });
    return mockServer(front, [front, proxy], options);
  } catch (error) {
    await proxy.close();
    throw error;
  }
}

/**
 * The violations recorded by the mock at `url`, read over HTTP: for test files that run in
 * another process than the one that started the mock (vitest runs `globalSetup` in its main
 * process and the tests in workers).
 */
export async function readViolations(url: string): Promise<Violation[]> {
  const response = await fetch(new URL(VIOLATIONS_PATH, url));
  if (!response.ok) throw new Error(`No mock answers at ${url} (status ${response.status}).`);
  return (await response.json()) as Violation[];
}

function routeOf(
  request: { method: string; path: string; headers: Record<string, unknown>; body: Buffer },
  servers: { mock: PrismServer; proxy: PrismServer; scenarios: ScenarioServer },
): Route {
  const { pathname } = new URL(request.path, 'http://mock.invalid');
  const header = request.headers[SCENARIO_HEADER];
  const named = typeof header === 'string' && header !== '' ? header : undefined;

  const execute = /^\/api\/(v1|v2)\/execute\/([^/]+)$/.exec(pathname);
  if (execute !== null) {
    const scenario = parseScenario(named ?? decodeURIComponent(execute[2] ?? ''));
    if (scenario === undefined) {
      return named === undefined
        ? { to: servers.mock.url }
        : { status: 400, error: `Unknown scenario '${named}' in ${SCENARIO_HEADER}.` };
    }
    if (execute[1] === 'v2' && PACED_STREAMS.includes(scenario.kind) && isStream(request.body)) {
      return { to: servers.scenarios.url, validateWith: servers.mock.url };
    }
    return { to: servers.proxy.url };
  }
  const poll = /^\/api\/v1\/data\/([^/]+)$/.exec(pathname);
  if (poll !== null && servers.scenarios.ownsRun(decodeURIComponent(poll[1] ?? ''))) {
    return { to: servers.proxy.url };
  }
  return { to: servers.mock.url };
}

function isStream(body: Buffer): boolean {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { options?: { stream?: unknown } };
    return parsed?.options?.stream === true;
  } catch {
    return false;
  }
}

function mockServer(front: Front, servers: Closable[], options: MockOptions): MockServer {
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      await Promise.allSettled(servers.map((server) => server.close()));
      const violations = front.violations();
      if (options.failOnViolations && violations.length > 0) {
        throw new Error(
          `The app broke the API contract ${violations.length} time(s):\n${formatViolations(violations)}`,
        );
      }
    })();
    return closing;
  };
  return {
    url: front.url,
    violations: () => front.violations(),
    clearViolations: () => front.clearViolations(),
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function portFor(host: string, port: number | undefined): Promise<number> {
  if (port === undefined) return freePort(host);
  if (await accepts(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host, port)) {
    throw new Error(`Port ${port} on ${host} is already in use.`);
  }
  return port;
}

/** Like Promise.all, but every server that did start is kept in `started` to be closed. */
async function all<T extends Closable>(starting: Promise<T>[], started: Closable[]): Promise<T[]> {
  const results = await Promise.allSettled(starting);
  for (const result of results) if (result.status === 'fulfilled') started.push(result.value);
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  return results.map((result) => (result as PromiseFulfilledResult<T>).value);
}
