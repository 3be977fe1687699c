import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DONE, fastToken, parsedToken, readToken } from '../src/stream-token.js';

/** No quote, backslash or control character. */
const isPlain = (text: string) =>
  [...text].every((c) => c !== '"' && c !== '\\' && (c.codePointAt(0) ?? 0) >= 0x20);

describe('fastToken', () => {
  test.each<[string, ReturnType<typeof fastToken>]>([
    ['{"data":"Hello"}', 'Hello'],
    ['{"data":"wörld 👋"}', 'wörld 👋'],
    ['{"data":""}', null],
    ['{"data":"[DONE]"}', DONE],
    ['{"data":"a\\"b"}', undefined],
    ['{"data":"a\\nb"}', undefined],
    ['{"data":"tab\there"}', undefined],
    ['{"data": "spaced"}', undefined],
    ['{"data":"x","error":"boom"}', undefined],
    ['{"data":"x"} ', undefined],
    ['data', undefined],
    ['{"data":"', undefined],
    ['{"data":"}', undefined],
  ])('%s', (payload, expected) => {
    expect(fastToken(payload)).toBe(expected);
  });

  test('reads every payload it accepts as JSON.parse does', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    const tricky = fc.string({
      unit: fc.constantFrom('a', '"', '\\', '\n', '\u0000', '\u001f', ' ', 'é', '\ud83d', '}', '{'),
      maxLength: 20,
    });
    const payload = fc.oneof(
      text.map((t) => `{"data":${JSON.stringify(t)}}`),
      fc.oneof(text, tricky).map((t) => `{"data":"${t}"}`),
      tricky.map((t) => `{"data":"${t}`),
      fc.constant('{"data":"[DONE]"}'),
      fc.string({ maxLength: 30 }),
    );
    fc.assert(
      fc.property(payload, (p) => {
        const fast = fastToken(p);
        if (fast !== undefined) expect(fast).toEqual(parsedToken(p));
        expect(readToken(p)).toEqual(parsedToken(p));
      }),
      { numRuns: 1000 },
    );
  });

  test('reads a payload in place, from start to end of a longer text, as the payload alone', () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ maxLength: 20 }), fc.string(), (before, t, after) => {
        const payload = `{"data":"${t}"}`;
        const text = before + payload + after;
        const start = before.length;
        expect(fastToken(text, start, start + payload.length)).toEqual(fastToken(payload));
      }),
      { numRuns: 500 },
    );
  });

  test('takes the fast path for plain text tokens', () => {
    fc.assert(
      fc.property(
        fc
          .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
          .filter((t) => isPlain(t) && t !== '[DONE]'),
        (t) => {
          expect(fastToken(`{"data":"${t}"}`)).toBe(t);
        },
      ),
    );
  });
});
