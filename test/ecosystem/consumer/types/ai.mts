// With `ai` (the bundler consumer, which has @types/node as apps that use `ai` do): the
// provider's models are what `generateText` takes, and the answer's text is a string.
import { generateText } from 'ai';
import { createAixplain } from 'aixplain-llm/ai-sdk';

export async function viaAi(): Promise<string> {
  const { text } = await generateText({
    model: createAixplain({ apiKey: 'k' })('m'),
    prompt: 'Hi',
  });
  return text;
}
