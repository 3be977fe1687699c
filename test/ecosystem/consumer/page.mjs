// Chromium, page: runs the checks in the page and, at the same time, in a module Web Worker
// (webworker.js), then publishes both results as `window.__result` (the config is the hash).
import { runChecks } from './scenario.mjs';

const config = JSON.parse(decodeURIComponent(location.hash.slice(1)));

function inWorker() {
  return new Promise((resolve) => {
    const worker = new Worker('./webworker.js', { type: 'module' });
    worker.onmessage = (event) => resolve(event.data);
    worker.onerror = (event) => resolve({ error: `worker error: ${event.message}` });
    worker.postMessage({ ...config, suffix: `${config.suffix}-worker` });
  });
}

Promise.all([runChecks(config), inWorker()]).then(
  ([page, worker]) => {
    window.__result = { page, worker };
  },
  (error) => {
    window.__result = { error: String(error?.stack ?? error) };
  },
);
