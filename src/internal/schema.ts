/**
 * Checks values against the JSON Schema constants that `npm run generate` writes from the spec
 * (generated/schemas.gen.ts), so every limit of a value that goes on the wire (a range, a type,
 * an enum such as the history roles) is read from the spec and never typed again here.
 *
 * Hand-written rather than a JSON Schema library: the spec uses a handful of keywords (`type`,
 * `enum`, `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `minLength`, `items`,
 * `properties`, `required`, `additionalProperties`, `$ref`), and a validator library would weigh
 * more in `import { LLM }` than the whole facade. A keyword outside that list fails loudly in the
 * tests (test/schema.test.ts walks every schema of the spec), so a spec change cannot be ignored.
 */
import {
  ChatRoleSchema,
  ExecuteOptionsSchema,
  HistoryMessageSchema,
} from '../../generated/schemas.gen.js';
import { isRecord, own } from './check.js';

/** The JSON Schema keywords that the spec uses, as the generator writes them. */
export interface Schema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly items?: Schema;
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | Schema;
  readonly $ref?: string;
  readonly format?: string;
}

/** The keywords this module understands; `test/schema.test.ts` holds the spec to them. */
export const KNOWN_KEYWORDS: readonly string[] = [
  'type',
  'enum',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'items',
  'properties',
  'required',
  'additionalProperties',
  '$ref',
  'format',
];

/**
 * The components that `ExecuteRequest` refers to, by `$ref`. Only these are imported, so that
 * the other schemas stay out of the bundle; a new `$ref` in the request makes `resolve` throw,
 * which test/schema.test.ts catches for every property of the request.
 */
const REFERENCED: Readonly<Record<string, Schema>> = {
  '#/components/schemas/ChatRole': ChatRoleSchema,
  '#/components/schemas/HistoryMessage': HistoryMessageSchema,
  '#/components/schemas/ExecuteOptions': ExecuteOptionsSchema,
};

/** The schema a `$ref` names. */
export function resolve(schema: Schema): Schema {
  if (schema.$ref === undefined) return schema;
  const target = own(REFERENCED, schema.$ref);
  if (target === undefined) throw new TypeError(`Unresolvable $ref ${schema.$ref} in the spec.`);
  return resolve(target);
}

function typesOf(schema: Schema): readonly string[] {
  return schema.type === undefined
    ? []
    : typeof schema.type === 'string'
      ? [schema.type]
      : schema.type;
}

/**
 * Whether `value` is of the schema's `type` (any of them, for a list; anything, without one).
 * No array or closure per call: the facade checks every request body with it.
 */
function isOfType(type: Schema['type'], value: unknown): boolean {
  if (type === undefined) return true;
  if (typeof type === 'string') return own(TYPES, type)?.[1](value) === true;
  for (const each of type) if (own(TYPES, each)?.[1](value) === true) return true;
  return false;
}

/** Each JSON Schema type: how a message names it, and whether a value is of it. */
const TYPES: Readonly<Record<string, readonly [string, (value: unknown) => boolean]>> = {
  null: ['null', (v) => v === null],
  string: ['a string', (v) => typeof v === 'string'],
  boolean: ['a boolean', (v) => typeof v === 'boolean'],
  number: ['a finite number', Number.isFinite],
  // JSON Schema's integers, as JSON parsers and the spec's zod schemas read them: a number
  // beyond 2^53 is not exact, so it is no integer the wire can carry.
  integer: ['an integer', Number.isSafeInteger],
  array: ['an array', Array.isArray],
  object: ['an object', isRecord],
};

/** A short English description of what `schema` accepts: `an integer >= 1`, `"user" | "tool"`. */
export function describe(schema: Schema): string {
  const s = resolve(schema);
  if (s.enum !== undefined) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  const bounds = [
    ['>=', s.minimum],
    ['>', s.exclusiveMinimum],
    ['<=', s.maximum],
    ['<', s.exclusiveMaximum],
  ]
    .filter(([, bound]) => bound !== undefined)
    .map(([op, bound]) => ` ${op} ${bound}`)
    .join(' and');
  return typesOf(s)
    .map(
      (type) => `${own(TYPES, type)?.[0]}${type === 'number' || type === 'integer' ? bounds : ''}`,
    )
    .join(', or ');
}

/**
 * The first problem of `value` against `schema`, as a message (`must be ...`), or `undefined`.
 * `path` names the value in the message of a nested problem (`item 2: ...`).
 */
export function problemOf(schema: Schema, value: unknown): string | undefined {
  const s = resolve(schema);
  const fits =
    isOfType(s.type, value) &&
    (s.enum === undefined || s.enum.includes(value)) &&
    (typeof value !== 'number' ||
      ((s.minimum === undefined || value >= s.minimum) &&
        (s.exclusiveMinimum === undefined || value > s.exclusiveMinimum) &&
        (s.maximum === undefined || value <= s.maximum) &&
        (s.exclusiveMaximum === undefined || value < s.exclusiveMaximum))) &&
    (typeof value !== 'string' || s.minLength === undefined || value.length >= s.minLength);
  if (!fits) return `must be ${describe(s)}`;
  if (Array.isArray(value) && s.items !== undefined) {
    for (let i = 0; i < value.length; i++) {
      const problem = problemOf(s.items, value[i]);
      if (problem !== undefined) return `item ${i} ${problem}`;
    }
  }
  if (isRecord(value)) {
    for (const key of s.required ?? []) {
      if (own(value, key) === undefined) return `\`${key}\` is missing`;
    }
    for (const key of Object.keys(value)) {
      const property = own(s.properties, key);
      const problem =
        property !== undefined
          ? problemOf(property, value[key])
          : s.additionalProperties === false
            ? `\`${key}\` is not allowed`
            : isRecord(s.additionalProperties)
              ? problemOf(s.additionalProperties, value[key])
              : undefined;
      if (problem !== undefined) {
        return property !== undefined || isRecord(s.additionalProperties)
          ? `\`${key}\` ${problem}`
          : problem;
      }
    }
  }
  return undefined;
}

/** The schema of `key` among the properties of `schema` (a `$ref` resolved). */
export function propertyOf(schema: Schema, key: string): Schema {
  const properties = resolve(schema).properties;
  const property = own(properties, key);
  if (property === undefined) throw new TypeError(`The spec declares no property ${key}.`);
  return resolve(property);
}

/** `schema` without `null` among its types: an option that may be left out, not set to null. */
export function withoutNull(schema: Schema): Schema {
  const s = resolve(schema);
  const types = typesOf(s).filter((type) => type !== 'null');
  return { ...s, type: types.length === 1 ? types[0] : types };
}
