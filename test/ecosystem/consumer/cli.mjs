// Node, Bun and Deno: `<runtime> cli.mjs '<config JSON>'` prints the checks' result as JSON.
import { runChecks } from './scenario.mjs';

const args = globalThis.Deno?.args ?? globalThis.process.argv.slice(2);
console.log(JSON.stringify(await runChecks(JSON.parse(args[0]))));
