/**
 * The command line's grammar (src/cli/args.ts): every bad command line exits 2 with one line and
 * sends nothing.
 */
import { describe, expect, test } from 'vitest';
import { BASE, cli } from './harness.js';

describe('bad usage', () => {
  test.each([
    [[], 'missing command'],
    [['frobnicate'], "unknown command 'frobnicate'"],
    [['--frobnicate'], "unknown option '--frobnicate'"],
    [['run'], 'missing TEXT'],
    [['run', '   '], 'missing TEXT'],
    [['run', '--bogus', 'Hello'], "unknown option '--bogus'"],
    [['run', '--model'], "option '--model' needs a value"],
    [['run', '--model', '', 'Hello'], '--model must not be empty'],
    [['run', '--temperature', 'warm', 'Hello'], "--temperature must be a number, got 'warm'"],
    [['run', '--max-tokens', 'many', 'Hello'], "--max-tokens must be a number, got 'many'"],
    // The range is the spec's, checked by the LLM (a ValidationError also exits 2).
    [['run', '--max-tokens', '1.5', 'Hello'], '`maxTokens` must be an integer >= 1'],
    [['run', '--max-tokens', '0', 'Hello'], '`maxTokens` must be an integer >= 1'],
    [['run', '--top-p', '0', 'Hello'], '`topP` must be a finite number > 0 and <= 1'],
    [['run', '--prompt'], "option '--prompt' needs a value"],
    [['run', '--top-p', 'high', 'Hello'], "--top-p must be a number, got 'high'"],
    [['run', '--timeout-ms', '1.5', 'Hello'], "--timeout-ms must be an integer >= 1, got '1.5'"],
    [['run', '--timeout-ms', '0', 'Hello'], "--timeout-ms must be an integer >= 1, got '0'"],
    [['run', '--timeout-ms', '30s', 'Hello'], "--timeout-ms must be a number, got '30s'"],
    [['run', '--header'], "option '--header' needs a value"],
    [['run', '--header', 'X-Trace', 'Hello'], "--header must be NAME=VALUE, with an '='"],
    [['run', '-H', '=abc', 'Hello'], '--header NAME may have only letters, digits and'],
    [['run', '-H', 'X Trace=abc', 'Hello'], '--header NAME may have only letters, digits and'],
    [['run', '-H', 'X-Trace=a\r\nX-Evil: 1', 'Hello'], '--header x-trace must be one line'],
    [['run', '-H', 'X-API-Key=sk-on-the-command-line', 'Hello'], 'x-api-key is refused'],
    [['poll'], 'missing URL'],
    [['poll', 'not-a-url'], "URL must be an absolute URL, got 'not-a-url'"],
    [['poll', `${BASE}/a`, `${BASE}/b`], 'unexpected argument'],
    [['mock', '--port', '70000'], "--port must be an integer from 1 to 65535, got '70000'"],
    [['demo', 'now'], "unexpected argument 'now'"],
  ])('%j exits 2 with one line: %s', async (argv, message) => {
    const { code, stdout, stderr, sent, mock } = await cli(argv);
    expect(code).toBe(2);
    expect(stdout.text).toBe('');
    expect(stderr.text).toContain(message);
    expect(stderr.text.split('\n')).toEqual([expect.stringMatching(/^aixplain-llm: /), '']);
    expect(stderr.text).not.toMatch(/\n\s+at /);
    expect(sent).toHaveLength(0);
    expect(mock.started).toBe(0);
  });

  test('run without an API key exits 2 and suggests --mock', async () => {
    const { code, stderr, sent } = await cli(['run', 'Hello'], { env: { TEAM_API_KEY: '' } });
    expect(code).toBe(2);
    expect(stderr.text).toBe(
      'aixplain-llm: no API key: set AIXPLAIN_API_KEY (or TEAM_API_KEY), or add --mock to run against a local mock\n',
    );
    expect(sent).toHaveLength(0);
  });

  test('a refused --header never echoes its value', async () => {
    const { stderr } = await cli(['run', '-H', 'X-API-Key=sk-on-the-command-line', 'Hello']);
    expect(stderr.text).not.toContain('sk-on-the-command-line');
  });

  test.each([['--top-p=0'], ['--top-p=1.5'], ['--top-p=-1']])(
    '%s, which the model refuses, exits 2 with one line and sends nothing',
    async (flag) => {
      const { code, stderr, sent } = await cli(['run', flag, 'Hello']);
      expect(code).toBe(2);
      expect(stderr.text).toMatch(/^aixplain-llm: .*topP/);
      expect(stderr.text.split('\n')).toHaveLength(2);
      expect(sent).toHaveLength(0);
    },
  );

  test('options the model refuses (a temperature above 2) exit 2 with one line', async () => {
    const { code, stderr, sent } = await cli(['run', '--temperature', '5', 'Hello']);
    expect(code).toBe(2);
    expect(stderr.text).toMatch(/^aixplain-llm: .*temperature/);
    expect(stderr.text.split('\n')).toHaveLength(2);
    expect(sent).toHaveLength(0);
  });
});
