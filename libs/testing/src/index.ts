export { createTestDatabase, type TestDatabase } from './test-database.ts';
export { eventually } from './eventually.ts';
export { FakeClock } from './fake-clock.ts';
export { DeciderSpecification, DeciderOutcome } from './decider-specification.ts';
export { withTimeout } from './with-timeout.ts';
