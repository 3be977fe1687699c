/**
 * Shared by the tests of src/ai-sdk/ (test/ai-sdk/): the model id, the API's default answers
 * (a finished run, or SSE tokens when the body asks for a stream), the provider on a fake
 * fetch, and small readers. Importing it also registers the hooks every such file needs (no AI
 * SDK warnings on the console, environment stubs undone).
 */
import type { LanguageModelV3CallOptions } from '@ai-sdk/provider';
import { afterEach, beforeAll, vi } from 'vitest';
import { createAixplain } from '../../src/ai-sdk/index.js';
import { BASE, type Handler, json, KEY, fakeApi as recordingFetch, sse } from './fake-fetch.js';

/** A fetch that records every request and answers with `handler` (by default, like the API). */
export function fakeApi(handler: Handler = answer) {
  return recordingFetch(handler);
}

export const MODEL = '669a63646eb56306647e1091';
export const EXECUTE_URL = `${BASE}/api/v2/execute/${MODEL}`;

export const finished = {
  completed: true,
  status: 'SUCCESS',
  data: 'Hello!',
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
  usedCredits: 0.5,
  runTime: 1.2,
  requestId: 'req-1',
};

/** The API's answer: SSE tokens when the body asks for a stream, else a finished run. */
export function answer(_request: Request, body: Record<string, unknown> | undefined): Response {
  return isStream(body) ? sse(['Hel', 'lo', '!']) : json(finished);
}

function isStream(body: Record<string, unknown> | undefined): boolean {
  return (body?.options as { stream?: unknown } | undefined)?.stream === true;
}

/** An SSE body that sends one token and then nothing until it is cancelled. */
export function endlessStream() {
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('data: {"data":"Hel"}\n\n'));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return {
    state,
    response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  };
}

export function provider(fetch: typeof globalThis.fetch, settings: Record<string, unknown> = {}) {
  return createAixplain({ apiKey: KEY, baseUrl: BASE, fetch, ...settings });
}

/** The minimal call options of a direct doGenerate/doStream call. */
export function call(
  text: string,
  options: Partial<LanguageModelV3CallOptions> = {},
): LanguageModelV3CallOptions {
  return { prompt: [{ role: 'user', content: [{ type: 'text', text }] }], ...options };
}

export async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const parts: T[] = [];
  for await (const part of stream as unknown as AsyncIterable<T>) parts.push(part);
  return parts;
}

/** Rejects with what `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

beforeAll(() => {
  // The AI SDK prints every warning to the console unless told not to.
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
});

afterEach(() => {
  vi.unstubAllEnvs();
});
