/**
 * src/ai-sdk/convert-prompt.ts: AI SDK prompts to context, history and data.
 * Through the real `ai` package (ai@6), against a fake fetch that answers like the API.
 */
import {
  InvalidPromptError,
  type LanguageModelV3CallOptions,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import { generateText } from 'ai';
import { describe, expect, test } from 'vitest';
import { fakeApi, MODEL, provider, rejection } from '../helpers/ai-sdk.js';

describe('generateText (doGenerate)', () => {
  test('sends system messages as context, earlier turns as history and the last user text as data', async () => {
    const api = fakeApi();
    await generateText({
      model: provider(api.fetch)(MODEL),
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: [{ type: 'text', text: 'Salut' }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'How ' },
            { type: 'text', text: 'are you?' },
          ],
        },
      ],
      topP: 0.9,
      allowSystemInMessages: true,
    });
    expect(api.sent[0]?.body).toMatchInlineSnapshot(`
      {
        "context": "You are terse.

      Answer in French.",
        "data": "How are you?",
        "history": [
          {
            "content": "Hi",
            "role": "user",
          },
          {
            "content": "Salut",
            "role": "assistant",
          },
        ],
        "max_tokens": 128,
        "prompt": null,
        "temperature": 0.001,
        "top_p": 0.9,
      }
    `);
  });

  test('refuses file parts instead of dropping them, before any request', async () => {
    const api = fakeApi();
    const error = await rejection(
      generateText({
        model: provider(api.fetch)(MODEL),
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in this picture?' },
              { type: 'file', data: new Uint8Array([1, 2, 3]), mediaType: 'image/png' },
            ],
          },
        ],
      }),
    );
    expect(UnsupportedFunctionalityError.isInstance(error)).toBe(true);
    expect(api.sent).toHaveLength(0);
  });

  test.each<[string, LanguageModelV3CallOptions['prompt']]>([
    [
      'a tool message',
      [
        { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
        {
          role: 'tool',
          content: [
            {
              type: 'tool-result',
              toolCallId: 't1',
              toolName: 'weather',
              output: { type: 'text', value: 'sunny' },
            },
          ],
        },
      ],
    ],
    [
      'an assistant tool call',
      [
        {
          role: 'assistant',
          content: [{ type: 'tool-call', toolCallId: 't1', toolName: 'weather', input: {} }],
        },
        { role: 'user', content: [{ type: 'text', text: 'Well?' }] },
      ],
    ],
    [
      'an assistant message after the last user message',
      [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hel' }] },
      ],
    ],
  ])('throws UnsupportedFunctionalityError for %s', async (_name, prompt) => {
    const api = fakeApi();
    const error = await rejection(provider(api.fetch)(MODEL).doGenerate({ prompt }));
    expect(UnsupportedFunctionalityError.isInstance(error)).toBe(true);
    expect(api.sent).toHaveLength(0);
  });

  test('throws InvalidPromptError for a prompt without a user message', async () => {
    const error = await rejection(
      provider(fakeApi().fetch)(MODEL).doGenerate({
        prompt: [{ role: 'system', content: 'You are terse.' }],
      }),
    );
    expect(InvalidPromptError.isInstance(error)).toBe(true);
  });

  test('drops the reasoning of earlier turns with a warning', async () => {
    const api = fakeApi();
    const result = await provider(api.fetch)(MODEL).doGenerate({
      prompt: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        {
          role: 'assistant',
          content: [
            { type: 'reasoning', text: 'They greet me.' },
            { type: 'text', text: 'Hello' },
          ],
        },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
    });
    expect(api.sent[0]?.body?.history).toEqual([
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Hello' },
    ]);
    expect(result.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported', feature: 'reasoning parts' }),
    ]);
  });
});
