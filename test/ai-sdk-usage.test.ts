/** The answer's usage in the AI SDK's shape, whatever form the service gives the counts in. */
import { describe, expect, test } from 'vitest';
import { convertUsage } from '../src/ai-sdk/convert-usage.js';

describe('convertUsage', () => {
  test.each([
    ['numbers', { prompt_tokens: 10, completion_tokens: 9 }, 10, 9],
    ['numeric strings', { prompt_tokens: '10', completion_tokens: ' 9 ' }, 10, 9],
    ['null', { prompt_tokens: null, completion_tokens: null }, undefined, undefined],
    ['text', { prompt_tokens: 'many', completion_tokens: '' }, undefined, undefined],
  ])('reads token counts given as %s', (_, usage, input, output) => {
    const converted = convertUsage(usage);
    expect(converted.inputTokens.total).toBe(input);
    expect(converted.outputTokens.total).toBe(output);
    expect(converted.raw).toEqual(usage);
  });

  test('gives undefined counts and no raw usage when the service gave none', () => {
    expect(convertUsage(undefined)).toMatchObject({
      inputTokens: { total: undefined },
      outputTokens: { total: undefined },
    });
    expect(convertUsage(undefined).raw).toBeUndefined();
  });
});
