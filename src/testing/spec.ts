/**
 * The OpenAPI document the mock serves and validates against: the package's own
 * `openapi/aixplain-models.yaml`, found by walking up from this module (it sits in `src/testing/`
 * in the repository and in `dist/` once built, both below the package root).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The origin of the real service, which the spec's examples name in their poll URLs. */
export const PRODUCTION_ORIGIN = 'https://models.aixplain.com';

const SPEC_RELATIVE_PATH = join('openapi', 'aixplain-models.yaml');

/** The path of the package's `openapi/aixplain-models.yaml`. */
export function defaultSpecPath(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  for (;;) {
    const candidate = join(dir, SPEC_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(`Cannot find ${SPEC_RELATIVE_PATH} in ${start} or any parent directory.`);
    }
    dir = parent;
  }
}

/** The text of an OpenAPI document; a clear error when it cannot be read. */
export function readSpec(specPath: string): string {
  try {
    return readFileSync(specPath, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read the OpenAPI document ${specPath}.`, { cause: error });
  }
}
