/**
 * Fuzzing the inputs with fast-check: constructor options, and run / runAsync / stream inputs
 * and options, from well-formed to hostile (strings from every Unicode plane and lone
 * surrogates, nested objects, wrong types, NaN, Infinity, -0, huge numbers and histories, keys
 * named like Object.prototype members, headers, cycles, toJSON).
 *
 * An independent model of the contract (the oracle below) says, for every generated call,
 * whether it is bad input. Each call must then either send exactly one body, equal to the one
 * the oracle builds by the body precedence (parameters > keys of an object input > options >
 * the LLM's defaults; the input always the body's `data`) and satisfying the spec's
 * `ExecuteRequest` (the generated zod schema), or, for bad input, reject with ValidationError
 * before any request. The caller's objects are deep-frozen and compared after the call.
 *
 * The seed is fixed (RELIABILITY_SEED overrides it) and printed; fast-check shrinks a failure
 * to a minimal case.
 */
import { inspect, isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { zExecuteRequest } from '../../generated/zod.gen.js';
import { LLM, ModelResponseStreamer, ValidationError } from '../../src/index.js';
import {
  activeResources,
  fixed,
  leftOver,
  type ResourceCounts,
  recordFigures,
  SIZE,
} from './support.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? 20_261_201);
const KEY = 'sk-fuzz-key-0123456789';
const BASE = 'https://models.example.test';
const ROLES = ['system', 'user', 'assistant', 'tool'] as const;
/** The share of the cases that fuzz the constructor; the rest fuzz the calls. */
const CONSTRUCTOR_SHARE = 0.2;

// ---- a recording service -------------------------------------------------------------------

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
}

/** A fetch that records every request and answers at once like the service would. */
function recordingFetch(sent: Sent[]): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    const headers = new Headers(init?.headers);
    const body = init?.body;
    sent.push({
      url,
      method: init?.method ?? 'GET',
      headers,
      body: typeof body === 'string' ? body : body == null ? undefined : `<${typeof body}>`,
    });
    if (headers.get('accept')?.includes('text/event-stream')) {
      return new Response('data: {"data":"tok"}\n\ndata: [DONE]\n\n', {
        headers: { 'content-type': 'text/event-stream' },
      });
    }
    if (url.includes('/api/v1/execute/')) {
      return Response.json({ completed: false, data: `${BASE}/api/v1/data/r1` }, { status: 201 });
    }
    return Response.json({ completed: true, status: 'SUCCESS', data: 'ok' });
  }) as typeof fetch;
}

// ---- the oracle ----------------------------------------------------------------------------

const isRecord = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isTime = (v: unknown) => isFiniteNumber(v) && v >= 0;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value fetch sends as given: Latin-1, no NUL/CR/LF, no edge whitespace (Headers trims it). */
const HEADER_VALUE = /^(?:[\x21-\x7e\x80-\xff](?:[\x20-\x7e\x80-\xff\t]*[\x21-\x7e\x80-\xff])?)?$/;
const isHeaders = (v: unknown) =>
  isRecord(v) &&
  Object.entries(v).every(
    ([name, value]) =>
      HEADER_NAME.test(name) && typeof value === 'string' && HEADER_VALUE.test(value),
  );
/** A string that can go into a URL path and a header as it is. */
const isHistory = (v: unknown) =>
  Array.isArray(v) &&
  v.every(
    (m) =>
      isRecord(m) &&
      (ROLES as readonly unknown[]).includes(m.role) &&
      typeof m.content === 'string',
  );

const RUN_CHECKS: Record<string, (v: unknown) => boolean> = {
  context: (v) => v === null || typeof v === 'string',
  prompt: (v) => v === null || typeof v === 'string',
  history: (v) => v === null || isHistory(v),
  temperature: (v) => isFiniteNumber(v) && v >= 0 && v <= 2,
  // Integers past 2^53 are caught with the body, by the zod schema.
  maxTokens: (v) => Number.isInteger(v) && (v as number) >= 1,
  topP: (v) => isFiniteNumber(v) && v > 0 && v <= 1,
  responseFormat: () => true,
  parameters: isRecord,
  name: (v) => typeof v === 'string',
  timeoutMs: isTime,
  waitTimeMs: isTime,
  stream: (v) => typeof v === 'boolean',
  firstChunkTimeoutMs: isTime,
  idleTimeoutMs: isTime,
  signal: (v) => v instanceof AbortSignal,
  headers: isHeaders,
  onPoll: (v) => typeof v === 'function',
};

const isOrigin = (v: unknown) => {
  try {
    return typeof v === 'string' && new URL(v).origin !== 'null';
  } catch {
    return false;
  }
};
const isBaseUrl = (v: unknown) => {
  try {
    const url = new URL(v as string);
    return (
      typeof v === 'string' &&
      (url.protocol === 'https:' || url.protocol === 'http:') &&
      url.search === '' &&
      url.hash === '' &&
      !v.includes('?') &&
      !v.includes('#')
    );
  } catch {
    return false;
  }
};
const isString = (v: unknown) => typeof v === 'string';
/** No lone surrogate (String.prototype.isWellFormed, which ES2022's lib does not declare). */
const isWellFormed = (v: string) =>
  !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(v);

const LLM_CHECKS: Record<string, (v: unknown) => boolean> = {
  // An id goes into the URL path: a lone surrogate has no UTF-8 form to encode.
  id: (v) => typeof v === 'string' && v !== '' && isWellFormed(v),
  name: isString,
  description: isString,
  apiKey: (v) => typeof v === 'string' && v !== '' && HEADER_VALUE.test(v),
  baseUrl: isBaseUrl,
  supplier: (v) => typeof v === 'string' || isFiniteNumber(v) || isRecord(v),
  version: isString,
  function: (v) => v === 'text-generation',
  isSubscribed: (v) => typeof v === 'boolean',
  cost: isRecord,
  temperature: RUN_CHECKS.temperature as (v: unknown) => boolean,
  functionType: isString,
  additionalInfo: isRecord,
  fetch: (v) => typeof v === 'function',
  headers: isHeaders,
  // An integer as the spec's integers are: exact, so not past 2^53.
  maxRetries: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  throwOnError: (v) => typeof v === 'boolean',
  trustedOrigins: (v) => Array.isArray(v) && v.every(isOrigin),
};

/** The keys of `options` whose values break `checks`, unknown keys included; absent `required` ones too. */
function problemsOf(
  options: unknown,
  checks: Record<string, (v: unknown) => boolean>,
  required: string[] = [],
): string[] {
  // No options at all (`undefined`, or `null` as openai-node reads it) means the defaults.
  if (options === undefined || options === null) return [];
  if (!isRecord(options)) return ['options'];
  const problems: string[] = [];
  for (const [key, value] of Object.entries(options)) {
    if (!Object.hasOwn(checks, key)) problems.push(`${key} (unknown)`);
    else if (value !== undefined && !(checks[key] as (v: unknown) => boolean)(value))
      problems.push(key);
  }
  for (const key of required) if (options[key] === undefined) problems.push(`${key} (missing)`);
  return problems;
}

/**
 * Whether `value` (anywhere inside, own enumerable keys) holds what the contract says JSON
 * cannot carry as it is: a function (an own `toJSON` included), a symbol, a BigInt, a number
 * that is not finite, or a cycle. `undefined` in an object is left out, as JSON does; an
 * inherited `toJSON` (a Date's) is fine.
 */
function notJson(value: unknown, path = new Set<unknown>()): boolean {
  if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
    return true;
  }
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  if (path.has(value)) return true;
  path.add(value);
  const bad = Object.values(value as object).some(
    (item) => item !== undefined && notJson(item, path),
  );
  path.delete(value);
  return bad;
}

const defineData = (target: Record<string, unknown>, key: string, value: unknown) =>
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });

type Method = 'run' | 'runAsync' | 'stream' | 'runStream';

/**
 * The body the contract says a call sends, or the reasons it is bad input. Built without the
 * package's code: the precedence by hand, the limits by the spec's zod schema.
 */
function expectedBody(
  method: Method,
  input: unknown,
  options: unknown,
  llmTemperature: number,
): { body: Record<string, unknown> } | { problems: string[] } | { skip: string } {
  const problems = problemsOf(options, RUN_CHECKS);
  if (typeof input !== 'string' && !isRecord(input)) problems.push('input');
  const o = (isRecord(options) ? options : {}) as Record<string, unknown>;
  const streaming = method === 'stream' || method === 'runStream' || o.stream === true;
  if (method === 'runAsync' && o.stream === true) problems.push('stream with runAsync');
  if (problems.length > 0) return { problems };

  const objectInput = typeof input === 'string' ? undefined : (input as Record<string, unknown>);
  const data =
    objectInput === undefined
      ? input
      : Object.hasOwn(objectInput, 'data') && objectInput.data !== undefined
        ? objectInput.data
        : '';
  const body: Record<string, unknown> = {};
  const defaults: Array<[string, unknown]> = [
    ['data', data],
    ['context', o.context ?? null],
    ['prompt', o.prompt ?? null],
    ['history', o.history ?? null],
    ['temperature', o.temperature ?? llmTemperature],
    ['max_tokens', o.maxTokens ?? 128],
    ['top_p', o.topP ?? 1],
  ];
  if (o.responseFormat !== undefined) defaults.push(['response_format', o.responseFormat]);
  for (const [key, value] of defaults) defineData(body, key, value);
  // A key set to undefined is not given: the layer beneath it applies.
  for (const [key, value] of Object.entries(objectInput ?? {}))
    if (key !== 'data' && value !== undefined) defineData(body, key, value);
  for (const [key, value] of Object.entries((o.parameters ?? {}) as object))
    if (value !== undefined) defineData(body, key, value);
  defineData(body, 'data', data);
  if (streaming) {
    defineData(body, 'options', { ...(isRecord(body.options) ? body.options : {}), stream: true });
  } else if (isRecord(body.options) && body.options.stream === true) {
    problems.push('options.stream in a run');
  }

  if (typeof body.toJSON === 'function') problems.push('toJSON among the body keys');
  if (typeof data === 'symbol' || typeof data === 'function') problems.push('data not JSON');
  if (notJson(body)) problems.push('body not JSON (a function, symbol, BigInt, NaN or cycle)');
  if (problems.length > 0) return { problems };
  const maxTokens = body.max_tokens;
  if (!fixed('C') && Number.isInteger(maxTokens) && !Number.isSafeInteger(maxTokens)) {
    return { skip: 'C' };
  }
  // The values as given, and as they travel (JSON turns NaN into null, drops undefined...).
  const rawValid = zExecuteRequest.safeParse(body).success;
  if (!rawValid) problems.push('body breaks ExecuteRequest');
  const wire = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
  const wireValid = zExecuteRequest.safeParse(wire).success;
  // Valid as given but not as sent: a toJSON changed a declared key after the check.
  if (rawValid && !wireValid && !fixed('D')) return { skip: 'D' };
  if (!wireValid) problems.push('wire body breaks ExecuteRequest');
  if (!Object.hasOwn(wire, 'data')) problems.push('no data on the wire');
  return problems.length > 0 ? { problems } : { body: wire };
}

// ---- the caller's objects ------------------------------------------------------------------

const isPlain = (v: unknown): v is object =>
  Array.isArray(v) ||
  (v !== null &&
    typeof v === 'object' &&
    [Object.prototype, null].includes(Object.getPrototypeOf(v)));

/** A structural copy of plain objects and arrays (cycles kept); anything else by reference. */
function copyOf(value: unknown, seen = new Map<unknown, unknown>()): unknown {
  if (!isPlain(value)) return value;
  if (seen.has(value)) return seen.get(value);
  const copy: Record<string | symbol, unknown> = Array.isArray(value)
    ? []
    : Object.create(Object.getPrototypeOf(value));
  seen.set(value, copy);
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
    if ('value' in d) d.value = copyOf(d.value, seen);
    Object.defineProperty(copy, key, d);
  }
  return copy;
}

function deepFreeze(value: unknown, seen = new Set<unknown>()): void {
  if (!isPlain(value) || seen.has(value)) return;
  seen.add(value);
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key);
    if (d && 'value' in d) deepFreeze(d.value, seen);
  }
  Object.freeze(value);
}

// ---- the arbitraries -----------------------------------------------------------------------

/** Arbitraries of inputs that a pending fix is about: left out until the fix lands. */
const pending = <T>(defect: number, ...arbs: fc.Arbitrary<T>[]): fc.Arbitrary<T>[] =>
  fixed(defect) ? arbs : [];

/** Mostly `valid`, now and then `hostile`. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, hostile: fc.Arbitrary<U>, odds = 15) =>
  fc.oneof({ weight: odds, arbitrary: valid }, { weight: 1, arbitrary: hostile });

const LONE = ['\uD800', '\uDBFF', '\uDC00', '\uDFFF'];
const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(...LONE, 'a', '\u{1F600}', '\u{10FFFF}', '\0'), maxLength: 8 }),
  fc.constantFrom('', ' ', '\u{E0001}', '\u{F0000}', '\u{20000}', '\u{1D11E}', 'x'.repeat(10_000)),
);
const PROTO_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'valueOf',
  'toString',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
];
const WIRE = [
  'data',
  'context',
  'prompt',
  'history',
  'temperature',
  'max_tokens',
  'top_p',
  'response_format',
  'options',
];
const key = fc.oneof(
  fc.constantFrom(...WIRE, ...PROTO_KEYS),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const WEIRD_NUMBERS = [
  NaN,
  Infinity,
  -Infinity,
  -0,
  0,
  1e308,
  -1e308,
  2 ** 53,
  2 ** 31,
  5e-324,
  -1,
  1.5,
];
const weird = fc.oneof(
  fc.constantFrom<unknown>(
    ...WEIRD_NUMBERS,
    null,
    true,
    '1',
    [],
    {},
    Symbol('s'),
    () => 1,
    // A BigInt cannot be JSON: the body it lands in must be refused.
    ...(fixed(4) ? [10n] : []),
  ),
  fc.double(),
  fc.integer(),
);

/** Free-form JSON-ish values, nested, with the odd toJSON and weird number. */
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.jsonValue({ maxDepth: 2 }),
    text,
    weird,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(key, tie('v'), { maxKeys: 3 }),
    tie('v').map((inner) => ({ toJSON: () => inner })),
  ),
})).v;

/** An object whose own keys come from `entries`, set as data (a "__proto__" key stays a key). */
const objectOf = (entries: fc.Arbitrary<[string, unknown][]>) =>
  entries.map((list) => {
    const o: Record<string, unknown> = {};
    for (const [k, v] of list) defineData(o, k, v);
    return o;
  });

/** Values of a wire key, right and wrong. */
const wireValue = fc.oneof(
  fc.double({ min: 0, max: 2, noNaN: true }),
  fc.integer({ min: 1, max: 4096 }),
  fc.constantFrom(null, 'x', 0.5, 1, 2, { stream: true }, { stream: false }),
  weird,
);

const cyclic = fc.constant(null).map(() => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
});

const parameters = fc.oneof(
  objectOf(fc.array(fc.tuple(key, fc.oneof(value, wireValue)), { maxLength: 4 })),
  fc.constantFrom<unknown>(
    {},
    { options: { stream: false } },
    { temperature: 0.5, data: 'ignored' },
  ),
  ...pending<unknown>(
    4,
    cyclic.map((c) => ({ nested: c })),
    fc.constant({ toJSON: () => ({}) }),
    fc.constant({ options: { stream: 'x' } }),
    fc.constant({ big: 10n }),
  ),
);

const message = fc.record({ role: fc.constantFrom(...ROLES), content: text });
const HUGE_HISTORY = Array.from({ length: 5_000 }, (_, i) => ({
  role: ROLES[i % 4] as string,
  content: `message ${i} `.repeat(10),
}));
const history = mostly(
  fc.oneof(
    { weight: 8, arbitrary: fc.array(message, { maxLength: 4 }) },
    { weight: 1, arbitrary: fc.constant(HUGE_HISTORY) },
    { weight: 2, arbitrary: fc.constant(null) },
  ),
  fc.oneof(
    fc.array(
      fc.oneof(
        message,
        fc.constantFrom<unknown>({ role: 'bot', content: 'x' }, { role: 'user' }, null, 'x'),
      ),
      { minLength: 1, maxLength: 3 },
    ),
    weird,
  ),
);

const headerName = fc.stringMatching(/^x-f-[a-z0-9!#$%&'*+.^_`|~-]{1,8}$/);
const headerValue = fc.stringMatching(
  /^[\x21-\x7e\xa0-\xff]([\x20-\x7e\xa0-\xff]{0,10}[\x21-\x7e\xa0-\xff])?$/,
);
const headers = fc.oneof(
  { weight: 15, arbitrary: fc.dictionary(headerName, headerValue, { maxKeys: 3 }) },
  fc.constantFrom<unknown>('x', ['a'], { 'x-a': 1 }),
  ...pending(
    3,
    fc.constantFrom<unknown>(
      { 'bad name': 'v' },
      { 'x-a': '\u044e' },
      { 'x-a': 'a\nb' },
      { 'x-a': '\0' },
      { '': 'v' },
      { 'x-\u00e9': 'v' },
    ),
  ),
);

/** A non-aborted signal, made fresh for each case. */
const signal = fc.constant(null).map(() => new AbortController().signal);
const timeMs = mostly(
  fc.integer({ min: 1_000, max: 600_000 }),
  fc.oneof(
    fc.constantFrom<unknown>(NaN, -1, Infinity, '5', null, 0.5),
    ...pending(6, fc.constantFrom(2 ** 31, 2 ** 40)),
  ),
);

/** Now and then an unknown key (a typo, or a name of an Object.prototype member once that fix is in). */
const extraKey = (typo: string) =>
  fc.oneof(
    { weight: 15, arbitrary: fc.constant(null) },
    fc.tuple(fc.constantFrom(typo, ...(fixed(2) ? PROTO_KEYS : [])), weird),
  );

/** An object of the record's keys, plus the extra key, all set as own data keys. */
const withExtra = <T extends object>(
  record: fc.Arbitrary<T>,
  extra: fc.Arbitrary<[string, unknown] | null>,
) =>
  fc.tuple(record, extra).map(([o, more]) => {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) defineData(copy, k, v);
    if (more !== null) defineData(copy, more[0], more[1]);
    return copy;
  });

const runOptions = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 'x', [], 42) },
  {
    weight: 12,
    arbitrary: withExtra(
      fc.record(
        {
          context: mostly(fc.oneof(text, fc.constant(null)), weird),
          prompt: mostly(fc.oneof(text, fc.constant(null)), weird),
          history,
          temperature: mostly(fc.double({ min: 0, max: 2, noNaN: true }), weird),
          maxTokens: mostly(fc.integer({ min: 1, max: 100_000 }), weird),
          topP: mostly(fc.double({ min: Number.MIN_VALUE, max: 1, noNaN: true }), weird),
          responseFormat: fc.oneof(
            fc.constantFrom({ type: 'json_object' }, 'text'),
            value,
            ...pending(4, cyclic),
          ),
          parameters: mostly(parameters, weird),
          name: mostly(text, weird),
          timeoutMs: timeMs,
          waitTimeMs: mostly(fc.integer({ min: 0, max: 5_000 }), weird),
          stream: mostly(fc.boolean(), fc.constantFrom<unknown>('x', 1)),
          signal: mostly(signal, fc.constantFrom<unknown>('x', {})),
          headers,
          onPoll: mostly(
            fc.constant(() => {}),
            fc.constant('x'),
          ),
        },
        { requiredKeys: [] },
      ),
      extraKey('temprature'),
    ),
  },
);

const dataValue = fc.oneof(
  text,
  fc.jsonValue({ maxDepth: 2 }).filter((v) => v !== null || fixed(5)),
  fc.constant(undefined),
  ...pending(5, fc.constant(null)),
  ...pending(
    4,
    fc.constantFrom<unknown>(Symbol('d'), () => 'd', 10n),
    cyclic,
  ),
);
const input = fc.oneof(
  { weight: 6, arbitrary: text },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        fc.option(dataValue, { nil: undefined }),
        fc.array(
          fc.tuple(
            key.filter((k) => k !== 'data'),
            fc.oneof(value, wireValue),
          ),
          { maxLength: 3 },
        ),
        fc.boolean(),
      )
      .map(([data, entries, withData]) => {
        const o: Record<string, unknown> = {};
        if (withData) defineData(o, 'data', data);
        for (const [k, v] of entries) defineData(o, k, v);
        return o;
      }),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 42, [], ['a'], true, undefined) },
  ...pending(4, fc.constant({ data: 'x', toJSON: () => ({}) })),
);

const method = fc.constantFrom<Method>('run', 'runAsync', 'stream', 'runStream');

// ---- the properties ------------------------------------------------------------------------

const tally = new Map<string, number>();
const count = (what: string) => tally.set(what, (tally.get(what) ?? 0) + 1);
const savedEnv: Record<string, string | undefined> = {};
const ENV = ['AIXPLAIN_API_KEY', 'TEAM_API_KEY', 'AIXPLAIN_BASE_URL'];

let baseline: ResourceCounts;

beforeAll(() => {
  baseline = activeResources();
  console.log(`fuzz seed ${SEED} (set RELIABILITY_SEED to replay another)`);
  for (const name of ENV) {
    savedEnv[name] = process.env[name];
    delete process.env[name];
  }
});

afterAll(async () => {
  for (const name of ENV) if (savedEnv[name] !== undefined) process.env[name] = savedEnv[name];
  const leaks = await leftOver(baseline);
  recordFigures('fuzz', {
    seed: SEED,
    cases: SIZE.fuzzCases,
    outcomes: Object.fromEntries([...tally].sort()),
    leftTimers: leaks.timers,
    leftSockets: leaks.sockets,
  });
  expect(leaks, 'timers and sockets left by the package').toEqual({ timers: 0, sockets: 0 });
});

async function call(llm: LLM, m: Method, data: unknown, options: unknown): Promise<void> {
  const d = data as string;
  const o = options as Record<string, never>;
  if (m === 'run') {
    // With `stream: true` among the options, run() gives a streamer: read it to its end.
    const result = await llm.run(d, o);
    if (result instanceof ModelResponseStreamer) await result.text();
  } else if (m === 'runAsync') await llm.runAsync(d, o);
  else {
    const streamer =
      m === 'stream' ? await llm.stream(d, o) : await llm.run(d, { ...o, stream: true as const });
    await streamer.text();
  }
}

const describeError = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

describe('fuzzing', () => {
  const callRuns = Math.round(SIZE.fuzzCases * (1 - CONSTRUCTOR_SHARE));
  const constructorRuns = SIZE.fuzzCases - callRuns;

  test(`${callRuns} random calls send the contract's body or reject with ValidationError before any request`, async () => {
    await fc.assert(
      fc.asyncProperty(method, input, runOptions, async (picked, data, options) => {
        // run(data, { ...options, stream: true }) needs options to spread: else it is a plain run.
        const m = picked === 'runStream' && !isRecord(options) ? 'run' : picked;
        const notAnObject = options !== undefined && options !== null && !isRecord(options);
        // stream() spreads what it is given into run()'s options: a non-object is lost on the way.
        const skipA = m === 'stream' && notAnObject && !fixed('A');
        if (skipA) count('skipped until finding A is fixed');
        fc.pre(!skipA);
        const sent: Sent[] = [];
        const llm = new LLM({
          id: 'model-1',
          apiKey: KEY,
          baseUrl: BASE,
          fetch: recordingFetch(sent),
          maxRetries: 0,
        });
        // stream(data, options) is run(data, { ...options, stream: true }), options an object.
        const expected =
          m === 'stream' && notAnObject
            ? { problems: ['options'] }
            : expectedBody(
                m,
                data,
                (m === 'stream' || m === 'runStream') && isRecord(options)
                  ? { ...options, stream: true }
                  : options,
                llm.temperature,
              );
        if ('skip' in expected) count(`skipped until finding ${expected.skip} is fixed`);
        fc.pre(!('skip' in expected));
        const before = [copyOf(data), copyOf(options)];
        deepFreeze(data);
        deepFreeze(options);
        let thrown: unknown;
        try {
          await call(llm, m, data, options);
        } catch (error) {
          thrown = error;
        }
        expect(
          isDeepStrictEqual([data, options], before),
          'the caller’s objects were changed',
        ).toBe(true);
        if ('problems' in expected) {
          count(`${m}: ValidationError`);
          count(`call rejected for: ${expected.problems[0]}`);
          expect(describeError(thrown), `bad input (${expected.problems.join(', ')})`).toMatch(
            /^ValidationError/,
          );
          expect(thrown).toBeInstanceOf(ValidationError);
          expect(sent, 'no request for bad input').toEqual([]);
          return;
        }
        count(`${m}: sent`);
        expect(thrown, describeError(thrown)).toBeUndefined();
        expect(sent.length, 'exactly one request').toBe(1);
        const request = sent[0] as Sent;
        expect(request.method).toBe('POST');
        const body: unknown = JSON.parse(request.body ?? 'null');
        expect(zExecuteRequest.safeParse(body).success, 'the body satisfies ExecuteRequest').toBe(
          true,
        );
        expect(
          isDeepStrictEqual(body, expected.body),
          `body\n${request.body}\nexpected\n${JSON.stringify(expected.body)}`,
        ).toBe(true);
        expect(request.headers.get('x-api-key')).toBe(KEY);
        const given = isRecord(options) && isRecord(options.headers) ? options.headers : {};
        for (const [name, v] of Object.entries(given)) expect(request.headers.get(name)).toBe(v);
      }),
      { numRuns: callRuns, seed: SEED },
    );
  }, 600_000);

  const llmOptions = withExtra(
    fc.record(
      {
        id: fc.oneof(
          {
            weight: 12,
            arbitrary: text.filter((s) => s !== '' && (fixed('B') || isWellFormed(s))),
          },
          fc.constantFrom<unknown>('', 42, null),
          ...pending(1, fc.constant(undefined)),
        ),
        name: mostly(text, weird, 30),
        description: mostly(text, weird, 30),
        apiKey: fc.oneof(
          { weight: 12, arbitrary: fc.stringMatching(/^sk-[A-Za-z0-9_-]{16,40}$/) },
          fc.constantFrom<unknown>('', 42),
          ...pending(3, fc.constantFrom('\u043a\u043b\u044e\u0447', 'a\nb', 'k\u00e9y\u2603')),
        ),
        baseUrl: mostly(
          fc.constantFrom(BASE, `${BASE}/prefix/`, 'http://127.0.0.1:9', 'http://[::1]:9/p'),
          fc.constantFrom<unknown>('not a url', 'ftp://x.test', `${BASE}/?q=1`, `${BASE}/#h`, 42),
          30,
        ),
        supplier: mostly(
          fc.oneof(text, fc.double()),
          fc.constantFrom<unknown>({ name: 'x' }, true, null),
          30,
        ),
        version: mostly(text, weird, 30),
        function: mostly(
          fc.constant('text-generation'),
          fc.constantFrom<unknown>('translation', 1),
          30,
        ),
        isSubscribed: mostly(fc.boolean(), weird, 30),
        cost: mostly(fc.dictionary(key, value, { maxKeys: 2 }), fc.oneof(cyclic, weird), 30),
        temperature: mostly(fc.double({ min: 0, max: 2, noNaN: true }), weird, 30),
        functionType: mostly(text, weird, 30),
        additionalInfo: mostly(
          fc.dictionary(key, value, { maxKeys: 2 }),
          fc.oneof(cyclic, weird),
          30,
        ),
        headers,
        maxRetries: mostly(fc.integer({ min: 0, max: 5 }), weird, 30),
        throwOnError: mostly(fc.boolean(), weird, 30),
        trustedOrigins: mostly(
          fc.constantFrom(['https://a.test'], [], ['http://127.0.0.1:1', 'https://b.test:8443']),
          fc.constantFrom<unknown>(['not an origin'], [1], 'https://a.test'),
          30,
        ),
      },
      { requiredKeys: fixed(1) ? ['apiKey'] : ['id', 'apiKey'] },
    ),
    extraKey('colour'),
  );

  test(`${constructorRuns} random constructor options give a working LLM or a ValidationError`, async () => {
    await fc.assert(
      fc.asyncProperty(
        llmOptions,
        fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, fc.constant(false)),
        async (options, withFetch) => {
          const sent: Sent[] = [];
          const given = withFetch
            ? { ...options, fetch: recordingFetch(sent) }
            : { ...options, fetch: 'x' };
          const problems = problemsOf(given, LLM_CHECKS, ['id', 'apiKey']);
          const before = copyOf(given);
          deepFreeze(given);
          let llm: LLM | undefined;
          let thrown: unknown;
          try {
            llm = new LLM(given as never);
          } catch (error) {
            thrown = error;
          }
          expect(isDeepStrictEqual(given, before), 'the caller’s options were changed').toBe(true);
          if (problems.length > 0) {
            count('constructor: ValidationError');
            count(`constructor rejected for: ${problems[0]}`);
            expect(describeError(thrown), `bad options (${problems.join(', ')})`).toMatch(
              /^ValidationError/,
            );
            return;
          }
          count('constructor: built and ran');
          expect(thrown, describeError(thrown)).toBeUndefined();
          const o = given as Record<string, unknown>;
          const model = llm as LLM;
          expect(model.id).toBe(o.id);
          expect(model.name).toBe(o.name ?? o.id);
          expect(model.temperature).toBe(o.temperature ?? 0.001);
          expect(model.maxRetries).toBe(o.maxRetries ?? 2);
          expect(inspect(model)).not.toContain(String(o.apiKey));
          expect(String(model)).not.toContain(String(o.apiKey));
          const res = await model.run('hi');
          expect(res.status, res.errorMessage).toBe('SUCCESS');
          expect(sent.length).toBe(1);
          const request = sent[0] as Sent;
          const url = new URL(request.url);
          const segment = url.pathname.split('/').pop() as string;
          expect(url.pathname.slice(0, -segment.length)).toBe(
            `${new URL((o.baseUrl as string | undefined) ?? 'https://models.aixplain.com').pathname.replace(/\/+$/, '')}/api/v2/execute/`,
          );
          expect(decodeURIComponent(segment)).toBe(o.id);
          expect(request.headers.get('x-api-key')).toBe(o.apiKey);
          for (const [name, v] of Object.entries((o.headers ?? {}) as object))
            expect(request.headers.get(name)).toBe(v);
          const body = JSON.parse(request.body ?? 'null') as Record<string, unknown>;
          expect(zExecuteRequest.safeParse(body).success).toBe(true);
          expect(body.temperature).toBe(o.temperature ?? 0.001);
        },
      ),
      { numRuns: constructorRuns, seed: SEED },
    );
  }, 600_000);
});
