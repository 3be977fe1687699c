/**
 * Load and leaks: concurrent runs that go async (in a child process, side by side with the same
 * sequences done with plain fetch), aborted polls that must free their timers, concurrent
 * streams, a soak whose heap slope after GC is reported, and a process that made every kind of
 * call and must exit on its own. Speeds are reported, never asserted; the bounds asserted are
 * generous, for a shared machine.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AbortError, LLM } from '../../src/index.js';
import { bundleChild, type ChildResult, runChild } from './child.js';
import {
  type FaultServer,
  type Handler,
  hold,
  inProgress,
  sendJson,
  startFaultServer,
  success,
} from './fault-server.js';
import {
  activeResources,
  leftOver,
  type ResourceCounts,
  recordFigures,
  SIZE,
  watchUnhandledRejections,
} from './support.js';

const KEY = 'sk-load-key-0123456789';
const MB = 1024 * 1024;

let server: FaultServer;
let child: { file: string; remove(): void };
let baseline: ResourceCounts;
const rejections = watchUnhandledRejections();
const figures: Record<string, unknown> = { sizes: SIZE };

beforeAll(async () => {
  baseline = activeResources();
  server = await startFaultServer();
  child = await bundleChild();
}, 60_000);

afterAll(async () => {
  await server.close();
  child.remove();
  rejections.stop();
  const leaks = await leftOver(baseline);
  recordFigures('load', { ...figures, leftTimers: leaks.timers, leftSockets: leaks.sockets });
  expect(rejections.list, 'unhandled rejections').toEqual([]);
  expect(leaks, 'timers and sockets left by the package').toEqual({ timers: 0, sockets: 0 });
});

/** POST goes async; polls 1 and 2 of each run are unfinished, poll 3 is SUCCESS "done". */
function threePolls(): Handler {
  let runs = 0;
  const polls = new Map<string, number>();
  return (e) => {
    if (e.received.method === 'POST')
      return sendJson(e.res, inProgress(`${e.base}/poll/${runs++}`));
    const n = (polls.get(e.received.path) ?? 0) + 1;
    polls.set(e.received.path, n);
    return sendJson(e.res, n < 3 ? { completed: false } : success('done'));
  };
}

const round = (n: unknown, digits = 0) => Number((n as number).toFixed(digits));

describe('load', () => {
  test(`${SIZE.loadRuns} concurrent runs that go async and poll three times all succeed`, async () => {
    const pkgBase = server.scenario('load-package', threePolls());
    const fetchBase = server.scenario('load-fetch', threePolls());
    const pkg = await runChild(child.file, ['async-runs', pkgBase, String(SIZE.loadRuns)]);
    const raw = await runChild(child.file, ['async-fetch', fetchBase, String(SIZE.loadRuns)]);
    expect(pkg.figures.failed).toEqual([]);
    expect(pkg.figures.success).toBe(SIZE.loadRuns);
    expect(raw.figures.success).toBe(SIZE.loadRuns);
    const requests = (id: string, method: string) =>
      server.log(id).filter((r) => r.method === method).length;
    // One POST and three GETs per run, no more: nothing was retried or repeated.
    expect(requests('load-package', 'POST')).toBe(SIZE.loadRuns);
    expect(requests('load-package', 'GET')).toBe(3 * SIZE.loadRuns);
    figures.asyncRuns = {
      runs: SIZE.loadRuns,
      packageMs: round(pkg.figures.ms),
      fetchMs: round(raw.figures.ms),
      timeRatio: round((pkg.figures.ms as number) / (raw.figures.ms as number), 2),
      packagePeakRssMB: round((pkg.figures.peakRssBytes as number) / MB, 1),
      fetchPeakRssMB: round((raw.figures.peakRssBytes as number) / MB, 1),
      rssRatio: round(
        (pkg.figures.peakRssBytes as number) / (raw.figures.peakRssBytes as number),
        2,
      ),
    };
  }, 180_000);

  test(`${SIZE.abortedPolls} polls aborted mid-way all reject promptly and free their timers`, async () => {
    // Half the polls are aborted while their GET is held by the server, half in the pause
    // after an unfinished answer.
    const base = server.scenario('aborted-polls', (e) =>
      e.received.path.includes('/held/') ? hold(e) : sendJson(e.res, { completed: false }),
    );
    const llm = new LLM({ id: 'm', apiKey: KEY, baseUrl: base });
    const before = activeResources();
    const controllers = Array.from({ length: SIZE.abortedPolls }, () => new AbortController());
    const settled: number[] = [];
    let abortedAt = 0;
    const polls = controllers.map((controller, i) =>
      llm
        .syncPoll(`${base}/poll/${i % 2 === 0 ? 'held' : 'paused'}/${i}`, {
          signal: controller.signal,
          waitTimeMs: 60_000,
          timeoutMs: 120_000,
        })
        .then(
          () => 'resolved',
          (error: unknown) => {
            settled.push(performance.now() - abortedAt);
            return error instanceof AbortError ? 'AbortError' : String(error);
          },
        ),
    );
    // Wait until every poll has reached the server (held, or answered and pausing).
    const until = Date.now() + 60_000;
    while (server.log('aborted-polls').length < SIZE.abortedPolls && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    abortedAt = performance.now();
    for (const controller of controllers) controller.abort();
    const outcomes = await Promise.all(polls);
    expect(outcomes.filter((o) => o !== 'AbortError')).toEqual([]);
    const slowest = Math.max(...settled);
    expect(slowest, 'the slowest rejection after abort, in ms').toBeLessThan(5_000);
    const left = await leftOver(before);
    expect(left.timers, 'timers left by aborted polls').toBe(0);
    figures.abortedPolls = {
      polls: SIZE.abortedPolls,
      slowestRejectionMs: round(slowest, 1),
      medianRejectionMs: round(settled.sort((a, b) => a - b)[Math.floor(settled.length / 2)], 1),
      timersLeft: left.timers,
    };
  }, 120_000);

  test(`${SIZE.streams} concurrent streams all end SUCCESS with every token`, async () => {
    const TOKENS = 20;
    const base = server.scenario('streams', ({ res }) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < TOKENS) res.write(`data: {"data":"t${sent++} "}\n\n`);
        else {
          clearInterval(timer);
          res.end('data: [DONE]\n\n');
        }
      }, 5);
      res.on('close', () => clearInterval(timer));
    });
    const llm = new LLM({ id: 'm', apiKey: KEY, baseUrl: base });
    const expected = Array.from({ length: TOKENS }, (_, i) => `t${i} `).join('');
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: SIZE.streams }, async () => {
        const streamer = await llm.stream('hello', { timeoutMs: 60_000 });
        const text = await streamer.text();
        return { text, status: streamer.status };
      }),
    );
    const ms = performance.now() - started;
    expect(results.filter((r) => r.status !== 'SUCCESS' || r.text !== expected)).toEqual([]);
    expect(server.log('streams').length).toBe(SIZE.streams);
    figures.streams = { streams: SIZE.streams, tokensEach: TOKENS, ms: round(ms) };
  }, 120_000);

  test(`a ${SIZE.soakCalls}-call soak: the heap after GC does not grow with the calls`, async () => {
    const base = server.scenario('soak', ({ res }) => sendJson(res, success('ok')));
    // About 3 ms a call on a shared 2-core machine, server included: minutes for the full soak.
    const soak = await runChild(child.file, ['soak', base, String(SIZE.soakCalls)], 500_000);
    expect(soak.figures.failed).toBe(0);
    expect(soak.figures.calls).toBe(SIZE.soakCalls);
    const bytesPerCall = soak.figures.bytesPerCall as number;
    // The heap after GC wanders by a few hundred KB whatever the run length; a leak of one
    // response per call (about a kilobyte) would add megabytes over the soak.
    expect(bytesPerCall * SIZE.soakCalls, 'heap growth over the soak, in bytes').toBeLessThan(
      1.5 * MB,
    );
    figures.soak = {
      calls: SIZE.soakCalls,
      ms: round(soak.figures.ms),
      bytesPerCall: round(bytesPerCall, 1),
      heapGrowthKB: round(
        ((soak.figures.heapLast as number) - (soak.figures.heapFirst as number)) / 1024,
        1,
      ),
      peakRssMB: round((soak.figures.peakRssBytes as number) / MB, 1),
    };
  }, 520_000);
});

describe('leaks', () => {
  test('a process that made every kind of call exits on its own', async () => {
    let busy = 0;
    const base = server.scenario('every-call', (e) => {
      const { method, path, body, headers } = e.received;
      if (method === 'GET') {
        return sendJson(e.res, path.endsWith('/never') ? { completed: false } : success('polled'));
      }
      if (path.includes('/api/v1/'))
        return sendJson(e.res, inProgress(`${e.base}/poll/ticket`), 201);
      const data = (JSON.parse(body) as { data?: unknown }).data;
      if (data === 'hold') return hold(e);
      if (data === 'async') return sendJson(e.res, inProgress(`${e.base}/poll/run`));
      if (data === 'fail') return sendJson(e.res, { error: 'boom' }, 500);
      if (data === 'busy' && busy++ === 0) return sendJson(e.res, { error: 'busy' }, 503);
      if (String(headers.accept).includes('text/event-stream')) {
        e.res.writeHead(200, { 'content-type': 'text/event-stream' });
        e.res.write('data: {"data":"Hel"}\n\n');
        setTimeout(() => e.res.end('data: {"data":"lo"}\n\ndata: [DONE]\n\n'), 30);
        return;
      }
      return sendJson(e.res, success('ok'));
    });
    const result: ChildResult = await runChild(child.file, ['every-call', base, '0'], 60_000);
    expect(result.figures.outcomes).toEqual({
      run: 'SUCCESS',
      'run async': 'SUCCESS',
      runAsync: 'IN_PROGRESS',
      poll: 'SUCCESS',
      syncPoll: 'SUCCESS',
      stream: 'Hello SUCCESS',
      'stream left early': 'IN_PROGRESS',
      'stream aborted': 'AbortError',
      'run aborted': 'AbortError',
      'run timed out': 'TimeoutError',
      'syncPoll timed out': 'PollTimeoutError',
      'server error': 'InternalServerError',
      'retried 503': 'SUCCESS',
      validation: 'ValidationError',
    });
    expect(result.code, result.stderr).toBe(0);
    const active = (result.figures.active as string[]).filter(
      (name) => name === 'Timeout' || name === 'TCPSocketWrap',
    );
    figures.exit = {
      callKinds: Object.keys(result.figures.outcomes as object).length,
      exitAfterMs: round(result.exitAfterMs),
      activeAtEnd: result.figures.active,
    };
    // Idle keep-alive sockets are unreferenced: they may still be listed but hold nothing up.
    expect(active.filter((name) => name === 'Timeout')).toEqual([]);
    expect(result.exitAfterMs, 'exit after the last call, in ms').toBeLessThan(10_000);
  }, 90_000);
});
