// Regenerates the client into a temporary folder and fails on any difference with generated/.
// generated/ is written only by `npm run generate`; this keeps it in step with openapi/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const require = createRequire(import.meta.url);
const bin = join(require.resolve('@hey-api/openapi-ts/package.json'), '..', 'bin', 'run.js');
const out = mkdtempSync(join(tmpdir(), 'aixplain-generated-'));

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

try {
  execFileSync(process.execPath, [bin], {
    env: { ...process.env, AIXPLAIN_GENERATE_OUT: out },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const fresh = new Set(files(out).map((f) => relative(out, f)));
  const committed = new Set(files('generated').map((f) => relative('generated', f)));
  const problems = [];
  for (const f of fresh) {
    if (!committed.has(f)) problems.push(`missing from generated/: ${f}`);
    else if (readFileSync(join(out, f), 'utf8') !== readFileSync(join('generated', f), 'utf8'))
      problems.push(`differs from a fresh generation: generated/${f}`);
  }
  for (const f of committed)
    if (!fresh.has(f)) problems.push(`not generated any more: generated/${f}`);
  if (problems.length > 0) {
    console.error(`generated/ is out of step with openapi/:\n  ${problems.join('\n  ')}`);
    console.error('Run `npm run generate` and commit the result.');
    process.exit(1);
  }
  console.log(`generated/ matches openapi/ (${fresh.size} files)`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
