/**
 * src/ai-sdk/stream-parts.ts and doStream: streamText, error parts, cancellation.
 * Through the real `ai` package (ai@6), against a fake fetch that answers like the API.
 */
import { APICallError, type LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { streamText } from 'ai';
import { describe, expect, test, vi } from 'vitest';
import { StreamError } from '../../src/index.js';
import {
  answer,
  call,
  endlessStream,
  fakeApi,
  MODEL,
  provider,
  readAll,
  rejection,
} from '../helpers/ai-sdk.js';
import { json, sse } from '../helpers/fake-fetch.js';

describe('streamText (doStream)', () => {
  test('yields the tokens in textStream and ends with finish reason stop', async () => {
    const api = fakeApi();
    const result = streamText({
      model: provider(api.fetch)(MODEL),
      system: 'You are terse.',
      prompt: 'Say hello.',
      maxOutputTokens: 32,
    });
    const tokens: string[] = [];
    for await (const token of result.textStream) tokens.push(token);
    expect(tokens).toEqual(['Hel', 'lo', '!']);
    expect(await result.finishReason).toBe('stop');
    expect(api.sent[0]?.headers.get('accept')).toBe('text/event-stream');
    expect(api.sent[0]?.body).toMatchInlineSnapshot(`
      {
        "context": "You are terse.",
        "data": "Say hello.",
        "history": null,
        "max_tokens": 32,
        "options": {
          "stream": true,
        },
        "prompt": null,
        "temperature": 0.001,
        "top_p": 1,
      }
    `);
  });

  test('sends stream-start with the warnings, metadata, one text block and finish, in order', async () => {
    const api = fakeApi();
    const { stream, request } = await provider(api.fetch)(MODEL).doStream(call('Hi', { seed: 1 }));
    expect(await readAll(stream)).toEqual([
      { type: 'stream-start', warnings: [{ type: 'unsupported', feature: 'seed' }] },
      { type: 'response-metadata', modelId: MODEL },
      { type: 'text-start', id: '0' },
      { type: 'text-delta', id: '0', delta: 'Hel' },
      { type: 'text-delta', id: '0', delta: 'lo' },
      { type: 'text-delta', id: '0', delta: '!' },
      { type: 'text-end', id: '0' },
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: undefined },
        usage: {
          inputTokens: {
            total: undefined,
            noCache: undefined,
            cacheRead: undefined,
            cacheWrite: undefined,
          },
          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
        },
      },
    ] satisfies LanguageModelV3StreamPart[]);
    expect(request?.body).toEqual(api.sent[0]?.body);
  });

  test('turns a mid-stream error event into an error part and a finish with reason error', async () => {
    const api = fakeApi(() => sse(['Hel'], 'event: error\ndata: {"error":"boom"}\n\n'));
    const { stream } = await provider(api.fetch)(MODEL).doStream(call('Hi'));
    const parts = await readAll(stream);
    expect(parts.map((p) => p.type)).toEqual([
      'stream-start',
      'response-metadata',
      'text-start',
      'text-delta',
      'text-end',
      'error',
      'finish',
    ]);
    const error = parts.find((p) => p.type === 'error')?.error as Error | undefined;
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ message: 'boom', isRetryable: false });
    expect(error?.cause).toBeInstanceOf(StreamError);
    expect(parts.at(-1)).toMatchObject({ finishReason: { unified: 'error' } });
  });

  test('gives streamText an error part for a mid-stream error', async () => {
    const api = fakeApi(() => sse(['Hel'], 'event: error\ndata: {"error":"boom"}\n\n'));
    const onError = vi.fn();
    const result = streamText({ model: provider(api.fetch)(MODEL), prompt: 'Hi', onError });
    const types: string[] = [];
    for await (const part of result.fullStream) types.push(part.type);
    expect(types).toContain('error');
    expect(onError).toHaveBeenCalledWith({ error: expect.objectContaining({ message: 'boom' }) });
  });

  test('throws an HTTP error from doStream itself, so that ai retries a 429', async () => {
    const api = fakeApi((_request, body, n) =>
      n === 1
        ? json({ error: 'slow down' }, 429, { 'retry-after-ms': '5' })
        : answer(_request, body),
    );
    const result = streamText({ model: provider(api.fetch)(MODEL), prompt: 'Hi', maxRetries: 1 });
    expect(await result.text).toBe('Hello!');
    expect(api.sent).toHaveLength(2);

    const refused = fakeApi(() => json({ error: 'bad key' }, 401));
    const error = await rejection(provider(refused.fetch)(MODEL).doStream(call('Hi')));
    expect(error).toMatchObject({ statusCode: 401, isRetryable: false });
  });

  test('cancelling the stream cancels the HTTP request', async () => {
    const { state, response } = endlessStream();
    const api = fakeApi(() => response);
    const { stream } = await provider(api.fetch)(MODEL).doStream(call('Hi'));
    const reader = stream.getReader();
    const seen: string[] = [];
    while (!seen.includes('text-delta')) {
      const { value } = await reader.read();
      if (value !== undefined) seen.push(value.type);
    }
    await reader.cancel();
    expect(state.cancelled).toBe(true);
    expect(api.sent[0]?.signal.aborted).toBe(true);
  });

  test('aborting the signal cancels the stream request', async () => {
    const { state, response } = endlessStream();
    const api = fakeApi(() => response);
    const controller = new AbortController();
    const result = streamText({
      model: provider(api.fetch)(MODEL),
      prompt: 'Hi',
      abortSignal: controller.signal,
      onError: () => {},
    });
    const tokens: string[] = [];
    for await (const token of result.textStream) {
      tokens.push(token);
      controller.abort();
    }
    expect(tokens).toEqual(['Hel']);
    await vi.waitFor(() => expect(state.cancelled).toBe(true));
    expect(api.sent[0]?.signal.aborted).toBe(true);
  });
});
