import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: files in parallel on forks; each data-layer file makes its own databases.
    pool: 'forks',
    globalSetup: ['test/global-setup.ts'],
  },
});
