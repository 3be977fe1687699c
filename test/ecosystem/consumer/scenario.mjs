/**
 * The checks that every runtime of the ecosystem suite runs against the fake API
 * (test/ecosystem/fake-api.mjs), through the package as installed from its tarball. The suite
 * copies this file into each throw-away consumer, so `aixplain-llm` and `ai` resolve there.
 *
 * `runChecks(config)` never throws: each check reports `{ name, ok, detail }`, so one failure
 * does not hide the others. `config` is `{ baseUrl, foreignUrl, key, suffix }`; the model ids
 * end in `suffix` (the runtime's name), which keeps each runtime's requests apart.
 */
import { generateText, streamText } from 'ai';
import { AuthenticationError, LLM, ValidationError } from 'aixplain-llm';
import { createAixplain } from 'aixplain-llm/ai-sdk';

export const TOKENS = ['Hel', 'lo', ' wörld', ' 👋', '!'];

export async function runChecks({ baseUrl, foreignUrl, key, suffix }) {
  // The AI SDK prints every warning unless told not to; the checks look at them instead.
  globalThis.AI_SDK_LOG_WARNINGS = false;
  const llm = (kind, options = {}) =>
    new LLM({ id: `${kind}-${suffix}`, apiKey: key, baseUrl, maxRetries: 0, ...options });
  const checks = [];
  const check = async (name, body) => {
    try {
      await body();
      checks.push({ name, ok: true });
    } catch (error) {
      checks.push({ name, ok: false, detail: describe(error) });
    }
  };

  await check('run', async () => {
    const res = succeeded(await llm('ok').run('Hello'));
    same({ status: res.status, data: res.data }, { status: 'SUCCESS', data: 'Echo: Hello' });
  });

  await check('run, async + poll', async () => {
    const res = succeeded(await llm('async').run('Hello', { waitTimeMs: 200 }));
    same({ status: res.status, data: res.data }, { status: 'SUCCESS', data: 'Echo: Hello' });
  });

  await check('runAsync + syncPoll', async () => {
    const model = llm('async');
    const ticket = succeeded(await model.runAsync('Hello'));
    same(ticket.status, 'IN_PROGRESS');
    if (!ticket.url?.startsWith(`${baseUrl}/`)) throw new Error(`poll URL ${ticket.url}`);
    const res = succeeded(await model.syncPoll(ticket.url, { waitTimeMs: 200 }));
    same({ status: res.status, data: res.data }, { status: 'SUCCESS', data: 'Echo: Hello' });
  });

  await check('stream', async () => {
    const stream = await llm('stream').stream('Hello');
    const tokens = [];
    for await (const chunk of stream) tokens.push(succeeded(chunk).data);
    same({ status: stream.status, tokens }, { status: 'SUCCESS', tokens: TOKENS });
  });

  await check('stream, break', async () => {
    const stream = await llm('hang').stream('Hello');
    const tokens = [];
    for await (const chunk of stream) {
      tokens.push(succeeded(chunk).data);
      break;
    }
    same(tokens, [TOKENS[0]]);
    // The server answers once the stream's connection is closed (or `false` after 10 s).
    const { closed } = await (await fetch(`${baseUrl}/__closed/hang-${suffix}`)).json();
    same({ closed }, { closed: true });
  });

  await check('401', async () => {
    const res = await llm('ok', { apiKey: 'a-wrong-key-4242' }).run('Hello');
    same(res.status, 'FAILED');
    if (!(res.error instanceof AuthenticationError))
      throw new Error(`error ${describe(res.error)}`);
    if (!res.errorMessage.startsWith('Unauthorized API key')) throw new Error(res.errorMessage);
    if (res.errorMessage.includes('a-wrong-key-4242')) throw new Error('the key is in the message');
  });

  await check('foreign poll URL refused', async () => {
    const path = `/api/v1/data/foreign-${suffix}`;
    let thrown;
    try {
      await llm('ok').poll(`${foreignUrl}${path}`);
    } catch (error) {
      thrown = error;
    }
    if (!(thrown instanceof ValidationError)) throw new Error(`rejection ${describe(thrown)}`);
    const { hits } = await (await fetch(`${baseUrl}/__foreign`)).json();
    same({ sentToForeignHost: hits.filter((hit) => hit === path) }, { sentToForeignHost: [] });
  });

  await check('no key: ValidationError', async () => {
    let thrown;
    try {
      new LLM({ id: `ok-${suffix}` });
    } catch (error) {
      thrown = error;
    }
    if (!(thrown instanceof ValidationError)) throw new Error(`thrown ${describe(thrown)}`);
    // Deno runs the suite without --allow-env: the error must say which flag reads the key.
    if (globalThis.Deno !== undefined && !thrown.message.includes('--allow-env')) {
      throw new Error(thrown.message);
    }
  });

  const aixplain = createAixplain({ apiKey: key, baseUrl });
  await check('ai generateText', async () => {
    const { text, warnings } = await generateText({
      model: aixplain(`ok-${suffix}`),
      prompt: 'Hi',
    });
    same({ text, warnings }, { text: 'Echo: Hi', warnings: [] });
  });

  await check('ai streamText', async () => {
    const result = streamText({ model: aixplain(`stream-${suffix}`), prompt: 'Hi' });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    same({ text, warnings: await result.warnings }, { text: TOKENS.join(''), warnings: [] });
  });

  return { runtime: runtimeName(), checks };
}

/** The response itself, unless it FAILED: then its error, which says why. */
function succeeded(res) {
  if (res.status === 'FAILED') throw res.error ?? new Error(`FAILED: ${res.errorMessage}`);
  return res;
}

function same(actual, expected) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`got ${a}, expected ${e}`);
}

function describe(error) {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
    return `${error.name}: ${error.message}${cause}`;
  }
  return String(error);
}

function runtimeName() {
  const g = globalThis;
  if (g.Deno !== undefined) return `deno ${g.Deno.version.deno}`;
  if (g.Bun !== undefined) return `bun ${g.Bun.version}`;
  if (g.process?.versions?.node !== undefined && g.navigator?.userAgent !== 'Cloudflare-Workers') {
    return `node ${g.process.versions.node}`;
  }
  return g.navigator?.userAgent ?? 'unknown';
}
