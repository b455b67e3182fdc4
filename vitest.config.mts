import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The Temporal worker's native module needs process isolation: keep the forks pool.
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // 2 cores: each workflow test file runs its own Temporal server and worker.
    maxWorkers: 2,
  },
});
