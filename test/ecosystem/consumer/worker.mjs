// workerd: a module worker; `GET /?config=<config JSON>` answers the checks' result as JSON.
import { runChecks } from './scenario.mjs';

export default {
  async fetch(request) {
    const config = JSON.parse(new URL(request.url).searchParams.get('config') ?? '{}');
    return Response.json(await runChecks(config));
  },
};
