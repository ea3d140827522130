import type { Migration } from '#postgres';

/**
 * The PostgreSQL event store's schema.
 *
 * Global order is (transaction_id, global_position), not global_position alone: a transaction that drew a lower
 * sequence value can commit after one that drew a higher one, and a reader that had moved past the higher one would
 * skip it for ever. Readers therefore only read events of transactions older than the oldest one still running
 * (`pg_snapshot_xmin`), in (transaction_id, global_position) order, and checkpoint on both.
 *
 * `data` and `metadata` are `json`, not `jsonb`: `json` keeps the text byte for byte, which the integrity hash
 * chain of the serialisation layer depends on.
 */
export const EVENT_STORE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'events, streams and the append function',
    sql: `
CREATE TABLE es_streams (
  stream_id text PRIMARY KEY,
  revision  bigint NOT NULL
);

CREATE TABLE es_events (
  transaction_id  xid8        NOT NULL DEFAULT pg_current_xact_id(),
  global_position bigint      GENERATED ALWAYS AS IDENTITY,
  stream_id       text        NOT NULL,
  stream_revision bigint      NOT NULL,
  category        text        NOT NULL GENERATED ALWAYS AS (split_part(stream_id, '-', 1)) STORED,
  event_id        uuid        NOT NULL,
  event_type      text        NOT NULL,
  data            json        NOT NULL,
  metadata        json        NOT NULL,
  recorded_at     timestamptz NOT NULL DEFAULT statement_timestamp(),
  PRIMARY KEY (transaction_id, global_position),
  UNIQUE (stream_id, stream_revision),
  UNIQUE (stream_id, event_id)
);
CREATE INDEX es_events_category_order ON es_events (category, transaction_id, global_position);
CREATE INDEX es_events_type_order ON es_events (event_type, transaction_id, global_position);

-- One append, with its stream already locked by es_append: answer an idempotent retry with the original result,
-- check the expected revision, insert. A refusal is returned, not raised, so the other appends of a batch commit.
CREATE FUNCTION es_append_one(p_stream text, p_expected text, p_events jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  current_revision bigint;
  event_count int := jsonb_array_length(p_events);
  first_existing bigint;
  matching int;
  last_position bigint;
  last_tx xid8;
BEGIN
  SELECT revision INTO current_revision FROM es_streams WHERE stream_id = p_stream;
  IF NOT FOUND THEN current_revision := -1; END IF;

  SELECT stream_revision INTO first_existing FROM es_events
   WHERE stream_id = p_stream AND event_id = (p_events->0->>'id')::uuid;
  IF FOUND THEN
    SELECT count(*), max(e.global_position) INTO matching, last_position
      FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(v, i)
      JOIN es_events e ON e.stream_id = p_stream AND e.event_id = (x.v->>'id')::uuid
                      AND e.stream_revision = first_existing + x.i - 1;
    IF matching <> event_count THEN
      RETURN jsonb_build_object('error', 'idempotency', 'id', p_events->0->>'id');
    END IF;
    SELECT transaction_id INTO last_tx FROM es_events WHERE stream_id = p_stream AND stream_revision = first_existing + event_count - 1;
    RETURN jsonb_build_object('revision', first_existing + event_count - 1, 'commit', last_tx::text, 'prepare', last_position, 'replay', true);
  END IF;

  IF NOT (p_expected = 'any'
          OR (p_expected = 'no_stream' AND current_revision = -1)
          OR (p_expected = 'stream_exists' AND current_revision >= 0)
          OR (p_expected ~ '^[0-9]+$' AND current_revision = p_expected::bigint)) THEN
    RETURN jsonb_build_object('error', 'revision', 'actual', current_revision);
  END IF;

  INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata)
  SELECT p_stream, current_revision + x.i, (x.v->>'id')::uuid, x.v->>'type', (x.v->>'data')::json, (x.v->>'metadata')::json
    FROM jsonb_array_elements(p_events) WITH ORDINALITY AS x(v, i)
   ORDER BY x.i;
  SELECT max(global_position) INTO last_position FROM es_events
   WHERE stream_id = p_stream AND stream_revision > current_revision;

  INSERT INTO es_streams (stream_id, revision) VALUES (p_stream, current_revision + event_count)
  ON CONFLICT (stream_id) DO UPDATE SET revision = EXCLUDED.revision;
  RETURN jsonb_build_object('revision', current_revision + event_count, 'commit', pg_current_xact_id()::text, 'prepare', last_position);
END
$fn$;

-- A batch of appends from concurrent callers in one transaction, so they share one commit (one WAL flush).
--
-- Every stream of the batch is locked first, with transaction-scoped advisory locks taken in one global order
-- (no deadlock between batches). Advisory locks, unlike row locks, do not give the transaction its id, so the id
-- is drawn at the first insert, after every lock is held: of two transactions writing one stream, the one that
-- commits first has the lower id, and the log's (transaction_id, global_position) order keeps each stream's
-- events in revision order.
--
-- Each append runs in its own subtransaction, so one refused or failing append leaves the others of the batch
-- intact; a unique violation (which the locks should make impossible) is answered 'retry' for that append alone.
-- No NOTIFY in here: PostgreSQL serialises the commits of transactions that notify, which would undo the group
-- commit. The adapter notifies other processes after the commit, outside this transaction.
CREATE FUNCTION es_append(p_batch jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $fn$
DECLARE
  item jsonb;
  lock_key int;
  result jsonb;
  results jsonb := '[]'::jsonb;
BEGIN
  -- 1702060354: the advisory-lock class of event-store streams (two-key locks: apart from all one-key locks).
  FOR lock_key IN SELECT DISTINCT hashtext(x.v->>'stream') FROM jsonb_array_elements(p_batch) AS x(v) ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(1702060354, lock_key);
  END LOOP;
  FOR item IN SELECT x.v FROM jsonb_array_elements(p_batch) WITH ORDINALITY AS x(v, i) ORDER BY x.i LOOP
    BEGIN
      result := es_append_one(item->>'stream', item->>'expected', item->'events');
    EXCEPTION
      WHEN unique_violation THEN result := jsonb_build_object('error', 'retry');
      WHEN invalid_text_representation OR not_null_violation OR character_not_in_repertoire OR untranslatable_character THEN
        result := jsonb_build_object('error', 'invalid', 'message', SQLERRM);
    END;
    results := results || jsonb_build_array(result);
  END LOOP;
  RETURN results;
END
$fn$;
`,
  },
];
