// src/internal/env.ts: environment fallbacks in a runtime that may refuse to show the environment
// (Deno without --allow-env throws NotCapable on `process.env.X`), and the error that says so.
import { afterEach, describe, expect, test, vi } from 'vitest';
import { LLM, ValidationError } from '../src/index.js';
import { envDeniedNote, readEnv } from '../src/internal/env.js';

/** Runs `body` with `globalThis.process` replaced by one whose env throws like Deno's. */
function withDeniedEnv<T>(body: () => T): T {
  const real = globalThis.process;
  const env = new Proxy(
    {},
    {
      get(_, name) {
        const error = new Error(`Requires env access to "${String(name)}"`);
        error.name = 'NotCapable';
        throw error;
      },
    },
  );
  Object.defineProperty(globalThis, 'process', { value: { env }, configurable: true });
  try {
    return body();
  } finally {
    Object.defineProperty(globalThis, 'process', { value: real, configurable: true });
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('readEnv', () => {
  test('reads a set variable and treats an empty one as unset', () => {
    vi.stubEnv('AIXPLAIN_TEST_VAR', 'x');
    expect(readEnv('AIXPLAIN_TEST_VAR')).toBe('x');
    vi.stubEnv('AIXPLAIN_TEST_VAR', '');
    expect(readEnv('AIXPLAIN_TEST_VAR')).toBeUndefined();
  });

  test('treats a variable the runtime refuses to show as unset instead of throwing', () => {
    expect(withDeniedEnv(() => readEnv('AIXPLAIN_API_KEY'))).toBeUndefined();
  });

  test('reads nothing, and throws nothing, where there is no process', () => {
    const real = globalThis.process;
    Object.defineProperty(globalThis, 'process', { value: undefined, configurable: true });
    try {
      expect(readEnv('AIXPLAIN_API_KEY')).toBeUndefined();
      expect(envDeniedNote('AIXPLAIN_API_KEY')).toBe('');
    } finally {
      Object.defineProperty(globalThis, 'process', { value: real, configurable: true });
    }
  });
});

describe('new LLM without a key', () => {
  test('names --allow-env when the environment could not be read', () => {
    const error = withDeniedEnv(() => {
      try {
        new LLM({ id: 'model-1' });
      } catch (caught) {
        return caught;
      }
      return undefined;
    });
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toBe(
      'Invalid LLM options: no API key. Pass `apiKey` or set AIXPLAIN_API_KEY (or TEAM_API_KEY). The environment could not be read: under Deno, run with --allow-env.',
    );
  });

  test('says nothing of --allow-env when the environment was readable', () => {
    vi.stubEnv('AIXPLAIN_API_KEY', '');
    vi.stubEnv('TEAM_API_KEY', '');
    expect(() => new LLM({ id: 'model-1' })).toThrow(
      /^Invalid LLM options: no API key\. Pass `apiKey` or set AIXPLAIN_API_KEY \(or TEAM_API_KEY\)\.$/,
    );
  });
});
