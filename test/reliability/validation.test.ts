/**
 * Bad input always gets a ValidationError before any request: the cases of the reliability
 * issue and those the fuzzer found, each written out, so that each fix has a test that failed
 * before it. While a fix is pending its test is `test.fails` (see PENDING_FIXES).
 */
import { describe, expect, test } from 'vitest';
import { zExecuteRequest } from '../../generated/zod.gen.js';
import { LLM, type LLMOptions, type RunOptions, ValidationError } from '../../src/index.js';
import { defectTest } from './support.js';

const KEY = 'sk-validation-key-0123456789';
const BASE = 'https://models.example.test';

/** An LLM whose fetch records every request and answers SUCCESS (or a one-token stream). */
function recorded(options: Partial<LLMOptions> = {}) {
  const bodies: string[] = [];
  const fetch = (async (_url: string, init?: RequestInit) => {
    bodies.push(String(init?.body));
    if (new Headers(init?.headers).get('accept')?.includes('text/event-stream')) {
      return new Response('data: {"data":"t"}\n\ndata: [DONE]\n\n', {
        headers: { 'content-type': 'text/event-stream' },
      });
    }
    return Response.json({ completed: true, status: 'SUCCESS', data: 'ok' });
  }) as typeof globalThis.fetch;
  const llm = new LLM({ id: 'model-1', apiKey: KEY, baseUrl: BASE, fetch, ...options });
  return { llm, bodies };
}

/** Asserts that `make` throws a ValidationError (and returns it). */
function expectValidationError(make: () => unknown): ValidationError {
  let thrown: unknown;
  try {
    make();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'expected a ValidationError').toBeInstanceOf(ValidationError);
  return thrown as ValidationError;
}

/** Asserts that `call` rejects with a ValidationError and that nothing was sent. */
async function expectRefused(call: Promise<unknown>, bodies: string[]): Promise<ValidationError> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected a ValidationError').toBeInstanceOf(ValidationError);
  expect(bodies, 'nothing was sent').toEqual([]);
  return error as ValidationError;
}

describe('constructor options', () => {
  defectTest(1, 'a missing id is a ValidationError naming `id`', () => {
    const error = expectValidationError(
      () => new LLM({ apiKey: KEY, baseUrl: BASE } as unknown as LLMOptions),
    );
    expect(error.issues.map((i) => i.path)).toContain('id');
  });

  defectTest(2, 'option keys named like Object.prototype members are ValidationErrors', () => {
    for (const extra of [
      JSON.parse('{"__proto__":null}'),
      JSON.parse('{"__proto__":{}}'),
      { constructor: Symbol() },
      { hasOwnProperty: 'x' },
      { valueOf: 1 },
      { toString: 'x' },
    ]) {
      expectValidationError(() => new LLM({ id: 'm', apiKey: KEY, ...extra }));
    }
  });

  defectTest(3, 'headers that cannot be sent are ValidationErrors naming the header', () => {
    for (const [headers, name] of [
      [{ 'bad name': 'v' }, 'bad name'],
      [{ 'x-a': '\u044e' }, 'x-a'],
      [{ 'x-a': 'a\nb' }, 'x-a'],
    ] as const) {
      const error = expectValidationError(() => new LLM({ id: 'm', apiKey: KEY, headers }));
      expect(error.message).toContain(name);
    }
  });

  defectTest(3, 'an API key that cannot be sent as a header is a ValidationError', () => {
    const error = expectValidationError(
      () => new LLM({ id: 'm', apiKey: '\u043a\u043b\u044e\u0447' }),
    );
    expect(error.message).not.toContain('\u043a\u043b\u044e\u0447');
  });

  defectTest('B', 'an id with a lone surrogate is a ValidationError (it has no URL form)', () => {
    expectValidationError(() => new LLM({ id: 'model-\uD800', apiKey: KEY }));
  });
});

describe('run options and inputs', () => {
  defectTest(
    2,
    'run option keys named like Object.prototype members are ValidationErrors',
    async () => {
      for (const options of [
        JSON.parse('{"__proto__":{}}'),
        JSON.parse('{"__proto__":null}'),
        { constructor: Symbol() },
        { hasOwnProperty: 'x' },
        { valueOf: 1 },
      ]) {
        const { llm, bodies } = recorded();
        await expectRefused(llm.run('x', options as RunOptions), bodies);
      }
    },
  );

  defectTest(
    3,
    'per-call headers that cannot be sent are ValidationErrors, nothing sent',
    async () => {
      const cases: Array<Record<string, string>> = [
        { 'bad name': 'v' },
        { 'x-a': '\u044e' },
        { 'x-a': 'a\nb' },
      ];
      for (const headers of cases) {
        const { llm, bodies } = recorded();
        const error = await expectRefused(llm.run('x', { headers }), bodies);
        expect(error.message).toContain(Object.keys(headers)[0]);
      }
    },
  );

  defectTest(4, 'a circular structure in parameters or in an object input is refused', async () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const one = recorded();
    await expectRefused(one.llm.run('x', { parameters: { cycle } }), one.bodies);
    const two = recorded();
    await expectRefused(two.llm.run({ data: 'x', cycle }), two.bodies);
  });

  defectTest(4, 'a toJSON function among the body keys is refused', async () => {
    const one = recorded();
    await expectRefused(one.llm.run({ data: 'x', toJSON: () => ({}) }), one.bodies);
    const two = recorded();
    await expectRefused(two.llm.run('x', { parameters: { toJSON: () => ({}) } }), two.bodies);
  });

  defectTest(4, 'a data of Symbol(), a function or a BigInt is refused', async () => {
    for (const data of [Symbol(), () => 'x', 10n]) {
      const { llm, bodies } = recorded();
      await expectRefused(llm.run({ data }), bodies);
    }
  });

  test('options.stream that is not a boolean is refused', async () => {
    const { llm, bodies } = recorded();
    await expectRefused(llm.run('x', { parameters: { options: { stream: 'x' } } }), bodies);
  });

  defectTest(5, '{ data: null } sends "data": null ({} still sends "")', async () => {
    const { llm, bodies } = recorded();
    await llm.run({ data: null });
    await llm.run({});
    expect(bodies.map((b) => JSON.parse(b).data)).toEqual([null, '']);
  });

  defectTest('A', 'stream() with options that are not an object is a ValidationError', async () => {
    for (const options of [42, [], 'x']) {
      const { llm, bodies } = recorded();
      await expectRefused(llm.stream('x', options as RunOptions), bodies);
    }
  });

  defectTest('C', 'max_tokens beyond a safe integer is refused', async () => {
    const one = recorded();
    await expectRefused(one.llm.run('x', { maxTokens: 2 ** 53 }), one.bodies);
    const two = recorded();
    await expectRefused(two.llm.run('x', { parameters: { max_tokens: 1e308 } }), two.bodies);
  });

  defectTest(
    'D',
    'a toJSON on a declared key cannot send a body that breaks the spec',
    async () => {
      for (const input of [
        { data: 'x', options: { toJSON: () => 5 } },
        { data: 'x', temperature: { toJSON: () => 'hot' } },
        { data: 'x', history: [{ role: 'user', content: 'a', toJSON: () => 1 }] },
      ]) {
        const { llm, bodies } = recorded();
        const refused = await llm.run(input).then(
          () => false,
          (e: unknown) => e instanceof ValidationError,
        );
        if (refused) expect(bodies).toEqual([]);
        else
          for (const body of bodies)
            expect(zExecuteRequest.safeParse(JSON.parse(body)).success).toBe(true);
      }
    },
  );
});
