/**
 * The scenario server: a small, stateful stand-in for the aiXplain model API on loopback. It
 * plays what Prism's mock cannot, because Prism is stateless and answers at once: a run that
 * stays in progress for N polls, a 429 that clears after one retry, a slow answer, a stream
 * written token by token, cut before `[DONE]`, failing with `event: error`, or stalling. It is
 * meant to run behind `prism proxy --errors` (`startMock` wires it so), which checks every
 * answer against the spec: each answer below conforms to it.
 *
 * The scenario of an execute request is named by the `x-aixplain-scenario` header, else by the
 * model id (`async-2`, or with a suffix that isolates a test's state: `async-2-3f2a`). A name is
 * `kind`, `kind-N` or either followed by `-suffix`; the kinds are `SCENARIOS`. A poll needs no
 * header: the run id in the poll URL names the run and its progress.
 *
 * Poll URLs are absolute. They name `publicOrigin` (by default the server's own), except behind
 * a Prism proxy given `viaProxy(proxyOrigin)` as its upstream: Prism does not keep the `Host`
 * header but does keep the upstream URL's path as a prefix, so a first path segment
 * `/__via/<proxy origin, URI-encoded>` names the origin to put in poll URLs.
 *
 * `GET /__log?model=<id>` lists the requests received (the API key shown only as present); the
 * second listener (`foreignUrl`), the origin of `foreign` poll URLs, lists its own at `/__log`.
 * Hand-written: it plays this API's behaviours, which no generic mock library knows.
 */

import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** The request header that names the scenario of a request. */
export const SCENARIO_HEADER = 'x-aixplain-scenario';

/**
 * The scenario kinds. `N` is a number after the kind (`async-2`, `status-401`, `delay-3000`).
 *
 * - `ok`: v2 execute answers 200 SUCCESS `Echo: <data>`, with usage, credits and `requestId`.
 * - `async`: v2 execute answers 200 IN_PROGRESS with a poll URL; the first N polls (default 2)
 *   answer IN_PROGRESS, the next one SUCCESS.
 * - `failed`: v2 execute answers 200 FAILED with `error_message` at once.
 * - any kind, v1 execute: 201 ticket `{completed:false,data:<poll URL>,requestId}`; unless the
 *   kind says otherwise, the first 2 polls (N with `async-N`) are unfinished, then SUCCESS.
 * - `status-N` (N from 400 to 599): v1 and v2 execute (streamed or not) answer N with
 *   `{"error":"An unspecified error occurred while processing your request."}`;
 *   429 and 503 add `Retry-After: 1`. Behind Prism's proxy, a status that the spec does not
 *   declare for the operation becomes a 500 with a violation.
 * - `flaky503`: every other execute of the same model and scenario (the first, the third...)
 *   answers 503 (no Retry-After), the others behave like `ok`: a call and its retry see a
 *   failure, then a success.
 * - `ratelimited`: likewise, with 429 and `Retry-After: N` (default 1) seconds.
 * - `delay-N`: like `ok`, after N milliseconds (default 5000); streams too.
 * - `pollfail`: execute goes async; the first poll answers FAILED with `error_message`.
 * - `pollsupplier`: execute goes async; the first poll answers `error` + `supplierError`.
 * - `pollhint`: execute goes async; poll 1 is unfinished with `retry-after-ms: 50`, poll 2 done.
 * - `slow`: execute goes async and never finishes.
 * - `foreign`: execute goes async with a poll URL on the foreign listener (`foreignUrl`), which
 *   records every request and answers 200 SUCCESS `"foreign"` to any of them.
 * - v2 execute with `options.stream === true` answers `text/event-stream` (no charset):
 *   - `stream` and every other kind but those below: tokens `Hel`, `lo`, ` wörld`, ` 👋`, `!` as
 *     `data: {"data":"<token>"}` events, then `data: [DONE]`, written in small pieces (split
 *     inside lines and inside multi-byte UTF-8 characters) about 15 ms apart;
 *   - `streamcut`: two tokens, then the body ends without `[DONE]`;
 *   - `streamerror`: one token, then `event: error` / `data: {"error":"boom"}`, then the end;
 *   - `streamslow`: one token, then nothing until the client goes away;
 *   - `streamcrlf`: CRLF line ends (each CR and its LF in separate writes), a `: comment` line,
 *     a two-line `data` event (`data: a`, `data: b`: token `"a\nb"`), an event named `token`
 *     (token `!`), then `data: [DONE]` + CRLF with no blank line after it.
 * - an unknown kind answers 404 `{"error":"Not found."}`.
 *
 * Polls (`GET /api/v1/data/:id`) of an unknown id read the id like a model id:
 * `status-N-*` answers N, `flaky503-*` / `ratelimited-*` fail once (503 / 429) then answer
 * SUCCESS; anything else is 404. A request without `x-api-key` gets 401.
 */
export const SCENARIOS = [
  'ok',
  'async',
  'failed',
  'status',
  'flaky503',
  'ratelimited',
  'delay',
  'pollfail',
  'pollsupplier',
  'pollhint',
  'slow',
  'foreign',
  'stream',
  'streamcut',
  'streamerror',
  'streamslow',
  'streamcrlf',
] as const;

/** A scenario kind. */
export type ScenarioKind = (typeof SCENARIOS)[number];

/** The kinds whose streamed answer is paced or cut, which a buffering proxy would hide. */
export const PACED_STREAMS: readonly ScenarioKind[] = [
  'stream',
  'streamcut',
  'streamerror',
  'streamslow',
  'streamcrlf',
];

/** A parsed scenario name: `async-2-3f2a` is kind `async`, N 2. */
export interface Scenario {
  kind: ScenarioKind;
  n?: number;
}

/**
 * Reads a scenario name (`kind`, `kind-N`, either with a `-suffix`); undefined when its kind is
 * not one of `SCENARIOS` (or `status` without a status from 400 to 599).
 */
export function parseScenario(name: string): Scenario | undefined {
  const match = /^([a-z0-9]+)(?:-(\d+))?(?:-|$)/.exec(name);
  const kind = match?.[1] as ScenarioKind | undefined;
  if (kind === undefined || !SCENARIOS.includes(kind)) return undefined;
  const n = match?.[2] === undefined ? undefined : Number(match[2]);
  if (kind === 'status' && (n === undefined || n < 400 || n > 599)) return undefined;
  return n === undefined ? { kind } : { kind, n };
}

/** One request as the server saw it. */
export interface LoggedRequest {
  method: string;
  /** The API path (without the `/__via/...` prefix) and query. */
  path: string;
  /** The model the request belongs to (for polls: the model of the run), or null. */
  model: string | null;
  /** Whether it came through the Prism proxy (`/__via/...`) or straight to the fake. */
  via: 'proxy' | 'direct';
  /** Lower-cased request headers; `x-api-key` is `"<present>"` when sent, absent otherwise. */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, the raw text when it is not JSON, or null when empty. */
  body: unknown;
  /** The status answered. */
  status: number;
  /** True when the client closed the connection before the response ended. */
  closedEarly: boolean;
}

/** A running scenario server. */
export interface ScenarioServer {
  /** Its own origin; direct callers get poll URLs on `publicOrigin`, by default this one. */
  readonly url: string;
  /** The origin of the foreign listener (a second port). */
  readonly foreignUrl: string;
  /** The upstream URL to give a Prism proxy serving at `proxyOrigin`. */
  viaProxy(proxyOrigin: string): string;
  /** Whether `runId` (the last segment of a poll URL) is a run that this server started. */
  ownsRun(runId: string): boolean;
  /** Stops both listeners, ending any open connection (streams included). Idempotent. */
  close(): Promise<void>;
}

/** Options of `startScenarioServer`. */
export interface ScenarioServerOptions {
  /** The origin put in poll URLs of requests that do not come through `viaProxy`. */
  publicOrigin?: string;
}

const UNSPECIFIED = 'An unspecified error occurred while processing your request.';
const STREAM_TOKENS = ['Hel', 'lo', ' wörld', ' 👋', '!'];
const STREAM_PIECE_DELAY_MS = 15;
const DEFAULT_ASYNC_POLLS = 2;
const DEFAULT_DELAY_MS = 5_000;
const VIA_PREFIX = '/__via/';
const CORS_HEADERS: OutgoingHttpHeaders = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'x-request-id, retry-after, retry-after-ms',
};

interface Run {
  model: string;
  scenario: Scenario;
  input: unknown;
  polls: number;
}

interface Context {
  req: IncomingMessage;
  res: ServerResponse;
  entry: LoggedRequest;
  /** The origin to put into poll URLs. */
  origin: string;
}

/** Starts the scenario server on two free loopback ports (the API and the foreign listener). */
export async function startScenarioServer(
  options: ScenarioServerOptions = {},
): Promise<ScenarioServer> {
  const log: LoggedRequest[] = [];
  const foreignLog: LoggedRequest[] = [];
  const runs = new Map<string, Run>();
  const executeCounts = new Map<string, number>();
  const failedOnce = new Set<string>();
  let ownOrigin = '';
  let foreignOrigin = '';

  const api = createServer((req, res) => {
    void handleApi(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  const foreign = createServer((req, res) => {
    void handleForeign(req, res).catch(() => res.destroy());
  });

  async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    let via: LoggedRequest['via'] = 'direct';
    let origin = options.publicOrigin ?? ownOrigin;
    let rest = raw;
    if (raw.startsWith(VIA_PREFIX)) {
      const end = raw.indexOf('/', VIA_PREFIX.length);
      const encoded = raw.slice(VIA_PREFIX.length, end === -1 ? undefined : end);
      via = 'proxy';
      origin = decodeURIComponent(encoded);
      rest = end === -1 ? '/' : raw.slice(end);
    }
    const url = new URL(rest, 'http://scenario.invalid');

    if (req.method === 'GET' && url.pathname === '/__log') {
      const model = url.searchParams.get('model');
      const entries = model === null ? log : log.filter((e) => e.model === model);
      send(res, 200, entries);
      return;
    }

    const text = await readBody(req);
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path: rest,
      model: null,
      via,
      headers: redactedHeaders(req),
      body: parseBody(text),
      status: 0,
      closedEarly: false,
    };
    log.push(entry);
    trackClose(res, entry);
    const ctx: Context = { req, res, entry, origin };

    if (req.method === 'OPTIONS') {
      res.writeHead(204, {
        ...CORS_HEADERS,
        'access-control-allow-methods': 'GET, POST',
        'access-control-allow-headers': `x-api-key, content-type, accept, user-agent, ${SCENARIO_HEADER}`,
        'access-control-max-age': '600',
      });
      entry.status = 204;
      res.end();
      return;
    }

    const execute = /^\/api\/(v1|v2)\/execute\/([^/]+)$/.exec(url.pathname);
    const poll = /^\/api\/v1\/data\/([^/]+)$/.exec(url.pathname);
    if (execute !== null && req.method === 'POST') {
      const model = decodeURIComponent(execute[2] ?? '');
      entry.model = model;
      if (missingKey(ctx)) return;
      if (typeof entry.body !== 'object' || entry.body === null || Array.isArray(entry.body)) {
        answer(ctx, 400, { error: 'The request payload is invalid.' });
        return;
      }
      const header = req.headers[SCENARIO_HEADER];
      const name = typeof header === 'string' && header !== '' ? header : model;
      await executeRun(ctx, {
        version: execute[1] === 'v2' ? 'v2' : 'v1',
        model,
        name,
        body: entry.body as Record<string, unknown>,
      });
      return;
    }
    if (poll !== null && req.method === 'GET') {
      const runId = decodeURIComponent(poll[1] ?? '');
      const run = runs.get(runId);
      entry.model = run?.model ?? runId;
      if (missingKey(ctx)) return;
      pollRun(ctx, runId, run);
      return;
    }
    answer(ctx, 404, { error: 'Not found.' });
  }

  async function executeRun(
    ctx: Context,
    request: { version: 'v1' | 'v2'; model: string; name: string; body: Record<string, unknown> },
  ): Promise<void> {
    const { version, model, name, body } = request;
    const scenario = parseScenario(name);
    if (scenario === undefined) {
      answer(ctx, 404, { error: 'Not found.' });
      return;
    }
    const { kind, n } = scenario;
    // Scenarios that fail once fail every other execute of the same model and scenario, so
    // that a call and its retry see a failure then a success, however many calls a test makes.
    const countKey = `${model}\u0000${name}`;
    const count = (executeCounts.get(countKey) ?? 0) + 1;
    executeCounts.set(countKey, count);

    if (kind === 'status' && n !== undefined) {
      errorAnswer(ctx, n);
      return;
    }
    if (kind === 'flaky503' && count % 2 === 1) {
      answer(ctx, 503, { error: UNSPECIFIED });
      return;
    }
    if (kind === 'ratelimited' && count % 2 === 1) {
      answer(ctx, 429, { error: UNSPECIFIED }, { 'retry-after': String(n ?? 1) });
      return;
    }
    if (kind === 'delay') {
      await sleep(n ?? DEFAULT_DELAY_MS, ctx.res);
      if (ctx.res.destroyed) return;
    }

    const input = body.data;
    const options = body.options;
    const wantsStream =
      typeof options === 'object' &&
      options !== null &&
      (options as Record<string, unknown>).stream === true;
    if (version === 'v2' && wantsStream) {
      await streamAnswer(ctx, kind);
      return;
    }

    const requestId = randomUUID();
    if (version === 'v2' && kind === 'failed') {
      answer(
        ctx,
        200,
        { completed: true, status: 'FAILED', error_message: 'The model could not answer.' },
        { 'x-request-id': requestId },
      );
      return;
    }
    const goesAsync =
      version === 'v1' || !['ok', 'flaky503', 'ratelimited', 'delay', 'failed'].includes(kind);
    if (!goesAsync) {
      answer(ctx, 200, success(input, requestId), { 'x-request-id': requestId });
      return;
    }
    runs.set(requestId, { model, scenario, input, polls: 0 });
    const pollOrigin = kind === 'foreign' ? foreignOrigin : ctx.origin;
    const pollUrl = `${pollOrigin}/api/v1/data/${requestId}`;
    if (version === 'v1') {
      answer(
        ctx,
        201,
        { completed: false, data: pollUrl, requestId },
        { 'x-request-id': requestId },
      );
    } else {
      answer(ctx, 200, { status: 'IN_PROGRESS', data: pollUrl }, { 'x-request-id': requestId });
    }
  }

  function pollRun(ctx: Context, runId: string, run: Run | undefined): void {
    const headers = { 'x-request-id': runId };
    if (run === undefined) {
      const scenario = parseScenario(runId);
      const kind = scenario?.kind;
      if (kind === 'status' && scenario?.n !== undefined) {
        errorAnswer(ctx, scenario.n);
      } else if ((kind === 'flaky503' || kind === 'ratelimited') && !failedOnce.has(runId)) {
        failedOnce.add(runId);
        if (kind === 'flaky503') answer(ctx, 503, { error: UNSPECIFIED });
        else answer(ctx, 429, { error: UNSPECIFIED }, { 'retry-after': '1' });
      } else if (kind === 'flaky503' || kind === 'ratelimited') {
        answer(ctx, 200, success('poll', runId), headers);
      } else {
        answer(ctx, 404, { error: 'Not found.' });
      }
      return;
    }
    run.polls += 1;
    const unfinished = { completed: false, status: 'IN_PROGRESS' };
    switch (run.scenario.kind) {
      case 'pollfail':
      case 'failed':
        answer(
          ctx,
          200,
          { completed: true, status: 'FAILED', error_message: 'Some error occurred' },
          headers,
        );
        return;
      case 'pollsupplier':
        answer(
          ctx,
          200,
          {
            completed: true,
            error: 'The model supplier returned an error.',
            supplierError: 'Upstream timeout',
          },
          headers,
        );
        return;
      case 'pollhint':
        if (run.polls === 1) answer(ctx, 200, unfinished, { ...headers, 'retry-after-ms': '50' });
        else answer(ctx, 200, success(run.input, runId), headers);
        return;
      case 'slow':
        answer(ctx, 200, unfinished, headers);
        return;
      default: {
        const inProgress =
          run.scenario.kind === 'async'
            ? (run.scenario.n ?? DEFAULT_ASYNC_POLLS)
            : DEFAULT_ASYNC_POLLS;
        if (run.polls <= inProgress) answer(ctx, 200, unfinished, headers);
        else answer(ctx, 200, success(run.input, runId), headers);
      }
    }
  }

  async function streamAnswer(ctx: Context, kind: string): Promise<void> {
    const { res, entry } = ctx;
    const requestId = randomUUID();
    entry.status = 200;
    res.writeHead(200, {
      ...CORS_HEADERS,
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      'x-request-id': requestId,
    });
    res.flushHeaders();
    const event = (token: string) => `data: ${JSON.stringify({ data: token })}\n\n`;

    let pieces: Buffer[];
    let endAfter = true;
    switch (kind) {
      case 'streamcut':
        pieces = STREAM_TOKENS.slice(0, 2).map((t) => Buffer.from(event(t)));
        break;
      case 'streamerror':
        pieces = [event('Hel'), 'event: error\ndata: {"error":"boom"}\n\n'].map((s) =>
          Buffer.from(s),
        );
        break;
      case 'streamslow':
        pieces = [Buffer.from(event('Hel'))];
        endAfter = false;
        break;
      case 'streamcrlf':
        // Each piece but the first starts with the LF of a CRLF split across two writes.
        pieces = [
          ': comment\r\ndata: a\r\ndata: b\r\n\r\n',
          `event: token\r\ndata: ${JSON.stringify({ data: '!' })}\r\n\r\n`,
          'data: [DONE]\r\n',
        ]
          .join('')
          .split(/(?<=\r)(?=\n)/)
          .map((s) => Buffer.from(s));
        break;
      default:
        pieces = [...STREAM_TOKENS.map(event), 'data: [DONE]\n\n'].flatMap((s) =>
          splitAwkwardly(Buffer.from(s)),
        );
    }

    for (const [index, piece] of pieces.entries()) {
      if (index > 0) await sleep(STREAM_PIECE_DELAY_MS);
      if (res.destroyed || res.writableEnded) return;
      res.write(piece);
    }
    if (endAfter) res.end();
  }

  function missingKey(ctx: Context): boolean {
    if (ctx.req.headers['x-api-key'] !== undefined) return false;
    answer(ctx, 401, { error: UNSPECIFIED });
    return true;
  }

  function errorAnswer(ctx: Context, status: number): void {
    const extra: OutgoingHttpHeaders =
      status === 429 || status === 503 ? { 'retry-after': '1' } : {};
    answer(ctx, status, { error: UNSPECIFIED }, extra);
  }

  function answer(ctx: Context, status: number, body: unknown, headers: OutgoingHttpHeaders = {}) {
    ctx.entry.status = status;
    send(ctx.res, status, body, headers);
  }

  async function handleForeign(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    if (req.method === 'GET' && path === '/__log') {
      send(res, 200, foreignLog);
      return;
    }
    const text = await readBody(req);
    const entry: LoggedRequest = {
      method: req.method ?? 'GET',
      path,
      model: null,
      via: 'direct',
      headers: redactedHeaders(req),
      body: parseBody(text),
      status: 200,
      closedEarly: false,
    };
    const runId = /^\/api\/v1\/data\/([^/?]+)/.exec(path)?.[1];
    if (runId !== undefined) entry.model = runs.get(decodeURIComponent(runId))?.model ?? null;
    foreignLog.push(entry);
    trackClose(res, entry);
    send(res, 200, { completed: true, status: 'SUCCESS', data: 'foreign' });
  }

  ownOrigin = await listen(api);
  try {
    foreignOrigin = await listen(foreign);
  } catch (error) {
    await stop(api);
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url: ownOrigin,
    foreignUrl: foreignOrigin,
    viaProxy: (proxyOrigin) => `${ownOrigin}${VIA_PREFIX}${encodeURIComponent(proxyOrigin)}`,
    ownsRun: (runId) => runs.has(runId),
    close: () => {
      closing ??= Promise.all([stop(api), stop(foreign)]).then(() => undefined);
      return closing;
    },
  };
}

function success(input: unknown, requestId: string): Record<string, unknown> {
  const text = typeof input === 'string' ? input : JSON.stringify(input ?? '');
  return {
    completed: true,
    status: 'SUCCESS',
    data: `Echo: ${text}`,
    usedCredits: 0.5,
    runTime: 0.25,
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    requestId,
  };
}

/**
 * Splits one event into pieces that cut its line in the middle and, when it holds a multi-byte
 * UTF-8 character, cut inside that character.
 */
function splitAwkwardly(bytes: Buffer): Buffer[] {
  const multiByte = bytes.findIndex((b) => b >= 0xc0);
  const cut = multiByte === -1 ? Math.floor(bytes.length / 2) : multiByte + 1;
  const pieces = [bytes.subarray(0, cut), bytes.subarray(cut)];
  // Also separate the final line end from the blank line after it.
  const last = pieces[1] as Buffer;
  return last.length > 1
    ? [pieces[0] as Buffer, last.subarray(0, last.length - 1), last.subarray(last.length - 1)]
    : pieces;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function trackClose(res: ServerResponse, entry: LoggedRequest): void {
  res.once('close', () => {
    if (!res.writableFinished) entry.closedEarly = true;
  });
}

function redactedHeaders(req: IncomingMessage): LoggedRequest['headers'] {
  const headers: LoggedRequest['headers'] = { ...req.headers };
  if (headers['x-api-key'] !== undefined) headers['x-api-key'] = '<present>';
  return headers;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Waits `ms`, or less when the client goes away first. */
function sleep(ms: number, res?: ServerResponse): Promise<void> {
  return new Promise((wake) => {
    const timer = setTimeout(wake, ms);
    res?.once('close', () => {
      clearTimeout(timer);
      wake();
    });
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}

function stop(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
