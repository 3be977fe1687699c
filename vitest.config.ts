import { defineConfig } from 'vitest/config';

// Two projects: unit tests run alone (fake timers, fakes in-process); integration tests share
// the servers that test/setup/servers.ts starts on free loopback ports (the Prism mock, Prism in
// proxy mode and the fake upstream) and stops at the end.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/contract/**', 'test/integration/**', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/contract/**/*.test.ts', 'test/integration/**/*.test.ts'],
          globalSetup: ['test/setup/servers.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
