// The browser test's page script: runs `run` and `stream` of the built package against the
// fake upstream named in the query (`?upstream=<origin>&run=<model id>&stream=<model id>`),
// then publishes what arrived as `window.__result` and as JSON in `#result`.
import { LLM, VERSION } from '/dist/index.js';

const params = new URLSearchParams(location.search);
const baseUrl = params.get('upstream') ?? '';
// No `process` here: the key is passed explicitly.
const apiKey = 'browser-key';

async function main() {
  const result = { version: VERSION, hasProcess: typeof globalThis.process !== 'undefined' };

  const runModel = new LLM({ id: params.get('run') ?? '', apiKey, baseUrl });
  const res = await runModel.run('Hello');
  result.run = { status: res.status, data: res.data };

  const streamModel = new LLM({ id: params.get('stream') ?? '', apiKey, baseUrl });
  const stream = await streamModel.stream('Hello');
  const tokens = [];
  for await (const chunk of stream) tokens.push(chunk.data);
  result.stream = { status: stream.status, tokens };

  return result;
}

function publish(result) {
  window.__result = result;
  document.getElementById('result').textContent = JSON.stringify(result);
}

main().then(
  (result) => publish({ ok: true, ...result }),
  (error) => publish({ ok: false, error: String(error?.stack ?? error) }),
);
