/**
 * Every named example of every response of the spec, sent by an upstream through
 * `prism proxy --errors` (startProxy of aixplain-llm/testing): each must come through unchanged,
 * with its status and no violation. The mock's tests (mock-examples.test.ts) show Prism serves
 * them; this shows that a real service sending the same answers passes the contract check, so
 * the spec is not narrower than the answers it documents. 501 is left out: Prism's proxy
 * re-mocks any upstream 501 (proxy-upstream.test.ts pins that).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parse } from 'yaml';
import { type MockServer, startProxy } from '../../src/testing/index.js';

const SPEC = 'openapi/aixplain-models.yaml';
const spec = parse(readFileSync(SPEC, 'utf8')) as {
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, unknown>>;
};
interface Operation {
  operationId: string;
  responses: Record<string, Ref | Response>;
}
interface Response {
  content?: Record<string, { examples?: Record<string, { value: unknown }> }>;
}
type Ref = { $ref: string };
const deref = <T>(node: T | Ref): T => {
  if (typeof node === 'object' && node !== null && '$ref' in node) {
    const [, , group, name] = node.$ref.split('/');
    return spec.components[group as string]?.[name as string] as T;
  }
  return node as T;
};

interface Row {
  operationId: string;
  method: string;
  path: string;
  status: number;
  mediaType: string;
  name: string;
  value: unknown;
}
const UNDECLARED = 418;
const rows: Row[] = Object.entries(spec.paths).flatMap(([path, item]) =>
  Object.entries(item).flatMap(([method, op]) =>
    Object.entries(op.responses)
      .filter(([status]) => status !== '501')
      .flatMap(([status, response]) =>
        Object.entries(deref(response).content ?? {}).flatMap(([mediaType, media]) =>
          Object.entries(media.examples ?? {}).map(([name, example]) => ({
            operationId: op.operationId,
            method: method.toUpperCase(),
            path,
            status: status === 'default' ? UNDECLARED : Number(status),
            mediaType,
            name,
            value: example.value,
          })),
        ),
      ),
  ),
);

/** The body of `row` as an upstream would write it. */
const textOf = (row: Row) =>
  row.mediaType === 'application/json' ? JSON.stringify(row.value) : String(row.value);

let upstream: Server;
let proxy: MockServer;
/** The row the upstream answers next, chosen by the test. */
let current: Row | undefined;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const row = current as Row;
      res.writeHead(row.status, { 'content-type': row.mediaType });
      res.end(textOf(row));
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const { port } = upstream.address() as AddressInfo;
  proxy = await startProxy({ upstream: `http://127.0.0.1:${port}` });
}, 120_000);

afterAll(async () => {
  await proxy?.close();
  await new Promise<void>((resolve) => upstream?.close(() => resolve()));
});

const BODY = { data: 'Hello', context: null, prompt: null, history: null, max_tokens: 16 };

describe('every named example, from an upstream through prism proxy --errors', () => {
  test('covers the new answer forms of the spec', () => {
    const names = new Set(rows.map((row) => row.name));
    for (const name of [
      'numericStrings',
      'nulls',
      'jsonString',
      'jsonNull',
      'htmlPage',
      'openaiChunks',
    ]) {
      expect(names.has(name), name).toBe(true);
    }
  });

  test.each(rows)('$operationId $status $mediaType $name comes through unchanged', async (row) => {
    current = row;
    proxy.clearViolations();
    const url = new URL(
      row.path.replace('{modelId}', 'proxy-examples').replace('{requestId}', 'run-1'),
      proxy.url,
    );
    const response = await fetch(url, {
      method: row.method,
      headers: {
        'x-api-key': 'test-key',
        accept: row.mediaType,
        ...(row.method === 'POST' ? { 'content-type': 'application/json' } : {}),
      },
      body:
        row.method === 'POST'
          ? JSON.stringify(
              row.mediaType === 'text/event-stream' ? { ...BODY, options: { stream: true } } : BODY,
            )
          : undefined,
    });
    const text = await response.text();
    expect(response.status).toBe(row.status);
    expect(response.headers.get('sl-violations')).toBeNull();
    expect(proxy.violations()).toEqual([]);
    if (row.mediaType === 'application/json') expect(JSON.parse(text)).toEqual(row.value);
    else expect(text).toBe(row.value);
  });
});
