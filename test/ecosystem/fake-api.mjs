/**
 * The ecosystem suite's stand-in for the aiXplain model API, on two free loopback ports, written
 * in plain JavaScript so that the suite's runner needs nothing but Node (no TypeScript loader).
 * Every runtime under test talks to it over real HTTP.
 *
 * The model id's prefix (before the first `-`) picks the behaviour; the rest is the runtime's
 * name, which keeps each runtime's requests apart:
 *
 * - `ok`: v2 execute answers 200 SUCCESS `Echo: <data>`.
 * - `async`: v2 execute answers IN_PROGRESS with a poll URL; the first poll is unfinished, the
 *   second SUCCESS `Echo: <data>`. v1 execute (runAsync) answers the same way with a 201 ticket,
 *   whatever the model.
 * - `stream`: v2 execute with `options.stream` answers SSE tokens `Hel`, `lo`, ` wörld`, ` 👋`,
 *   `!` then `[DONE]`, written in pieces split inside lines and inside multi-byte characters.
 * - `hang`: the same, but after the first token nothing more is sent until the client goes away;
 *   `GET /__closed/<model>` answers `{"closed": true}` once that happens (or `false` after 10 s).
 * - any request whose `x-api-key` is not `KEY` answers 401 `{"error":"Invalid API key"}`.
 *
 * The second listener (`foreignUrl`) stands for a host that must never see a request: it counts
 * what reaches it, per path, and `GET /__foreign` on the first listener reports the count.
 *
 * `serve(prefix, dir)` serves a folder's files under a path, for the browser pages.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';

export const KEY = 'eco-test-key-0123456789';
export const TOKENS = ['Hel', 'lo', ' wörld', ' 👋', '!'];
const CLOSE_WAIT_MS = 10_000;
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.map': 'application/json' };

export async function startFakeApi() {
  const runs = new Map();
  const closed = new Map(); // model -> { done: boolean, waiters: Set<() => void> }
  const foreignHits = [];
  const folders = new Map();

  const closeState = (model) => {
    let state = closed.get(model);
    if (state === undefined) {
      state = { done: false, waiters: new Set() };
      closed.set(model, state);
    }
    return state;
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      if (!res.headersSent) json(res, 500, { error: String(error) });
      else res.destroy();
    });
  });
  // Streams that the client leaves are the point of one check: never let one linger at close.
  const sockets = new Set();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const foreign = createServer((req, res) => {
    foreignHits.push(req.url ?? '');
    req.resume();
    json(res, 200, { completed: true, status: 'SUCCESS', data: 'foreign' });
  });

  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://${req.headers.host}`;

    for (const [prefix, dir] of folders) {
      if (req.method === 'GET' && url.pathname.startsWith(prefix)) {
        const file = normalize(url.pathname.slice(prefix.length) || 'index.html');
        if (file.startsWith('..')) return json(res, 404, { error: 'Not found.' });
        try {
          const body = await readFile(join(dir, file));
          res.writeHead(200, {
            'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
          });
          return res.end(body);
        } catch {
          return json(res, 404, { error: 'Not found.' });
        }
      }
    }
    if (url.pathname === '/__foreign') return json(res, 200, { hits: foreignHits });
    const closedMatch = /^\/__closed\/([^/]+)$/.exec(url.pathname);
    if (closedMatch) return waitForClose(res, decodeURIComponent(closedMatch[1]));

    if (req.headers['x-api-key'] !== KEY) {
      req.resume();
      return json(res, 401, { error: 'Invalid API key' });
    }
    const execute = /^\/api\/(v1|v2)\/execute\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'POST' && execute) {
      const body = JSON.parse((await text(req)) || '{}');
      return executeModel(res, origin, execute[1], decodeURIComponent(execute[2]), body);
    }
    const poll = /^\/api\/v1\/data\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && poll) return pollRun(res, poll[1]);
    return json(res, 404, { error: 'Not found.' });
  }

  function executeModel(res, origin, version, model, body) {
    const kind = model.split('-')[0];
    const input = String(body.data ?? '');
    if (version === 'v2' && body.options?.stream === true) return streamAnswer(res, model, kind);
    if (version === 'v2' && kind === 'ok') {
      return json(res, 200, { completed: true, status: 'SUCCESS', data: `Echo: ${input}` });
    }
    const id = randomUUID();
    runs.set(id, { input, polls: 0 });
    const pollUrl = `${origin}/api/v1/data/${id}`;
    if (version === 'v1') return json(res, 201, { completed: false, data: pollUrl, requestId: id });
    return json(res, 200, { status: 'IN_PROGRESS', data: pollUrl });
  }

  function pollRun(res, id) {
    const run = runs.get(id);
    if (run === undefined) return json(res, 404, { error: 'Not found.' });
    run.polls += 1;
    if (run.polls < 2) return json(res, 200, { completed: false, status: 'IN_PROGRESS' });
    return json(res, 200, { completed: true, status: 'SUCCESS', data: `Echo: ${run.input}` });
  }

  function streamAnswer(res, model, kind) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const events = TOKENS.map((token) => `data: ${JSON.stringify({ data: token })}\n\n`);
    if (kind === 'hang') {
      res.write(events[0]);
      const state = closeState(model);
      res.on('close', () => {
        state.done = true;
        for (const wake of state.waiters) wake();
      });
      return;
    }
    // Pieces split inside a line and inside the UTF-8 bytes of "ö" and of the emoji.
    const bytes = Buffer.from(`${events.join('')}data: [DONE]\n\n`);
    const cuts = [5, bytes.indexOf(Buffer.from('ö')) + 1, bytes.indexOf(Buffer.from('👋')) + 2];
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      res.write(bytes.subarray(from, cut));
      from = cut;
    }
    res.end();
  }

  function waitForClose(res, model) {
    const state = closeState(model);
    if (state.done) return json(res, 200, { closed: true });
    const timer = setTimeout(() => {
      state.waiters.delete(wake);
      json(res, 200, { closed: false });
    }, CLOSE_WAIT_MS);
    const wake = () => {
      clearTimeout(timer);
      state.waiters.delete(wake);
      json(res, 200, { closed: true });
    };
    state.waiters.add(wake);
  }

  await Promise.all([listen(server), listen(foreign)]);
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    foreignUrl: `http://127.0.0.1:${foreign.address().port}`,
    serve(prefix, dir) {
      folders.set(prefix, dir);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      foreign.closeAllConnections();
      await Promise.all([
        new Promise((resolve) => server.close(resolve)),
        new Promise((resolve) => foreign.close(resolve)),
      ]);
    },
  };
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
}

function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function text(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
