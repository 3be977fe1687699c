/**
 * What a stream reports besides its tokens: OpenAI-style chunks carry `usage` and
 * `choices[0].finish_reason`; the streamer exposes them once the stream has ended, its tee
 * branches too, and the AI SDK provider puts them in its `finish` part.
 */
import { streamText } from 'ai';
import { describe, expect, test } from 'vitest';
import { LLM } from '../src/index.js';
import { fakeApi, MODEL, provider } from './helpers/ai-sdk.js';
import { BASE, KEY } from './helpers/fake-fetch.js';

const USAGE = { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 };
const OPENAI_STREAM =
  'data: {"choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n' +
  `data: {"choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"length"}],"usage":${JSON.stringify(USAGE)}}\n\n` +
  'data: [DONE]\n\n';

const answering = (text: string, type = 'text/event-stream') =>
  (async () =>
    new Response(text, { headers: { 'content-type': type } })) as unknown as typeof fetch;

const llm = (fetch: typeof globalThis.fetch) =>
  new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch });

describe('streamer.usage and streamer.finishReason', () => {
  test('are what the OpenAI-style chunks reported, once the stream has ended', async () => {
    const streamer = await llm(answering(OPENAI_STREAM)).stream('Hi');
    expect(await streamer.text()).toBe('Hello');
    expect(streamer.status).toBe('SUCCESS');
    expect(streamer.usage).toEqual(USAGE);
    expect(streamer.finishReason).toBe('length');
  });

  test('are undefined when the stream reported neither', async () => {
    const plain = 'data: {"data":"Hel"}\n\ndata: {"data":"lo"}\n\ndata: [DONE]\n\n';
    const streamer = await llm(answering(plain)).stream('Hi');
    expect(await streamer.text()).toBe('Hello');
    expect(streamer.usage).toBeUndefined();
    expect(streamer.finishReason).toBeUndefined();
  });

  test('are seen by both branches of a tee', async () => {
    const [a, b] = (await llm(answering(OPENAI_STREAM)).stream('Hi')).tee();
    expect(await Promise.all([a.text(), b.text()])).toEqual(['Hello', 'Hello']);
    expect(a.usage).toEqual(USAGE);
    expect(b.finishReason).toBe('length');
  });

  test('come from a JSON answer to a stream request too', async () => {
    const body = JSON.stringify({
      completed: true,
      status: 'SUCCESS',
      data: 'Hello',
      usage: USAGE,
    });
    const streamer = await llm(answering(body, 'application/json')).stream('Hi');
    expect(await streamer.text()).toBe('Hello');
    expect(streamer.usage).toEqual(USAGE);
  });
});

describe('the AI SDK provider', () => {
  test("puts the stream's usage and finish reason in its finish part", async () => {
    const api = fakeApi(
      () => new Response(OPENAI_STREAM, { headers: { 'content-type': 'text/event-stream' } }),
    );
    const result = streamText({ model: provider(api.fetch)(MODEL), prompt: 'Hi' });
    let text = '';
    for await (const token of result.textStream) text += token;
    expect(text).toBe('Hello');
    expect(await result.finishReason).toBe('length');
    expect(await result.usage).toMatchObject({ inputTokens: 10, outputTokens: 2 });
  });
});
