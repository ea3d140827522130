export { createTestDatabase, type TestDatabase } from './test-database.ts';
export { eventually } from './eventually.ts';
export { FakeClock } from './fake-clock.ts';
export { DeciderSpecification, DeciderOutcome } from './decider-specification.ts';
export { withTimeout } from './with-timeout.ts';
export { OUT_OF_ORDER_DAY0, outOfOrderRecordedAt } from './out-of-order-days.ts';
