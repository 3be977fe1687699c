/**
 * The `run`, `poll` and `mock` commands (src/cli/commands.ts), through main().
 */
import { describe, expect, test, vi } from 'vitest';
import {
  ANSWER,
  BASE,
  cli,
  done,
  fakeApi,
  fakeMock,
  json,
  KEY,
  MOCK,
  running,
  TOKENS,
} from './harness.js';

describe('aixplain-llm run', () => {
  test('prints the answer on stdout and exits 0 on SUCCESS', async () => {
    const { code, stdout, stderr } = await cli(['run', 'Hello']);
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(stderr.text).toBe('');
  });

  test('sends --model, --context, --temperature and --max-tokens to the model', async () => {
    const { sent } = await cli([
      'run',
      '--model',
      'my-model',
      '--context',
      'Be terse.',
      '--temperature',
      '0.5',
      '--max-tokens',
      '32',
      'Hello',
      'there',
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe(`${BASE}/api/v2/execute/my-model`);
    expect(sent[0]?.body).toMatchObject({
      data: 'Hello there',
      context: 'Be terse.',
      temperature: 0.5,
      max_tokens: 32,
    });
  });

  test('prints the whole ModelResponse as JSON with --json', async () => {
    const { code, stdout } = await cli(['run', '--json', 'Hello']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text)).toMatchObject({
      status: 'SUCCESS',
      data: ANSWER,
      completed: true,
      usedCredits: 0.0002,
      runTime: 1.5,
      errorMessage: '',
    });
  });

  test('prints each token as it arrives with --stream, then a newline', async () => {
    const { code, stdout, sent } = await cli(['run', '--stream', 'Hello']);
    expect(code).toBe(0);
    expect(stdout.writes).toEqual(['Hel', 'lo', ' world', '\n']);
    expect(sent[0]?.headers.get('accept')).toContain('text/event-stream');
  });

  test('prints one JSON line per chunk with --stream --json', async () => {
    const { code, stdout } = await cli(['run', '-s', '--json', 'Hello']);
    expect(code).toBe(0);
    const lines = stdout.text.trimEnd().split('\n');
    // The token chunks, then the line of the outcome.
    expect(lines.slice(0, -1).map((line) => JSON.parse(line).data)).toEqual([
      'Hel',
      'lo',
      ' world',
    ]);
    expect(JSON.parse(lines.at(-1) ?? '')).toEqual({ status: 'SUCCESS', completed: true });
  });

  test.each([
    ['the stream is cut before [DONE]', TOKENS.slice(0, 2), /./],
    [
      'an error event arrives',
      [TOKENS[0] ?? '', 'event: error\ndata: {"error":"Supplier overloaded"}\n\n'],
      /Supplier overloaded/,
    ],
  ])(
    'with --stream --json, ends with one FAILED line with the errorMessage when %s',
    async (_name, sse, message) => {
      const api = fakeApi({ sse });
      const { code, stdout, stderr } = await cli(['run', '--stream', '--json', 'Hello'], { api });
      expect(code).toBe(1);
      const lines = stdout.text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.slice(0, -1).every((line) => line.status === 'IN_PROGRESS')).toBe(true);
      const last = lines.at(-1);
      expect(last).toMatchObject({
        status: 'FAILED',
        errorMessage: expect.stringMatching(message),
      });
      expect(lines.filter((line) => line.status !== 'IN_PROGRESS')).toHaveLength(1);
      expect(stderr.text).toBe(`aixplain-llm: FAILED: ${last.errorMessage}\n`);
    },
  );

  test('with --stream --json, a refused stream (401) is one FAILED line', async () => {
    const api = fakeApi();
    const fetch401: typeof globalThis.fetch = async (input, init) => {
      await api.fetch(input, init);
      return json({ error: 'bad key' }, 401);
    };
    const { code, stdout } = await cli(['run', '-s', '--json', 'Hello'], {
      api: { ...api, fetch: fetch401 },
    });
    expect(code).toBe(1);
    const lines = stdout.text.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      status: 'FAILED',
      errorMessage: expect.stringMatching(/^Unauthorized API key/),
    });
  });

  test('sends --prompt, --top-p and each --header (the last of a name wins)', async () => {
    const { code, sent } = await cli([
      'run',
      '--prompt',
      'Answer in French: {{data}}',
      '--top-p',
      '0.9',
      '-H',
      'X-Trace=one',
      '--header',
      'x-trace=two',
      '--header',
      'X-Team = blue = green',
      '--header',
      'X-Empty=',
      'Hello',
    ]);
    expect(code).toBe(0);
    expect(sent[0]?.body).toMatchObject({
      data: 'Hello',
      prompt: 'Answer in French: {{data}}',
      top_p: 0.9,
    });
    expect(sent[0]?.headers.get('x-trace')).toBe('two');
    expect(sent[0]?.headers.get('x-team')).toBe('blue = green');
    expect(sent[0]?.headers.get('x-empty')).toBe('');
    expect(sent[0]?.headers.get('x-api-key')).toBe(KEY);
  });

  test('sends the --header on every poll of a run that went asynchronous', async () => {
    const api = fakeApi({
      run: () => json({ status: 'IN_PROGRESS', data: `${BASE}/api/v1/data/run-1` }),
      polls: [running, done],
    });
    const { code, sent } = await cli(['run', '-H', 'X-Trace=abc', 'Hello'], { api });
    expect(code).toBe(0);
    expect(sent.map((r) => `${r.method} ${r.headers.get('x-trace')}`)).toEqual([
      'POST abc',
      'GET abc',
      'GET abc',
    ]);
  });

  test.each([
    ['a run', []],
    ['a stream', ['--stream']],
  ])('--timeout-ms ends %s that gets no answer, exit 1', async (_name, flags) => {
    // A service that never answers: only the deadline can end the run.
    const hanging: typeof globalThis.fetch = (input, init) => {
      const { signal } = new Request(input, init);
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    };
    const { code, stdout, stderr } = await cli(['run', ...flags, '--timeout-ms', '30', 'Hello'], {
      api: { fetch: hanging, sent: [] },
    });
    expect(code).toBe(1);
    expect(stdout.text.trim()).toBe('');
    expect(stderr.text).toMatch(/^aixplain-llm: FAILED: .*30 ms/);
  });

  test('exits 1 and prints the errorMessage on stderr when the run FAILED', async () => {
    const api = fakeApi({
      run: () =>
        json({ completed: true, status: 'FAILED', error_message: 'The model could not answer.' }),
    });
    const { code, stdout, stderr } = await cli(['run', 'Hello'], { api });
    expect(code).toBe(1);
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('aixplain-llm: FAILED: The model could not answer.\n');
  });

  test('exits 1 with the error on stderr when the service answers 401', async () => {
    const api = fakeApi({ run: () => json({ error: 'bad key' }, 401) });
    const { code, stderr } = await cli(['run', 'Hello'], { api });
    expect(code).toBe(1);
    expect(stderr.text).toMatch(/^aixplain-llm: FAILED: Unauthorized API key/);
    expect(stderr.text.split('\n')).toHaveLength(2);
  });

  test('exits 1 when the stream ends before [DONE]', async () => {
    const api = fakeApi({ sse: TOKENS.slice(0, 2) });
    const { code, stdout, stderr } = await cli(['run', '--stream', 'Hello'], { api });
    expect(code).toBe(1);
    expect(stdout.text).toBe('Hello\n');
    expect(stderr.text).toMatch(/^aixplain-llm: FAILED: /);
  });

  test('polls a run that turned asynchronous and prints the final answer', async () => {
    const api = fakeApi({
      run: () => json({ status: 'IN_PROGRESS', data: `${BASE}/api/v1/data/run-1` }),
      polls: [running, done],
    });
    const { code, stdout, stderr } = await cli(['run', 'Hello'], { api });
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(stderr.text).toBe('');
    expect(api.sent.map((r) => r.method)).toEqual(['POST', 'GET', 'GET']);
  });
});

describe('aixplain-llm poll', () => {
  const url = `${BASE}/api/v1/data/run-1`;

  test('polls until the run finishes and prints its text', async () => {
    const api = fakeApi({ polls: [running, running, done] });
    const { code, stdout, stderr, sent } = await cli(['poll', url], { api });
    expect(code).toBe(0);
    expect(stdout.text).toBe(`${ANSWER}\n`);
    expect(stderr.text).toBe('');
    expect(sent.map((r) => `${r.method} ${r.url}`)).toEqual(Array(3).fill(`GET ${url}`));
  });

  test('prints the response as JSON with --json', async () => {
    const { code, stdout } = await cli(['poll', '--json', url]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout.text)).toMatchObject({ status: 'SUCCESS', data: ANSWER, url });
  });

  test('exits 1 with the errorMessage when the run FAILED', async () => {
    const api = fakeApi({
      polls: [
        () => json({ completed: true, status: 'FAILED', error_message: 'Some error occurred' }),
      ],
    });
    const { code, stdout, stderr } = await cli(['poll', url], { api });
    expect(code).toBe(1);
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('aixplain-llm: FAILED: Some error occurred\n');
  });

  test('refuses a URL on another origin, sending nothing', async () => {
    const { code, stderr, sent } = await cli(['poll', 'https://evil.example/api/v1/data/x']);
    expect(code).toBe(2);
    expect(stderr.text).toBe(
      `aixplain-llm: refused to send the API key to https://evil.example: the poll URL must be on ${BASE} (set AIXPLAIN_BASE_URL to poll another service)\n`,
    );
    expect(sent).toHaveLength(0);
  });
});

describe('aixplain-llm mock', () => {
  test('serves on port 4010 until interrupted, then stops the mock and exits 0', async () => {
    const controller = new AbortController();
    const mock = fakeMock();
    const running = cli(['mock'], { mock, signal: controller.signal });
    await vi.waitFor(() => expect(mock.calls.started).toBe(1));
    expect(mock.calls.closed).toBe(0);
    controller.abort();
    const { code, stdout } = await running;
    expect(code).toBe(0);
    expect(stdout.text).toContain(`listening on ${MOCK}`);
    expect(mock.calls).toMatchObject({ closed: 1, options: [{ port: 4010 }] });
  });

  test('--port chooses the port', async () => {
    const controller = new AbortController();
    controller.abort();
    const mock = fakeMock();
    const { code } = await cli(['mock', '--port', '4321'], { mock, signal: controller.signal });
    expect(code).toBe(0);
    expect(mock.calls.options).toEqual([{ port: 4321 }]);
  });
});
