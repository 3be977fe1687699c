/**
 * Tests of src/cli/prism.ts, the Prism launcher that the tests, the CLI's `--mock` and the demo
 * share. They use the mock that the global setup started with `startPrismMock` (no extra Prism
 * process): its poll URLs must point back at itself. The failure paths are checked without
 * starting Prism.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, inject, test } from 'vitest';
import { createClient } from '../../generated/client/index.js';
import { executeModel, executeModelAsync } from '../../generated/index.js';
import { defaultSpecPath, startPrismMock, startPrismProxy } from '../../src/cli/prism.js';
import { expectNoViolations } from '../helpers/violations.js';

const mockUrl = inject('mockUrl');
const client = createClient({ baseUrl: mockUrl, auth: () => 'test-key' });

describe('startPrismMock', () => {
  test('serves the inProgress example with a poll URL on the mock itself, which answers polls', async () => {
    const { data, response } = await executeModel({
      client,
      path: { modelId: 'any-model' },
      body: { data: 'Hello' },
      headers: { Prefer: 'example=inProgress' },
    });
    expect(response?.status).toBe(200);
    const pollUrl = new URL(String(data?.data));
    expect(pollUrl.origin).toBe(mockUrl);
    expect(pollUrl.pathname).toMatch(/^\/api\/v1\/data\/[^/]+$/);

    const poll = await fetch(pollUrl, {
      headers: { 'x-api-key': 'test-key', Prefer: 'example=done' },
    });
    expect(poll.status).toBe(200);
    expectNoViolations(poll);
    expect(await poll.json()).toMatchObject({ completed: true, status: 'SUCCESS' });
  });

  test('serves the v1 ticket example with a poll URL on the mock itself', async () => {
    const { data, response } = await executeModelAsync({
      client,
      path: { modelId: 'any-model' },
      body: { data: 'Hello' },
    });
    // The spec declares 201 and 200 (both are sent by the service); the mock serves the lowest
    // 2xx unless `Prefer: code=201` asks for the other (test/contract/mock-examples.test.ts).
    expect(response?.status).toBe(200);
    expect(new URL(String(data?.data)).origin).toBe(mockUrl);
  });

  test('rejects a spec file that does not exist, before starting Prism', async () => {
    await expect(startPrismMock({ specPath: '/nonexistent/aixplain-models.yaml' })).rejects.toThrow(
      /Cannot read the OpenAPI document/,
    );
  });

  test('rejects a port that is already in use', async () => {
    const port = Number(new URL(mockUrl).port);
    await expect(startPrismMock({ port })).rejects.toThrow(/already in use/);
    await expect(startPrismProxy({ upstream: 'http://127.0.0.1:9', port })).rejects.toThrow(
      /already in use/,
    );
  });
});

describe('defaultSpecPath', () => {
  test('finds openapi/aixplain-models.yaml of this package by walking up from src/cli', () => {
    const path = defaultSpecPath();
    expect(path.endsWith(join('openapi', 'aixplain-models.yaml'))).toBe(true);
    expect(existsSync(path)).toBe(true);
  });
});
