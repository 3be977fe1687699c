/**
 * The reliability project's globalSetup: a folder where the suites append their figures, and at
 * the end a summary on the console. After a full run (`RELIABILITY_SIZE=full`, as
 * `npm run test:reliability` sets it) the figures are written to docs/reliability.md.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { renderReport } from './report.js';

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'aixplain-llm-reliability-'));
  project.provide('reliabilityResults', dir);
  return () => {
    let lines: string[] = [];
    try {
      lines = readFileSync(join(dir, 'results.jsonl'), 'utf8').split('\n').filter(Boolean);
    } catch {
      // No suite recorded anything (a filtered run).
    }
    rmSync(dir, { recursive: true, force: true });
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const { markdown, summary } = renderReport(records);
    console.log(`\n${summary}\n`);
    if (process.env.RELIABILITY_SIZE === 'full' && process.env.RELIABILITY_WRITE_DOC !== '0') {
      mkdirSync(new URL('../../docs/', import.meta.url), { recursive: true });
      writeFileSync(new URL('../../docs/reliability.md', import.meta.url), markdown);
      console.log('Figures written to docs/reliability.md.');
    }
  };
}
