/**
 * The latency benchmark's server: a bare node:http server on loopback that answers every request
 * at once with a prebuilt body, so that what is measured is the client. It runs in its own
 * process (forked by latency.mjs) so that it does not share the client's event loop, and reports
 * its port over IPC.
 *
 * - `POST /api/v2/execute/:id`: 200, a finished SUCCESS answer (the fake upstream's `ok` shape).
 * - `POST /api/v1/execute/:id`: 201, a ticket whose `data` is a poll URL on this server.
 * - `GET /api/v1/data/:id`: 200, the same finished SUCCESS answer (the first poll is done).
 * - `POST /chat/completions`: 200, a chat completion of the same text, for the openai client.
 */
import { createServer } from 'node:http';
import { CHAT_ANSWER, SUCCESS_ANSWER } from './answer.mjs';

const SUCCESS = Buffer.from(SUCCESS_ANSWER);
const CHAT = Buffer.from(CHAT_ANSWER);
let origin = '';
let ticket = Buffer.alloc(0);

function reply(res, status, body) {
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': body.length,
    'x-request-id': 'bench-request',
  });
  res.end(body);
}

const server = createServer((req, res) => {
  // The request body is read (and dropped) before answering, as a real server would.
  req.resume();
  req.on('end', () => {
    const url = req.url ?? '';
    if (req.method === 'POST' && url.startsWith('/api/v2/execute/')) reply(res, 200, SUCCESS);
    else if (req.method === 'POST' && url.startsWith('/api/v1/execute/')) reply(res, 201, ticket);
    else if (req.method === 'GET' && url.startsWith('/api/v1/data/')) reply(res, 200, SUCCESS);
    else if (req.method === 'POST' && url.startsWith('/chat/completions')) reply(res, 200, CHAT);
    else reply(res, 404, Buffer.from('{"error":"Not found."}'));
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  origin = `http://127.0.0.1:${port}`;
  ticket = Buffer.from(
    JSON.stringify({
      completed: false,
      data: `${origin}/api/v1/data/bench-request`,
      requestId: 'bench-request',
    }),
  );
  process.send?.({ origin });
});

// The parent went away (or closed the channel): keep-alive sockets would hold close() open.
process.on('disconnect', () => process.exit(0));
