/**
 * `startMock` never leaves a Prism process behind, however the process that started it ends:
 * `close()`, `process.exit`, SIGINT, SIGTERM, and SIGKILL (no listener runs at all). Each case
 * runs the built `dist/testing.js` (what users get; `npm test` builds it first) in a child
 * process, finds that child's Prism processes with `ps`, ends the child, and waits until `ps`
 * shows none of them alive.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, test } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/testing.js', import.meta.url));

// startMock runs two Prism processes, startProxy one: the cases that end the process use the
// lighter one (the same launcher), so that five of them can start at once on a small machine.
const SCRIPT = `
import { startMock, startProxy } from ${JSON.stringify(DIST)};
const how = process.argv[1];
const mock = how === 'close' ? await startMock() : await startProxy({ upstream: 'http://127.0.0.1:9' });
console.log(JSON.stringify({ url: mock.url }));
// Act once the parent has listed the Prism processes (it writes a line).
process.stdin.once('data', async () => {
  if (how === 'close') { await mock.close(); process.stdin.destroy(); }
  else if (how === 'exit') process.exit(0);
});
`;

/** The PIDs of `parent`'s child processes that are alive (not zombies). */
function liveChildren(parent: number): number[] {
  const { stdout } = spawnSync('ps', ['-o', 'pid=,stat=', '--ppid', String(parent)], {
    encoding: 'utf8',
  });
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, stat]) => pid !== undefined && pid !== '' && !stat?.startsWith('Z'))
    .map(([pid]) => Number(pid));
}

function isAlive(pid: number): boolean {
  const { stdout } = spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' });
  const stat = stdout.trim();
  return stat !== '' && !stat.startsWith('Z');
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) return line;
  throw new Error('the child printed nothing');
}

describe('startMock leaves no Prism process behind', () => {
  test.concurrent.for([
    ['close() is called', 'close'],
    ['the process calls process.exit()', 'exit'],
    ['the process gets SIGINT', 'SIGINT'],
    ['the process gets SIGTERM', 'SIGTERM'],
    ['the process is killed (SIGKILL)', 'SIGKILL'],
  ] as const)('when %s', { timeout: 90_000 }, async ([, how], { expect }) => {
    if (!existsSync(DIST))
      throw new Error('dist/testing.js is missing: run `npm run build` first.');
    const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT, how], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const exited = new Promise((done) => child.once('exit', done));
    try {
      const { url } = JSON.parse(await firstLine(child)) as { url: string };
      const prisms = liveChildren(child.pid as number);
      expect(prisms).toHaveLength(how === 'close' ? 2 : 1);
      expect((await fetch(`${url}/__aixplain/violations`)).status).toBe(200);

      if (how.startsWith('SIG')) child.kill(how as NodeJS.Signals);
      else child.stdin?.write('go\n');
      await exited;
      await expect
        .poll(() => prisms.filter(isAlive), { timeout: 15_000, interval: 100 })
        .toEqual([]);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
