import type { DataSource } from 'typeorm';
import { runMigrations, type Migration } from '#postgres';
import { poolOf } from './data-source-pool.ts';

/**
 * Tables a module keeps outside the read models (delivery records, addresses kept for one message): a rebuild of the
 * read models must not touch them, so no projection creates them. They are created by versioned migrations
 * (`runMigrations`: serialised across instances, each recorded once) the first time the module uses them, through the
 * read side's own connections, so that whatever uses them (a scheduler, a use case, a test) needs no wiring.
 */
const migrated = new WeakMap<DataSource, Map<string, Promise<void>>>();

export function migrateOnFirstUse(db: DataSource, component: string, migrations: readonly Migration[]): Promise<void> {
  let components = migrated.get(db);
  if (components === undefined) migrated.set(db, (components = new Map()));
  let ready = components.get(component);
  if (ready === undefined) {
    ready = runMigrations(poolOf(db), component, migrations).then(
      () => undefined,
      (error: unknown) => {
        // Tried again on the next use (the database may have been restarting).
        components.delete(component);
        throw error;
      },
    );
    components.set(component, ready);
  }
  return ready;
}
