/**
 * `aixplain-llm/generated`: the client generated from openapi/ by @hey-api/openapi-ts, for
 * advanced use: the SDK functions, their types, the zod (mini) schemas of every model of the
 * spec, and the fetch client. The `LLM` facade is the supported way in; this is the raw API.
 *
 * @example
 * import { createClient, executeModel, zRunResult } from 'aixplain-llm/generated';
 * const client = createClient({ baseUrl: 'https://models.aixplain.com', auth: () => key });
 * const { data } = await executeModel({ client, path: { modelId }, body: { data: 'Hi' } });
 * zRunResult.parse(data);
 *
 * @module aixplain-llm/generated
 */
export {
  type Auth,
  type Client,
  type Config,
  type CreateClientConfig,
  createClient,
  createConfig,
  type RequestOptions,
  type RequestResult,
} from '../generated/client/index.js';
export { client } from '../generated/client.gen.js';
export * from '../generated/index.js';
export * from '../generated/zod.gen.js';
