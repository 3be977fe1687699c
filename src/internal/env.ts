/**
 * Reads environment variables where the runtime has them (Node, Bun, Deno with `process`), and
 * nothing elsewhere (browsers, most edge workers). Called when an `LLM` is constructed, never at
 * import, and only for fallbacks. An empty variable counts as unset, and so does one the runtime
 * refuses to show: Deno without `--allow-env` throws `NotCapable` on `process.env.X`, and a
 * fallback must not turn into a crash; `envDeniedNote()` then says why in the error.
 */
export function readEnv(name: string): string | undefined {
  return read(name) || undefined;
}

/**
 * A sentence for the error about a missing setting: empty unless reading `name` was refused,
 * and then naming the flag that grants it.
 */
export function envDeniedNote(name: string): string {
  return read(name) === undefined
    ? ' The environment could not be read: under Deno, run with --allow-env.'
    : '';
}

/** The variable's value, `""` when it is unset, `undefined` when the runtime refused to read it. */
function read(name: string): string | undefined {
  try {
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
      ?.env;
    return env?.[name] ?? '';
  } catch {
    return undefined;
  }
}
