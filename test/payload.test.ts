import { describe, expect, test } from 'vitest';
import { RunResultSchema } from '../generated/schemas.gen.js';
import { APIError, ValidationError } from '../src/errors.js';
import { type RunOptions, resolveRunOptions } from '../src/options.js';
import {
  type Answer,
  fromAnswer,
  fromError,
  MAPPED_ANSWER_KEYS,
  NO_POLL_URL_MESSAGE,
  toRequestBody,
} from '../src/payload.js';
import { DEFAULT_BODY } from './helpers/fake-fetch.js';

function body(
  data: string | Record<string, unknown>,
  options?: RunOptions,
  llmTemperature = 0.001,
) {
  return toRequestBody(data, resolveRunOptions(options, llmTemperature));
}

describe('toRequestBody', () => {
  test('sends the seed-era defaults for a plain string', () => {
    expect(body('Hello')).toMatchInlineSnapshot(`
      {
        "context": null,
        "data": "Hello",
        "history": null,
        "max_tokens": 128,
        "prompt": null,
        "temperature": 0.001,
        "top_p": 1,
      }
    `);
  });

  test('maps every run option to its wire key', () => {
    expect(
      body('Hi', {
        context: 'sys',
        prompt: 'p',
        history: [{ role: 'user', content: 'x' }],
        temperature: 0.7,
        maxTokens: 10,
        topP: 0.5,
        responseFormat: { type: 'json_object' },
        name: 'label',
        timeoutMs: 1,
        waitTimeMs: 1,
        headers: { 'x-a': 'b' },
      }),
    ).toMatchInlineSnapshot(`
      {
        "context": "sys",
        "data": "Hi",
        "history": [
          {
            "content": "x",
            "role": "user",
          },
        ],
        "max_tokens": 10,
        "prompt": "p",
        "response_format": {
          "type": "json_object",
        },
        "temperature": 0.7,
        "top_p": 0.5,
      }
    `);
  });

  // The bodies the reference SDK's examples give, as this package sends them.
  test.each([
    [
      'example 2: parameters win over the options',
      () =>
        body('Hi', {
          context: 'sys',
          history: [{ role: 'user', content: 'x' }],
          temperature: 0.7,
          parameters: { max_tokens: 10 },
        }),
      {
        ...DEFAULT_BODY,
        data: 'Hi',
        context: 'sys',
        history: [{ role: 'user', content: 'x' }],
        temperature: 0.7,
        max_tokens: 10,
      },
    ],
    [
      "example 3: object data's keys and the LLM's temperature",
      () => body({ data: 'Q', context: 'C' }, { parameters: { foo: 'bar' } }, 0.2),
      { ...DEFAULT_BODY, data: 'Q', context: 'C', temperature: 0.2, foo: 'bar' },
    ],
    [
      'example 4: a temperature option',
      () => body('Hello', { temperature: 0.3 }),
      { ...DEFAULT_BODY, temperature: 0.3 },
    ],
    [
      'example 5: a stream adds options.stream',
      () => body('Hello', { stream: true }),
      { ...DEFAULT_BODY, options: { stream: true } },
    ],
    [
      'example 6: parameters beat an explicit option',
      () => body('Hi', { temperature: 0.5, parameters: { temperature: 0.8 } }),
      { ...DEFAULT_BODY, data: 'Hi', temperature: 0.8 },
    ],
    [
      'example 7: a key of an object data beats the option',
      () => body({ data: 'Q', max_tokens: 5 }, { maxTokens: 99 }),
      { ...DEFAULT_BODY, data: 'Q', max_tokens: 5 },
    ],
    [
      'parameters beat a key of an object data',
      () => body({ data: 'Q', max_tokens: 5 }, { parameters: { max_tokens: 7 } }),
      { ...DEFAULT_BODY, data: 'Q', max_tokens: 7 },
    ],
    [
      'a data key in parameters does not replace the input',
      () => body('real', { parameters: { data: 'fake' } }),
      { ...DEFAULT_BODY, data: 'real' },
    ],
    [
      'an object data without a data key sends ""',
      () => body({ context: 'C' }),
      { ...DEFAULT_BODY, data: '', context: 'C' },
    ],
    [
      'an object data key keeps its value as given',
      () => body({ data: { image: 'x' } }),
      { ...DEFAULT_BODY, data: { image: 'x' } },
    ],
    [
      'a string that looks like JSON is sent as it is',
      () => body('{"a":1}'),
      { ...DEFAULT_BODY, data: '{"a":1}' },
    ],
    [
      'a stream merges into options given as parameters',
      () => body('Hello', { stream: true, parameters: { options: { includeRawData: true } } }),
      { ...DEFAULT_BODY, options: { includeRawData: true, stream: true } },
    ],
  ])('%s', (_, make, expected) => {
    expect(make()).toStrictEqual(expected);
  });

  test('refuses options.stream among the parameters of a run that is not streamed', () => {
    expect(() => body('x', { parameters: { options: { stream: true } } })).toThrow(ValidationError);
    expect(() => body({ data: 'x', options: { stream: true } })).toThrow(/use stream\(\)/);
    expect(body('x', { stream: true, parameters: { options: { stream: true } } }).options).toEqual({
      stream: true,
    });
  });

  test('never mutates the parameters, the object data or their nested objects', () => {
    const parameters = Object.freeze({
      options: Object.freeze({ includeRawData: true }),
      foo: 'bar',
    });
    const data = Object.freeze({ data: 'Q', context: 'C' });
    const before = JSON.stringify([parameters, data]);
    const made = body(data, { stream: true, parameters });
    expect(JSON.stringify([parameters, data])).toBe(before);
    expect(made.options).not.toBe(parameters.options);
    const again = body(data, { stream: false, parameters });
    expect(again.options).toEqual({ includeRawData: true });
  });
});

function answer(body: unknown, headers: Record<string, string> = {}, json = true): Answer {
  return { body, json, headers: new Headers(headers), status: 200 };
}

describe('fromAnswer', () => {
  test('maps a finished execute answer field by field', () => {
    const res = fromAnswer(
      answer(
        {
          completed: true,
          status: 'SUCCESS',
          data: 'Test Result',
          usedCredits: 10,
          runTime: 1.5,
          usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
          asset: { assetId: 'a' },
          error_code: 'E1',
          rawData: { x: 1 },
          supplierError: undefined,
        },
        { 'x-request-id': 'hdr' },
      ),
      'execute',
    );
    expect(res).toMatchObject({
      status: 'SUCCESS',
      completed: true,
      data: 'Test Result',
      details: {},
      errorMessage: '',
      usedCredits: 10,
      runTime: 1.5,
      usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
      asset: { assetId: 'a' },
      errorCode: 'E1',
      requestId: 'hdr',
      url: undefined,
      error: undefined,
    });
    expect(res.additionalFields).toEqual({ rawData: { x: 1 }, supplierError: undefined });
  });

  test('turns an unfinished execute answer into IN_PROGRESS with the poll URL', () => {
    const res = fromAnswer(
      answer({ status: 'IN_PROGRESS', data: 'https://m/api/v1/data/1' }),
      'execute',
    );
    expect(res).toMatchObject({
      status: 'IN_PROGRESS',
      completed: false,
      url: 'https://m/api/v1/data/1',
      data: '',
    });
  });

  test('reads an async ticket (no status) as IN_PROGRESS with its requestId', () => {
    const res = fromAnswer(
      answer({ completed: false, data: 'https://m/api/v1/data/8d', requestId: '8d' }),
      'execute',
    );
    expect(res).toMatchObject({
      status: 'IN_PROGRESS',
      url: 'https://m/api/v1/data/8d',
      requestId: '8d',
    });
  });

  test('fails an IN_PROGRESS answer without a poll URL with the reference message', () => {
    const res = fromAnswer(answer({ status: 'IN_PROGRESS' }), 'execute');
    expect(res).toMatchObject({
      status: 'FAILED',
      completed: true,
      errorMessage: NO_POLL_URL_MESSAGE,
    });
    expect(res.error).toBeInstanceOf(APIError);
  });

  test.each([
    ['running', { completed: false, status: 'IN_PROGRESS' }, 'IN_PROGRESS', false, ''],
    ['done without status', { completed: true, data: 'x' }, 'SUCCESS', true, ''],
    [
      'done with an unknown status',
      { completed: true, status: 'DONE', data: 'x' },
      'SUCCESS',
      true,
      '',
    ],
    [
      'failed',
      { completed: true, status: 'FAILED', error_message: 'Some error occurred' },
      'FAILED',
      true,
      'Some error occurred',
    ],
    ['completed with error_message', { completed: true, error_message: 'E' }, 'FAILED', true, 'E'],
    [
      'error + supplierError',
      { completed: true, error: 'Err', supplierError: 'Supp' },
      'FAILED',
      true,
      'Err - Supp',
    ],
    ['supplierError alone', { completed: true, supplierError: 'Supp' }, 'FAILED', true, ' - Supp'],
    ['an object error', { completed: true, error: { m: 1 } }, 'FAILED', true, '{"m":1}'],
    ['completed null', { completed: null }, 'IN_PROGRESS', false, ''],
    ['completed 1', { completed: 1 }, 'IN_PROGRESS', false, ''],
    ['a server status wins', { completed: true, status: 'IN_PROGRESS' }, 'IN_PROGRESS', false, ''],
  ])('maps a poll answer (%s)', (_, wire, status, completed, errorMessage) => {
    const res = fromAnswer(answer(wire), 'poll', 'https://m/api/v1/data/1');
    expect(res.status).toBe(status);
    expect(res.completed).toBe(completed);
    expect(res.errorMessage).toBe(errorMessage);
    expect(res.url).toBe('https://m/api/v1/data/1');
    expect(res.error === undefined).toBe(status !== 'FAILED');
  });

  test.each([
    ['an array', [1, 2], true],
    ['a string', 'text', false],
    ['null', null, true],
  ])('fails a 2xx answer whose body is %s', (_, wire, json) => {
    const res = fromAnswer(answer(wire, {}, json), 'execute');
    expect(res.status).toBe('FAILED');
    expect(res.errorMessage).toMatch(/not a JSON object/);
    expect(res.error).toBeInstanceOf(APIError);
  });

  test.each([
    ['text (an HTML page)', '<html>busy</html>', false],
    ['empty', '', false],
    ['a JSON array', [1], true],
    ['a JSON null', null, true],
  ])('reads a 2xx poll answer that is %s as unfinished, never as done', (_, wire, json) => {
    const res = fromAnswer(answer(wire, {}, json), 'poll', 'https://m/api/v1/data/1');
    expect(res.status).toBe('IN_PROGRESS');
    expect(res.completed).toBe(false);
    expect(res.url).toBe('https://m/api/v1/data/1');
  });

  test.each([
    ['numbers', 0.0002, 1.5, 0.0002, 1.5],
    ['numeric strings', '0.0002', ' 1.5 ', 0.0002, 1.5],
    ['null', null, null, 0, 0],
    ['strings that are not numbers', 'cheap', '', 0, 0],
  ])('reads usedCredits and runTime given as %s', (_, usedCredits, runTime, credits, time) => {
    const res = fromAnswer(
      answer({ completed: true, status: 'SUCCESS', data: 'x', usedCredits, runTime }),
      'execute',
    );
    expect(res.usedCredits).toBe(credits);
    expect(res.runTime).toBe(time);
  });

  test('keeps data null as null, and the other nulls of the spec as absent', () => {
    const res = fromAnswer(
      answer({
        completed: true,
        status: 'SUCCESS',
        data: null,
        details: null,
        usage: null,
        asset: null,
        error_code: null,
      }),
      'poll',
      'https://m/api/v1/data/1',
    );
    expect(res.status).toBe('SUCCESS');
    expect(res.data).toBeNull();
    expect(res).toMatchObject({
      details: {},
      usage: undefined,
      asset: undefined,
      errorCode: undefined,
    });
    expect(res.additionalFields).toEqual({});
  });

  test('an execute answer with completed: true and no status is SUCCESS', () => {
    const res = fromAnswer(answer({ completed: true, data: 'done' }), 'execute');
    expect(res.status).toBe('SUCCESS');
    expect(res.data).toBe('done');
  });

  test("maps exactly the spec's RunResult keys that are not marked x-additional-field", () => {
    const declared = Object.entries(RunResultSchema.properties);
    const mapped = declared.filter(([, schema]) => !('x-additional-field' in schema));
    expect([...MAPPED_ANSWER_KEYS].sort()).toEqual(mapped.map(([key]) => key).sort());
    // Each raw key stays in additionalFields; each mapped one leaves it.
    const everyKey = Object.fromEntries(declared.map(([key]) => [key, 'x']));
    const res = fromAnswer(answer({ ...everyKey, status: 'SUCCESS' }), 'poll', 'https://m/p');
    expect(Object.keys(res.additionalFields).sort()).toEqual(
      declared
        .filter(([, schema]) => 'x-additional-field' in schema)
        .map(([key]) => key)
        .sort(),
    );
  });

  test('keeps the declared raw keys (rawData, supplierError) and undeclared ones in additionalFields', () => {
    const res = fromAnswer(
      answer({ completed: true, error: 'E', supplierError: 'S', rawData: { id: 1 }, extra: 2 }),
      'poll',
      'https://m/api/v1/data/1',
    );
    expect(res.additionalFields).toEqual({ supplierError: 'S', rawData: { id: 1 }, extra: 2 });
    expect(res.errorMessage).toBe('E - S');
  });

  test('a "__proto__" key of an answer stays data and never becomes a prototype', () => {
    const wire = JSON.parse(
      '{"completed":true,"status":"SUCCESS","data":"ok","__proto__":{"polluted":true,"toString":1}}',
    );
    const res = fromAnswer(answer(wire), 'execute');
    expect(Object.getPrototypeOf(res.additionalFields)).toBe(Object.prototype);
    expect((res.additionalFields as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(res.additionalFields)).toEqual(['__proto__']);
    expect(`${res.additionalFields}`).toBe('[object Object]');
  });
});

describe('fromError', () => {
  test('gives FAILED, completed, the message and the request id of an HTTP error', () => {
    const error = APIError.generate(401, { error: 'nope' }, new Headers({ 'x-request-id': 'r' }));
    expect(fromError(error)).toMatchObject({
      status: 'FAILED',
      completed: true,
      errorMessage: `${error.message}`,
      requestId: 'r',
      error,
    });
  });
});
