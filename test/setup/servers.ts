/**
 * The integration project's globalSetup: starts, once for the whole run, the servers that the
 * contract and integration tests share, each on a free loopback port, and stops them at the end.
 * All of them are the product's own (src/testing/).
 *
 * - `mockUrl`: `startMock()`, the mock that `aixplain-llm/testing` and the CLI serve (Prism's
 *   mock of the spec, and the scenarios behind Prism's proxy); its poll URLs name it.
 * - `upstreamUrl`: the scenario server alone (src/testing/scenario-server.ts);
 *   `GET /__log?model=<id>` there shows what it received. Called directly, its poll URLs name
 *   `upstreamUrl`.
 * - `proxyUrl`: `prism proxy --errors` in front of that scenario server; answers that break the
 *   spec become 500s with `sl-violations`. Called through it, poll URLs name `proxyUrl`.
 * - `foreignUrl`: the scenario server's second listener, the origin of `foreign-*` poll URLs;
 *   `GET /__log` there lists every request it received.
 *
 * Tests read them with `inject('mockUrl')` and so on.
 */

import type { TestProject } from 'vitest/node';
import { startMock } from '../../src/testing/mock.js';
import { freePort } from '../../src/testing/ports.js';
import { startPrismProxy } from '../../src/testing/prism.js';
import { startScenarioServer } from '../../src/testing/scenario-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The origin of `startMock()`. */
    mockUrl: string;
    /** The origin of the Prism proxy (`--errors`) in front of the scenario server. */
    proxyUrl: string;
    /** The scenario server's own origin (direct calls, and `/__log`). */
    upstreamUrl: string;
    /** The scenario server's foreign listener (poll URLs of `foreign-*` models). */
    foreignUrl: string;
  }
}

interface Closable {
  close(): Promise<void>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const started: Closable[] = [];
  const stopAll = async () => {
    await Promise.allSettled(started.map((server) => server.close()));
  };
  const track = <T extends Closable>(server: T): T => {
    started.push(server);
    return server;
  };

  try {
    // The scenario server must know the proxy's origin before the proxy starts (it is encoded
    // in the upstream URL the proxy forwards to), so the proxy's port is chosen here.
    const [scenarios, proxyPort] = await Promise.all([
      startScenarioServer().then(track),
      freePort(),
    ]);
    const proxyOrigin = `http://127.0.0.1:${proxyPort}`;
    const [mock, proxy] = await Promise.all([
      startMock().then(track),
      startPrismProxy({ upstream: scenarios.viaProxy(proxyOrigin), port: proxyPort }).then(track),
    ]);

    project.provide('mockUrl', mock.url);
    project.provide('proxyUrl', proxy.url);
    project.provide('upstreamUrl', scenarios.url);
    project.provide('foreignUrl', scenarios.foreignUrl);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
}
