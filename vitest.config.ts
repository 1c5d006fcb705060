import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // A hang guard, not a speed check: under coverage (block counters slow hot loops 2-3x) on a
    // loaded 2-core machine the 100,000-name tests took over 20 s.
    testTimeout: 60_000,
    // Test files and the product run through Node's own import (type stripping), as in the
    // children: each file then has one instrumentation, and coverage merges in-process and child
    // counts branch by branch (through Vite's module runner the two differ and both are counted).
    experimental: { viteModuleRunner: false },
    hookTimeout: 120_000,
    // `npm test` runs with --coverage; `npx vitest run test/x.test.ts` measures nothing.
    coverage: {
      provider: 'v8',
      // The product: what `npm run build` compiles (tsconfig.build.json), not tests, bench, fuzz or scripts.
      include: [
        'agent/**/*.ts',
        'collector/**/*.ts',
        'config/**/*.ts',
        'exporters/**/*.ts',
        'instrumentation/**/*.ts',
        'storage/**/*.ts',
        'view/**/*.ts',
        'app/**/*.ts',
        'index.ts',
        'errors.ts',
        'node-version.ts',
      ],
      // Code run in child processes counts too: `headroom agent`, embedded services, fixtures. Vitest
      // sets NODE_V8_COVERAGE in each test process; test/helpers/child-process.ts passes it on to
      // children started with their own environment, and stops them with SIGTERM so they write it.
      autoAttachSubprocess: true,
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 95, branches: 90 },
    },
  },
});
