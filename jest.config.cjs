/** Jest runs TypeScript through SWC (fast, no type check: `tsc --noEmit` does that in `npm test`). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  // ESM-only packages that must be turned into CommonJS for Jest's loader.
  transformIgnorePatterns: ['/node_modules/(?!(@noble|@scure|bs58|base-x|cookie)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  globalSetup: '<rootDir>/test/global-setup.ts',
  testTimeout: 30000,
  // One worker per core; every test file gets its own schema and queue prefix, so files run in parallel safely.
  maxWorkers: 2,
};
