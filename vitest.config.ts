import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    testTimeout: 15_000,
    hookTimeout: 20_000,
    // Socket tests measure time and count handles: keep each file in its own fork, a few at once.
    pool: 'forks',
    maxWorkers: 2,
    projects: [
      {
        // `npm test`: the source, adapters included (src/, lambda/), never the committed bundles.
        extends: true,
        test: { name: 'source', include: ['test/**/*.test.ts'], exclude: ['test/bundle/**'] },
      },
      {
        // `npm run test:bundle`: dist/, run by .ci/run after it has checked dist/ equals a fresh bundle.
        extends: true,
        test: { name: 'bundle', include: ['test/bundle/**/*.test.ts'] },
      },
    ],
  },
});
