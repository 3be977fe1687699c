// The AI SDK provider against the fake aiXplain API behind `prism proxy --errors`: what `ai`'s
// generateText and streamText make the provider send conforms to the spec, and the answers
// come back as text, usage and tokens.
import { randomUUID } from 'node:crypto';
import { generateText, streamText } from 'ai';
import { describe, expect, inject, test } from 'vitest';
import { createAixplain } from '../../src/ai-sdk/index.js';
import { violationRecordingFetch } from '../helpers/violations.js';

const proxyUrl = inject('proxyUrl');
const upstreamUrl = inject('upstreamUrl');

/** A provider whose fetch records the `sl-violations` header of every answer. */
function provider(baseUrl: string) {
  const { fetch, violations } = violationRecordingFetch();
  return { aixplain: createAixplain({ apiKey: 'test-key', baseUrl, fetch }), violations };
}

const id = (prefix: string) => `${prefix}-x${randomUUID().slice(0, 8)}`;

describe('the AI SDK provider through the proxy', () => {
  test('generateText sends a body the spec accepts and returns the text and usage', async () => {
    const { aixplain, violations } = provider(proxyUrl);
    const result = await generateText({
      model: aixplain(id('ok')),
      system: 'Be brief.',
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'How are you?' },
      ],
      maxOutputTokens: 64,
      temperature: 0.5,
    });
    expect(result.text).toBe('Echo: How are you?');
    expect(result.usage.inputTokens).toBe(3);
    expect(result.usage.outputTokens).toBe(2);
    expect(violations).toEqual([]);
  });

  test('generateText follows a run that went asynchronous to its end', async () => {
    const { aixplain, violations } = provider(proxyUrl);
    const result = await generateText({ model: aixplain(id('async-2')), prompt: 'Hello' });
    expect(result.text).toBe('Echo: Hello');
    expect(violations).toEqual([]);
  });

  test('streamText streams every token with a request the spec accepts', async () => {
    const { aixplain, violations } = provider(proxyUrl);
    const result = streamText({ model: aixplain(id('stream')), prompt: 'Hello' });
    const tokens: string[] = [];
    for await (const token of result.textStream) tokens.push(token);
    expect(tokens).toEqual(['Hel', 'lo', ' wörld', ' 👋', '!']);
    expect(await result.finishReason).toBe('stop');
    expect(violations).toEqual([]);
  });

  test('an HTTP error reaches the caller as an APICallError with its status', async () => {
    const { aixplain } = provider(proxyUrl);
    const error = await generateText({
      model: aixplain(id('status-401')),
      prompt: 'Hello',
      maxRetries: 0,
    }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'AI_APICallError', statusCode: 401 });
  });

  test('a cut stream ends with an error, never as a success', async () => {
    const { aixplain } = provider(upstreamUrl);
    const errors: unknown[] = [];
    const result = streamText({
      model: aixplain(id('streamcut')),
      prompt: 'Hello',
      onError: ({ error }) => {
        errors.push(error);
      },
    });
    const tokens: string[] = [];
    for await (const token of result.textStream) tokens.push(token);
    expect(tokens).toEqual(['Hel', 'lo']);
    expect(errors).toHaveLength(1);
    expect(await result.finishReason).toBe('error');
  });
});
