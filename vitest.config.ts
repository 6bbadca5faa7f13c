import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 15_000,
    hookTimeout: 20_000,
    // Socket tests measure time and count handles: keep each file in its own fork, a few at once.
    pool: 'forks',
    maxWorkers: 2,
  },
});
