// Chromium, Web Worker: runs the checks with the config the page posts, and posts the result.
import { runChecks } from './scenario.mjs';

self.onmessage = async (event) => {
  self.postMessage(await runChecks(event.data));
};
