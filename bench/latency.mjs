/**
 * Benchmark 1: the latency a caller sees for one non-streamed run, against a loopback server
 * that answers at once (upstream.mjs, its own process), so the difference is client overhead:
 * option and body checks, the generated SDK, the redirect guard, retries' bookkeeping, the
 * deadline timer and the mapping to a ModelResponse.
 *
 * Baselines, in the same run and against the same server:
 * - raw: `fetch` POST of the very body `llm.run('Hello')` sends (captured once) + `JSON.parse`;
 * - generated: the hey-api SDK's `executeModel` alone (its client, no validators), the
 *   layer our transport wraps.
 * And the two-request path: `runAsync` + `syncPoll` vs raw POST + GET.
 *
 * A second table runs the same three calls against a canned in-process `fetch` (no socket), so
 * the client's own CPU time per call shows without loopback noise.
 *
 * Variants run in interleaved rounds (order rotated each round) so that drift on this shared
 * machine hits all of them alike. Nothing here is asserted: the numbers are reported as ratios.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SUCCESS_ANSWER } from './answer.mjs';
import { fmt, median, printTable, ratio, summarize } from './stats.mjs';

const WARMUP = 50;
const ROUNDS = 15;
const PER_ROUND = 40;
const CPU_BATCH = 150;
const MODEL = 'bench-model';
const API_KEY = 'bench-key';

function startUpstream() {
  const child = fork(fileURLToPath(new URL('./upstream.mjs', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('message', ({ origin }) =>
      resolve({ origin, stop: () => child.connected && child.disconnect() }),
    );
  });
}

/** Runs each variant `ROUNDS * PER_ROUND` times after a warm-up; returns ms samples by name. */
async function measure(variants, perRound = PER_ROUND) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) for (let i = 0; i < WARMUP; i++) await variants[name]();
  for (let round = 0; round < ROUNDS; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length]);
    for (const name of order) {
      const run = variants[name];
      const out = samples[name];
      for (let i = 0; i < perRound; i++) {
        const start = performance.now();
        await run();
        out.push(performance.now() - start);
      }
    }
  }
  return samples;
}

/**
 * Client CPU time per call: each variant runs batches of calls against a canned in-process
 * fetch, batches interleaved; returns the median over batches of the mean per call, in ms.
 */
async function cpuPerCall(variants) {
  const names = Object.keys(variants);
  const batch = CPU_BATCH;
  const perCall = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) for (let i = 0; i < WARMUP * 4; i++) await variants[name]();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      const run = variants[name];
      const start = performance.now();
      for (let j = 0; j < batch; j++) await run();
      perCall[name].push((performance.now() - start) / batch);
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(perCall[name])]));
}

/** The three non-streamed calls against a canned fetch that answers without a socket. */
function inProcessVariants(lib, body) {
  const { LLM, createClient, executeModel } = lib;
  const origin = 'http://127.0.0.1:9';
  const answer = SUCCESS_ANSWER;
  // Reads the request body, as a socket would, and answers at once.
  const canned = async (request) => {
    await request.arrayBuffer();
    return new Response(answer, {
      status: 200,
      headers: { 'content-type': 'application/json', 'x-request-id': 'bench-request' },
    });
  };
  const llm = new LLM({ id: MODEL, apiKey: API_KEY, baseUrl: origin, fetch: canned });
  const client = createClient({ baseUrl: origin, auth: () => API_KEY, fetch: canned });
  const parsedBody = JSON.parse(body);
  const headers = { 'content-type': 'application/json', 'x-api-key': API_KEY };
  const url = `${origin}/api/v2/execute/${MODEL}`;
  return {
    raw: async () => {
      const res = await canned(new Request(url, { method: 'POST', headers, body }));
      if (JSON.parse(await res.text()).status !== 'SUCCESS') throw new Error('raw (in-process)');
    },
    generated: async () => {
      const { data } = await executeModel({
        client,
        path: { modelId: MODEL },
        body: parsedBody,
        parseAs: 'text',
      });
      if (JSON.parse(data).status !== 'SUCCESS') throw new Error('generated (in-process)');
    },
    ours: async () => {
      const res = await llm.run('Hello');
      if (res.status !== 'SUCCESS') throw new Error(`llm.run (in-process): ${res.errorMessage}`);
    },
  };
}

export async function benchLatency(lib) {
  const { LLM, createClient, executeModel } = lib;
  const upstream = await startUpstream();
  const { origin } = upstream;
  try {
    // The exact body `llm.run('Hello')` sends, captured once so that the baselines send the
    // same bytes.
    let captured;
    const capture = new LLM({
      id: MODEL,
      apiKey: API_KEY,
      baseUrl: origin,
      fetch: async (request) => {
        captured = { body: await request.clone().text() };
        return fetch(request);
      },
    });
    const check = await capture.run('Hello');
    if (check.status !== 'SUCCESS' || check.data !== 'Echo: Hello') {
      throw new Error(`llm.run did not succeed: ${check.status} ${check.errorMessage}`);
    }
    const body = captured.body;
    const headers = { 'content-type': 'application/json', 'x-api-key': API_KEY };
    const v2 = `${origin}/api/v2/execute/${MODEL}`;
    const v1 = `${origin}/api/v1/execute/${MODEL}`;

    const llm = new LLM({ id: MODEL, apiKey: API_KEY, baseUrl: origin });
    const client = createClient({ baseUrl: origin, auth: () => API_KEY });
    const parsedBody = JSON.parse(body);

    const raw = async () => {
      const res = await fetch(v2, { method: 'POST', headers, body });
      const json = JSON.parse(await res.text());
      if (json.status !== 'SUCCESS') throw new Error('raw: unexpected answer');
    };
    const generated = async () => {
      const { data, response } = await executeModel({
        client,
        path: { modelId: MODEL },
        body: parsedBody,
        parseAs: 'text',
      });
      if (!response.ok || JSON.parse(data).status !== 'SUCCESS') throw new Error('generated');
    };
    const ours = async () => {
      const res = await llm.run('Hello');
      if (res.status !== 'SUCCESS') throw new Error(`llm.run: ${res.errorMessage}`);
    };
    const rawAsync = async () => {
      const ticket = JSON.parse(await (await fetch(v1, { method: 'POST', headers, body })).text());
      const done = JSON.parse(
        await (await fetch(ticket.data, { headers: { 'x-api-key': API_KEY } })).text(),
      );
      if (done.status !== 'SUCCESS') throw new Error('raw async: unexpected answer');
    };
    const oursAsync = async () => {
      const started = await llm.runAsync('Hello');
      const done = await llm.syncPoll(started.url);
      if (done.status !== 'SUCCESS') throw new Error(`runAsync+syncPoll: ${done.errorMessage}`);
    };

    const samples = await measure({ raw, generated, ours, rawAsync, oursAsync });
    const s = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, summarize(v)]));

    const row = (label, x, base) => [
      label,
      fmt(x.mean, 3),
      fmt(x.p50, 3),
      fmt(x.p95, 3),
      fmt(x.p99, 3),
      ratio(x.mean, base.mean),
      ratio(x.p50, base.p50),
      ratio(x.p99, base.p99),
    ];
    printTable(
      `1. Latency of a non-streamed run, loopback, ms (n=${s.ours.n} each, after ${WARMUP} warm-ups)`,
      ['variant', 'mean', 'p50', 'p95', 'p99', 'mean/raw', 'p50/raw', 'p99/raw'],
      [
        row('raw fetch POST + JSON.parse (baseline)', s.raw, s.raw),
        row('generated SDK executeModel', s.generated, s.raw),
        row("ours: llm.run('Hello')", s.ours, s.raw),
        row('raw POST v1 + GET poll (baseline)', s.rawAsync, s.rawAsync),
        row('ours: runAsync + syncPoll', s.oursAsync, s.rawAsync),
      ],
      'lrrrrrrr',
    );
    const perRequestMs = s.ours.mean - s.raw.mean;
    console.log(
      `\nOverhead of llm.run over raw fetch: ${fmt(perRequestMs, 3)} ms per call (mean), of which` +
        ` the generated SDK accounts for ${fmt(s.generated.mean - s.raw.mean, 3)} ms.`,
    );
    const cpu = await cpuPerCall(inProcessVariants(lib, body));
    const us = (ms) => fmt(ms * 1000, 1);
    printTable(
      `1b. Client CPU per non-streamed call, canned in-process fetch (no socket), µs (median of ${ROUNDS} batches of ${CPU_BATCH})`,
      ['variant', 'µs/call', 'vs raw', 'vs generated'],
      [
        [
          'raw Request + JSON.parse (baseline)',
          us(cpu.raw),
          '1.00x',
          ratio(cpu.raw, cpu.generated),
        ],
        ['generated SDK executeModel', us(cpu.generated), ratio(cpu.generated, cpu.raw), '1.00x'],
        [
          "ours: llm.run('Hello')",
          us(cpu.ours),
          ratio(cpu.ours, cpu.raw),
          ratio(cpu.ours, cpu.generated),
        ],
      ],
      'lrrr',
    );
    return {
      unit: 'ms',
      cpuPerCallMs: cpu,
      n: s.ours.n,
      warmup: WARMUP,
      variants: s,
      ratios: {
        oursVsRawMean: s.ours.mean / s.raw.mean,
        oursVsRawP50: s.ours.p50 / s.raw.p50,
        oursVsRawP95: s.ours.p95 / s.raw.p95,
        oursVsRawP99: s.ours.p99 / s.raw.p99,
        generatedVsRawMean: s.generated.mean / s.raw.mean,
        oursVsGeneratedMean: s.ours.mean / s.generated.mean,
        asyncOursVsRawMean: s.oursAsync.mean / s.rawAsync.mean,
        cpuOursVsRaw: cpu.ours / cpu.raw,
        cpuOursVsGenerated: cpu.ours / cpu.generated,
        cpuGeneratedVsRaw: cpu.generated / cpu.raw,
      },
      overheadMsMean: perRequestMs,
    };
  } finally {
    upstream.stop();
  }
}
