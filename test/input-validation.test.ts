/**
 * Bad input always gets a ValidationError before any request, whatever its shape: a missing
 * required option, option keys named like Object.prototype members, headers that cannot be
 * sent, and bodies that JSON cannot carry. Each case once crashed with a TypeError, or reached
 * the network as something else than the caller meant.
 */
import { describe, expect, test, vi } from 'vitest';
import { LLM, type LLMOptions, ValidationError } from '../src/index.js';

const KEY = 'test-key-0123456789';
const BASE = 'https://models.test';

/** A fetch that counts requests and records their bodies; it answers SUCCESS. */
function counting() {
  const bodies: unknown[] = [];
  const fetch = vi.fn(async (_url: string, init: RequestInit) => {
    bodies.push(init.body === undefined ? undefined : JSON.parse(String(init.body)));
    return new Response('{"completed":true,"status":"SUCCESS","data":"ok"}', {
      headers: { 'content-type': 'application/json' },
    });
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, calls: fetch, bodies };
}

function llm(options: Partial<LLMOptions> = {}) {
  const f = counting();
  return {
    ...f,
    llm: new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, fetch: f.fetch, ...options }),
  };
}

describe('new LLM()', () => {
  test('refuses a missing id, naming it', () => {
    expect(() => new LLM({ apiKey: KEY, baseUrl: BASE } as LLMOptions)).toThrow(ValidationError);
    expect(() => new LLM({ apiKey: KEY, baseUrl: BASE } as LLMOptions)).toThrow('`id` is required');
    expect(() => new LLM({ id: undefined, apiKey: KEY } as unknown as LLMOptions)).toThrow(
      '`id` is required',
    );
  });

  test.each([
    ['__proto__: null', JSON.parse('{"__proto__":null}')],
    ['__proto__: {}', JSON.parse('{"__proto__":{}}')],
    ['constructor: Symbol()', { constructor: Symbol() }],
    ['hasOwnProperty', { hasOwnProperty: 'x' }],
    ['valueOf', { valueOf: 1 }],
    ['toString', { toString: 'x' }],
  ])('refuses an option key named like a prototype member (%s)', (_, extra) => {
    const make = () => new LLM({ id: 'm', apiKey: KEY, baseUrl: BASE, ...extra });
    expect(make).toThrow(ValidationError);
    expect(make).toThrow('is not a known option');
  });

  test.each([
    ['a name with a space', { 'bad name': 'v' }, '"bad name"'],
    ['a non-Latin-1 value', { 'x-a': 'ю' }, '"x-a"'],
    ['a value with a line break', { 'x-a': 'a\nb' }, '"x-a"'],
  ])('refuses headers with %s, naming the header', (_, headers, name) => {
    expect(() => new LLM({ id: 'm', apiKey: KEY, headers })).toThrow(ValidationError);
    expect(() => new LLM({ id: 'm', apiKey: KEY, headers })).toThrow(name);
  });

  test('refuses an API key that cannot be sent in a header, without showing it', () => {
    const make = () => new LLM({ id: 'm', apiKey: 'ключ-secret' });
    expect(make).toThrow(ValidationError);
    expect(make).toThrow('`apiKey` cannot be sent in an HTTP header');
    try {
      make();
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('ключ');
    }
  });
});

describe('run(), runAsync() and stream() options', () => {
  test.each([
    ['__proto__', JSON.parse('{"__proto__":{}}')],
    ['constructor', { constructor: Symbol() }],
    ['hasOwnProperty', { hasOwnProperty: 'x' }],
    ['valueOf', { valueOf: 1 }],
  ])('refuses an option key named %s before any request', async (_, options) => {
    const { llm: model, calls } = llm();
    await expect(model.run('x', options)).rejects.toThrow(ValidationError);
    await expect(model.runAsync('x', options)).rejects.toThrow(ValidationError);
    await expect(model.stream('x', options)).rejects.toThrow(ValidationError);
    expect(calls).not.toHaveBeenCalled();
  });

  test.each([
    ['a name with a space', { 'bad name': 'v' }],
    ['a non-Latin-1 value', { 'x-a': 'ю' }],
    ['a value with a line break', { 'x-a': 'a\nb' }],
  ])('refuses per-call headers with %s before any request', async (_, headers) => {
    const { llm: model, calls } = llm();
    await expect(model.run('x', { headers })).rejects.toThrow(ValidationError);
    await expect(model.stream('x', { headers })).rejects.toThrow(ValidationError);
    expect(calls).not.toHaveBeenCalled();
  });
});

describe('bodies that JSON cannot carry', () => {
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  test.each([
    [
      'a cycle in parameters',
      'x',
      { parameters: { nested: cyclic } },
      '`body.nested.self` contains itself',
    ],
    ['a cycle in an object input', { data: 'x', nested: cyclic }, {}, 'contains itself'],
    [
      'a toJSON function among the body keys',
      { data: 'x', toJSON() {} },
      {},
      '`body.toJSON` is a function',
    ],
    ['a symbol data', { data: Symbol('x') }, {}, '`body.data` is a symbol'],
    ['a function data', { data: () => 'x' }, {}, '`body.data` is a function'],
    ['a bigint parameter', 'x', { parameters: { seed: 10n } }, '`body.seed` is a bigint'],
    ['a NaN parameter', 'x', { parameters: { penalty: Number.NaN } }, '`body.penalty` is NaN'],
    [
      'an Infinity in an array',
      'x',
      { parameters: { stop: [1, Number.POSITIVE_INFINITY] } },
      '`body.stop.1` is Infinity',
    ],
    [
      'a non-boolean options.stream',
      'x',
      { parameters: { options: { stream: 'x' } } },
      '`body.options` `stream` must be a boolean',
    ],
  ])('refuses %s before any request', async (_, input, options, message) => {
    const { llm: model, calls } = llm();
    await expect(model.run(input as never, options as never)).rejects.toThrow(ValidationError);
    await expect(model.run(input as never, options as never)).rejects.toThrow(message);
    expect(calls).not.toHaveBeenCalled();
  });

  test('sends an object input data of null as null, and a missing one as ""', async () => {
    const { llm: model, bodies } = llm();
    await model.run({ data: null });
    await model.run({});
    expect(bodies.map((b) => (b as { data: unknown }).data)).toEqual([null, '']);
  });

  test('a parameter set to undefined is not given: the default beneath it is sent', async () => {
    const { llm: model, bodies } = llm();
    await model.run('x', {
      maxTokens: 64,
      parameters: { max_tokens: undefined, top_p: undefined },
    });
    expect(bodies[0]).toMatchObject({ max_tokens: 64, top_p: 1 });
  });

  test('a Date (an inherited toJSON) is sent as JSON makes it', async () => {
    const { llm: model, bodies } = llm();
    await model.run('x', { parameters: { at: new Date(0) } });
    expect(bodies[0]).toMatchObject({ at: '1970-01-01T00:00:00.000Z' });
  });

  test('a "__proto__" key of the parameters is sent as data and changes no prototype', async () => {
    const { llm: model, bodies } = llm();
    const parameters = JSON.parse('{"__proto__":{"polluted":true}}');
    await model.run('x', { parameters });
    expect(Object.keys(bodies[0] as object)).toContain('__proto__');
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });
});
