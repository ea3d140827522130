import type { Migration } from '#postgres';
import { RECORDED_DAY } from '#event-store/postgres';

export const READ_MODEL_SCHEMA = 'read_models';

/** RECORDED_DAY over log_events' own column, quoted for a string literal of the DDL below. */
const LOG_EVENTS_RECORDED_DAY = RECORDED_DAY.replace('%.', '').replaceAll("'", "''");

/**
 * An index added in place to every log-index generation that exists (active or building), under the name the
 * log index's setup gives it, so that a generation made by the new setup already has it (IF NOT EXISTS). `columns`
 * goes between the parentheses of `ON log_events (...)`, quoted for a string literal. Plain CREATE INDEX in the
 * migration's transaction: the index's writer waits while it is built; its readers do not.
 */
function indexInEveryLogIndexGeneration(name: string, columns: string): string {
  return `
DO $migration$
DECLARE
  generation_schema text;
BEGIN
  FOR generation_schema IN
    SELECT format('proj_%s_g%s', name, generation) FROM projection_generations
     WHERE name = 'log_index' AND status IN ('active', 'building')
  LOOP
    IF to_regclass(format('%I.log_events', generation_schema)) IS NOT NULL THEN
      EXECUTE format('CREATE INDEX IF NOT EXISTS ${name} ON %I.log_events (${columns})', generation_schema);
    END IF;
  END LOOP;
END
$migration$;
`;
}

/**
 * Bookkeeping of the projection runner. A projection has generations: each lives in its own schema
 * (`proj_<name>_g<generation>`) with its own checkpoint; one is active (the `read_models` views point at it),
 * at most one is building (a rebuild from position zero) and replaces it once caught up.
 */
export const PROJECTION_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'projection generations',
    sql: `
CREATE SCHEMA IF NOT EXISTS ${READ_MODEL_SCHEMA};
CREATE TABLE projection_generations (
  name            text        NOT NULL,
  generation      int         NOT NULL,
  version         int         NOT NULL,
  status          text        NOT NULL CHECK (status IN ('active', 'building', 'retired')),
  checkpoint      text,
  error           text,
  failed_event_id text,
  failed_position text,
  failed_at       timestamptz,
  created_at      timestamptz NOT NULL DEFAULT now(),
  activated_at    timestamptz,
  PRIMARY KEY (name, generation)
);
CREATE UNIQUE INDEX projection_one_active ON projection_generations (name) WHERE status = 'active';
CREATE UNIQUE INDEX projection_one_building ON projection_generations (name) WHERE status = 'building';
CREATE TABLE projection_rebuild_requests (
  name         text PRIMARY KEY,
  requested_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 2,
    name: 'event log the checkpoints belong to',
    sql: `
CREATE TABLE projection_event_log (
  single   boolean     PRIMARY KEY DEFAULT true CHECK (single),
  identity text        NOT NULL,
  bound_at timestamptz NOT NULL DEFAULT now()
);
`,
  },
  {
    version: 3,
    name: 'log index: event id index in the existing generations',
    // node(id) finds a governance event by its id; on the log index (log-index.ts) that needs an index on event_id.
    // Its setup creates it in every new generation; this adds it, in place, to the generations that already exist,
    // rather than a version bump that would rebuild the whole copy of the log (the serving one is not fed meanwhile).
    // IF NOT EXISTS under the setup's name: a generation made by the new setup already has it. Plain CREATE INDEX (in
    // the migration's transaction): the index's writer waits while it is built; its readers do not.
    sql: indexInEveryLogIndexGeneration('log_events_event_id_order', 'event_id, transaction_id, global_position'),
  },
  {
    version: 4,
    name: 'log index: recorded day index in the existing generations',
    // Time windows of history pages read each day's rows in log order (history-query.ts); log-index.ts's setup
    // creates the index in every new generation, this adds it in place to those that exist, as migration 3 did.
    // The expression is history-query.ts's RECORDED_DAY, exactly. The time index stays: a window with an actor (or
    // another selective filter) is read through it.
    sql: indexInEveryLogIndexGeneration(
      'log_events_recorded_day_order',
      `${LOG_EVENTS_RECORDED_DAY}, transaction_id, global_position) INCLUDE (recorded_at`,
    ),
  },
];
