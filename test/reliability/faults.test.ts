/**
 * Fault injection: the facade in front of a loopback server that resets, stalls, answers
 * garbage, huge or badly encoded bodies, error bursts, rate limits, redirects and prototype
 * keys. For every fault: the outcome is a typed error or a FAILED result with a clear message,
 * it comes inside the deadline (bounds are generous: the machine is shared), the requests are
 * bounded, no rejection goes unhandled, and an execute POST is never repeated where the model
 * could have started.
 */

import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  AbortError,
  APIError,
  ConnectionError,
  InternalServerError,
  LLM,
  type LLMOptions,
  type ModelResponse,
  PollTimeoutError,
  RateLimitError,
  StreamError,
  TimeoutError,
  ValidationError,
} from '../../src/index.js';
import {
  type FaultServer,
  type Handler,
  hold,
  inProgress,
  type Received,
  sendJson,
  sendRaw,
  sendStream,
  startFaultServer,
  success,
} from './fault-server.js';
import type { FaultResult } from './report.js';
import {
  activeResources,
  defectTest,
  expectInstance,
  fixed,
  leftOver,
  type ResourceCounts,
  recordFigures,
  watchUnhandledRejections,
} from './support.js';

const KEY = 'sk-reliability-key-0123456789';
/** How much later than its deadline a call may end on this shared machine. */
const SLACK_MS = 3_000;
const SHORT_MS = 1_000;
const BIG_BYTES = 50 * 1024 * 1024;

type ErrorClass = abstract new (...args: never[]) => unknown;
type Kind = 'run' | 'runAsync' | 'stream' | 'syncPoll' | 'poll';

/** What one call came to, whatever its kind. */
interface Outcome {
  status: string;
  error: unknown;
  errorMessage: string;
  data: unknown;
  /** Streams: the text of the IN_PROGRESS chunks. */
  text: string;
  url: string | undefined;
  /** The call itself rejected (only ValidationError and AbortError may). */
  thrown: unknown;
  response: ModelResponse | undefined;
  chunks: ModelResponse[];
}

interface Scenario {
  name: string;
  /** The defect of the reliability issue this scenario proves, when its fix is pending. */
  defect?: number;
  handler: Handler;
  kind: Kind;
  timeoutMs?: number;
  llm?: Partial<LLMOptions>;
  expect: {
    status: 'SUCCESS' | 'FAILED';
    error?: ErrorClass;
    message?: RegExp;
    /**
     * Exactly this many POSTs reached the server, or a [min, max] range (a POST repeated where
     * the model could have started is a defect).
     */
    posts: number | [number, number];
    /** At most this many GETs. */
    maxGets?: number;
    /** Further checks. */
    check?: (outcome: Outcome, log: readonly Received[]) => void;
  };
}

let server: FaultServer;
let foreign: FaultServer;
let baseline: ResourceCounts;
const rejections = watchUnhandledRejections();
const results: FaultResult[] = [];

beforeAll(async () => {
  baseline = activeResources();
  server = await startFaultServer();
  foreign = await startFaultServer();
  foreign.scenario('any', ({ res }) => sendJson(res, success('foreign')));
});

afterAll(async () => {
  await server.close();
  await foreign.close();
  rejections.stop();
  const leaks = await leftOver(baseline);
  recordFigures('faults', {
    scenarios: results.length,
    results,
    unhandledRejections: rejections.list.length,
    leftTimers: leaks.timers,
    leftSockets: leaks.sockets,
  });
  expect(rejections.list, 'unhandled rejections').toEqual([]);
  expect(leaks, 'timers and sockets left by the package').toEqual({ timers: 0, sockets: 0 });
});

// ---- handlers --------------------------------------------------------------------------------

const isPost = (e: { received: Received }) => e.received.method === 'POST';

/** Execute answers IN_PROGRESS with a poll URL under the scenario; `poll` answers the GETs. */
const thenPoll =
  (poll: Handler): Handler =>
  (e) => {
    if (isPost(e)) return sendJson(e.res, inProgress(`${e.base}/poll/1`));
    return poll(e);
  };

/** The first `n` answers (per method and path) come from `first`, the rest from `then`. */
const firstThen =
  (n: number, first: Handler, then: Handler): Handler =>
  (e) =>
    e.nth <= n ? first(e) : then(e);

const reset: Handler = ({ res }) => {
  res.socket?.destroy();
};
const cutBody: Handler = ({ res }) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
  res.write('{"completed":true,"status":"SUCC');
  setTimeout(() => res.socket?.destroy(), 20);
};
const stallBody: Handler = ({ res }) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
  res.write('{"completed":true,');
  return new Promise<void>(() => {});
};
const ok: Handler = ({ res }) => sendJson(res, success('ok'));
const status =
  (
    code: number,
    headers: Record<string, string> = {},
    body: unknown = { error: 'boom' },
  ): Handler =>
  ({ res }) =>
    sendJson(res, body, code, headers);
const raw =
  (body: string | Buffer, code = 200, type = 'application/json'): Handler =>
  ({ res }) =>
    sendRaw(res, body, code, type);
const streamOf =
  (tokens: string[]): Handler =>
  ({ res }) =>
    sendStream(res, tokens);

const HTML_PAGE =
  '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>';
const MALFORMED: Array<[string, string]> = [
  ['truncated JSON', '{"completed":true,"status":"SUCCESS","data":"o'],
  ['a non-JSON 200', 'hello, this is not JSON'],
  ['a JSON array', '[{"completed":true,"status":"SUCCESS","data":"ok"}]'],
  ['a JSON number', '42'],
  ['a JSON null', 'null'],
  ['an HTML page', HTML_PAGE],
  ['an empty 200', ''],
];

/** A UTF-8 JSON answer whose `data` holds bytes that are not UTF-8 (0xFF, 0xFE, a cut 3-byte sequence). */
const INVALID_UTF8 = Buffer.concat([
  Buffer.from('{"completed":true,"status":"SUCCESS","data":"a'),
  Buffer.from([0xff, 0xfe, 0xe2, 0x82]),
  Buffer.from('b"}'),
]);

const bigText = () => 'x'.repeat(BIG_BYTES);

/** The prototype keys, at every level of an answer. */
const PROTO_OBJECT =
  '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true},"toString":1,"valueOf":1,"hasOwnProperty":1}';
const protoAnswer = (extra: string) =>
  `{"completed":true,"status":"SUCCESS","data":${PROTO_OBJECT},"details":${PROTO_OBJECT},"usage":{"prompt_tokens":1,"__proto__":{"polluted":true}},"asset":${PROTO_OBJECT},"extra":${PROTO_OBJECT}${extra},"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true}}`;

/** Redirects `code` to `location`, built from the scenario's base. */
const redirectTo =
  (code: number, location: (base: string) => string): Handler =>
  ({ res, base }) => {
    res.writeHead(code, { location: location(base), 'content-type': 'text/plain' }).end();
  };

// ---- the scenarios ---------------------------------------------------------------------------

const SCENARIOS: Scenario[] = [
  // Resets
  ...(['run', 'runAsync'] as const).map(
    (kind): Scenario => ({
      name: `${kind}: a reset before the answer is a ConnectionError, the POST not repeated`,
      kind,
      handler: reset,
      expect: { status: 'FAILED', error: ConnectionError, posts: 1 },
    }),
  ),
  {
    name: 'run: a reset mid-body is a ConnectionError, the POST not repeated',
    kind: 'run',
    handler: cutBody,
    expect: { status: 'FAILED', error: ConnectionError, posts: 1 },
  },
  {
    name: 'stream: a reset mid-stream ends with a FAILED chunk after the tokens that came',
    kind: 'stream',
    handler: ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"data":"Hel"}\n\ndata: {"data":"lo"}\n\n');
      setTimeout(() => res.socket?.destroy(), 30);
    },
    expect: {
      status: 'FAILED',
      message: /cut|before \[DONE\]/,
      posts: 1,
      check: (o) => {
        expect(o.text).toBe('Hello');
        expect(o.error instanceof ConnectionError || o.error instanceof StreamError).toBe(true);
      },
    },
  },
  {
    name: 'stream: a reset before the answer is a FAILED chunk, the POST not repeated',
    kind: 'stream',
    handler: reset,
    expect: { status: 'FAILED', error: ConnectionError, posts: 1 },
  },
  {
    name: 'run: a reset on the first poll is retried, and the run succeeds',
    kind: 'run',
    handler: thenPoll(firstThen(1, reset, ok)),
    expect: { status: 'SUCCESS', posts: 1, maxGets: 2 },
  },
  {
    name: 'run: a reset mid-body of a poll is retried, and the run succeeds',
    kind: 'run',
    handler: thenPoll(firstThen(1, cutBody, ok)),
    expect: { status: 'SUCCESS', posts: 1, maxGets: 2 },
  },
  {
    name: 'run: resets on every poll end FAILED after maxRetries more GETs',
    kind: 'run',
    handler: thenPoll(reset),
    expect: { status: 'FAILED', error: ConnectionError, posts: 1, maxGets: 3 },
  },

  // Stalls past the deadline
  {
    name: 'run: headers held past the deadline give a TimeoutError',
    kind: 'run',
    timeoutMs: SHORT_MS,
    handler: hold,
    expect: { status: 'FAILED', error: TimeoutError, message: /within 1000 ms/, posts: 1 },
  },
  {
    name: 'run: a body held past the deadline gives a TimeoutError',
    kind: 'run',
    timeoutMs: SHORT_MS,
    handler: stallBody,
    expect: { status: 'FAILED', error: TimeoutError, posts: 1 },
  },
  {
    name: 'runAsync: headers held past the deadline give a TimeoutError',
    kind: 'runAsync',
    timeoutMs: SHORT_MS,
    handler: hold,
    expect: { status: 'FAILED', error: TimeoutError, posts: 1 },
  },
  ...(
    [
      ['headers', hold],
      ['a body', stallBody],
    ] as const
  ).map(
    ([what, handler]): Scenario => ({
      name: `run: ${what} of a poll held past the deadline end FAILED with the poll URL kept`,
      kind: 'run',
      timeoutMs: SHORT_MS,
      handler: thenPoll(handler),
      expect: {
        status: 'FAILED',
        error: PollTimeoutError,
        message: /^No response from the service\. .+: no final answer from .+ within \d+ ms\.$/,
        posts: 1,
        maxGets: 1,
        check: (o) => expect(o.url).toMatch(/\/poll\/1$/),
      },
    }),
  ),
  {
    name: 'stream: headers held past the deadline give a FAILED chunk with a TimeoutError',
    kind: 'stream',
    timeoutMs: SHORT_MS,
    handler: hold,
    expect: { status: 'FAILED', error: TimeoutError, posts: 1 },
  },
  {
    name: 'stream: a stream stalled after a token gives a FAILED chunk with a TimeoutError',
    kind: 'stream',
    timeoutMs: SHORT_MS,
    handler: ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"data":"Hel"}\n\n');
      return new Promise<void>(() => {});
    },
    expect: {
      status: 'FAILED',
      error: TimeoutError,
      posts: 1,
      check: (o) => expect(o.text).toBe('Hel'),
    },
  },

  // Malformed answers, on execute and on a poll
  ...MALFORMED.map(
    ([what, body]): Scenario => ({
      name: `run: ${what} as the execute answer is FAILED, saying it is not a JSON object`,
      kind: 'run',
      handler: raw(body, 200, what === 'an HTML page' ? 'text/html' : 'application/json'),
      expect: { status: 'FAILED', error: APIError, message: /not a JSON object/, posts: 1 },
    }),
  ),
  ...MALFORMED.map(
    ([what, body]): Scenario => ({
      name: `run: ${what} as a poll answer says nothing of the run; the next poll finishes it`,
      kind: 'run',
      handler: thenPoll(firstThen(1, raw(body), ok)),
      expect: { status: 'SUCCESS', posts: 1, maxGets: 2, check: (o) => expect(o.data).toBe('ok') },
    }),
  ),
  {
    name: 'run: an HTML 502 page on execute is an InternalServerError without the HTML, not retried',
    kind: 'run',
    handler: raw(HTML_PAGE, 502, 'text/html'),
    expect: {
      status: 'FAILED',
      error: InternalServerError,
      posts: 1,
      check: (o) => expect(o.errorMessage).not.toContain('<'),
    },
  },
  {
    name: 'stream: an HTML 200 to a stream request is a FAILED chunk',
    kind: 'stream',
    handler: raw(HTML_PAGE, 200, 'text/html'),
    expect: { status: 'FAILED', posts: 1 },
  },
  {
    name: 'stream: malformed event payloads are skipped and the stream still ends SUCCESS',
    kind: 'stream',
    handler: ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        'data: {"data":"a"}\n\ndata: {"data":\n\ndata: [1,2]\n\ndata: null\n\n: comment\n\ndata: {"data":"b"}\n\ndata: [DONE]\n\n',
      );
    },
    expect: { status: 'SUCCESS', posts: 1, check: (o) => expect(o.text).toMatch(/^a.*b$/s) },
  },

  // Huge bodies
  {
    name: 'run: a 50 MB JSON answer arrives whole',
    kind: 'run',
    timeoutMs: 60_000,
    handler: raw(JSON.stringify(success(bigText()))),
    expect: {
      status: 'SUCCESS',
      posts: 1,
      check: (o) => expect((o.data as string).length).toBe(BIG_BYTES),
    },
  },
  {
    name: 'run: a 50 MB non-JSON answer is FAILED, saying it is not a JSON object',
    kind: 'run',
    timeoutMs: 60_000,
    handler: raw(bigText(), 200, 'text/plain'),
    expect: {
      status: 'FAILED',
      error: APIError,
      message: /not a JSON object/,
      posts: 1,
      check: (o) => expect(o.errorMessage.length).toBeLessThan(1_000),
    },
  },
  {
    name: 'run: a 50 MB error body is an InternalServerError with a short message',
    kind: 'run',
    timeoutMs: 60_000,
    handler: raw(bigText(), 500, 'text/plain'),
    expect: {
      status: 'FAILED',
      error: InternalServerError,
      posts: 1,
      check: (o) => expect(o.errorMessage.length).toBeLessThan(1_000),
    },
  },
  {
    name: 'stream: a 50 MB token arrives whole',
    kind: 'stream',
    timeoutMs: 60_000,
    handler: streamOf([bigText()]),
    expect: { status: 'SUCCESS', posts: 1, check: (o) => expect(o.text.length).toBe(BIG_BYTES) },
  },

  // Invalid UTF-8
  {
    name: 'run: invalid UTF-8 in the answer becomes U+FFFD, the rest intact',
    kind: 'run',
    handler: raw(INVALID_UTF8),
    expect: {
      status: 'SUCCESS',
      posts: 1,
      check: (o) => expect(o.data).toMatch(/^a\uFFFD+b$/),
    },
  },
  {
    name: 'stream: invalid UTF-8 in a token becomes U+FFFD, the stream ends SUCCESS',
    kind: 'stream',
    handler: ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(Buffer.from('data: {"data":"a'));
      res.write(Buffer.from([0xff, 0xc3]));
      res.write(Buffer.from('b"}\n\ndata: {"data":"\u00e9"}\n\ndata: [DONE]\n\n'));
      res.end();
    },
    expect: {
      status: 'SUCCESS',
      posts: 1,
      check: (o) => expect(o.text).toMatch(/^a\uFFFD+b\u00e9$/),
    },
  },
  {
    name: 'run: invalid UTF-8 in an error body is still an InternalServerError',
    kind: 'run',
    handler: raw(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 500),
    expect: { status: 'FAILED', error: InternalServerError, posts: 1 },
  },

  // Error bursts on polls (retried: a GET only reads), and on the execute POST (not retried
  // unless the model cannot have started: 503 and 429)
  ...[500, 502, 503, 504].map(
    (code): Scenario => ({
      name: `run: a burst of two ${code}s on a poll is retried, and the run succeeds`,
      kind: 'run',
      handler: thenPoll(firstThen(2, status(code), ok)),
      expect: { status: 'SUCCESS', posts: 1, maxGets: 3 },
    }),
  ),
  {
    name: 'run: bursts of 500, 502, 503, 504 across two polls are all absorbed',
    kind: 'run',
    handler: thenPoll((e) => {
      const codes = [500, 502, 0, 503, 504];
      const code = codes[e.log.filter((r) => r.method === 'GET').length - 1];
      if (code === undefined) return ok(e);
      if (code === 0) return sendJson(e.res, { completed: false });
      return status(code)(e);
    }),
    expect: { status: 'SUCCESS', posts: 1, maxGets: 6 },
  },
  {
    name: 'run: a burst of 503s longer than maxRetries on a poll ends FAILED after three GETs',
    kind: 'run',
    handler: thenPoll(status(503)),
    expect: { status: 'FAILED', error: InternalServerError, posts: 1, maxGets: 3 },
  },
  ...[500, 502, 504].map(
    (code): Scenario => ({
      name: `run: a ${code} on the execute POST is not retried (the model may have started)`,
      kind: 'run',
      handler: status(code),
      expect: { status: 'FAILED', error: InternalServerError, posts: 1 },
    }),
  ),
  {
    name: 'run: two 503s on the execute POST are retried (the model did not start)',
    kind: 'run',
    handler: firstThen(2, status(503), ok),
    expect: { status: 'SUCCESS', posts: 3 },
  },

  // Rate limits
  {
    name: 'run: a 429 with Retry-After in seconds is waited out, then the run succeeds',
    kind: 'run',
    handler: firstThen(1, status(429, { 'retry-after': '1' }), ok),
    expect: { status: 'SUCCESS', posts: 2 },
  },
  {
    name: 'run: a 429 with Retry-After as an HTTP date is waited out, then the run succeeds',
    kind: 'run',
    handler: firstThen(
      1,
      (e) => status(429, { 'retry-after': new Date(Date.now() + 1_500).toUTCString() })(e),
      ok,
    ),
    expect: { status: 'SUCCESS', posts: 2 },
  },
  {
    name: 'run: a 429 with Retry-After on a poll is waited out, then the run succeeds',
    kind: 'run',
    handler: thenPoll(firstThen(1, status(429, { 'retry-after': '1' }), ok)),
    expect: { status: 'SUCCESS', posts: 1, maxGets: 2 },
  },
  {
    name: 'run: 429s without end give a RateLimitError after maxRetries more POSTs',
    kind: 'run',
    timeoutMs: 10_000,
    handler: status(429, { 'retry-after': '0' }),
    expect: { status: 'FAILED', error: RateLimitError, posts: 3 },
  },
  {
    name: 'run: a Retry-After longer than the time left stops at once with a RateLimitError',
    defect: 10,
    kind: 'run',
    timeoutMs: 3_000,
    handler: status(429, { 'retry-after': '3600' }),
    expect: {
      status: 'FAILED',
      error: RateLimitError,
      posts: 1,
      check: (o) => expect((o.error as RateLimitError).retryAfterMs).toBe(3_600_000),
    },
  },

  // Redirects on execute: same origin 307/308 replay the POST; 301/302/303 never run the model
  // twice; another origin is never followed.
  ...[307, 308].map(
    (code): Scenario => ({
      name: `run: a same-origin ${code} on the execute POST is followed with the same method and body`,
      defect: 8,
      kind: 'run',
      handler: (e) =>
        e.received.path.startsWith('/moved')
          ? ok(e)
          : redirectTo(code, (base) => `${base}/moved/api/v2/execute/m`)(e),
      expect: {
        status: 'SUCCESS',
        posts: 2,
        check: (_o, log) => {
          expect(log.map((r) => `${r.method} ${r.path}`)).toEqual([
            'POST /api/v2/execute/m',
            'POST /moved/api/v2/execute/m',
          ]);
          expect(log[1]?.body).toBe(log[0]?.body);
        },
      },
    }),
  ),
  ...[301, 302, 303].map(
    (code): Scenario => ({
      name: `run: a same-origin ${code} on the execute POST never runs the model twice`,
      kind: 'run',
      // The target runs a model on POST only; a GET there (fetch's rule for these codes) is a 405.
      handler: (e) =>
        e.received.path.startsWith('/moved')
          ? isPost(e)
            ? ok(e)
            : status(405, {}, { error: 'Method not allowed.' })(e)
          : redirectTo(code, (base) => `${base}/moved/api/v2/execute/m`)(e),
      expect: {
        // Following it (as a GET, per fetch) or refusing it are both typed outcomes.
        status: 'FAILED',
        posts: 1,
        check: (o, log) => {
          expect(log.filter((r) => r.method === 'POST' && r.path.startsWith('/moved'))).toEqual([]);
          expectInstance(o.error, APIError);
        },
      },
    }),
  ),
  ...[301, 302, 303, 307, 308].map(
    (code): Scenario => ({
      name: `run: a ${code} on the execute POST to another origin is not followed`,
      kind: 'run',
      handler: redirectTo(code, () => `${foreign.origin}/s/any/api/v2/execute/m`),
      expect: {
        status: 'FAILED',
        error: APIError,
        posts: 1,
        check: () => expect(foreign.log('any')).toEqual([]),
      },
    }),
  ),
  {
    name: 'run: a redirect loop on the execute POST ends FAILED with the requests bounded',
    kind: 'run',
    handler: (e) => redirectTo(307, (base) => `${base}/loop/${e.log.length}`)(e),
    expect: {
      status: 'FAILED',
      error: APIError,
      // One POST, and (once same-origin 307s are followed) a few replays, each a redirect.
      posts: [1, 11],
    },
  },
  // Redirects on polls: same origin followed, another origin never.
  ...[301, 302, 303, 307, 308].map(
    (code): Scenario => ({
      name: `run: a same-origin ${code} on a poll is followed, and the run succeeds`,
      kind: 'run',
      handler: thenPoll((e) =>
        e.received.path.startsWith('/moved')
          ? ok(e)
          : redirectTo(code, (base) => `${base}/moved/poll/1`)(e),
      ),
      expect: { status: 'SUCCESS', posts: 1, maxGets: 2 },
    }),
  ),
  ...[301, 302, 303, 307, 308].map(
    (code): Scenario => ({
      name: `run: a ${code} on a poll to another origin is not followed with the key`,
      kind: 'run',
      handler: thenPoll(redirectTo(code, () => `${foreign.origin}/s/any/poll/1`)),
      expect: {
        status: 'FAILED',
        error: APIError,
        posts: 1,
        maxGets: 1,
        check: () => expect(foreign.log('any')).toEqual([]),
      },
    }),
  ),
  {
    name: 'run: a redirect loop on a poll ends FAILED after at most five hops',
    kind: 'run',
    handler: thenPoll((e) => redirectTo(302, (base) => `${base}/poll/loop${e.log.length}`)(e)),
    expect: { status: 'FAILED', error: APIError, posts: 1, maxGets: 6 },
  },

  // Prototype keys in every object of an answer
  {
    name: 'run: prototype keys in every object of an execute answer stay data',
    defect: 7,
    kind: 'run',
    handler: raw(protoAnswer('')),
    expect: { status: 'SUCCESS', posts: 1, check: (o) => expectPrototypesClean(o) },
  },
  {
    name: 'run: prototype keys in every object of a poll answer stay data',
    defect: 7,
    kind: 'run',
    handler: thenPoll(raw(protoAnswer(''))),
    expect: { status: 'SUCCESS', posts: 1, maxGets: 1, check: (o) => expectPrototypesClean(o) },
  },
  {
    name: 'run: prototype keys in an error answer stay data',
    kind: 'run',
    handler: raw(`{"error":"bad","details":${PROTO_OBJECT},"__proto__":{"polluted":true}}`, 400),
    expect: {
      status: 'FAILED',
      error: APIError,
      posts: 1,
      check: (o) => {
        expectNoPollution((o.error as APIError).body);
        expect(o.errorMessage).toContain('bad');
      },
    },
  },
  {
    name: 'stream: prototype keys in the events stay out of the chunks',
    kind: 'stream',
    handler: ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        `data: {"data":"a","__proto__":{"data":"polluted"}}\n\ndata: {"__proto__":{"data":"x"}}\n\ndata: {"data":"b"}\n\ndata: [DONE]\n\n`,
      );
    },
    expect: { status: 'SUCCESS', posts: 1, check: (o) => expect(o.text).toBe('ab') },
  },
];

// ---- checks ----------------------------------------------------------------------------------

const PLAIN_PROTOTYPES = new Set<unknown>([Object.prototype, Array.prototype, null]);

/** No object reachable from `value` inherits from anything but Object, Array or null. */
function expectNoPollution(value: unknown, path = 'value', seen = new Set<unknown>()): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  expect(PLAIN_PROTOTYPES.has(Object.getPrototypeOf(value)), `prototype of ${path}`).toBe(true);
  expect(
    'polluted' in value && !Object.hasOwn(value, 'polluted'),
    `${path} inherits "polluted"`,
  ).toBe(false);
  for (const [key, item] of Object.entries(value)) expectNoPollution(item, `${path}.${key}`, seen);
}

function expectPrototypesClean(o: Outcome): void {
  const res = o.response as ModelResponse;
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  for (const field of ['data', 'details', 'usage', 'asset', 'additionalFields'] as const) {
    expectNoPollution(res[field], field);
  }
  // The answer's own "__proto__" key is kept as data, and the object still prints.
  expect(Object.hasOwn(res.additionalFields, '__proto__')).toBe(true);
  expect(Object.getOwnPropertyDescriptor(res.additionalFields, '__proto__')?.value).toEqual({
    polluted: true,
  });
  expect(() => `${res.additionalFields}`).not.toThrow();
  expect(() => JSON.stringify(res)).not.toThrow();
}

// ---- running a scenario ----------------------------------------------------------------------

async function perform(llm: LLM, kind: Kind, timeoutMs: number, base: string): Promise<Outcome> {
  const outcome: Outcome = {
    status: '',
    error: undefined,
    errorMessage: '',
    data: undefined,
    text: '',
    url: undefined,
    thrown: undefined,
    response: undefined,
    chunks: [],
  };
  const options = { timeoutMs, waitTimeMs: 0 };
  try {
    if (kind === 'stream') {
      const streamer = await llm.stream('hello', options);
      for await (const chunk of streamer) {
        outcome.chunks.push(chunk);
        if (chunk.status === 'IN_PROGRESS') outcome.text += String(chunk.data);
      }
      const last = outcome.chunks.at(-1);
      outcome.status = streamer.status;
      outcome.error = last?.error;
      outcome.errorMessage = last?.errorMessage ?? '';
      return outcome;
    }
    const res =
      kind === 'run'
        ? await llm.run('hello', options)
        : kind === 'runAsync'
          ? await llm.runAsync('hello', options)
          : kind === 'poll'
            ? await llm.poll(`${base}/poll/1`)
            : await llm.syncPoll(`${base}/poll/1`, options);
    Object.assign(outcome, {
      response: res,
      status: res.status,
      error: res.error,
      errorMessage: res.errorMessage,
      data: res.data,
      url: res.url,
    });
  } catch (error) {
    outcome.thrown = error;
    outcome.status = 'THROWN';
  }
  return outcome;
}

function summary(o: Outcome): string {
  if (o.thrown !== undefined) return `threw ${(o.thrown as Error).name}`;
  const error = o.error instanceof Error ? ` ${o.error.name}` : '';
  return `${o.status}${error}`;
}

describe('fault injection', () => {
  for (const [index, s] of SCENARIOS.entries()) {
    const title = s.defect === undefined ? s.name : `defect ${s.defect}: ${s.name}`;
    const declare =
      s.defect === undefined || fixed(s.defect) ? test.concurrent : test.concurrent.fails;
    declare(
      title,
      async () => {
        const id = title.replace(/[^a-z0-9]+/gi, '-').slice(0, 80);
        const base = server.scenario(id, s.handler);
        const llm = new LLM({ id: 'm', apiKey: KEY, baseUrl: base, ...s.llm });
        const timeoutMs = s.timeoutMs ?? 8_000;
        const started = performance.now();
        const outcome = await perform(llm, s.kind, timeoutMs, base);
        const ms = performance.now() - started;
        const log = server.log(id);
        const result = {
          index,
          name: s.name,
          defect: s.defect,
          outcome: summary(outcome),
          ms: Math.round(ms),
          requests: log.length,
          survived: false,
        };
        results.push(result);

        expect(outcome.thrown, 'the call rejected').toBeUndefined();
        expect(outcome.status, outcome.errorMessage).toBe(s.expect.status);
        if (s.expect.status === 'FAILED') {
          expect(outcome.errorMessage.length, 'a FAILED result says why').toBeGreaterThan(0);
          expect(outcome.error, 'a FAILED result carries its error').toBeInstanceOf(Error);
        }
        if (s.expect.error !== undefined) expectInstance(outcome.error, s.expect.error);
        if (s.expect.message !== undefined) expect(outcome.errorMessage).toMatch(s.expect.message);
        expect(outcome.errorMessage).not.toContain(KEY);
        expect(ms, 'ended inside the deadline').toBeLessThan(timeoutMs + SLACK_MS);
        const posts = log.filter((r) => r.method === 'POST').length;
        const [minPosts, maxPosts] =
          typeof s.expect.posts === 'number' ? [s.expect.posts, s.expect.posts] : s.expect.posts;
        expect(posts, 'POSTs').toBeGreaterThanOrEqual(minPosts);
        expect(posts, 'POSTs').toBeLessThanOrEqual(maxPosts);
        expect(log.filter((r) => r.method === 'GET').length, 'GETs').toBeLessThanOrEqual(
          s.expect.maxGets ?? 0,
        );
        s.expect.check?.(outcome, log);
        result.survived = true;
      },
      timeoutMsOf(s) + 30_000,
    );
  }
});

function timeoutMsOf(s: Scenario): number {
  return s.timeoutMs ?? 8_000;
}

describe('deadlines and warnings', () => {
  defectTest(
    6,
    'a timeoutMs of 2^31 ms or more works (or is refused as a bad option)',
    async () => {
      const base = server.scenario('long-deadline', (e) => {
        setTimeout(() => ok(e), 5);
      });
      const warnings: Error[] = [];
      const onWarning = (w: Error) => warnings.push(w);
      process.on('warning', onWarning);
      try {
        const llm = new LLM({ id: 'm', apiKey: KEY, baseUrl: base });
        for (const timeoutMs of [2 ** 31, 2 ** 31 + 1, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
          let res: ModelResponse | undefined;
          let thrown: unknown;
          try {
            res = await llm.run('x', { timeoutMs });
          } catch (error) {
            thrown = error;
          }
          if (thrown !== undefined) expectInstance(thrown, ValidationError);
          else expect(res?.status, res?.errorMessage).toBe('SUCCESS');
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(warnings.filter((w) => w.name === 'TimeoutOverflowWarning')).toEqual([]);
      } finally {
        process.off('warning', onWarning);
      }
    },
  );

  defectTest(11, 'a plain-http baseUrl that is not loopback warns once per process', () => {
    const warnings: string[] = [];
    const emit = process.emitWarning;
    process.emitWarning = ((warning: string | Error) => {
      warnings.push(String(warning instanceof Error ? warning.message : warning));
    }) as typeof process.emitWarning;
    try {
      new LLM({ id: 'm', apiKey: KEY, baseUrl: 'http://127.0.0.1:9' });
      new LLM({ id: 'm', apiKey: KEY, baseUrl: 'http://localhost:9' });
      new LLM({ id: 'm', apiKey: KEY, baseUrl: 'https://models.example.test' });
      expect(warnings).toEqual([]);
      new LLM({ id: 'm', apiKey: KEY, baseUrl: 'http://models.example.test' });
      new LLM({ id: 'm', apiKey: KEY, baseUrl: 'http://other.example.test/prefix' });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/http/i);
      expect(warnings[0]).not.toContain(KEY);
    } finally {
      process.emitWarning = emit;
    }
  });
});

describe('a JSON answer to a stream request', () => {
  const streamOfJson = async (body: unknown) => {
    const base = server.scenario(
      `json-stream-${JSON.stringify(body).length}-${Math.random()}`,
      ({ res }) => sendJson(res, body),
    );
    const llm = new LLM({ id: 'm', apiKey: KEY, baseUrl: base });
    const streamer = await llm.stream('hello', { timeoutMs: 5_000 });
    const chunks: ModelResponse[] = [];
    for await (const chunk of streamer) chunks.push(chunk);
    return { streamer, chunks };
  };

  defectTest(9, 'a finished SUCCESS gives its text as one chunk and ends SUCCESS', async () => {
    const { streamer, chunks } = await streamOfJson(success('the whole answer'));
    expect(chunks.map((c) => [c.status, c.data])).toEqual([['IN_PROGRESS', 'the whole answer']]);
    expect(streamer.status).toBe('SUCCESS');
  });

  defectTest(9, 'a FAILED answer gives the final FAILED chunk with its message', async () => {
    const { streamer, chunks } = await streamOfJson({
      completed: true,
      status: 'FAILED',
      error_message: 'the model refused',
    });
    expect(chunks.at(-1)?.status).toBe('FAILED');
    expect(chunks.at(-1)?.errorMessage).toContain('the model refused');
    expect(streamer.status).toBe('FAILED');
  });

  defectTest(9, 'any other JSON fails saying the service answered JSON, not a stream', async () => {
    const { streamer, chunks } = await streamOfJson({ unexpected: true });
    expect(chunks.at(-1)?.status).toBe('FAILED');
    expect(chunks.at(-1)?.errorMessage).toMatch(/JSON/);
    expect(streamer.status).toBe('FAILED');
  });
});

describe('aborts', () => {
  test('an abort during a held execute rejects with AbortError at once, one POST', async () => {
    const base = server.scenario('abort-execute', hold);
    const llm = new LLM({ id: 'm', apiKey: KEY, baseUrl: base });
    const controller = new AbortController();
    const run = llm.run('x', { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const aborted = performance.now();
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(AbortError);
    expect(performance.now() - aborted).toBeLessThan(SLACK_MS);
    expect(server.log('abort-execute').length).toBe(1);
  });
});
