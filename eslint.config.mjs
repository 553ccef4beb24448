// `npm run lint`: typescript-eslint with type information (the same tsconfig.json tsc uses).
// Aim: catch bugs tsc cannot see, above all promises that are dropped, misused or awaited by
// mistake (a floating promise is an unhandled rejection or a write the run never waits for).
// Formatting is not linted.
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['node_modules/', 'dist/', 'coverage/', '.serverless/', '.esbuild/'] },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // The three the project asks for (all in recommendedTypeChecked; stated so they stay on).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try/catch skips the catch when it rejects: await it there.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      // The code already writes `import type`; keep it so (type-only imports vanish from bundles).
      // (`typeof import('x')` in a type position is type-only too, so allowed.)
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // Error messages name values the types say cannot occur but an API may still send.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNever: true }],
      // Ports are Promise-returning interfaces; in-memory implementations (src/sim/, test fakes)
      // are `async` without awaiting anything, which is correct.
      '@typescript-eslint/require-await': 'off',
      // `'aws-health' | string` documents the known values of an open set.
      '@typescript-eslint/no-redundant-type-constituents': 'off',
      // Style only; left off so this change touches no lines other work is editing.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
    },
  },
  {
    // Tests read JSON documents (CloudFormation templates, handler and CLI output) as `any`, save
    // and restore methods (`const write = process.stdout.write`) without calling them, and load
    // modules afresh with `require()` inside jest.isolateModules.
    files: ['test/**/*.ts'],
    linterOptions: { reportUnusedDisableDirectives: 'off' },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
);
