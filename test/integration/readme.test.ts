// The README's examples, run as a new user would run them: the code between the markers,
// importing the built package (dist/), against the mock and the scenario server.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { transform } from 'esbuild';
import { describe, expect, inject, test } from 'vitest';

const ANSWER = 'Hello! How can I help you today?';

const execFileAsync = promisify(execFile);

/** What a README block printed, and how it exited. */
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** `from '<name>'` in a block becomes the built file of that entry point (or the dev dependency). */
function importsOf(): Array<[string, string]> {
  const built = (file: string) => {
    const path = resolve('dist', file);
    if (!existsSync(path)) throw new Error(`dist/${file} is missing: run \`npm run build\` first.`);
    return pathToFileURL(path).href;
  };
  return [
    ['aixplain-llm', built('index.js')],
    ['aixplain-llm/generated', built('generated.js')],
    ['aixplain-llm/ai-sdk', built('ai-sdk.js')],
    ['ai', import.meta.resolve('ai')],
  ];
}

/** Runs the README block between `<!-- name:start -->` and its end marker with `env`. */
async function runExample(name: string, env: Record<string, string>): Promise<string> {
  const { code, stdout, stderr } = await runExampleStatus(name, env);
  if (code !== 0) throw new Error(`${name} exited with ${code}:\n${stderr}`);
  return stdout;
}

/** As runExample, resolving with the exit status and stderr too, whatever the status. */
async function runExampleStatus(name: string, env: Record<string, string>): Promise<Run> {
  const readme = readFileSync('README.md', 'utf8');
  const block = new RegExp(`<!-- ${name}:start -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``).exec(
    readme,
  )?.[1];
  if (block === undefined) throw new Error(`README.md has no ${name} block.`);
  let source = block.replaceAll('http://127.0.0.1:4010', env.EXAMPLE_BASE_URL ?? inject('mockUrl'));
  for (const [from, to] of importsOf())
    source = source.replaceAll(`from '${from}'`, `from '${to}'`);
  const { code } = await transform(source, { loader: 'ts', format: 'esm' });
  const dir = mkdtempSync(join(tmpdir(), 'aixplain-readme-'));
  try {
    const file = join(dir, 'example.mjs');
    writeFileSync(file, code);
    // A new user has no key, model or base URL in the environment.
    const { AIXPLAIN_API_KEY, AIXPLAIN_BASE_URL, AIXPLAIN_MODEL_ID, TEAM_API_KEY, ...clean } =
      process.env;
    try {
      const { stdout, stderr } = await execFileAsync(process.execPath, [file], {
        env: { ...clean, ...env },
        timeout: 20_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: unknown; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('README', () => {
  test('the quick-start example prints SUCCESS for the run, the async run and the stream', async () => {
    const stdout = await runExample('readme-example', {});
    expect(stdout.match(/SUCCESS/g)).toHaveLength(3);
    expect(stdout).toContain('Hello world');
  });

  test('the streaming example shows tokens arriving one by one in the stream scenario of the mock', async () => {
    const stdout = await runExample('readme-stream-example', {
      AIXPLAIN_MODEL_ID: `stream-x${randomUUID().slice(0, 8)}`,
      AIXPLAIN_BASE_URL: inject('mockUrl'),
    });
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toBe('SUCCESS');
    const tokens = lines.slice(0, -1).map((line) => /^(\d+) ms (.*)$/.exec(line));
    expect(tokens.map((m) => JSON.parse(m?.[2] ?? 'null'))).toEqual([
      'Hel',
      'lo',
      ' wörld',
      ' 👋',
      '!',
    ]);
    const times = tokens.map((m) => Number(m?.[1]));
    // The scenario writes a token about every 15 ms: a stream delivered in one piece would show
    // one arrival time for all of them.
    expect(new Set(times).size).toBeGreaterThanOrEqual(3);
  });

  test('the throwOnError example rethrows what it does not handle (here a ConnectionError)', async () => {
    const run = await runExampleStatus('readme-throw-example', {
      AIXPLAIN_API_KEY: 'readme-key-0123456789',
      AIXPLAIN_BASE_URL: await closedPortUrl(),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/ConnectionError/);
  });

  test('the throwOnError example succeeds quietly against the mock', async () => {
    const run = await runExampleStatus('readme-throw-example', {
      AIXPLAIN_API_KEY: 'readme-key-0123456789',
      AIXPLAIN_BASE_URL: inject('mockUrl'),
    });
    expect(run).toMatchObject({ code: 0, stdout: '' });
  });

  test('the generated-client example prints the status and the answer from the mock', async () => {
    const stdout = await runExample('readme-generated-example', {});
    expect(stdout).toBe(`200 ${ANSWER}\n`);
  });

  test('the generated-client example takes its error branch on a network error, no TypeError', async () => {
    const run = await runExampleStatus('readme-generated-example', {
      EXAMPLE_BASE_URL: await closedPortUrl(),
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/^failed: no answer /);
    expect(run.stderr).not.toMatch(/TypeError: Cannot read/);
  });

  test('the AI SDK example generates and streams against the mock', async () => {
    const stdout = await runExample('readme-ai-sdk-example', {});
    const [generated, streamed] = stdout.trimEnd().split('\n');
    // The text, then the total tokens when the answer reports usage.
    expect(generated).toMatch(/^Hello! How can I help you today\? (\d+|undefined)$/);
    expect(streamed).toBe('Hello world');
  });
});

/** The URL of a loopback port that nothing listens on (it was free a moment ago). */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
