/** Turns the suites' records into docs/reliability.md and a console summary. */
export function renderReport(records: Array<Record<string, unknown>>): {
  markdown: string;
  summary: string;
} {
  const summary = records.map((r) => `${r.section}: ${JSON.stringify(r)}`).join('\n');
  return { markdown: `# Reliability\n\n\`\`\`\n${summary}\n\`\`\`\n`, summary };
}
