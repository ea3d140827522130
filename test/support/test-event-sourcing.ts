import { loadConfig } from '../../src/platform/config/config.ts';
import { createEventSourcing, type EventSourcing, type EventSourcingParts } from '../../src/platform/infrastructure/event-sourcing.ts';
import { createTestDatabase, type TestDatabase } from '#testing';
import { MODULES } from '../../src/modules/index.ts';

export interface TestEventSourcing extends EventSourcing {
  readonly database: TestDatabase;
}

/** The parts under test; the read side maps every module's entities unless the spec says otherwise. */
export type TestEventSourcingParts = Omit<EventSourcingParts, 'readModelEntities'> & Partial<Pick<EventSourcingParts, 'readModelEntities'>>;

/**
 * What the service builds at start (event store, keys, schemas, projection runner, TypeORM read side), on a fresh
 * database of the test PostgreSQL, with the projections running. `close()` also drops the database.
 */
export async function startTestEventSourcing(parts: TestEventSourcingParts, prefix: string): Promise<TestEventSourcing> {
  const database = await createTestDatabase(prefix);
  let eventSourcing: EventSourcing;
  try {
    eventSourcing = await createEventSourcing(loadConfig({ NODE_ENV: 'test' }), database.url, {
      readModelEntities: MODULES.flatMap((module) => module.readModelEntities),
      ...parts,
    });
  } catch (error) {
    await database.drop();
    throw error;
  }
  await eventSourcing.runner.initialise();
  eventSourcing.runner.start();
  return {
    ...eventSourcing,
    database,
    async close() {
      await eventSourcing.close();
      await database.drop();
    },
  };
}
