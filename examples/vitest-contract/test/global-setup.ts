import { startMock } from 'aixplain-llm/testing';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    aixplainUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const mock = await startMock();
  project.provide('aixplainUrl', mock.url);
  return () => mock.close();
}
