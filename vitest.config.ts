import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // CLI and synthesis tests spawn node processes; two cores are all CI has.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
