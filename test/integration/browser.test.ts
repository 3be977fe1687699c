/**
 * The built package in a real browser: headless Debian Chromium (/usr/bin/chromium, which CI
 * installs with apt-get), driven by playwright-core, loads a page from a loopback static server
 * (test/browser/). The page imports dist/index.js exactly as published (an import map resolves
 * `zod`, the package's one dependency, should a module of it import zod), and runs `run` and
 * `stream` against the fake
 * upstream on another origin (so every call is a real cross-origin fetch, with CORS preflight).
 *
 * Why: the unit and integration tests run the source in Node. Only a browser shows that the
 * bundle needs no Node built-ins or `process`, that the transport leaves out User-Agent (a page
 * cannot set it), and that streaming works over the browser's own fetch and ReadableStream.
 *
 * The test does not build: `npm test` builds first (it fails with "run npm run build first"
 * when dist/index.js is missing). It is skipped, with the reason printed, only where
 * /usr/bin/chromium does not exist; where it exists, a failure to launch it fails the test.
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import { type StaticServer, startStaticServer } from '../browser/static-server.js';
import chromiumSetup from '../helpers/chromium.json' with { type: 'json' };

interface PageResult {
  ok: boolean;
  error?: string;
  version?: string;
  hasProcess?: boolean;
  run?: { status: string; data: unknown };
  stream?: { status: string; tokens: unknown[] };
}

declare global {
  interface Window {
    __result?: PageResult;
  }
}

const CHROMIUM = chromiumSetup.path;
// The flags known to work on this kind of machine (see the header): no sandbox as root, and no
// background connections, which the closed network would refuse. The ecosystem suite uses them too.
const CHROMIUM_ARGS = chromiumSetup.args;
const DIST_INDEX = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(
    `browser.test.ts: skipped, Chromium not found at ${CHROMIUM} (apt-get install chromium).`,
  );
}

const upstreamUrl = inject('upstreamUrl');
const suffix = `x${randomUUID().slice(0, 8)}`;
const runModel = `ok-${suffix}`;
const streamModel = `stream-${suffix}`;

describe.skipIf(!hasChromium)('the built package in headless Chromium', () => {
  let userDataDir: string | undefined;
  let context: BrowserContext | undefined;
  let server: StaticServer | undefined;
  let page: Page;
  const pageErrors: string[] = [];
  let result: PageResult;

  beforeAll(async () => {
    if (!existsSync(DIST_INDEX)) {
      throw new Error(`${DIST_INDEX} is missing: run npm run build first.`);
    }
    server = await startStaticServer();
    // A fresh profile per run. Playwright refuses `--user-data-dir` in `args`; a persistent
    // context is its way of naming the profile folder.
    userDataDir = await mkdtemp(join(tmpdir(), 'aixplain-llm-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error')
        pageErrors.push(`console: ${message.text()} (${message.location().url})`);
    });

    const query = new URLSearchParams({
      upstream: upstreamUrl,
      run: runModel,
      stream: streamModel,
    });
    // An error thrown in the page (e.g. a module that does not resolve) ends the wait at once.
    const thrown = new Promise<never>((_, reject) => page.once('pageerror', reject));
    await page.goto(`${server.url}/?${query}`);
    try {
      await Promise.race([
        page.waitForFunction(() => window.__result !== undefined, undefined, { timeout: 10_000 }),
        thrown,
      ]);
    } catch (error) {
      throw new Error(`The page published no result. Page errors: ${pageErrors.join(' | ')}`, {
        cause: error,
      });
    }
    result = (await page.evaluate(() => window.__result)) as PageResult;
  });

  afterAll(async () => {
    await context?.close();
    await server?.close();
    if (userDataDir !== undefined) await rm(userDataDir, { recursive: true, force: true });
  });

  test('loads dist/index.js as published, with nothing from Node', () => {
    expect(result.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(server?.served).toContain('/dist/index.js');
    expect(result.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(result.hasProcess).toBe(false);
    expect(pageErrors).toEqual([]);
  });

  test('run answers the finished text from a cross-origin upstream', () => {
    expect(result.run).toEqual({ status: 'SUCCESS', data: 'Echo: Hello' });
  });

  test('stream delivers every token in order, multi-byte characters intact', () => {
    expect(result.stream?.tokens).toEqual(['Hel', 'lo', ' wörld', ' 👋', '!']);
    expect(result.stream?.status).toBe('SUCCESS');
  });

  test('the page shows the text that arrived', async () => {
    const shown = await page.locator('#result').textContent();
    expect(shown).toContain('"data":"Echo: Hello"');
    expect(JSON.parse(shown ?? '{}').stream.tokens.join('')).toBe('Hello wörld 👋!');
  });

  test("the upstream sees the browser's own User-Agent and the page's origin, never the SDK's", async () => {
    const response = await fetch(`${upstreamUrl}/__log?model=${encodeURIComponent(runModel)}`);
    const log = (await response.json()) as Array<{
      method: string;
      headers: Record<string, string | string[] | undefined>;
    }>;
    const post = log.find((entry) => entry.method === 'POST');
    expect(post?.headers['x-api-key']).toBe('<present>');
    expect(post?.headers.origin).toBe(server?.url);
    expect(String(post?.headers['user-agent'])).toMatch(/Chrome/);
    expect(String(post?.headers['user-agent'])).not.toMatch(/aixplain-llm/);
  });
});
