/**
 * The API reference (`npm run docs`, TypeDoc with typedoc.json): it converts with no warning at
 * all, notDocumented included; the README is its landing page; the modules carry the names users
 * import; and every public class and option type shows an `@example`.
 *
 * It converts and validates through TypeDoc's API with the same options file, without writing
 * the HTML (what `npm run docs` adds after validation). About 10 s on the 2-core CI machine.
 */
import { readFileSync } from 'node:fs';
import {
  Application,
  type DeclarationReflection,
  LogLevel,
  type ProjectReflection,
  ReflectionKind,
} from 'typedoc';
import { beforeAll, describe, expect, test } from 'vitest';

const messages: Array<{ level: string; message: string }> = [];
let app: Application;
let project: ProjectReflection;

beforeAll(async () => {
  app = await Application.bootstrapWithPlugins({
    options: 'typedoc.json',
    // tsc --noEmit checks the types already; TypeDoc need not check them again.
    skipErrorChecking: true,
    // Warnings and errors are what this file checks; "Loaded plugin" is noise in npm test.
    logLevel: 'Warn',
  });
  app.logger.log = (message, level) => {
    messages.push({ level: LogLevel[level], message: String(message) });
  };
  const converted = await app.convert();
  if (converted === undefined)
    throw new Error(`TypeDoc did not convert:\n${JSON.stringify(messages)}`);
  project = converted;
  app.validate(project);
}, 120_000);

const problems = () =>
  messages.filter(({ level }) => level === 'Warn' || level === 'Error').map((m) => m.message);

describe('npm run docs', () => {
  test('validates notExported, invalidLink and notDocumented', () => {
    expect(app.options.getValue('validation')).toMatchObject({
      notExported: true,
      invalidLink: true,
      notDocumented: true,
    });
  });

  test('reports no warning and no error', () => {
    expect(problems()).toEqual([]);
  });

  test('documents the four entry points under the names users import', () => {
    expect(project.name).toBe('aixplain-llm');
    expect(project.children?.map((module) => module.name)).toEqual([
      'aixplain-llm',
      'aixplain-llm/ai-sdk',
      'aixplain-llm/generated',
      'aixplain-llm/testing',
    ]);
    const generated = project.getChildByName('aixplain-llm/generated');
    for (const name of ['createClient', 'executeModel', 'pollRun', 'zRunResult']) {
      expect(generated?.getChildByName(name), name).toBeDefined();
    }
  });

  test('has the README as its landing page', () => {
    const readme = readFileSync('README.md', 'utf8');
    const landing = (project.readme ?? []).map((part) => part.text).join('');
    expect(landing).toContain('# aixplain-llm');
    expect(landing.length).toBeGreaterThan(readme.length / 2);
  });

  test('waives the spec-documented code of generated/ only, never a module of src/', () => {
    const waived = [
      ...app.options.getValue('intentionallyNotDocumented'),
      ...app.options.getValue('intentionallyNotExported'),
    ];
    for (const name of waived) expect(name).toMatch(/^(aixplain-llm\/generated\.|generated\/)/);
  });

  test('shows an @example on every public class and option type', () => {
    const missing: string[] = [];
    for (const module of ['aixplain-llm', 'aixplain-llm/ai-sdk']) {
      const children = (project.getChildByName(module) as DeclarationReflection).children ?? [];
      for (const child of children) {
        const isOptions =
          child.kindOf(ReflectionKind.Interface | ReflectionKind.TypeAlias) &&
          /(Options|Settings|Init)$/.test(child.name);
        if (!child.kindOf(ReflectionKind.Class) && !isOptions) continue;
        if (!child.comment?.getTag('@example')) missing.push(`${module}.${child.name}`);
      }
    }
    expect(missing).toEqual([]);
  });

  test("shows an @example on each of the streamer's helpers", () => {
    const streamer = project.getChildByName([
      'aixplain-llm',
      'ModelResponseStreamer',
    ]) as DeclarationReflection;
    for (const name of ['text', 'tee', 'toReadableStream', '[asyncIterator]']) {
      const method = streamer.getChildByName(name) as DeclarationReflection | undefined;
      const comment = method?.signatures?.[0]?.comment ?? method?.comment;
      expect(comment?.getTag('@example'), name).toBeDefined();
    }
  });
});
