/**
 * Reads environment variables where the runtime has them (Node, Bun, Deno with `process`), and
 * nothing elsewhere (browsers, most edge workers). Called when an `LLM` is constructed, never at
 * import, and only for fallbacks. An empty variable counts as unset.
 */
export function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env;
  const value = env?.[name];
  return value === undefined || value === '' ? undefined : value;
}
