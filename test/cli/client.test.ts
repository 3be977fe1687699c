/**
 * Where the command line gets its key, model and service (src/cli/client.ts), and `--mock`,
 * which runs against a mock that is always stopped afterwards.
 */
import { describe, expect, test } from 'vitest';
import { ANSWER, BASE, cli, DEFAULT_MODEL, fakeApi, json, KEY, MOCK, running } from './harness.js';

describe('aixplain-llm run: key, model and service', () => {
  test.each([
    ['AIXPLAIN_MODEL_ID', { AIXPLAIN_MODEL_ID: 'env-model' }, 'env-model'],
    ['the default GPT-4o mini id', {}, DEFAULT_MODEL],
    ['the default id when AIXPLAIN_MODEL_ID is empty', { AIXPLAIN_MODEL_ID: '' }, DEFAULT_MODEL],
  ])('uses %s without --model', async (_name, env, model) => {
    const { sent } = await cli(['run', 'Hi'], {
      env: { AIXPLAIN_API_KEY: KEY, AIXPLAIN_BASE_URL: BASE, ...env },
    });
    expect(sent[0]?.url).toBe(`${BASE}/api/v2/execute/${model}`);
  });

  test.each([
    ['AIXPLAIN_API_KEY', { AIXPLAIN_API_KEY: KEY, TEAM_API_KEY: 'team-key-000000' }, KEY],
    [
      'TEAM_API_KEY when AIXPLAIN_API_KEY is unset',
      { TEAM_API_KEY: 'team-key-000000' },
      'team-key-000000',
    ],
    [
      'TEAM_API_KEY when AIXPLAIN_API_KEY is empty',
      { AIXPLAIN_API_KEY: '', TEAM_API_KEY: 'team-key-000000' },
      'team-key-000000',
    ],
  ])('sends the key of %s', async (_name, env, key) => {
    const { sent } = await cli(['run', 'Hi'], { env: { AIXPLAIN_BASE_URL: BASE, ...env } });
    expect(sent[0]?.headers.get('x-api-key')).toBe(key);
  });
});

describe('aixplain-llm run --mock', () => {
  test('runs against the mock with a placeholder key, then stops the mock', async () => {
    const { code, stdout, sent, mock } = await cli(['run', '--mock', 'Hello'], { env: {} });
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(sent[0]?.url).toBe(`${MOCK}/api/v2/execute/${DEFAULT_MODEL}`);
    expect(sent[0]?.headers.get('x-api-key')).toBe('mock-api-key');
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });

  test('does not send the real key to the mock', async () => {
    const { sent } = await cli(['run', '--mock', 'Hello']);
    expect(sent[0]?.headers.get('x-api-key')).toBe('mock-api-key');
  });

  test('stops the mock when the run fails', async () => {
    const api = fakeApi({ run: () => json({ completed: true, status: 'FAILED', error: 'x' }) });
    const { code, mock } = await cli(['run', '--mock', 'Hello'], { api, env: {} });
    expect(code).toBe(1);
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });

  test('stops the mock and exits 130 when interrupted', async () => {
    const controller = new AbortController();
    const api = fakeApi({
      run: () => {
        controller.abort();
        return json({ status: 'IN_PROGRESS', data: `${MOCK}/api/v1/data/run-1` });
      },
      polls: [running],
    });
    const { code, stderr, mock } = await cli(['run', '--mock', 'Hello'], {
      api,
      env: {},
      signal: controller.signal,
    });
    expect(code).toBe(130);
    expect(stderr.text).toBe('aixplain-llm: interrupted\n');
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });

  test('stops the mock when the options are refused', async () => {
    const { code, stderr, mock } = await cli(['run', '--mock', '-t', '7', 'Hello'], { env: {} });
    expect(code).toBe(2);
    expect(stderr.text.split('\n')).toHaveLength(2);
    expect(mock).toMatchObject({ started: 1, closed: 1 });
  });
});
