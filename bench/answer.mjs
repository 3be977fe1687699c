/** The finished answer both latency servers give (the fake upstream's `ok` shape). */
export const SUCCESS_ANSWER = JSON.stringify({
  completed: true,
  status: 'SUCCESS',
  data: 'Echo: Hello',
  usedCredits: 0.5,
  runTime: 0.25,
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  requestId: 'bench-request',
});

/** The same answer as an OpenAI chat completion, for the openai client's row. */
export const CHAT_ANSWER = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 1_700_000_000,
  model: 'bench-model',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Echo: Hello' },
      finish_reason: 'stop',
    },
  ],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
});
