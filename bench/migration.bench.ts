/**
 * The event store's history indexes (migrations 2 and 3) added to a log that already holds --migration-events events
 * (default 1,000,000), while appends go on: how long the build takes and what the appends saw meanwhile. One JSON
 * object on stdout.
 *
 *   node_modules/.bin/node --experimental-transform-types --conditions=source --no-warnings bench/migration.bench.ts
 *
 * The log is made as migration 1 left it (the store's schema, then the later migrations' indexes dropped and their
 * records removed), filled by SQL (generate_series: events of 50,000 streams with the metadata the service writes),
 * then the store is opened again, which runs migrations 2 and 3, while one writer appends an event at a time.
 * --migration-plain builds the same indexes as a plain CREATE INDEX in the migration's transaction, for comparison.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runMigrations, type Migration } from '../libs/postgres/src/index.ts';
import { PostgresEventStore } from '../libs/event-store/src/postgres/index.ts';
import { createBenchDatabase, reportAndExit, resolveServer, wholeNumberFlag } from './bench-server.ts';

const { values } = parseArgs({
  options: { pg: { type: 'string' }, 'migration-events': { type: 'string', default: '1000000' }, 'migration-plain': { type: 'boolean' } },
});
/** --migration-plain: the same indexes as plain CREATE INDEX in the migration's transaction, as migrations 2 and 3 were first written. */
const PLAIN: Migration[] = [
  {
    version: 2,
    name: 'history indexes (plain)',
    sql: `CREATE INDEX es_events_actor_order ON es_events ((metadata ->> 'actorId'), transaction_id, global_position);
          CREATE INDEX es_events_correlation_order ON es_events ((metadata ->> 'correlationId'), transaction_id, global_position);
          CREATE INDEX es_events_recorded_at ON es_events (recorded_at) INCLUDE (transaction_id, global_position);`,
  },
  {
    version: 3,
    name: 'event id index (plain)',
    sql: `CREATE INDEX es_events_event_id_order ON es_events (event_id, transaction_id, global_position);`,
  },
];
const events = wholeNumberFlag('--migration-events', values['migration-events'], 1);
await reportAndExit(async () => {
  const database = await createBenchDatabase(await resolveServer(values.pg), 'migration_bench');
  // Opened (and migrated) before the later migrations are undone: it appends while they are applied again.
  const writerStore = await PostgresEventStore.create({ connectionString: database.url });
  const pool = new pg.Pool({ connectionString: database.url, max: 4 });
  for (const index of ['es_events_actor_order', 'es_events_correlation_order', 'es_events_recorded_at', 'es_events_event_id_order']) {
    await pool.query(`DROP INDEX ${index}`);
  }
  await pool.query(`DELETE FROM schema_migrations WHERE component = 'event-store' AND version IN (2, 3)`);
  const fillStarted = performance.now();
  await pool.query(`INSERT INTO es_streams (stream_id) SELECT 'group-g' || s FROM generate_series(1, 50000) s`);
  await pool.query(
    `INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata, recorded_at)
     SELECT 'group-g' || (g % 50000 + 1), g / 50000, gen_random_uuid(), 'GroupOwnerAssigned',
            json_build_object('groupId', 'g' || (g % 50000 + 1), 'memberId', 'm-' || (g % 7919)),
            json_build_object('actorId', 'cm-' || (g % 17), 'correlationId', gen_random_uuid(), 'commandId', 'c' || g,
                              'occurredAt', now() - (($1 - g) || ' seconds')::interval),
            now() - (($1 - g) || ' seconds')::interval
       FROM generate_series(0, $1 - 1) g`,
    [events],
  );
  await pool.query('ANALYZE es_events');
  const fillMs = performance.now() - fillStarted;

  const latencies: number[] = [];
  let running = true;
  const writer = (async () => {
    for (let n = 0; running; n++) {
      const started = performance.now();
      await writerStore.appendToStream(`bench-w${n}`, [{ id: randomUUID(), type: 'Written', data: '{}', metadata: '{}' }], 'no_stream');
      latencies.push(performance.now() - started);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const migrationStarted = performance.now();
  if (values['migration-plain']) await runMigrations(pool, 'event-store', PLAIN);
  else await (await PostgresEventStore.create({ connectionString: database.url })).close();
  const migrationMs = performance.now() - migrationStarted;
  running = false;
  await writer;
  await writerStore.close();
  const { rows } = await pool.query<{ valid: boolean }>(
    `SELECT bool_and(indisvalid) AS valid FROM pg_index WHERE indexrelid::regclass::text IN
       ('es_events_actor_order', 'es_events_correlation_order', 'es_events_recorded_at', 'es_events_event_id_order')`,
  );
  await pool.end();
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 10) / 10;
  return {
    output: {
      events,
      indexes: values['migration-plain'] ? 'plain CREATE INDEX in a transaction' : 'CREATE INDEX CONCURRENTLY',
      fillMs: Math.round(fillMs),
      migrationMs: Math.round(migrationMs),
      indexesValid: rows[0]?.valid ?? false,
      appendsDuringMigration: latencies.length,
      appendMs: { p50: at(0.5), p99: at(0.99), max: at(1) },
    },
    failed: rows[0]?.valid !== true,
  };
});
