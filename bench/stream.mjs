/**
 * Stream decoding: 100 000 token events (the aiXplain `{"data":"..."}` payloads, one in twenty
 * with an escape, some non-ASCII) cut into reads of random sizes (1 to 4 096 bytes, a fixed
 * seed), served from memory as a `Response` body, so that only decoding is measured. In the
 * same run, on the same reads:
 *
 * - ours: `openStream` and `for await` over the streamer, as `llm.stream()` returns it;
 * - eventsource-parser 3.1.1: a reader loop, TextDecoder, `createParser` and `JSON.parse` of
 *   each event's data (the baseline);
 * - openai 6.49: `Stream.fromSSEResponse`, the decoder of the openai client;
 * - floor: the eventsource-parser baseline behind the API's shape, one `ModelResponse` per
 *   token through a minimal async iterator and `for await`: the least a `for await` API of
 *   `ModelResponse` chunks can cost.
 *
 * Throughput is tokens per second, median of interleaved rounds. "Heap after" is the heap used
 * after a GC at the end of a run of ours, less the one before: flat memory is near zero.
 */
import { createParser } from 'eventsource-parser';
import { Stream } from 'openai/streaming';
import { median } from './stats.mjs';

const EVENTS = 100_000;
const ROUNDS = 5;

/** A small deterministic PRNG (mulberry32), so that every run cuts the body the same way. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function body() {
  const words = ['Hello', ' world', ' wörld', ' 你好', ' token', ' 👋', ' the', ' sea'];
  const next = random(42);
  let text = '';
  for (let i = 0; i < EVENTS; i++) {
    const word = words[Math.floor(next() * words.length)];
    const data = i % 20 === 19 ? JSON.stringify({ data: `${word}\n` }) : `{"data":"${word}"}`;
    text += `data: ${data}\n\n`;
  }
  text += 'data: [DONE]\n\n';
  const bytes = new TextEncoder().encode(text);
  const reads = [];
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + Math.floor(next() * 4096);
    reads.push(bytes.subarray(at, at + size));
    at += size;
  }
  return reads;
}

const streamOf = (reads) => {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < reads.length) controller.enqueue(reads[i++]);
      else controller.close();
    },
  });
};

export async function benchStream({ openStream, ModelResponse }) {
  const reads = body();
  const sse = { 'content-type': 'text/event-stream' };
  const variants = {
    ours: async () => {
      const streamer = await openStream(
        async () => new Response(streamOf(reads), { headers: sse }),
      );
      let n = 0;
      for await (const chunk of streamer) if (chunk.status === 'IN_PROGRESS') n++;
      if (streamer.status !== 'SUCCESS') throw new Error('ours: stream failed');
      return n;
    },
    esp: async () => {
      let n = 0;
      let done = false;
      const parser = createParser({
        onEvent(event) {
          if (event.data === '[DONE]') done = true;
          else if (typeof JSON.parse(event.data).data === 'string') n++;
        },
      });
      const reader = streamOf(reads).getReader();
      const decoder = new TextDecoder();
      while (!done) {
        const { done: end, value } = await reader.read();
        if (end) break;
        parser.feed(decoder.decode(value, { stream: true }));
      }
      return n;
    },
    floor: async () => {
      const queue = [];
      let head = 0;
      let done = false;
      const parser = createParser({
        onEvent(event) {
          if (event.data === '[DONE]') done = true;
          else queue.push(JSON.parse(event.data).data);
        },
      });
      const reader = streamOf(reads).getReader();
      const decoder = new TextDecoder();
      const iterator = {
        async next() {
          while (head === queue.length && !done) {
            const { done: end, value } = await reader.read();
            if (end) done = true;
            else parser.feed(decoder.decode(value, { stream: true }));
          }
          if (head === queue.length) return { done: true, value: undefined };
          const data = queue[head++];
          if (head === queue.length) queue.length = head = 0;
          return { done: false, value: new ModelResponse({ status: 'IN_PROGRESS', data }) };
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
      let n = 0;
      for await (const chunk of iterator) if (typeof chunk.data === 'string') n++;
      return n;
    },
    openai: async () => {
      const stream = Stream.fromSSEResponse(
        new Response(streamOf(reads), { headers: sse }),
        new AbortController(),
      );
      let n = 0;
      for await (const item of stream) if (typeof item.data === 'string') n++;
      return n;
    },
  };
  const names = Object.keys(variants);
  const rates = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) {
    const n = await variants[name]();
    if (n !== EVENTS) throw new Error(`${name} read ${n} tokens of ${EVENTS}`);
  }
  let heapDelta = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      globalThis.gc?.();
      const heapBefore = process.memoryUsage().heapUsed;
      const start = performance.now();
      await variants[name]();
      rates[name].push(EVENTS / ((performance.now() - start) / 1000));
      if (name === 'ours') {
        globalThis.gc?.();
        heapDelta = Math.max(heapDelta, process.memoryUsage().heapUsed - heapBefore);
      }
    }
  }
  return {
    tokensPerSecond: Object.fromEntries(names.map((name) => [name, median(rates[name])])),
    oursHeapAfterBytes: heapDelta,
  };
}
