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
