/**
 * Contract violations as Prism reports them: the `sl-violations` header it adds to an answer
 * when the request or the response breaks the spec, and the `validation` list of the
 * `application/problem+json` body it answers instead (422 for a refused request, 500 for an
 * invalid response under `--errors`).
 */

/** One way in which a request or an answer broke the spec. */
export interface Violation {
  /** The method of the request, e.g. `POST`. */
  method: string;
  /** The path and query of the request, e.g. `/api/v2/execute/my-model`. */
  path: string;
  /** The status of the answer the app got. */
  status: number;
  /** Where the problem is, e.g. `["body", "temperature"]`. */
  location: string[];
  /** `Error`, `Warning`, `Information` or `Hint`, as Prism grades it. */
  severity: string;
  /** The rule that failed, e.g. `maximum`. */
  code: string;
  /** What is wrong, e.g. `Request body property temperature must be <= 2`. */
  message: string;
}

interface PrismViolation {
  location?: unknown;
  severity?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * The violations of one answer, from its `sl-violations` header and, when its body is Prism's
 * own problem document, from that body's `validation` list.
 */
export function violationsOf(
  request: { method: string; path: string },
  answer: { status: number; header: string | undefined; problemBody?: string },
): Violation[] {
  const found: PrismViolation[] = [];
  if (answer.header !== undefined) found.push(...listOf(parseJson(answer.header)));
  if (answer.problemBody !== undefined) {
    const problem = parseJson(answer.problemBody);
    if (typeof problem === 'object' && problem !== null) {
      found.push(...listOf((problem as { validation?: unknown }).validation));
    }
  }
  const seen = new Set<string>();
  const violations: Violation[] = [];
  for (const item of found) {
    const violation: Violation = {
      method: request.method,
      path: request.path,
      status: answer.status,
      location: Array.isArray(item.location) ? item.location.map(String) : [],
      severity: String(item.severity ?? 'Error'),
      code: String(item.code ?? ''),
      message: String(item.message ?? ''),
    };
    // Prism may list a refused request's problems both in the header and in the body.
    const key = JSON.stringify(violation);
    if (!seen.has(key)) {
      seen.add(key);
      violations.push(violation);
    }
  }
  return violations;
}

/** A readable list, one violation a line, for error messages. */
export function formatViolations(violations: readonly Violation[]): string {
  return violations
    .map(
      (v) =>
        `${v.method} ${v.path} -> ${v.status}: ${v.message} (${v.code} at ${v.location.join('.') || 'the message'})`,
    )
    .join('\n');
}

function listOf(value: unknown): PrismViolation[] {
  return Array.isArray(value)
    ? value.filter((item): item is PrismViolation => typeof item === 'object' && item !== null)
    : [];
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
