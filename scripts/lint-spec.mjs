/**
 * `npm run lint:spec`: Redocly's recommended rules on the spec, as `redocly lint` gives them,
 * without Redocly's Node 20 banner.
 *
 * @redocly/cli 2.x prints a boxed "Node.js 20 support is ending" notice on every run under
 * Node 20, on stderr, with no flag or setting to turn it off; this package supports Node 20, so
 * the box is noise in every `npm test`. Only that box is dropped: every other line (the lint
 * results, real warnings and errors) passes through as it is, and the exit status is Redocly's.
 * Telemetry is off (REDOCLY_TELEMETRY=off).
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const manifest = require.resolve('@redocly/cli/package.json');
const { bin } = require(manifest);
const cli = join(dirname(manifest), typeof bin === 'string' ? bin : bin.redocly);

const child = spawn(process.execPath, [cli, 'lint', ...process.argv.slice(2)], {
  env: { ...process.env, REDOCLY_TELEMETRY: 'off' },
  stdio: ['ignore', 'inherit', 'pipe'],
});

let stderr = '';
child.stderr.setEncoding('utf8');
child.stderr.on('data', (text) => {
  stderr += text;
});
child.on('close', (code, signal) => {
  process.stderr.write(withoutNode20Banner(stderr));
  process.exitCode = code ?? (signal ? 1 : 0);
});

/** `text` without the box (and the blank lines around it) that announces the end of Node 20. */
function withoutNode20Banner(text) {
  return text.replace(/\n*[ \t]*╔[^╚]*Node\.js 20 support is ending[^╚]*╚[^\n]*\n\n?/, '');
}
