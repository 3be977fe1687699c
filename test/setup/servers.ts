/**
 * The integration project's globalSetup: starts, once for the whole run, the servers that the
 * contract and integration tests share, each on a free loopback port, and stops them at the end.
 *
 * - `mockUrl`: the Prism mock of openapi/aixplain-models.yaml (its poll URLs name the mock).
 * - `upstreamUrl`: the fake aiXplain API (test/fake-upstream.ts); `GET /__log?model=<id>` there
 *   shows what it received. Called directly, its poll URLs name `upstreamUrl`.
 * - `proxyUrl`: `prism proxy --errors` in front of the fake; answers that break the spec become
 *   500s with `sl-violations`. Called through it, the fake's poll URLs name `proxyUrl`.
 * - `foreignUrl`: the fake's second listener, the origin of `foreign-*` poll URLs;
 *   `GET /__log` there lists every request it received.
 *
 * Tests read them with `inject('mockUrl')` and so on.
 */

import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';
import { type PrismServer, startPrismMock, startPrismProxy } from '../../src/cli/prism.js';
import { type FakeUpstream, startFakeUpstream } from '../fake-upstream.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Prism mock's origin. */
    mockUrl: string;
    /** The origin of the Prism proxy (`--errors`) in front of the fake upstream. */
    proxyUrl: string;
    /** The fake upstream's own origin (direct calls, and `/__log`). */
    upstreamUrl: string;
    /** The fake upstream's foreign listener (poll URLs of `foreign-*` models). */
    foreignUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Array<PrismServer | FakeUpstream> = [];
  const stopAll = async () => {
    await Promise.allSettled(started.map((server) => server.close()));
  };
  const track = <T extends PrismServer | FakeUpstream>(server: T): T => {
    started.push(server);
    return server;
  };

  try {
    // The fake must know the proxy's origin before the proxy starts (it is encoded in the
    // upstream URL the proxy forwards to), so the proxy's port is chosen here.
    const [fake, proxyPort] = await Promise.all([startFakeUpstream().then(track), freePort()]);
    const proxyOrigin = `http://127.0.0.1:${proxyPort}`;
    const [mock, proxy] = await Promise.all([
      startPrismMock().then(track),
      startPrismProxy({ upstream: fake.viaProxy(proxyOrigin), port: proxyPort }).then(track),
    ]);

    project.provide('mockUrl', mock.url);
    project.provide('proxyUrl', proxy.url);
    project.provide('upstreamUrl', fake.url);
    project.provide('foreignUrl', fake.foreignUrl);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
