import { LLM, LLMError, type ModelResponse, type ModelResponseStreamer } from 'aixplain-llm';
import { createAixplain } from 'aixplain-llm/ai-sdk';
import { executeModel, zRunResult } from 'aixplain-llm/generated';

const llm = new LLM({ id: 'model-1', temperature: 0.2 });
export async function use(): Promise<string> {
  const res: ModelResponse = await llm.run('Hi', { maxTokens: 64 });
  const streamer: ModelResponseStreamer = await llm.run('Hi', { stream: true });
  const status: 'IN_PROGRESS' | 'SUCCESS' | 'FAILED' = streamer.status;
  // @ts-expect-error the input is a string or an object, never a number
  await llm.run(42);
  if (res.error instanceof LLMError) return res.error.message;
  const parsed = String(zRunResult.parse({ completed: true, status: 'SUCCESS', data: 'x' }).status);
  const spec: 'v3' = createAixplain({ apiKey: 'k' })('model-1').specificationVersion;
  return `${status} ${String(res.data)} ${typeof executeModel} ${parsed} ${spec}`;
}
