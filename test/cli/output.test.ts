/**
 * What the command line writes, and how (src/cli/output.ts): colour, the progress line, and the
 * API key kept out of every output.
 */
import { describe, expect, test } from 'vitest';
import { ANSI, ANSWER, BASE, cli, done, fakeApi, json, KEY, running } from './harness.js';

describe('the API key', () => {
  test('never prints the API key, even when the service echoes it back', async () => {
    const api = fakeApi({
      run: () =>
        json({ completed: true, status: 'FAILED', error_message: `key ${KEY} is invalid` }),
    });
    const { code, stdout, stderr } = await cli(['run', '--json', 'Hello'], { api });
    expect(code).toBe(1);
    expect(stdout.text + stderr.text).not.toContain(KEY);
    expect(stderr.text).toContain('[redacted]');
  });
});

describe('the progress line', () => {
  test('shows polls and elapsed time on stderr while polling when stderr is a terminal', async () => {
    const api = fakeApi({
      run: () => json({ status: 'IN_PROGRESS', data: `${BASE}/api/v1/data/run-1` }),
      polls: [running, done],
    });
    const { code, stdout, stderr } = await cli(['run', 'Hello'], {
      api,
      tty: { stderr: true },
      env: { AIXPLAIN_API_KEY: KEY, AIXPLAIN_BASE_URL: BASE },
    });
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(stderr.text).toMatch(/polling: 1 poll, \d+\.\d s/);
    expect(stderr.text).toMatch(/polling: 2 polls, \d+\.\d s/);
    expect(stderr.writes.at(-1)).toBe('\r\x1b[2K'); // the line is cleared at the end
  });

  test('shows the progress line only when stderr is a terminal', async () => {
    const url = `${BASE}/api/v1/data/run-1`;
    const api = fakeApi({ polls: [running, done] });
    const { stderr } = await cli(['poll', url], { api, tty: { stderr: true } });
    expect(stderr.text).toContain('polling: 2 polls');
  });
});

describe('colour', () => {
  const failing = () =>
    fakeApi({ run: () => json({ completed: true, status: 'FAILED', error_message: 'nope' }) });

  test('colours the error prefix when stderr is a terminal', async () => {
    const { stderr } = await cli(['run', 'Hello'], { api: failing(), tty: { stderr: true } });
    expect(stderr.text).toMatch(ANSI);
  });

  test.each([
    ['NO_COLOR is set', { NO_COLOR: '1' }, true],
    ['stderr is not a terminal', {}, false],
  ])('uses no colour when %s', async (_name, env, tty) => {
    const { stderr } = await cli(['run', 'Hello'], {
      api: failing(),
      tty: { stderr: tty, stdout: tty },
      env: { AIXPLAIN_API_KEY: KEY, AIXPLAIN_BASE_URL: BASE, ...env },
    });
    expect(stderr.text).toBe('aixplain-llm: FAILED: nope\n');
  });

  test('the demo colours its statuses on a terminal, unless NO_COLOR is set', async () => {
    const coloured = await cli(['demo'], { tty: { stdout: true } });
    const plain = await cli(['demo'], { tty: { stdout: true }, env: { NO_COLOR: '1' } });
    expect(coloured.stdout.text).toMatch(ANSI);
    expect(plain.stdout.text).not.toMatch(ANSI);
  });
});
