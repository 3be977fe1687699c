/**
 * Loopback ports for the mock's servers: a free one, whether one accepts connections, and the
 * origin that reaches a listen address.
 */
import { connect, createServer } from 'node:net';

/** A port that was free a moment ago (listen on port 0, read it, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error('No free port.'))));
    });
  });
}

/** Whether something accepts TCP connections on `host:port`. */
export function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((answer) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      answer(true);
    });
    socket.once('error', () => {
      socket.destroy();
      answer(false);
    });
  });
}

/** `http://host:port`; a wildcard listen address is not a usable origin, so loopback stands in. */
export function originOf(host: string, port: number): string {
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}
