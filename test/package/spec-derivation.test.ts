/**
 * The spec is the only source of the limits the facade checks: in a temporary copy of the
 * project, the spec is changed (`max_tokens.minimum` 5, the temperature's maximum 1, a history
 * role `developer`), `npm run generate`'s generator rewrites generated/, the facade is rebuilt
 * from the copy, and the rebuilt facade follows the changed spec without a line of src/ changed.
 *
 * It takes a few seconds (the generator and a bundle), so it runs in the "package" project.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseDocument } from 'yaml';
import type * as Facade from '../../src/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const SPEC = 'openapi/aixplain-models.yaml';

let dir: string;
let changed: typeof Facade;
let original: typeof Facade;

/** Bundles `src/index.ts` of `project` into one ESM file and imports it. */
async function bundleFacade(project: string, name: string): Promise<typeof Facade> {
  const outfile = join(dir, `${name}.mjs`);
  await build({
    entryPoints: [join(project, 'src/index.ts')],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    outfile,
    logLevel: 'silent',
  });
  return (await import(pathToFileURL(outfile).href)) as typeof Facade;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'aixplain-derivation-'));
  const copy = join(dir, 'project');
  for (const part of ['openapi', 'src', 'package.json', 'openapi-ts.config.ts', 'tsconfig.json']) {
    cpSync(join(root, part), join(copy, part), { recursive: true });
  }
  symlinkSync(join(root, 'node_modules'), join(copy, 'node_modules'), 'dir');

  const spec = parseDocument(readFileSync(join(copy, SPEC), 'utf8'));
  const request = ['components', 'schemas', 'ExecuteRequest', 'properties'];
  spec.setIn([...request, 'max_tokens', 'minimum'], 5);
  spec.setIn([...request, 'temperature', 'maximum'], 1);
  const roles = spec.getIn(['components', 'schemas', 'ChatRole', 'enum']) as {
    add(v: string): void;
  };
  roles.add('developer');
  writeFileSync(join(copy, SPEC), spec.toString());

  const generator = join(root, 'node_modules/@hey-api/openapi-ts/bin/run.js');
  const run = spawnSync(process.execPath, [generator], { cwd: copy, encoding: 'utf8' });
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  expect(readFileSync(join(copy, 'generated/schemas.gen.ts'), 'utf8')).toContain("'developer'");

  changed = await bundleFacade(copy, 'changed');
  original = await bundleFacade(root, 'original');
}, 120_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** An LLM of `facade` whose fetch counts requests and answers SUCCESS. */
function llmOf(facade: typeof Facade) {
  const sent: unknown[] = [];
  const fetch = (async (_url: string, init: RequestInit) => {
    sent.push(JSON.parse(String(init.body)));
    return new Response('{"completed":true,"status":"SUCCESS","data":"ok"}', {
      headers: { 'content-type': 'application/json' },
    });
  }) as typeof globalThis.fetch;
  return {
    llm: new facade.LLM({ id: 'm', apiKey: 'k', baseUrl: 'https://models.test', fetch }),
    sent,
  };
}

describe('after the spec changes and generated/ is regenerated, the rebuilt facade', () => {
  test('refuses maxTokens 3 (below the new minimum 5) before any request', async () => {
    const { llm, sent } = llmOf(changed);
    await expect(llm.run('x', { maxTokens: 3 })).rejects.toBeInstanceOf(changed.ValidationError);
    await expect(llm.run('x', { maxTokens: 3 })).rejects.toThrow('an integer >= 5');
    await expect(llm.run('x', { parameters: { max_tokens: 4 } })).rejects.toThrow('>= 5');
    expect(sent).toEqual([]);
    await expect(llm.run('x', { maxTokens: 5 })).resolves.toMatchObject({ status: 'SUCCESS' });
  });

  test('refuses temperature 1.5 (above the new maximum 1) before any request', async () => {
    const { llm, sent } = llmOf(changed);
    await expect(llm.run('x', { temperature: 1.5 })).rejects.toBeInstanceOf(
      changed.ValidationError,
    );
    expect(() => new changed.LLM({ id: 'm', apiKey: 'k', temperature: 1.5 })).toThrow(
      changed.ValidationError,
    );
    expect(sent).toEqual([]);
  });

  test('accepts a history message with the new role developer, and sends it', async () => {
    const { llm, sent } = llmOf(changed);
    const history = [{ role: 'developer', content: 'Be terse.' }];
    await expect(llm.run('x', { history: history as never })).resolves.toMatchObject({
      status: 'SUCCESS',
    });
    expect(sent).toEqual([expect.objectContaining({ history })]);
  });

  test('the unchanged facade, built the same way, behaves the other way round', async () => {
    const { llm } = llmOf(original);
    await expect(llm.run('x', { maxTokens: 3 })).resolves.toMatchObject({ status: 'SUCCESS' });
    await expect(llm.run('x', { temperature: 1.5 })).resolves.toMatchObject({ status: 'SUCCESS' });
    await expect(
      llm.run('x', { history: [{ role: 'developer', content: 'x' }] as never }),
    ).rejects.toBeInstanceOf(original.ValidationError);
  });
});
