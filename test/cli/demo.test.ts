/**
 * `aixplain-llm demo` (src/cli/demo.ts) against a fake mock.
 */
import { describe, expect, test } from 'vitest';
import { cli, DEFAULT_MODEL, fakeApi, json } from './harness.js';

describe('aixplain-llm demo', () => {
  test('runs, polls and streams against the mock, prints SUCCESS three times and exits 0', async () => {
    const { code, stdout, sent, mock } = await cli(['demo'], { env: {} });
    expect(code).toBe(0);
    expect(stdout.text.match(/SUCCESS {2}/g)).toHaveLength(3);
    expect(stdout.text).toContain('Hello world');
    expect(stdout.text).toContain('(1 poll)');
    expect(stdout.text).toContain('All 3 runs finished with SUCCESS.');
    expect(sent.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      `POST /api/v2/execute/${DEFAULT_MODEL}`,
      `POST /api/v1/execute/${DEFAULT_MODEL}`,
      'GET /api/v1/data/run-1',
      `POST /api/v2/execute/${DEFAULT_MODEL}`,
    ]);
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });

  test('exits 1 when one of the runs fails, and still stops the mock', async () => {
    const api = fakeApi({
      polls: [
        () => json({ completed: true, status: 'FAILED', error_message: 'Some error occurred' }),
      ],
    });
    const { code, stdout, stderr, mock } = await cli(['demo'], { api, env: {} });
    expect(code).toBe(1);
    expect(stdout.text).toContain('1 of 3 runs did not succeed.');
    expect(stderr.text).toContain('Some error occurred');
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });
});
