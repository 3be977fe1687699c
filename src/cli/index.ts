/**
 * The `aixplain-llm` executable (package.json `bin`, built to dist/cli.js with a
 * `#!/usr/bin/env node` banner). Only the process wiring lives here; the logic is main().
 *
 * Ctrl-C aborts the command, which stops the run and the mock and exits 130; a second Ctrl-C
 * exits at once (the mock's Prism processes are killed when this process exits).
 */
import { isatty } from 'node:tty';
import { EXIT_INTERRUPTED, main } from './main.js';

const controller = new AbortController();
const interrupt = () => {
  if (controller.signal.aborted) process.exit(EXIT_INTERRUPTED);
  controller.abort();
};
process.on('SIGINT', interrupt);
process.on('SIGTERM', interrupt);

// `aixplain-llm run ... | head -1`: a closed pipe is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // process.stdin is created only when read: a run with TEXT never touches it.
  stdin: { isTTY: isatty(0), [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
  env: process.env,
  signal: controller.signal,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // main() turns every failure into a status; this is the last resort.
    process.stderr.write(`aixplain-llm: ${error instanceof Error ? error.message : error}\n`);
    process.exitCode = 1;
  },
);
