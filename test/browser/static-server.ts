/**
 * A tiny static server on loopback for the browser test (test/integration/browser.test.ts).
 *
 * It serves exactly what the page needs, and nothing else from the work tree:
 * - `/` : test/browser/index.html, with an import map for `zod` filled in from
 *   node_modules/zod/package.json (the built bundle keeps zod external, as published, so the
 *   page resolves its bare `zod/mini` import the way a user's import map would);
 * - `/page.js` : test/browser/page.js, the page's script;
 * - `/dist/...` : the built package (`npm run build`);
 * - `/node_modules/zod/...` : zod's own ESM files.
 *
 * It records every path it served, so the test can tell that the page really loaded
 * `dist/index.js` and zod through the import map.
 */

import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE_DIR = resolve(ROOT, 'test/browser');
const ZOD_DIR = resolve(ROOT, 'node_modules/zod');

/** The URL prefixes served, and the folder each maps to. */
const MOUNTS: ReadonlyArray<readonly [prefix: string, dir: string]> = [
  ['/dist/', resolve(ROOT, 'dist')],
  ['/node_modules/zod/', ZOD_DIR],
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
};

export interface StaticServer {
  /** The origin, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Every path answered 200, in order. */
  served: string[];
  close(): Promise<void>;
}

/** The absolute file for a URL path, or null when it is outside what is served. */
function fileFor(pathname: string): string | null {
  if (pathname === '/page.js') return resolve(PAGE_DIR, 'page.js');
  for (const [prefix, dir] of MOUNTS) {
    if (!pathname.startsWith(prefix)) continue;
    const file = resolve(dir, `.${pathname.slice(prefix.length - 1)}`);
    return file.startsWith(dir + sep) ? file : null;
  }
  return null;
}

/** `{ "zod": ".../index.js", "zod/mini": ".../mini/index.js", ... }` from zod's `exports`. */
async function zodImportMap(): Promise<Record<string, string>> {
  const manifest = JSON.parse(await readFile(resolve(ZOD_DIR, 'package.json'), 'utf8')) as {
    exports?: Record<string, unknown>;
  };
  const imports: Record<string, string> = {};
  for (const [key, target] of Object.entries(manifest.exports ?? {})) {
    const file =
      typeof target === 'object' && target !== null
        ? (target as Record<string, unknown>).import
        : undefined;
    if (!key.startsWith('.') || typeof file !== 'string' || !file.endsWith('.js')) continue;
    imports[`zod${key.slice(1)}`] = `/node_modules/zod/${file.replace(/^\.\//, '')}`;
  }
  return imports;
}

export async function startStaticServer(): Promise<StaticServer> {
  const importMap = JSON.stringify({ imports: await zodImportMap() }, null, 2);
  const html = (await readFile(resolve(PAGE_DIR, 'index.html'), 'utf8')).replace(
    '{"imports":{}}',
    importMap,
  );
  const served: string[] = [];

  const server: Server = createServer((req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, type: string, body: string | Buffer) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'text/plain', 'Method not allowed');
    if (pathname === '/' || pathname === '/index.html') {
      served.push(pathname);
      return send(200, TYPES['.html'] ?? 'text/html', html);
    }
    const file = fileFor(pathname);
    if (file === null) return send(404, 'text/plain', 'Not found');
    readFile(file).then(
      (body) => {
        served.push(pathname);
        send(200, TYPES[extname(file)] ?? 'application/octet-stream', body);
      },
      () => send(404, 'text/plain', 'Not found'),
    );
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    served,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
