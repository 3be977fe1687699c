import { defineConfig } from 'vitest/config';

// Three projects: unit tests run alone (fake timers, fakes in-process); integration tests share
// the servers that test/setup/servers.ts starts on free loopback ports (the product's mock, Prism
// in proxy mode and the scenario server) and stops at the end.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: [
            'test/contract/**',
            'test/integration/**',
            'test/testing/**',
            'test/package/**',
            '**/node_modules/**',
          ],
        },
      },
      {
        test: {
          name: 'integration',
          include: [
            'test/contract/**/*.test.ts',
            'test/integration/**/*.test.ts',
            'test/testing/**/*.test.ts',
          ],
          globalSetup: ['test/setup/servers.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The package as users get it: packs dist/ (built by `npm test` first), installs the
        // tarball in a temporary project, and checks it there.
        test: {
          name: 'package',
          include: ['test/package/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
