import { afterEach, describe, expect, test, vi } from 'vitest';
import { ValidationError } from '../src/errors.js';
import {
  DEFAULTS,
  resolveLLMOptions,
  resolveRunOptions,
  resolveSyncPollOptions,
  validateBody,
  validateInput,
} from '../src/options.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveLLMOptions', () => {
  test('an option wins over the environment, which wins over the default', () => {
    vi.stubEnv('AIXPLAIN_API_KEY', 'env-key');
    vi.stubEnv('TEAM_API_KEY', 'team-key');
    vi.stubEnv('AIXPLAIN_BASE_URL', 'https://env.example.test');
    expect(resolveLLMOptions({ id: 'm' })).toMatchObject({
      apiKey: 'env-key',
      baseUrl: 'https://env.example.test',
    });
    expect(
      resolveLLMOptions({ id: 'm', apiKey: 'opt-key', baseUrl: 'https://opt.example.test' }),
    ).toMatchObject({ apiKey: 'opt-key', baseUrl: 'https://opt.example.test' });
    vi.stubEnv('AIXPLAIN_API_KEY', '');
    vi.stubEnv('AIXPLAIN_BASE_URL', '');
    expect(resolveLLMOptions({ id: 'm' })).toMatchObject({
      apiKey: 'team-key',
      baseUrl: DEFAULTS.baseUrl,
    });
  });

  test.each([
    ['https://models.example.test/', 'https://models.example.test'],
    ['https://models.example.test/prefix//', 'https://models.example.test/prefix'],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
  ])('keeps a baseUrl of %s as %s', (baseUrl, expected) => {
    expect(resolveLLMOptions({ id: 'm', apiKey: 'k', baseUrl }).baseUrl).toBe(expected);
  });

  test('keeps 0, false and "" that the caller gave (?? not ||)', () => {
    const o = resolveLLMOptions({
      id: 'm',
      apiKey: 'k',
      temperature: 0,
      maxRetries: 0,
      description: '',
      isSubscribed: false,
    });
    expect(o).toMatchObject({
      temperature: 0,
      maxRetries: 0,
      description: '',
      isSubscribed: false,
    });
  });

  test('reduces trusted origins to their origin', () => {
    const o = resolveLLMOptions({
      id: 'm',
      apiKey: 'k',
      trustedOrigins: ['https://poll.example.test/some/path?x=1'],
    });
    expect(o.trustedOrigins).toEqual(['https://poll.example.test']);
  });

  test('copies the objects it keeps, so later changes by the caller do not leak in', () => {
    const headers = { 'x-a': '1' };
    const additionalInfo = { a: 1 };
    const o = resolveLLMOptions({ id: 'm', apiKey: 'k', headers, additionalInfo });
    headers['x-a'] = '2';
    additionalInfo.a = 2;
    expect(o.headers).toEqual({ 'x-a': '1' });
    expect(o.additionalInfo).toEqual({ a: 1 });
  });

  test('names every bad option at once', () => {
    try {
      resolveLLMOptions({ id: '', apiKey: 'k', temperature: 9, maxRetry: 1 } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).issues.map((i) => i.path)).toEqual([
        'id',
        'temperature',
        'maxRetry',
      ]);
    }
  });
});

describe('resolveRunOptions', () => {
  test('fills in every default', () => {
    expect(resolveRunOptions(undefined, 0.2)).toEqual({
      context: null,
      prompt: null,
      history: null,
      temperature: 0.2,
      maxTokens: 128,
      topP: 1,
      responseFormat: undefined,
      parameters: {},
      name: 'model_process',
      timeoutMs: 300_000,
      waitTimeMs: 500,
      stream: false,
      firstChunkTimeoutMs: undefined,
      idleTimeoutMs: undefined,
      signal: undefined,
      headers: {},
      onPoll: undefined,
    });
  });

  test.each([
    ['temperature', { temperature: 2.01 }],
    ['maxTokens', { maxTokens: 0 }],
    ['topP', { topP: 0 }],
    ['timeoutMs', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['waitTimeMs', { waitTimeMs: -5 }],
    ['idleTimeoutMs', { idleTimeoutMs: Number.NaN }],
    ['history', { history: [{ role: 'bot', content: 'x' }] }],
    ['history', { history: [{ role: 'user' }] }],
    ['history', { history: [{ role: 'user', content: 5 }] }],
    ['history', { history: 'user: hi' }],
    ['onPoll', { onPoll: 'no' }],
    ['headers', { headers: { a: 1 } }],
  ])('refuses a bad %s', (name, options) => {
    expect(() => resolveRunOptions(options as never, 0.001)).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: name })] }),
    );
  });

  test('accepts a history message with more keys than role and content, as the spec does', () => {
    const history = [{ role: 'tool', content: 'x', tool_call_id: 'call-1' }];
    expect(resolveRunOptions({ history } as never, 0.001).history).toEqual(history);
  });

  test('says what the spec expects of a history message', () => {
    expect(() =>
      resolveRunOptions({ history: [{ role: 'bot', content: 'x' }] } as never, 0.001),
    ).toThrow('`history` item 0 `role` must be "system" | "user" | "assistant" | "tool"');
  });

  test('accepts the edges of each range', () => {
    expect(() =>
      resolveRunOptions({ temperature: 0, topP: 1, maxTokens: 1, timeoutMs: 0 }, 0.001),
    ).not.toThrow();
    expect(() => resolveRunOptions({ temperature: 2, topP: 0.0001 }, 0.001)).not.toThrow();
  });
});

describe('resolveSyncPollOptions', () => {
  test('fills the defaults and refuses run options', () => {
    expect(resolveSyncPollOptions(undefined)).toMatchObject({
      timeoutMs: 300_000,
      waitTimeMs: 500,
    });
    expect(() => resolveSyncPollOptions({ maxTokens: 5 } as never)).toThrow(ValidationError);
  });
});

describe('validateInput', () => {
  test.each([['text'], [''], [{ data: 'x' }], [{}]])('accepts %o', (data) => {
    expect(validateInput(data)).toBe(data);
  });

  test.each([[1], [null], [undefined], [['a']], [true]])('refuses %o', (data) => {
    expect(() => validateInput(data)).toThrow(ValidationError);
  });
});

describe('validateBody', () => {
  test.each([
    [{ temperature: 3 }, 'body.temperature'],
    [{ max_tokens: 0 }, 'body.max_tokens'],
    [{ max_tokens: '5' }, 'body.max_tokens'],
    [{ top_p: 2 }, 'body.top_p'],
    [{ history: 'hi' }, 'body.history'],
    [{ context: 5 }, 'body.context'],
    [{ options: 'stream' }, 'body.options'],
  ])('refuses %o', (body, path) => {
    expect(() => validateBody({ data: 'x', ...body })).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path })] }),
    );
  });

  test('accepts nulls the spec allows and free-form model parameters', () => {
    expect(() =>
      validateBody({ data: 'x', temperature: null, top_p: null, foo: { any: 'thing' } }),
    ).not.toThrow();
  });
});
