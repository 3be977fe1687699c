/**
 * A loopback HTTP server whose answers a test scripts, one scenario at a time, to put the
 * package in front of hostile or broken services: resets, stalls, malformed and huge bodies,
 * error bursts, redirects, prototype keys.
 *
 * Every scenario has its own path prefix, `/s/<id>`: an `LLM` whose `baseUrl` is
 * `scenarioUrl(id)` sends its executes to `/s/<id>/api/v{1,2}/execute/<model>`, and poll URLs
 * handed out under the same prefix come back to the same handler. Each scenario keeps its own
 * request log, so scenarios can run concurrently on one server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request as the server received it. */
export interface Received {
  method: string;
  /** The path after the scenario prefix, with the query. */
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** What a handler gets: the request, the answer to write, and the scenario's log so far. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  /** The request, body read. */
  received: Received;
  /** Every request of this scenario so far, this one included. */
  log: readonly Received[];
  /** `n`-th request of this scenario with this method and path prefix (1 for the first). */
  nth: number;
  /** The scenario's own origin and prefix, to build poll URLs and redirect targets. */
  base: string;
}

export type Handler = (exchange: Exchange) => void | Promise<void>;

export interface FaultServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  /** Registers (or replaces) the handler of scenario `id` and returns its base URL. */
  scenario(id: string, handler: Handler): string;
  /** The requests scenario `id` received. */
  log(id: string): readonly Received[];
  /** How many open sockets the server holds (connections from the client). */
  openSockets(): number;
  /** Destroys every connection and stops listening. */
  close(): Promise<void>;
}

/** Starts a fault server on a free loopback port. */
export async function startFaultServer(): Promise<FaultServer> {
  const handlers = new Map<string, Handler>();
  const logs = new Map<string, Received[]>();
  const sockets = new Set<Socket>();
  let origin = '';

  const server: Server = createServer(async (req, res) => {
    const match = /^\/s\/([^/]+)(\/.*)?$/.exec(req.url ?? '');
    const id = match?.[1] === undefined ? '' : decodeURIComponent(match[1]);
    const handler = handlers.get(id);
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the client went away while sending
    }
    if (handler === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Not found."}');
      return;
    }
    const path = match?.[2] ?? '/';
    const received: Received = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    const log = logs.get(id) ?? [];
    logs.set(id, log);
    log.push(received);
    const nth = log.filter((r) => r.method === received.method && r.path === path).length;
    try {
      await handler({ req, res, received, log, nth, base: `${origin}/s/${id}` });
    } catch {
      res.destroy();
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Keep-alive sockets of a client must not hold the server open at close().
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    scenario(id, handler) {
      handlers.set(id, handler);
      logs.set(id, []);
      return `${origin}/s/${encodeURIComponent(id)}`;
    },
    log: (id) => logs.get(id) ?? [],
    openSockets: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Writes a JSON answer. */
export function sendJson(
  res: ServerResponse,
  body: unknown,
  status = 200,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
}

/** Writes raw bytes with a content type. */
export function sendRaw(
  res: ServerResponse,
  body: string | Buffer,
  status = 200,
  contentType = 'application/json',
): void {
  res.writeHead(status, { 'content-type': contentType }).end(body);
}

/** Writes an event stream of `tokens` then `[DONE]`, in one go. */
export function sendStream(res: ServerResponse, tokens: string[], done = true): void {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const token of tokens) res.write(`data: ${JSON.stringify({ data: token })}\n\n`);
  if (done) res.write('data: [DONE]\n\n');
  res.end();
}

/** A finished run's answer. */
export const success = (data: unknown = 'ok') => ({ completed: true, status: 'SUCCESS', data });

/** An async ticket (v1 execute) or an IN_PROGRESS v2 answer pointing at `pollUrl`. */
export const inProgress = (pollUrl: string) => ({
  completed: false,
  status: 'IN_PROGRESS',
  data: pollUrl,
});

/** Never answers: the request hangs until the client goes away. */
export const hold: Handler = () => new Promise<void>(() => {});
