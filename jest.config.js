/**
 * `npm test` runs both projects (what CI runs); `npm run test:unit` runs only `unit`: the pure
 * core and the adapters against mocks, in seconds. `integration` is whatever needs a process of
 * its own: moto (`*.int.test.ts`, `*.moto.test.ts`, test/integration/), `serverless package` and
 * `invoke local` (test/stack/, test/manual/stack.test.ts, *invoke-local.test.ts), and the
 * drill-heavy scenario suites (test/scenarios/). test/architecture/testProjects.test.ts keeps new files on the right side.
 */
const INTEGRATION = [
  '/test/integration/.*\\.test\\.ts$',
  '/test/stack/.*\\.test\\.ts$',
  '/test/scenarios/.*\\.test\\.ts$',
  '\\.int\\.test\\.ts$',
  '\\.moto\\.test\\.ts$',
  'invoke-local\\.test\\.ts$',
  '/test/manual/stack\\.test\\.ts$',
];

const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: { warnOnly: false } }];
/** @type {import('jest').Config} */
const shared = {
  testEnvironment: '<rootDir>/test/quietEnvironment.ts',
  roots: ['<rootDir>/test'],
  // Our TypeScript, and middy's ESM JavaScript (below); plain CommonJS such as this file is loaded as is.
  transform: { '^.+\\.ts$': tsJest, '/node_modules/@middy/.+\\.js$': tsJest },
  // middy 7 is ESM-only; jest runs CJS, so map it to its file and let ts-jest transpile it.
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  projects: [
    { ...shared, displayName: 'unit', testPathIgnorePatterns: ['/node_modules/', ...INTEGRATION] },
    { ...shared, displayName: 'integration', testRegex: INTEGRATION, globalSetup: '<rootDir>/test/buildCli.js' },
  ],
};
