import { defineConfig } from 'vitest/config';

/** One project per suite, so each runs alone (`vitest run --project unit`); `vitest run` runs them all together. */
const SUITES = ['unit', 'infra', 'workflow', 'integration', 'e2e'] as const;

export default defineConfig({
  test: {
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    restoreMocks: true,
    projects: SUITES.map((name) => ({
      extends: true,
      test: {
        name,
        include: [`test/${name}/**/*.test.ts`],
        // End-to-end tests fail on any contract violation Prism saw.
        ...(name === 'e2e' && { setupFiles: ['test/e2e/contract-setup.ts'] }),
      },
    })),
  },
});
