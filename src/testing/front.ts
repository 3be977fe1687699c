/**
 * The mock's front door: a plain Node HTTP server on the port the app is given, which forwards
 * each request, unchanged and unbuffered, to the server that plays it (Prism's mock, or Prism's
 * validating proxy in front of the scenario server), and records every contract violation that
 * Prism reports on the way back. The record lives in the process that started the mock and is
 * also served at `GET /__aixplain/violations` (`DELETE` empties it), for test files that run in
 * other processes (vitest workers).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import { originOf } from './ports.js';
import { type Violation, violationsOf } from './violations.js';

/** Where the front sends one request. */
export type Route =
  /** Forward it to this origin. */
  | { to: string; validateWith?: undefined }
  /**
   * Forward it to `to`, which answers without validation (a paced stream, which Prism would
   * buffer), after `validateWith` (Prism) has checked the request: when Prism finds a problem,
   * its answer is the app's and `to` is not called.
   */
  | { to: string; validateWith: string }
  /** Answer it here (a request the mock cannot route). */
  | { status: number; error: string };

/** A request as the router sees it. */
export interface RoutedRequest {
  method: string;
  /** Path and query. */
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A running front. */
export interface Front {
  readonly url: string;
  violations(): Violation[];
  clearViolations(): void;
  close(): Promise<void>;
}

/** The path of the violation record. */
export const VIOLATIONS_PATH = '/__aixplain/violations';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'proxy-connection',
]);

/** Starts the front on `host:port`. */
export async function startFront(options: {
  host: string;
  port: number;
  route(request: RoutedRequest): Route;
  /** Origins replaced by the front's own in JSON answers, so that poll URLs come back here. */
  rewriteOrigins?: readonly string[];
}): Promise<Front> {
  const url = originOf(options.host, options.port);
  const recorded: Violation[] = [];

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 502, { error: `The mock could not answer: ${(error as Error).message}` });
      } else {
        res.destroy();
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    if (path === VIOLATIONS_PATH) {
      if (req.method === 'DELETE') {
        recorded.length = 0;
        res.writeHead(204).end();
      } else {
        sendJson(res, 200, recorded);
      }
      return;
    }
    const body = await readAll(req);
    const request: RoutedRequest = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
    };
    const route = options.route(request);
    if ('status' in route) {
      sendJson(res, route.status, { error: route.error });
      return;
    }

    const controller = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) controller.abort();
    });

    if (route.validateWith !== undefined) {
      const check = await forward(route.validateWith, request, controller.signal);
      const checkBody = await readAll(check);
      const found = violationsOf(request, {
        status: check.statusCode ?? 0,
        header: headerOf(check, 'sl-violations'),
        problemBody: checkBody.toString('utf8'),
      });
      if (found.some((v) => v.severity === 'Error')) {
        recorded.push(...found);
        copyHead(res, check, checkBody.length);
        res.end(checkBody);
        return;
      }
    }

    const answer = await forward(route.to, request, controller.signal);
    const status = answer.statusCode ?? 502;
    const type = headerOf(answer, 'content-type') ?? '';
    const isProblem = type.includes('problem+json');
    const rewrites = (options.rewriteOrigins ?? []).filter((origin) => origin !== url);
    if (isProblem || (rewrites.length > 0 && type.includes('json'))) {
      let text = (await readAll(answer)).toString('utf8');
      recorded.push(
        ...violationsOf(request, {
          status,
          header: headerOf(answer, 'sl-violations'),
          ...(isProblem ? { problemBody: text } : {}),
        }),
      );
      for (const origin of rewrites) text = text.replaceAll(origin, url);
      const bytes = Buffer.from(text, 'utf8');
      copyHead(res, answer, bytes.length);
      res.end(bytes);
      return;
    }
    recorded.push(...violationsOf(request, { status, header: headerOf(answer, 'sl-violations') }));
    copyHead(res, answer);
    res.flushHeaders();
    for await (const chunk of answer) {
      if (res.destroyed) break;
      res.write(chunk);
    }
    res.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    violations: () => [...recorded],
    clearViolations: () => {
      recorded.length = 0;
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function forward(
  origin: string,
  request: RoutedRequest,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const target = new URL(request.path, origin);
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (!HOP_BY_HOP.has(name)) headers[name] = value;
  }
  headers.host = target.host;
  return new Promise((resolve, reject) => {
    const out = httpRequest(target, { method: request.method, headers, signal }, resolve);
    out.once('error', reject);
    out.end(request.body);
  });
}

function copyHead(res: ServerResponse, answer: IncomingMessage, length?: number): void {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    if (length !== undefined && name === 'content-length') continue;
    headers[name] = value;
  }
  if (length !== undefined) headers['content-length'] = String(length);
  res.writeHead(answer.statusCode ?? 502, headers);
}

function headerOf(message: IncomingMessage, name: string): string | undefined {
  const value = message.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'access-control-allow-origin': '*',
  });
  res.end(text);
}
