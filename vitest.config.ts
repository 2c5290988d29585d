import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Git child processes dominate test time; two workers match the CI machine's cores.
    maxWorkers: 2,
    coverage: { include: ['src/engine/**'] },
  },
});
