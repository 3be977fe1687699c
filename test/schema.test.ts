/**
 * The checker of src/internal/schema.ts against the JSON Schema constants that `npm run generate`
 * writes: it understands every keyword the request schemas use (so a new keyword in the spec
 * cannot be ignored quietly), resolves every `$ref` of the request, and says what is wrong.
 */
import { describe, expect, test } from 'vitest';
import * as schemas from '../generated/schemas.gen.js';
import {
  describe as describeSchema,
  KNOWN_KEYWORDS,
  problemOf,
  propertyOf,
  resolve,
  type Schema,
  withoutNull,
} from '../src/internal/schema.js';

/** Every keyword used anywhere in `schema`, nested schemas included. */
function keywordsOf(schema: unknown, into = new Set<string>()): Set<string> {
  if (schema === null || typeof schema !== 'object') return into;
  for (const [key, value] of Object.entries(schema)) {
    into.add(key);
    if (key === 'properties') {
      for (const property of Object.values(value as object)) keywordsOf(property, into);
    } else if (key === 'items' || key === 'additionalProperties') keywordsOf(value, into);
  }
  return into;
}

/** The request's schema and every schema it reaches through `$ref`. */
function reachable(schema: Schema, seen = new Set<Schema>()): Set<Schema> {
  const s = resolve(schema);
  if (seen.has(s)) return seen;
  seen.add(s);
  for (const property of Object.values(s.properties ?? {})) reachable(property, seen);
  if (s.items !== undefined) reachable(s.items, seen);
  return seen;
}

describe('the schemas the facade checks requests with', () => {
  const request = [...reachable(schemas.ExecuteRequestSchema as Schema)];

  test('reach every schema of the request, each $ref resolved', () => {
    expect(request.length).toBeGreaterThanOrEqual(4);
  });

  test('use only keywords the checker understands (x- extensions aside)', () => {
    const used = new Set(request.flatMap((schema) => [...keywordsOf(schema)]));
    const unknown = [...used].filter((k) => !KNOWN_KEYWORDS.includes(k) && !k.startsWith('x-'));
    expect(unknown).toEqual([]);
  });

  test('an unresolvable $ref throws rather than being ignored', () => {
    expect(() => resolve({ $ref: '#/components/schemas/Nope' })).toThrow(/Unresolvable/);
  });
});

describe('problemOf', () => {
  const temperature = propertyOf(schemas.ExecuteRequestSchema as Schema, 'temperature');
  const maxTokens = propertyOf(schemas.ExecuteRequestSchema as Schema, 'max_tokens');
  const topP = propertyOf(schemas.ExecuteRequestSchema as Schema, 'top_p');
  const history = propertyOf(schemas.ExecuteRequestSchema as Schema, 'history');

  test.each([
    [temperature, 0, undefined],
    [temperature, 2, undefined],
    [temperature, null, undefined],
    [temperature, 2.01, 'must be a finite number >= 0 and <= 2, or null'],
    [temperature, Number.NaN, 'must be a finite number >= 0 and <= 2, or null'],
    [temperature, '1', 'must be a finite number >= 0 and <= 2, or null'],
    [withoutNull(temperature), null, 'must be a finite number >= 0 and <= 2'],
    [maxTokens, 1, undefined],
    [maxTokens, 0, 'must be an integer >= 1'],
    [maxTokens, 1.5, 'must be an integer >= 1'],
    [topP, 1, undefined],
    [topP, 0, 'must be a finite number > 0 and <= 1, or null'],
    [history, [{ role: 'user', content: 'x' }], undefined],
    [history, 'x', 'must be an array, or null'],
    [
      history,
      [{ role: 'bot', content: 'x' }],
      'item 0 `role` must be "system" | "user" | "assistant" | "tool"',
    ],
    [history, [{ role: 'user' }], 'item 0 `content` is missing'],
    [history, [5], 'item 0 must be an object'],
  ])('%j: %j gives %j', (schema, value, problem) => {
    expect(problemOf(schema, value)).toBe(problem);
  });

  test('refuses a key that additionalProperties: false forbids', () => {
    const closed: Schema = {
      type: 'object',
      properties: { a: { type: 'string' } },
      additionalProperties: false,
    };
    expect(problemOf(closed, { a: 'x' })).toBeUndefined();
    expect(problemOf(closed, { a: 'x', b: 1 })).toBe('`b` is not allowed');
  });

  test('reads a "__proto__" key of a value as data, not as the prototype', () => {
    const value = JSON.parse('{"role":"user","content":"x","__proto__":{"content":5}}');
    expect(problemOf(schemas.HistoryMessageSchema as Schema, value)).toBeUndefined();
  });

  test('describes an enum and a multi-type schema', () => {
    expect(describeSchema(schemas.ChatRoleSchema as Schema)).toBe(
      '"system" | "user" | "assistant" | "tool"',
    );
    expect(describeSchema({ type: ['string', 'null'] })).toBe('a string, or null');
  });
});
