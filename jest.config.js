// Tests run as native ESM (package.json "type": "module"; `npm test` sets --experimental-vm-modules),
// transpiled by SWC. Two projects: `unit` (pure, no database) and `integration` (real PostgreSQL: the one named
// by DATABASE_URL, or an embedded one that test/setup/global-setup.ts starts and stops).
const shared = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleNameMapper: {
    '^#event-store$': '<rootDir>/libs/event-store/src/index.ts',
    '^#event-store/(postgres|eventstoredb)$': '<rootDir>/libs/event-store/src/$1/index.ts',
    '^#projections$': '<rootDir>/libs/projections/src/index.ts',
    '^#testing$': '<rootDir>/libs/testing/src/index.ts',
    '^#postgres$': '<rootDir>/libs/postgres/src/index.ts',
  },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/**/*.unit.spec.ts'], testPathIgnorePatterns: ['/node_modules/', '/dist/'] },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.int.spec.ts', '<rootDir>/**/*.e2e.spec.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    },
  ],
  globalSetup: '<rootDir>/test/setup/global-setup.ts',
  globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
  testTimeout: 60000,
};
