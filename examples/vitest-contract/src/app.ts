// The app under test: it answers questions with a hosted model. Its tests point it at the mock
// by passing `baseUrl` (and, for a scenario, `headers`); the code itself does not change.
import { LLM, type LLMOptions, type ModelResponse } from 'aixplain-llm';

export type AppOptions = Pick<LLMOptions, 'baseUrl' | 'headers' | 'apiKey'>;

export function createApp(options: AppOptions = {}) {
  const llm = new LLM({ id: '669a63646eb56306647e1091', ...options });
  return {
    /** One answer; `timeoutMs` bounds the whole run, polling included. */
    ask(
      question: string,
      run: { timeoutMs?: number; onPoll?: () => void } = {},
    ): Promise<ModelResponse> {
      return llm.run(question, { maxTokens: 64, waitTimeMs: 200, ...run });
    },
    /** The answer as it is written, token by token. */
    async *tokens(question: string): AsyncGenerator<string> {
      const stream = await llm.stream(question, { maxTokens: 64 });
      for await (const chunk of stream) {
        if (chunk.status === 'FAILED') throw chunk.error;
        yield String(chunk.data);
      }
    },
  };
}
