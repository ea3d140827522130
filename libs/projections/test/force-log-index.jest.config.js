// The integration specs with the log index forced on PostgreSQL (force-log-index.setup.ts):
//   DATABASE_URL=... npm test -- --config libs/projections/test/force-log-index.jest.config.js test/e2e/audit.e2e.spec.ts
import base from '../../../jest.config.js';

const rootDir = new URL('../../..', import.meta.url).pathname;
export default {
  ...base,
  rootDir,
  projects: base.projects.map((project) => ({
    ...project,
    rootDir,
    setupFilesAfterEnv: ['<rootDir>/libs/projections/test/force-log-index.setup.ts'],
  })),
};
