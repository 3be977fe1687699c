/**
 * Contract tests of the generated SDK against the Prism mock: every named example of every
 * response (every declared status of every operation, each media type) is requested with
 * `Prefer`, and must come back with its status, exactly its value and no `sl-violations`.
 *
 * The examples are read from openapi/aixplain-models.yaml at run time, so a new example or
 * status is covered without touching this file. The spec is read with the same origin rewrite
 * that `startPrismMock` (src/testing/prism.ts) applies (`https://models.aixplain.com` becomes the mock's origin).
 */

import { readFileSync } from 'node:fs';
import { describe, expect, inject, test } from 'vitest';
import { parse } from 'yaml';
import { type Client, createClient } from '../../generated/client/index.js';
import { executeModel, executeModelAsync, pollRun } from '../../generated/index.js';
import { zExecuteRequest } from '../../generated/zod.gen.js';
import { defaultSpecPath } from '../../src/testing/spec.js';
import { collectViolations, expectNoViolations } from '../helpers/violations.js';

const mockUrl = inject('mockUrl');
const spec = parse(
  readFileSync(defaultSpecPath(), 'utf8').replaceAll('https://models.aixplain.com', mockUrl),
) as Spec;

/** The generated functions, called the same way whatever their option types. */
type SdkCall = (options: {
  client: Client;
  path: Record<string, string>;
  body?: unknown;
  headers?: Record<string, string>;
  parseAs?: 'auto' | 'stream';
  requestValidator?: (data: unknown) => Promise<unknown>;
}) => Promise<{ data?: unknown; error?: unknown; response: Response | undefined }>;

const sdk = { executeModel, executeModelAsync, pollRun } as unknown as Record<string, SdkCall>;

interface Spec {
  paths: Record<string, Record<string, Operation>>;
  [key: string]: unknown;
}
interface Operation {
  operationId: string;
  parameters?: Array<Ref | { name: string; in: string }>;
  requestBody?: Ref | { content: Record<string, MediaType> };
  responses: Record<string, Ref | { content?: Record<string, MediaType> }>;
}
interface MediaType {
  examples?: Record<string, Ref | { value: unknown }>;
}
interface Ref {
  $ref: string;
}

/** Follows local `$ref`s (`#/components/...`), as often as needed. */
function deref<T>(node: T | Ref): T {
  let current: unknown = node;
  while (typeof current === 'object' && current !== null && '$ref' in current) {
    const pointer = (current as Ref).$ref;
    expect(pointer.startsWith('#/'), `only local $refs are supported: ${pointer}`).toBe(true);
    current = pointer
      .slice(2)
      .split('/')
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .reduce<unknown>((into, key) => (into as Record<string, unknown>)[key], spec);
  }
  return current as T;
}

interface Row {
  /** The status to ask for: the declared one, or for `default` one that nothing else declares. */
  status: number;
  mediaType: string;
  name: string;
  value: unknown;
  hasExample: boolean;
}

interface OperationCase {
  operationId: string;
  method: string;
  path: string;
  pathParams: Record<string, string>;
  requestExamples: Array<{ name: string; value: unknown }>;
  rows: Row[];
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** The status asked for to get the `default` response: a 4xx that no operation declares. */
const UNDECLARED_STATUS = 418;
const statusOf = (key: string) => (key === 'default' ? UNDECLARED_STATUS : Number(key));

const operations: OperationCase[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item)
    .filter(([method]) => HTTP_METHODS.includes(method))
    .map(([method, operation]) => {
      const pathParams = Object.fromEntries(
        (operation.parameters ?? [])
          .map((p) => deref(p))
          .filter((p) => p.in === 'path')
          .map((p) => [p.name, `${p.name}-contract`]),
      );
      const body = operation.requestBody === undefined ? undefined : deref(operation.requestBody);
      const requestExamples = Object.entries(body?.content['application/json']?.examples ?? {}).map(
        ([name, example]) => ({ name, value: deref(example).value }),
      );
      const rows = Object.entries(operation.responses).flatMap(([status, response]) => {
        const content = deref(response).content ?? {};
        const forStatus = Object.entries(content).flatMap(([mediaType, media]) => {
          const examples = Object.entries(media.examples ?? {});
          return examples.length === 0
            ? [
                {
                  status: statusOf(status),
                  mediaType,
                  name: '(none)',
                  value: undefined,
                  hasExample: false,
                },
              ]
            : examples.map(([name, example]) => ({
                status: statusOf(status),
                mediaType,
                name,
                value: deref(example).value,
                hasExample: true,
              }));
        });
        return forStatus.length === 0
          ? [
              {
                status: statusOf(status),
                mediaType: '(none)',
                name: '(none)',
                value: undefined,
                hasExample: false,
              },
            ]
          : forStatus;
      });
      return {
        operationId: operation.operationId,
        method: method.toUpperCase(),
        path,
        pathParams,
        requestExamples,
        rows,
      };
    }),
);

/** The request body to send with the answer `row`: the request example of the same name, else the first one. */
function requestBodyFor(op: OperationCase, row: Row): unknown {
  const same = op.requestExamples.find((e) => e.name === row.name);
  return (same ?? op.requestExamples[0])?.value;
}

/** A client of the mock that keeps the raw text of the last answer (`lastText()`). */
function mockClient(): Client & { lastText(): string } {
  let last = '';
  const client = createClient({
    baseUrl: mockUrl,
    auth: () => 'test-key',
    fetch: (async (url: string, init: RequestInit) => {
      const response = await globalThis.fetch(url, init);
      last = await response.clone().text();
      return response;
    }) as typeof fetch,
  });
  return Object.assign(client, { lastText: () => last });
}

test('every operation of the spec has a generated SDK function', () => {
  expect(operations.map((op) => op.operationId).sort()).toEqual(Object.keys(sdk).sort());
});

test('every response of every operation has a named example', () => {
  // Without one, Prism answers with schema placeholders ("string", 0).
  const missing = operations.flatMap((op) =>
    op.rows
      .filter((row) => !row.hasExample)
      .map((row) => `${op.operationId} ${row.status} ${row.mediaType}`),
  );
  expect(missing).toEqual([]);
});

for (const op of operations) {
  describe(op.operationId, () => {
    test.each(op.rows)(
      'answers $status $mediaType with the $name example, unchanged and with no violation',
      async (row) => {
        const client = mockClient();
        const violations = collectViolations(client);
        const isError = row.status >= 300;
        const prefer = [
          `code=${row.status}`,
          ...(row.hasExample ? [`example=${row.name}`] : []),
        ].join(', ');
        const call = sdk[op.operationId];
        expect(call, `a generated function for ${op.operationId}`).toBeDefined();
        const isStream = row.mediaType === 'text/event-stream';

        const result = await (call as SdkCall)({
          client,
          path: op.pathParams,
          body: requestBodyFor(op, row),
          headers: {
            ...(prefer === '' ? {} : { Prefer: prefer }),
            ...(row.mediaType === '(none)' ? {} : { Accept: row.mediaType }),
          },
          ...(isStream ? { parseAs: 'stream' as const } : {}),
        });

        const response = result.response;
        expect(response?.status).toBe(row.status);
        expectNoViolations(response);
        expect(violations.list).toEqual([]);
        if (row.mediaType !== '(none)') {
          expect(response?.headers.get('content-type')?.split(';')[0]?.trim()).toBe(row.mediaType);
        }
        if (!row.hasExample) return;
        if (isStream) {
          const text = await new Response(result.data as ReadableStream<Uint8Array>).text();
          expect(text).toBe(row.value);
        } else if (row.mediaType === 'application/json') {
          // The raw text: the generated client reads a JSON `null` error body as the text "null".
          expect(JSON.parse(client.lastText())).toEqual(row.value);
          if (!isError) expect(result.data).toEqual(row.value);
        } else {
          expect(client.lastText()).toBe(row.value);
        }
      },
    );
  });
}

describe('request validation by the mock', () => {
  const invalid = [
    { what: 'max_tokens 0', body: { data: 'Hi', max_tokens: 0 }, code: 'minimum' },
    { what: 'no data', body: { max_tokens: 5 }, code: 'required' },
    { what: 'temperature 3', body: { data: 'Hi', temperature: 3 }, code: 'maximum' },
    {
      what: 'a history role that does not exist',
      body: { data: 'Hi', history: [{ role: 'bot', content: 'x' }] },
      code: 'enum',
    },
  ];

  test.each(invalid)(
    'a request with $what gets the declared 400 and a $code violation',
    async ({ body, code }) => {
      const client = mockClient();
      const violations = collectViolations(client);
      // The spec declares 400 (and no 422), so the mock answers 400 with the spec's example.
      const { response, error } = await executeModel({
        client,
        path: { modelId: 'invalid-body' },
        body: body as never,
      });
      expect(response?.status).toBe(400);
      expect(error).toEqual({ error: 'The request payload is invalid.' });
      expect(violations.list).toHaveLength(1);
      expect(violations.list[0]?.violations).toEqual(
        expect.arrayContaining([expect.objectContaining({ code, severity: 'Error' })]),
      );
    },
  );

  // zod reads a required `data: {}` (any value) as optional, so "no data" is Prism's alone.
  test.each(invalid.filter((row) => row.what !== 'no data'))(
    'the generated zod schema refuses a body with $what',
    ({ body }) => {
      expect(zExecuteRequest.safeParse(body).success).toBe(false);
      expect(zExecuteRequest.safeParse({ data: 'Hi', max_tokens: 5 }).success).toBe(true);
    },
  );

  test('a request without x-api-key gets 401 and a security violation', async () => {
    const response = await fetch(`${mockUrl}/api/v2/execute/no-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ data: 'Hi' }),
    });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.headers.get('sl-violations') ?? '[]')).toEqual([
      expect.objectContaining({ code: 401, message: 'Invalid security scheme used' }),
    ]);
  });

  test('an example name that does not exist is refused with 404', async () => {
    const { response } = await pollRun({
      client: mockClient(),
      path: { requestId: 'nope' },
      headers: { Prefer: 'example=noSuchExample' },
    });
    expect(response?.status).toBe(404);
  });
});
