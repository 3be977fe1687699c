/**
 * A few lines of option checking, for what a JSON Schema cannot say (a function, an
 * AbortSignal, a header that can be sent, a body that survives JSON); the type and range checks
 * are JSON Schemas (internal/schema.ts). Hand-written rather than zod: with zod in the import
 * graph, `import { LLM }` weighed 21.6 KB gzipped. A check returns the problem, or `undefined`.
 */
export type Check = (value: unknown) => string | undefined;

/** One problem: the option's path and what is wrong with it. */
export interface Issue {
  path: string;
  message: string;
}

const when =
  (ok: (value: unknown) => boolean, message: string): Check =>
  (value) =>
    ok(value) ? undefined : message;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * `object[key]` when `key` is the object's own (never a lookup on the prototype chain: a key
 * named `__proto__` or `constructor` finds nothing that was not set), else `undefined`.
 */
export const own = <T>(
  object: Readonly<Record<string, T>> | undefined,
  key: string,
): T | undefined => (object !== undefined && Object.hasOwn(object, key) ? object[key] : undefined);

/**
 * A finite number given as a number or as a numeric string (`"0.0002"`, `" 1.5 "`), else
 * `undefined`. An empty or blank string is not a number (Number('') would say 0).
 */
export function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

export const nonEmptyString = when(
  (v) => typeof v === 'string' && v !== '',
  'must be a non-empty string',
);
export const func = when((v) => typeof v === 'function', 'must be a function');
/** Why `name: value` cannot be sent as an HTTP header, or `undefined` when it can. */
export function headerProblem(name: string, value: string): string | undefined {
  try {
    new Headers([[name, value]]);
    return undefined;
  } catch {
    return /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)
      ? `has a value that cannot be sent in an HTTP header (Latin-1 only, no line breaks): "${name}"`
      : `has a name that is not an HTTP header name: "${name}"`;
  }
}

/**
 * Why `value` would not survive `JSON.stringify` as it is, with the path of the first offender,
 * or `undefined`: a function or a symbol (dropped, or a `toJSON` that replaces its object), a
 * bigint (a TypeError), a number that is not finite (sent as `null`), a cycle (a TypeError).
 * An object with an inherited `toJSON`, such as a Date, is fine; `undefined` in an object is
 * left out, as JSON does.
 */
export function jsonProblem(value: unknown, path: string): Issue | undefined {
  const found = problemIn(value, []);
  return found === undefined
    ? undefined
    : { path: [path, ...found.keys.reverse()].join('.'), message: found.message };
}

/** jsonProblem's walk: the keys to the offender (innermost first) are collected on the way back. */
function problemIn(
  value: unknown,
  ancestors: unknown[],
): { keys: string[]; message: string } | undefined {
  switch (typeof value) {
    case 'function':
    case 'symbol':
    case 'bigint':
      return { keys: [], message: `is a ${typeof value}, which JSON cannot carry` };
    case 'number':
      return Number.isFinite(value)
        ? undefined
        : { keys: [], message: `is ${value}, which JSON cannot carry (it would be sent as null)` };
    case 'object': {
      if (value === null) return undefined;
      if (ancestors.includes(value)) return { keys: [], message: 'contains itself (a cycle)' };
      ancestors.push(value);
      // An array's items only (JSON leaves its other keys out), an object's own keys.
      const keys = Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        const found = item === undefined ? undefined : problemIn(item, ancestors);
        if (found !== undefined) {
          found.keys.push(key);
          return found;
        }
      }
      ancestors.pop();
      return undefined;
    }
    default:
      return undefined;
  }
}

/** An object of header names and values that can all be sent. */
export const headerRecord: Check = (value) => {
  if (!isRecord(value)) return 'must be an object of strings';
  for (const [name, item] of Object.entries(value)) {
    if (typeof item !== 'string') return 'must be an object of strings';
    const problem = headerProblem(name, item);
    if (problem !== undefined) return problem;
  }
  return undefined;
};
export const abortSignal = when(
  (v) => typeof AbortSignal !== 'undefined' && v instanceof AbortSignal,
  'must be an AbortSignal',
);
export const unknown: Check = () => undefined;

/**
 * Checks each known key of `value` that is not `undefined`, refuses unknown keys (a typo must
 * not be ignored quietly) and requires the `required` ones. Only the shape's own keys are
 * known: a key named like an `Object.prototype` member (`__proto__`, `constructor`,
 * `valueOf`) is an unknown option, never a lookup on the prototype chain.
 */
export function checkShape(
  value: unknown,
  shape: Record<string, Check>,
  required: readonly string[] = [],
): Issue[] {
  if (!isRecord(value)) return [{ path: 'options', message: 'must be an object' }];
  const issues: Issue[] = [];
  for (const key of required) {
    if (own(value, key) === undefined) {
      issues.push({ path: key, message: 'is required' });
    }
  }
  for (const [key, item] of Object.entries(value)) {
    const check = own(shape, key);
    if (check === undefined) issues.push({ path: key, message: 'is not a known option' });
    else if (item !== undefined) {
      const message = check(item);
      if (message !== undefined) issues.push({ path: key, message });
    }
  }
  return issues;
}
