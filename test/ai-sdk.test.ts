// The Vercel AI SDK provider (src/ai-sdk/), driven through the real `ai` package (ai@6) against a
// fake fetch that answers like the aiXplain API: a finished JSON answer to POST
// /api/v2/execute/{id}, and an SSE body when the request asks for a stream.
import {
  APICallError,
  InvalidPromptError,
  type LanguageModelV3,
  type LanguageModelV3CallOptions,
  type LanguageModelV3StreamPart,
  NoSuchModelError,
  type ProviderV3,
  UnsupportedFunctionalityError,
} from '@ai-sdk/provider';
import { generateText, jsonSchema, streamText, tool } from 'ai';
import { afterEach, beforeAll, describe, expect, expectTypeOf, test, vi } from 'vitest';
import {
  type AixplainLanguageModel,
  type AixplainProvider,
  createAixplain,
  aixplain as defaultProvider,
} from '../src/ai-sdk/index.js';
import { AuthenticationError, StreamError, ValidationError } from '../src/index.js';

const KEY = 'sk-test-key-123';
const BASE = 'https://models.example.test';
const MODEL = '669a63646eb56306647e1091';
const EXECUTE_URL = `${BASE}/api/v2/execute/${MODEL}`;

const finished = {
  completed: true,
  status: 'SUCCESS',
  data: 'Hello!',
  usage: { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 },
  usedCredits: 0.5,
  runTime: 1.2,
  requestId: 'req-1',
};

interface Sent {
  method: string;
  url: string;
  headers: Headers;
  body: Record<string, unknown> | undefined;
  signal: AbortSignal;
}

type Handler = (
  request: Request,
  body: Record<string, unknown> | undefined,
  n: number,
) => Response | Promise<Response>;

/** A fetch that records every request and answers with `handler` (by default, like the API). */
function fakeApi(handler: Handler = answer) {
  const sent: Sent[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const text = request.method === 'GET' ? '' : await request.clone().text();
    const body = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
    sent.push({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body,
      signal: request.signal,
    });
    return handler(request, body, sent.length);
  });
  return { fetch: fetch as unknown as typeof globalThis.fetch, sent };
}

/** The API's answer: SSE tokens when the body asks for a stream, else a finished run. */
function answer(_request: Request, body: Record<string, unknown> | undefined): Response {
  return isStream(body) ? sse(['Hel', 'lo', '!']) : json(finished);
}

function isStream(body: Record<string, unknown> | undefined): boolean {
  return (body?.options as { stream?: unknown } | undefined)?.stream === true;
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

/** An SSE body: one `data: {"data": token}` event per token, then `extra`, then `[DONE]`. */
function sse(tokens: string[], extra = 'data: [DONE]\n\n'): Response {
  const text = tokens.map((t) => `data: ${JSON.stringify({ data: t })}\n\n`).join('') + extra;
  return new Response(text, { headers: { 'content-type': 'text/event-stream' } });
}

/** An SSE body that sends one token and then nothing until it is cancelled. */
function endlessStream() {
  const state = { cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode('data: {"data":"Hel"}\n\n'));
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return {
    state,
    response: new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  };
}

function provider(fetch: typeof globalThis.fetch, settings: Record<string, unknown> = {}) {
  return createAixplain({ apiKey: KEY, baseUrl: BASE, fetch, ...settings });
}

/** The minimal call options of a direct doGenerate/doStream call. */
function call(
  text: string,
  options: Partial<LanguageModelV3CallOptions> = {},
): LanguageModelV3CallOptions {
  return { prompt: [{ role: 'user', content: [{ type: 'text', text }] }], ...options };
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const parts: T[] = [];
  for await (const part of stream as unknown as AsyncIterable<T>) parts.push(part);
  return parts;
}

/** Rejects with what `promise` rejects with; fails the test when it resolves. */
async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

beforeAll(() => {
  // The AI SDK prints every warning to the console unless told not to.
  (globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;
});

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('createAixplain', () => {
  test('makes v3 language models named by their aiXplain model id', () => {
    const aixplain = provider(fakeApi().fetch);
    const model = aixplain(MODEL);
    expect(aixplain.specificationVersion).toBe('v3');
    expect(model).toMatchObject({
      specificationVersion: 'v3',
      provider: 'aixplain',
      modelId: MODEL,
    });
    expect(aixplain.languageModel(MODEL)).toMatchObject({ modelId: MODEL });
  });

  test('reads AIXPLAIN_API_KEY, then TEAM_API_KEY, when a model is made, not before', async () => {
    vi.stubEnv('AIXPLAIN_API_KEY', '');
    vi.stubEnv('TEAM_API_KEY', '');
    const api = fakeApi();
    const aixplain = createAixplain({ baseUrl: BASE, fetch: api.fetch });
    expect(() => aixplain(MODEL)).toThrow(ValidationError);

    vi.stubEnv('TEAM_API_KEY', 'team-key');
    await generateText({ model: aixplain(MODEL), prompt: 'Hi' });
    vi.stubEnv('AIXPLAIN_API_KEY', 'aixplain-key');
    await generateText({ model: aixplain(MODEL), prompt: 'Hi' });
    expect(api.sent.map((s) => s.headers.get('x-api-key'))).toEqual(['team-key', 'aixplain-key']);
  });

  test('exports a default provider that reads the environment only when a model is made', () => {
    vi.stubEnv('AIXPLAIN_API_KEY', 'env-key');
    expect(defaultProvider(MODEL).modelId).toBe(MODEL);
  });

  test.each(['embeddingModel', 'imageModel'] as const)('%s throws NoSuchModelError', (kind) => {
    const aixplain = provider(fakeApi().fetch);
    let thrown: unknown;
    try {
      aixplain[kind](MODEL);
    } catch (error) {
      thrown = error;
    }
    expect(NoSuchModelError.isInstance(thrown)).toBe(true);
    expect(thrown).toMatchObject({ modelId: MODEL, modelType: kind });
  });

  test('refuses to be called with new', () => {
    const aixplain = provider(fakeApi().fetch);
    // @ts-expect-error the provider is a function, not a constructor
    expect(() => new aixplain(MODEL)).toThrow(/new keyword/);
  });
});

describe('generateText (doGenerate)', () => {
  test('returns the text, the token usage and the request id', async () => {
    const api = fakeApi();
    const result = await generateText({
      model: provider(api.fetch)(MODEL),
      system: 'You are terse.',
      prompt: 'Say hello.',
      maxOutputTokens: 64,
      temperature: 0.3,
    });
    expect(result.text).toBe('Hello!');
    expect(result.finishReason).toBe('stop');
    expect(result.usage).toMatchObject({ inputTokens: 12, outputTokens: 3, totalTokens: 15 });
    expect(result.response.id).toBe('req-1');
    expect(result.response.modelId).toBe(MODEL);
    expect(result.providerMetadata).toEqual({ aixplain: { usedCredits: 0.5, runTime: 1.2 } });
    expect(result.warnings).toEqual([]);
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0]?.url).toBe(EXECUTE_URL);
    expect(api.sent[0]?.body).toMatchInlineSnapshot(`
      {
        "context": "You are terse.",
        "data": "Say hello.",
        "history": null,
        "max_tokens": 64,
        "prompt": null,
        "temperature": 0.3,
        "top_p": 1,
      }
    `);
    expect(result.request.body).toEqual(api.sent[0]?.body);
  });

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

  test('sends the package defaults for the settings left out (temperature 0.001, max_tokens 128, top_p 1)', async () => {
    const api = fakeApi();
    await generateText({ model: provider(api.fetch)(MODEL), prompt: 'Hi' });
    expect(api.sent[0]?.body).toMatchObject({ temperature: 0.001, max_tokens: 128, top_p: 1 });
  });

  test('merges providerOptions.aixplain into the body and sends the call headers', async () => {
    const api = fakeApi();
    await generateText({
      model: provider(api.fetch, { headers: { 'x-team': 'a' } })(MODEL),
      prompt: 'Hi',
      temperature: 0.5,
      headers: { 'x-trace': 't-1' },
      providerOptions: { aixplain: { temperature: 0.9, seed_like: 7 } },
    });
    expect(api.sent[0]?.body).toMatchObject({ temperature: 0.9, seed_like: 7, data: 'Hi' });
    expect(api.sent[0]?.headers.get('x-trace')).toBe('t-1');
    expect(api.sent[0]?.headers.get('x-team')).toBe('a');
  });

  test('asks for a JSON object for responseFormat json, and warns that the schema is not sent', async () => {
    const api = fakeApi(() => json({ ...finished, data: '{"a":1}' }));
    const model = provider(api.fetch)(MODEL);
    const result = await model.doGenerate(
      call('Give JSON', { responseFormat: { type: 'json', schema: { type: 'object' } } }),
    );
    expect(api.sent[0]?.body?.response_format).toEqual({ type: 'json_object' });
    expect(result.content).toEqual([{ type: 'text', text: '{"a":1}' }]);
    expect(result.warnings).toEqual([
      expect.objectContaining({ type: 'unsupported', feature: 'responseFormat.schema' }),
    ]);
  });

  test('warns about every setting the API has no equivalent for, and does not send it', async () => {
    const api = fakeApi();
    const result = await generateText({
      model: provider(api.fetch)(MODEL),
      prompt: 'Hi',
      topK: 5,
      stopSequences: ['END'],
      seed: 42,
      presencePenalty: 0.1,
      frequencyPenalty: 0.2,
      tools: { weather: tool({ inputSchema: jsonSchema({ type: 'object', properties: {} }) }) },
    });
    expect(result.warnings?.map((w) => ('feature' in w ? w.feature : w.message))).toEqual([
      'topK',
      'stopSequences',
      'seed',
      'presencePenalty',
      'frequencyPenalty',
      'tools',
    ]);
    expect(Object.keys(api.sent[0]?.body ?? {}).sort()).toEqual([
      'context',
      'data',
      'history',
      'max_tokens',
      'prompt',
      'temperature',
      'top_p',
    ]);
  });

  test.each([
    ['auto, as ai@7 sends it on every call', { type: 'auto' }, []],
    ['none', { type: 'none' }, []],
    ['required', { type: 'required' }, ['toolChoice']],
    ['a named tool', { type: 'tool', toolName: 'weather' }, ['toolChoice']],
  ] as const)(
    'a toolChoice of %s warns only when it forces a tool call',
    async (_, toolChoice, expected) => {
      const result = await provider(fakeApi().fetch)(MODEL).doGenerate({
        ...call('Hi'),
        toolChoice,
      });
      expect(result.warnings.map((w) => ('feature' in w ? w.feature : w.type))).toEqual(expected);
    },
  );

  test('generateText without tools gives no warning at all', async () => {
    const result = await generateText({ model: provider(fakeApi().fetch)(MODEL), prompt: 'Hi' });
    expect(result.warnings).toEqual([]);
  });

  test('throws an APICallError with the status, headers and body of an HTTP error, and no retry for a 401', async () => {
    const api = fakeApi(() => json({ error: 'bad key' }, 401, { 'x-request-id': 'r-401' }));
    const error = await rejection(
      generateText({ model: provider(api.fetch)(MODEL), prompt: 'Hi', maxRetries: 2 }),
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'AI_APICallError',
      statusCode: 401,
      isRetryable: false,
      url: EXECUTE_URL,
      responseBody: '{"error":"bad key"}',
      requestBodyValues: expect.objectContaining({ data: 'Hi' }),
      message: expect.stringMatching(/^Unauthorized API key.* Details: bad key$/),
    });
    expect((error as APICallError).responseHeaders).toMatchObject({ 'x-request-id': 'r-401' });
    expect((error as Error).cause).toBeInstanceOf(AuthenticationError);
    expect(api.sent).toHaveLength(1);
  });

  test.each([
    [429, true],
    [503, true],
    [500, false],
    [502, false],
    [400, false],
    [402, false],
  ])(
    'marks an HTTP %i as retryable: %s (a POST is retried only where the model cannot have started)',
    async (status, retryable) => {
      const api = fakeApi(() => json({ error: 'nope' }, status));
      const error = await rejection(provider(api.fetch)(MODEL).doGenerate(call('Hi')));
      expect(error).toMatchObject({ statusCode: status, isRetryable: retryable });
    },
  );

  test('lets ai retry a 429, honouring retry-after-ms, then returns the answer', async () => {
    const api = fakeApi((_request, _body, n) =>
      n === 1 ? json({ error: 'slow down' }, 429, { 'retry-after-ms': '5' }) : json(finished),
    );
    const result = await generateText({
      model: provider(api.fetch)(MODEL),
      prompt: 'Hi',
      maxRetries: 1,
    });
    expect(result.text).toBe('Hello!');
    expect(api.sent).toHaveLength(2);
  });

  test('is not retried by ai on a 500: the model may have started', async () => {
    const api = fakeApi(() => json({ error: 'boom' }, 500));
    const error = await rejection(
      generateText({ model: provider(api.fetch)(MODEL), prompt: 'Hi', maxRetries: 2 }),
    );
    expect(APICallError.isInstance(error)).toBe(true);
    expect(api.sent).toHaveLength(1);
  });

  test.each([
    [undefined, { unified: 'stop', raw: undefined }],
    [{ choices: [{ finish_reason: 'length' }] }, { unified: 'length', raw: 'length' }],
    [
      { choices: [{ finish_reason: 'content_filter' }] },
      { unified: 'content-filter', raw: 'content_filter' },
    ],
    [{ choices: [{ finish_reason: 'eos' }] }, { unified: 'other', raw: 'eos' }],
  ])('reads the finish reason from the supplier rawData %j', async (rawData, finishReason) => {
    const api = fakeApi(() => json({ ...finished, rawData }));
    const result = await provider(api.fetch)(MODEL).doGenerate(call('Hi'));
    expect(result.finishReason).toEqual(finishReason);
  });

  test('throws a non-retryable APICallError when the run reports failure', async () => {
    const api = fakeApi(() =>
      json({ completed: true, status: 'FAILED', error_message: 'Model exploded' }),
    );
    const error = await rejection(provider(api.fetch)(MODEL).doGenerate(call('Hi')));
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ message: 'Model exploded', isRetryable: false });
  });

  test('polls a run that goes asynchronous and returns its result', async () => {
    const pollUrl = `${BASE}/api/v1/data/run-1`;
    const api = fakeApi((request) =>
      request.method === 'POST' ? json({ completed: false, data: pollUrl }) : json(finished),
    );
    const result = await generateText({ model: provider(api.fetch)(MODEL), prompt: 'Hi' });
    expect(result.text).toBe('Hello!');
    expect(api.sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      `POST ${EXECUTE_URL}`,
      `GET ${pollUrl}`,
    ]);
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

  test('aborting the signal cancels the request', async () => {
    const controller = new AbortController();
    // Like a real fetch: no answer until the request's signal aborts, then a rejection.
    const api = fakeApi(
      (request) =>
        new Promise<Response>((_resolve, reject) => {
          request.signal.addEventListener('abort', () => reject(request.signal.reason));
          controller.abort();
        }),
    );
    const error = await rejection(
      generateText({
        model: provider(api.fetch)(MODEL),
        prompt: 'Hi',
        abortSignal: controller.signal,
      }),
    );
    expect(error).toMatchObject({ name: 'AbortError' });
    expect(api.sent[0]?.signal.aborted).toBe(true);
  });
});

describe('streamText (doStream)', () => {
  test('yields the tokens in textStream and ends with finish reason stop', async () => {
    const api = fakeApi();
    const result = streamText({
      model: provider(api.fetch)(MODEL),
      system: 'You are terse.',
      prompt: 'Say hello.',
      maxOutputTokens: 32,
    });
    const tokens: string[] = [];
    for await (const token of result.textStream) tokens.push(token);
    expect(tokens).toEqual(['Hel', 'lo', '!']);
    expect(await result.finishReason).toBe('stop');
    expect(api.sent[0]?.headers.get('accept')).toBe('text/event-stream');
    expect(api.sent[0]?.body).toMatchInlineSnapshot(`
      {
        "context": "You are terse.",
        "data": "Say hello.",
        "history": null,
        "max_tokens": 32,
        "options": {
          "stream": true,
        },
        "prompt": null,
        "temperature": 0.001,
        "top_p": 1,
      }
    `);
  });

  test('sends stream-start with the warnings, metadata, one text block and finish, in order', async () => {
    const api = fakeApi();
    const { stream, request } = await provider(api.fetch)(MODEL).doStream(call('Hi', { seed: 1 }));
    expect(await readAll(stream)).toEqual([
      { type: 'stream-start', warnings: [{ type: 'unsupported', feature: 'seed' }] },
      { type: 'response-metadata', modelId: MODEL },
      { type: 'text-start', id: '0' },
      { type: 'text-delta', id: '0', delta: 'Hel' },
      { type: 'text-delta', id: '0', delta: 'lo' },
      { type: 'text-delta', id: '0', delta: '!' },
      { type: 'text-end', id: '0' },
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: undefined },
        usage: {
          inputTokens: {
            total: undefined,
            noCache: undefined,
            cacheRead: undefined,
            cacheWrite: undefined,
          },
          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
        },
      },
    ] satisfies LanguageModelV3StreamPart[]);
    expect(request?.body).toEqual(api.sent[0]?.body);
  });

  test('turns a mid-stream error event into an error part and a finish with reason error', async () => {
    const api = fakeApi(() => sse(['Hel'], 'event: error\ndata: {"error":"boom"}\n\n'));
    const { stream } = await provider(api.fetch)(MODEL).doStream(call('Hi'));
    const parts = await readAll(stream);
    expect(parts.map((p) => p.type)).toEqual([
      'stream-start',
      'response-metadata',
      'text-start',
      'text-delta',
      'text-end',
      'error',
      'finish',
    ]);
    const error = parts.find((p) => p.type === 'error')?.error as Error | undefined;
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ message: 'boom', isRetryable: false });
    expect(error?.cause).toBeInstanceOf(StreamError);
    expect(parts.at(-1)).toMatchObject({ finishReason: { unified: 'error' } });
  });

  test('gives streamText an error part for a mid-stream error', async () => {
    const api = fakeApi(() => sse(['Hel'], 'event: error\ndata: {"error":"boom"}\n\n'));
    const onError = vi.fn();
    const result = streamText({ model: provider(api.fetch)(MODEL), prompt: 'Hi', onError });
    const types: string[] = [];
    for await (const part of result.fullStream) types.push(part.type);
    expect(types).toContain('error');
    expect(onError).toHaveBeenCalledWith({ error: expect.objectContaining({ message: 'boom' }) });
  });

  test('throws an HTTP error from doStream itself, so that ai retries a 429', async () => {
    const api = fakeApi((_request, body, n) =>
      n === 1
        ? json({ error: 'slow down' }, 429, { 'retry-after-ms': '5' })
        : answer(_request, body),
    );
    const result = streamText({ model: provider(api.fetch)(MODEL), prompt: 'Hi', maxRetries: 1 });
    expect(await result.text).toBe('Hello!');
    expect(api.sent).toHaveLength(2);

    const refused = fakeApi(() => json({ error: 'bad key' }, 401));
    const error = await rejection(provider(refused.fetch)(MODEL).doStream(call('Hi')));
    expect(error).toMatchObject({ statusCode: 401, isRetryable: false });
  });

  test('cancelling the stream cancels the HTTP request', async () => {
    const { state, response } = endlessStream();
    const api = fakeApi(() => response);
    const { stream } = await provider(api.fetch)(MODEL).doStream(call('Hi'));
    const reader = stream.getReader();
    const seen: string[] = [];
    while (!seen.includes('text-delta')) {
      const { value } = await reader.read();
      if (value !== undefined) seen.push(value.type);
    }
    await reader.cancel();
    expect(state.cancelled).toBe(true);
    expect(api.sent[0]?.signal.aborted).toBe(true);
  });

  test('aborting the signal cancels the stream request', async () => {
    const { state, response } = endlessStream();
    const api = fakeApi(() => response);
    const controller = new AbortController();
    const result = streamText({
      model: provider(api.fetch)(MODEL),
      prompt: 'Hi',
      abortSignal: controller.signal,
      onError: () => {},
    });
    const tokens: string[] = [];
    for await (const token of result.textStream) {
      tokens.push(token);
      controller.abort();
    }
    expect(tokens).toEqual(['Hel']);
    await vi.waitFor(() => expect(state.cancelled).toBe(true));
    expect(api.sent[0]?.signal.aborted).toBe(true);
  });
});

describe('types', () => {
  test('the models are LanguageModelV3 and the provider a ProviderV3', () => {
    expectTypeOf<AixplainLanguageModel>().toMatchTypeOf<LanguageModelV3>();
    expectTypeOf<AixplainProvider>().toMatchTypeOf<ProviderV3>();
    expectTypeOf(createAixplain).returns.toMatchTypeOf<(modelId: string) => LanguageModelV3>();
    // generateText takes the model as it is, with no cast.
    const typed = (aixplain: AixplainProvider) =>
      generateText({ model: aixplain(MODEL), prompt: 'x' });
    expectTypeOf(typed).toBeFunction();
  });
});
