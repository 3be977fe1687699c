// Type-level tests of the public overloads. `npm run typecheck` (part of `npm test`) fails when
// one of these assertions no longer holds; the runtime part only makes sure the file loads.
import { describe, expectTypeOf, test } from 'vitest';
import type { LLM, ModelResponse, ModelResponseStreamer, RunOptions } from '../src/index.js';

describe('LLM.run overloads', () => {
  test('run(x) is a ModelResponse and run(x, { stream: true }) a streamer', () => {
    type Llm = InstanceType<typeof LLM>;
    expectTypeOf<ReturnType<Llm['stream']>>().toEqualTypeOf<Promise<ModelResponseStreamer>>();
    const typed = (llm: Llm) => ({
      plain: llm.run('x'),
      explicitFalse: llm.run('x', { stream: false, maxTokens: 5 }),
      streamed: llm.run('x', { stream: true }),
      unknown: llm.run('x', {} as RunOptions),
      asyncRun: llm.runAsync({ data: 'x', foo: 1 }),
      polled: llm.syncPoll('u', { timeoutMs: 1 }),
    });
    type Typed = ReturnType<typeof typed>;
    expectTypeOf<Typed['plain']>().toEqualTypeOf<Promise<ModelResponse>>();
    expectTypeOf<Typed['explicitFalse']>().toEqualTypeOf<Promise<ModelResponse>>();
    expectTypeOf<Typed['streamed']>().toEqualTypeOf<Promise<ModelResponseStreamer>>();
    expectTypeOf<Typed['unknown']>().toEqualTypeOf<
      Promise<ModelResponse | ModelResponseStreamer>
    >();
    expectTypeOf<Typed['asyncRun']>().toEqualTypeOf<Promise<ModelResponse>>();
    expectTypeOf<Typed['polled']>().toEqualTypeOf<Promise<ModelResponse>>();
  });

  test('a streamer iterates ModelResponse chunks', () => {
    expectTypeOf<ModelResponseStreamer>().toMatchTypeOf<AsyncIterable<ModelResponse>>();
  });

  test('bad options do not type-check', () => {
    const bad = (llm: InstanceType<typeof LLM>) => {
      // @ts-expect-error maxTokens is a number
      llm.run('x', { maxTokens: '5' });
      // @ts-expect-error data is a string or an object
      llm.run(42);
      // @ts-expect-error unknown option
      llm.run('x', { maxTokenz: 5 });
    };
    expectTypeOf(bad).toBeFunction();
  });
});
