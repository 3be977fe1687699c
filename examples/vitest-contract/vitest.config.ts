import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Starts the mock once for every test file, and stops it at the end.
    globalSetup: ['./test/global-setup.ts'],
  },
});
