/**
 * The input of `run` from stdin (src/cli/input.ts): `run -`, or `run` without TEXT when stdin is
 * not a terminal.
 */
import { describe, expect, test } from 'vitest';
import { readInput } from '../../src/cli/input.js';
import { cli, fakeMock, silentStdin, stdinOf } from './harness.js';

describe('aixplain-llm run reading stdin', () => {
  test('`run -` sends what stdin holds, without the newline at its end', async () => {
    const { code, sent } = await cli(['run', '-'], { stdin: stdinOf(['Hello from a pipe\n']) });
    expect(code).toBe(0);
    expect(sent[0]?.body?.data).toBe('Hello from a pipe');
  });

  test('`run` without TEXT reads stdin when it is not a terminal', async () => {
    const { code, sent } = await cli(['run', '--context', 'Be terse.'], {
      stdin: stdinOf(['line 1\n', 'line 2\r\n\n']),
    });
    expect(code).toBe(0);
    expect(sent[0]?.body).toMatchObject({ data: 'line 1\nline 2', context: 'Be terse.' });
  });

  test('`run -` reads stdin even when it is a terminal (until end of file)', async () => {
    const { code, sent } = await cli(['run', '-'], { stdin: stdinOf(['typed\n'], true) });
    expect(code).toBe(0);
    expect(sent[0]?.body?.data).toBe('typed');
  });

  test('`run` without TEXT does not wait for a terminal: exit 2, nothing sent', async () => {
    const stdin = silentStdin(true);
    const { code, stderr, sent } = await cli(['run'], { stdin });
    expect(code).toBe(2);
    expect(stderr.text).toBe(
      'aixplain-llm: missing TEXT: aixplain-llm run [options] TEXT (or - to read it from stdin)\n',
    );
    expect(sent).toHaveLength(0);
  });

  test('a TEXT with words besides - is sent as it is', async () => {
    const { sent } = await cli(['run', 'a', '-', 'b'], { stdin: stdinOf(['unused']) });
    expect(sent[0]?.body?.data).toBe('a - b');
  });

  test.each([
    ['empty', []],
    ['only blank lines', ['\n', '  \n']],
  ])('stdin that is %s exits 2 before the mock starts', async (_name, chunks) => {
    const mock = fakeMock();
    const { code, stderr, sent } = await cli(['run', '--mock', '-'], {
      stdin: stdinOf(chunks),
      mock,
      env: {},
    });
    expect(code).toBe(2);
    expect(stderr.text).toBe('aixplain-llm: missing TEXT: stdin was empty\n');
    expect(sent).toHaveLength(0);
    expect(mock.calls.started).toBe(0);
  });

  test('Ctrl-C while stdin sends nothing exits 130, lets go of stdin and sends nothing', async () => {
    const controller = new AbortController();
    const stdin = silentStdin();
    const running = cli(['run', '-'], { stdin, signal: controller.signal });
    setTimeout(() => controller.abort(), 0);
    const { code, stderr, sent } = await running;
    expect(code).toBe(130);
    expect(stderr.text).toBe('aixplain-llm: interrupted\n');
    expect(sent).toHaveLength(0);
    expect(stdin.returned()).toBe(true);
  });
});

describe('readInput', () => {
  test('decodes UTF-8 split anywhere, even inside a character', async () => {
    const bytes = new TextEncoder().encode('héllo 👋 wörld');
    const chunks = Array.from(bytes, (byte) => Uint8Array.of(byte));
    expect(await readInput(stdinOf(chunks))).toBe('héllo 👋 wörld');
  });

  test('keeps leading blanks and inner newlines, drops only the line breaks at the end', async () => {
    expect(await readInput(stdinOf(['  indented\n\nnext  \r\n\r\n']))).toBe('  indented\n\nnext  ');
  });

  test('rejects at once with an AbortError when the signal has already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(readInput(silentStdin(), controller.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
  });
});
