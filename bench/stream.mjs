/**
 * Benchmark 2: stream decoding throughput, bytes -> tokens, with no network: a recorded SSE body
 * (20,000 token events with multi-byte and escaped text, a few comments, then `[DONE]`) is cut
 * into 1 KB chunks, which split lines and UTF-8 characters as a real socket does, and served by
 * a fresh ReadableStream for every pass.
 *
 * - ours, decoder: `readBody` -> `decodeUtf8` -> `splitLines` -> `parseEvents` -> `tokenOf`
 *   (src/sse.ts, src/stream.ts), the steps of a streamed run;
 * - ours, openStream: the whole streamer over a `Response` (adds the request scope, the timers'
 *   bookkeeping and one `ModelResponse` per token), what `for await (chunk of llm.stream())` costs;
 *   once with `llm.stream()`'s default options (`timeoutMs` only), once with `idleTimeoutMs` set,
 *   which re-arms a timer for every token;
 * - peer: the generated client's own SSE parser (`createSseClient`, generated/core/
 *   serverSentEvents.gen.ts) with a fake `fetch` returning the same body, `sseMaxRetryAttempts: 1`;
 * - baseline: a naive loop (TextDecoder + split('\n\n') + JSON.parse), the floor.
 *
 * Every variant must yield the same tokens (count and text) or the benchmark fails. Passes are
 * interleaved (with a GC before each when node runs with --expose-gc); the table shows median
 * times, and the ratios are medians of the per-round ratios, which drift on a shared machine
 * disturbs less.
 */
import { fmt, median, printTable } from './stats.mjs';

const TOKENS = 20_000;
const CHUNK_BYTES = 1024;
const WARMUP = 3;
const REPS = 9;
const PIECES = [
  'Hel',
  'lo',
  ' wörld',
  ' 👋',
  ' 你好，世界',
  ' ç’est «ça»',
  ' "quoted"',
  ' line\nbreak',
  ' naïve',
  ' 😀😃',
  ' plain ascii text',
];

/** The recorded body and the text its tokens make. */
function corpus() {
  let body = ': keep-alive\n\n';
  let text = '';
  for (let i = 0; i < TOKENS; i++) {
    const token = PIECES[i % PIECES.length];
    body += `data: ${JSON.stringify({ data: token })}\n\n`;
    text += token;
    if (i % 1000 === 999) body += ': keep-alive\n\n';
  }
  body += 'data: [DONE]\n\n';
  const bytes = new TextEncoder().encode(body);
  const chunks = [];
  for (let i = 0; i < bytes.length; i += CHUNK_BYTES) {
    chunks.push(bytes.slice(i, i + CHUNK_BYTES));
  }
  return { bytes: bytes.length, chunks, text };
}

/** A fresh body over `chunks`, one chunk per pull, as fetch delivers them. */
function bodyOf(chunks) {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]);
      else controller.close();
    },
  });
}

function variants(lib) {
  const { readBody, decodeUtf8, splitLines, parseEvents, tokenOf, openStream, createSseClient } =
    lib;
  const viaOpenStream = async (chunks, options) => {
    const streamer = await openStream(
      async () =>
        new Response(bodyOf(chunks), { headers: { 'content-type': 'text/event-stream' } }),
      options,
    );
    let text = '';
    let count = 0;
    for await (const chunk of streamer) {
      if (chunk.status === 'FAILED') throw new Error(chunk.errorMessage);
      text += chunk.data;
      count++;
    }
    if (streamer.status !== 'SUCCESS') throw new Error(`openStream ended ${streamer.status}`);
    return { count, text };
  };
  return {
    naive: async (chunks) => {
      const reader = bodyOf(chunks).getReader();
      const decoder = new TextDecoder();
      let buffer = '';
      let text = '';
      let count = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        const blocks = buffer.split('\n\n');
        buffer = blocks.pop() ?? '';
        for (const block of blocks) {
          if (!block.startsWith('data: ')) continue;
          const payload = block.slice(6);
          if (payload === '[DONE]') return { count, text };
          text += JSON.parse(payload).data;
          count++;
        }
      }
      return { count, text };
    },
    generated: async (chunks) => {
      const errors = [];
      const { stream } = createSseClient({
        url: 'http://127.0.0.1/bench',
        method: 'POST',
        fetch: async () =>
          new Response(bodyOf(chunks), { headers: { 'content-type': 'text/event-stream' } }),
        sseMaxRetryAttempts: 1,
        onSseError: (error) => errors.push(error),
      });
      let text = '';
      let count = 0;
      for await (const data of stream) {
        if (data === '[DONE]') break;
        text += data.data;
        count++;
      }
      if (errors.length > 0) throw errors[0];
      return { count, text };
    },
    oursDecoder: async (chunks) => {
      let text = '';
      let count = 0;
      const events = parseEvents(splitLines(decodeUtf8(readBody(bodyOf(chunks)))));
      for await (const event of events) {
        const token = tokenOf(event.data);
        if (token === null) continue;
        if ('done' in token) break;
        if ('token' in token) {
          text += token.token;
          count++;
        }
      }
      return { count, text };
    },
    oursOpenStream: (chunks) => viaOpenStream(chunks, { timeoutMs: 300_000 }),
    oursOpenStreamIdle: (chunks) =>
      viaOpenStream(chunks, { timeoutMs: 300_000, idleTimeoutMs: 30_000 }),
  };
}

const LABELS = {
  naive: 'naive TextDecoder+split+JSON.parse (baseline)',
  generated: 'generated createSseClient (peer)',
  oursDecoder: 'ours: readBody..parseEvents + tokenOf',
  oursOpenStream: 'ours: openStream, timeoutMs (llm.stream default)',
  oursOpenStreamIdle: 'ours: openStream + idleTimeoutMs (timer per token)',
};

const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};

export async function benchStream(lib) {
  const data = corpus();
  const runs = variants(lib);
  const names = Object.keys(runs);
  const times = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) {
    const out = await runs[name](data.chunks);
    if (out.count !== TOKENS || out.text !== data.text) {
      throw new Error(`${name} yielded ${out.count} tokens, expected ${TOKENS} (or other text)`);
    }
    for (let i = 1; i < WARMUP; i++) await runs[name](data.chunks);
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + rep) % names.length];
      gc();
      const start = performance.now();
      await runs[name](data.chunks);
      times[name].push(performance.now() - start);
    }
  }
  const ms = Object.fromEntries(names.map((name) => [name, median(times[name])]));
  /** The median over rounds of `name`'s time divided by `base`'s in the same round. */
  const paired = (name, base) => median(times[name].map((t, rep) => t / times[base][rep]));
  const perSecond = (x) => TOKENS / (x / 1000);
  printTable(
    `2. Stream decoding, ${fmt(TOKENS, 0)} tokens, ${fmt(data.bytes / 1024, 0)} KiB in ${data.chunks.length} chunks of ${CHUNK_BYTES} B (median of ${REPS})`,
    ['variant', 'ms', 'tokens/s', 'MB/s', 'time/naive', 'time/generated'],
    names.map((name) => [
      LABELS[name],
      fmt(ms[name], 1),
      fmt(perSecond(ms[name]), 0),
      fmt(data.bytes / 1e6 / (ms[name] / 1000), 1),
      `${fmt(paired(name, 'naive'), 2)}x`,
      `${fmt(paired(name, 'generated'), 2)}x`,
    ]),
    'lrrrrr',
  );
  console.log(
    `\nAll ${names.length} yielded the same ${fmt(TOKENS, 0)} tokens and the same text.` +
      ` Per token: ours (openStream) ${fmt((ms.oursOpenStream / TOKENS) * 1000, 2)} µs,` +
      ` with idleTimeoutMs ${fmt((ms.oursOpenStreamIdle / TOKENS) * 1000, 2)} µs.`,
  );
  return {
    tokens: TOKENS,
    bodyBytes: data.bytes,
    chunkBytes: CHUNK_BYTES,
    chunks: data.chunks.length,
    reps: REPS,
    medianMs: ms,
    tokensPerSecond: Object.fromEntries(names.map((name) => [name, perSecond(ms[name])])),
    ratios: {
      oursDecoderTimeVsNaive: paired('oursDecoder', 'naive'),
      oursDecoderTimeVsGenerated: paired('oursDecoder', 'generated'),
      oursOpenStreamTimeVsNaive: paired('oursOpenStream', 'naive'),
      oursOpenStreamTimeVsGenerated: paired('oursOpenStream', 'generated'),
      oursOpenStreamIdleTimeVsOpenStream: paired('oursOpenStreamIdle', 'oursOpenStream'),
      generatedTimeVsNaive: paired('generated', 'naive'),
    },
  };
}
