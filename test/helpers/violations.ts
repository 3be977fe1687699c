/**
 * Assertions on Prism's `sl-violations` header: Prism (mock or proxy) adds it to an answer when
 * the request or the response breaks openapi/aixplain-models.yaml. A contract test passes only
 * when no answer carries it.
 */

import { expect } from 'vitest';
import type { Client } from '../../generated/client/index.js';

/** One answer that carried `sl-violations`. */
export interface RecordedViolation {
  method: string;
  url: string;
  status: number;
  /** The header, parsed when it is JSON (an array of `{location, severity, code, message}`). */
  violations: unknown;
}

/** Asserts that `response` carries no `sl-violations` header, and shows it when it does. */
export function expectNoViolations(response: Response | undefined): void {
  expect(response, 'no response (the request failed)').toBeDefined();
  const header = response?.headers.get('sl-violations') ?? null;
  expect(
    header === null ? null : parseViolations(header),
    `sl-violations on ${response?.status} ${response?.url}`,
  ).toBeNull();
}

/**
 * Attaches a response interceptor to `client` that records every answer carrying
 * `sl-violations`. `list` fills as requests complete; `clear()` empties it; `detach()` removes
 * the interceptor.
 */
export function collectViolations(client: Client): {
  readonly list: readonly RecordedViolation[];
  clear(): void;
  detach(): void;
} {
  const list: RecordedViolation[] = [];
  // The client-next runtime gives interceptors the request options, not a Request.
  const interceptor = (response: Response, options: { method?: string }): Response => {
    const header = response.headers.get('sl-violations');
    if (header !== null) {
      list.push({
        method: options.method ?? 'GET',
        url: response.url,
        status: response.status,
        violations: parseViolations(header),
      });
    }
    return response;
  };
  client.interceptors.response.use(interceptor);
  return {
    list,
    clear: () => {
      list.length = 0;
    },
    detach: () => client.interceptors.response.eject(interceptor),
  };
}

/**
 * A `fetch` for the facade (`new LLM({ fetch })`) that records every answer carrying
 * `sl-violations`, and the requests it sent (`METHOD url`).
 */
export function violationRecordingFetch(): {
  fetch: typeof fetch;
  violations: RecordedViolation[];
  urls: string[];
} {
  const violations: RecordedViolation[] = [];
  const urls: string[] = [];
  const recording = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    urls.push(`${request.method} ${request.url}`);
    const response = await globalThis.fetch(request);
    const header = response.headers.get('sl-violations');
    if (header !== null) {
      violations.push({
        method: request.method,
        url: request.url,
        status: response.status,
        violations: parseViolations(header),
      });
    }
    return response;
  };
  return { fetch: recording as typeof fetch, violations, urls };
}

function parseViolations(header: string): unknown {
  try {
    return JSON.parse(header);
  } catch {
    return header;
  }
}
