/**
 * Latency of one call against a loopback server that answers at once (upstream.mjs, its own
 * process), so that the difference between rows is client overhead. In the same run and
 * against the same server:
 *
 * - raw: `fetch(url, init)` of the very body `llm.run('Hello')` sends, then `res.json()`;
 * - floor: the least a real client does, that raw call with an AbortSignal and its deadline
 *   timer (set, then cleared);
 * - openai 6.49: `chat.completions.create`, against a route that answers a chat completion,
 *   with its own raw baseline of the same route;
 * - `runAsync` + `syncPoll` (two requests) against raw POST + GET.
 *
 * The variants run in interleaved rounds (order rotated every round), so that drift on a shared
 * machine hits all of them alike; each figure is a median.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { median } from './stats.mjs';

const WARMUP = 100;
const ROUNDS = 12;
const PER_ROUND = 50;
export const MODEL = 'bench-model';
export const API_KEY = 'bench-key';

/** Starts the loopback server in its own process; resolves with its origin and a stop. */
export function startUpstream() {
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

/** Runs every variant ROUNDS * PER_ROUND times, interleaved; returns the median ms of each. */
export async function interleaved(variants) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) for (let i = 0; i < WARMUP; i++) await variants[name]();
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      const run = variants[name];
      const out = samples[name];
      for (let j = 0; j < PER_ROUND; j++) {
        const start = performance.now();
        await run();
        out.push(performance.now() - start);
      }
    }
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name])]));
}

/** The exact body `llm.run('Hello')` sends, captured once so that the baselines send it too. */
export async function capturedBody(LLM, origin) {
  let body;
  const capture = new LLM({
    id: MODEL,
    apiKey: API_KEY,
    baseUrl: origin,
    fetch: (url, init) => {
      body = init.body;
      return fetch(url, init);
    },
  });
  const check = await capture.run('Hello');
  if (check.status !== 'SUCCESS' || check.data !== 'Echo: Hello') {
    throw new Error(`llm.run did not succeed: ${check.status} ${check.errorMessage}`);
  }
  return body;
}

export async function benchLatency({ LLM }) {
  const upstream = await startUpstream();
  const { origin } = upstream;
  try {
    const body = await capturedBody(LLM, origin);
    const headers = { 'content-type': 'application/json', 'x-api-key': API_KEY };
    const v2 = `${origin}/api/v2/execute/${MODEL}`;
    const v1 = `${origin}/api/v1/execute/${MODEL}`;
    const chat = `${origin}/chat/completions`;
    const chatBody = JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hello' }],
    });
    const llm = new LLM({ id: MODEL, apiKey: API_KEY, baseUrl: origin });
    const openai = new OpenAI({ apiKey: API_KEY, baseURL: origin });

    const expectSuccess = (json, what) => {
      if (json.status !== 'SUCCESS') throw new Error(`${what}: unexpected answer`);
    };
    const variants = {
      raw: async () => {
        const res = await fetch(v2, { method: 'POST', headers, body });
        expectSuccess(await res.json(), 'raw');
      },
      floor: async () => {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 300_000);
        try {
          const res = await fetch(v2, { method: 'POST', headers, body, signal: controller.signal });
          expectSuccess(await res.json(), 'floor');
        } finally {
          clearTimeout(timer);
        }
      },
      ours: async () => {
        const res = await llm.run('Hello');
        if (res.status !== 'SUCCESS') throw new Error(`llm.run: ${res.errorMessage}`);
      },
      rawChat: async () => {
        const res = await fetch(chat, { method: 'POST', headers, body: chatBody });
        if ((await res.json()).choices.length !== 1) throw new Error('raw chat');
      },
      openai: async () => {
        const res = await openai.chat.completions.create({
          model: MODEL,
          messages: [{ role: 'user', content: 'Hello' }],
        });
        if (res.choices.length !== 1) throw new Error('openai');
      },
      rawAsync: async () => {
        const ticket = await (await fetch(v1, { method: 'POST', headers, body })).json();
        const done = await (await fetch(ticket.data, { headers })).json();
        expectSuccess(done, 'raw async');
      },
      oursAsync: async () => {
        const started = await llm.runAsync('Hello');
        const done = await llm.syncPoll(started.url);
        if (done.status !== 'SUCCESS') throw new Error(`runAsync+syncPoll: ${done.errorMessage}`);
      },
    };
    return { medianMs: await interleaved(variants) };
  } finally {
    upstream.stop();
  }
}
