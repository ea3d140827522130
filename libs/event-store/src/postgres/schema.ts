import type { Migration } from '#postgres';
import { RECORDED_DAY } from './history-query.ts';

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
-- The streams that exist: a row is written with a stream's first event. A stream's revision is its last event's,
-- which the (stream_id, stream_revision) index gives in one probe, so an append to an existing stream writes
-- nothing here (keeping a revision column up to date cost an index entry and a row version per append).
CREATE TABLE es_streams (
  stream_id  text        PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT statement_timestamp()
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

-- A batch of appends from concurrent callers in one call, one transaction, so they share one commit (one WAL
-- flush). Set-based: a handful of statements per batch whatever its size, and no subtransaction.
--
-- 1. Every stream of the batch is locked first, with transaction-scoped advisory locks taken in one global order
--    (no deadlock between batches). Advisory locks, unlike row locks, do not give the transaction its id, so the
--    id is drawn at the insert, after every lock is held: of two transactions writing one stream, the one that
--    commits first has the lower id, and the log's (transaction_id, global_position) order keeps each stream's
--    events in revision order.
-- 2. The streams' revisions, and the events already stored under the (stream, event id) pairs of the appends that
--    could be retries, are read in set queries. Each statement of a volatile function takes a fresh snapshot, so
--    these see what the previous holder of a lock committed.
-- 3. Each append is decided in order over those values, an append seeing the ones before it in the batch: an
--    idempotent retry answers the original result; a wrong expected revision, or ids stored by a different append,
--    are refused. A refusal is returned, not raised, so the other appends of the batch commit.
-- 4. The accepted events go in with one INSERT, in batch order, so each stream's revisions take increasing
--    positions; the streams the batch creates are registered in the same statement.
--
-- The caller guarantees what would otherwise fail the statement, and so the whole batch: data and metadata are
-- JSON, ids are UUIDs, and no (stream, event id) pair is in two appends of one call (a duplicate of a batch-mate
-- is answered as a replay, which needs the first one's position: the adapter sends it in a later call). If a call
-- fails all the same, nothing is written, and the adapter runs its appends one by one.
--
-- No NOTIFY in here: PostgreSQL serialises the commits of transactions that notify, which would undo the group
-- commit. The adapter notifies other processes after the commit, outside this transaction.
CREATE FUNCTION es_append(
  p_streams      text[],   -- the batch's distinct streams
  p_append_stream int[],   -- per append: its stream, as an index into p_streams
  p_expected     bigint[], -- per append: a revision >= 0, or -1 no_stream, -2 stream_exists, -3 any
  p_counts       int[],    -- per append: its number of events
  p_event_stream int[],    -- per event (the appends' events one after the other): its stream, as an index
  p_ids          uuid[],
  p_types        text[],
  p_data         json[],
  p_metadata     json[],
  p_check_all_ids boolean, -- look up every event id, not only those of appends that could be retries
  OUT o_kind     int[],    -- per append: 0 appended, 1 idempotent retry, 2 wrong expected revision, 3 ids stored by another append
  OUT o_revision bigint[], -- 0, 1: the stream's revision after the append; 2: the actual revision (-1 none); 3: the index of the offending event in the append (1-based)
  OUT o_commit   text[],   -- 0, 1: the transaction id of the append's last event
  OUT o_prepare  bigint[]) -- 0, 1: the global position of the append's last event
LANGUAGE plpgsql
-- Generic plans: the statements below are planned once per connection, not at every call (custom plans of their
-- array parameters cost more than running them: measured 150 µs against 48 µs for a one-event call). The lookups
-- are written so that a generic plan made while the table is still empty stays one index probe per element.
SET plan_cache_mode = force_generic_plan
AS $fn$
DECLARE
  n_appends int := cardinality(p_counts);
  n_events int := cardinality(p_ids);
  revisions bigint[];
  initial bigint[];
  uses int[];
  to_check int[] := '{}';
  found_at int[];
  m_rev bigint[];
  m_tx text[];
  m_pos bigint[];
  found_rev bigint[];
  found_tx text[];
  found_pos bigint[];
  event_rev bigint[] := array_fill(NULL::bigint, ARRAY[n_events]);
  positions bigint[];
  a int;
  e int := 0;
  j int;
  s int;
  c int;
  cur bigint;
  expected bigint;
  first_rev bigint;
  conflict int;
  accepted int := 0;
  tx text;
BEGIN
  o_kind := array_fill(NULL::int, ARRAY[n_appends]);
  o_revision := array_fill(NULL::bigint, ARRAY[n_appends]);
  o_commit := array_fill(NULL::text, ARRAY[n_appends]);
  o_prepare := array_fill(NULL::bigint, ARRAY[n_appends]);

  -- 1702060354: the advisory-lock class of event-store streams (two-key locks: apart from all one-key locks).
  PERFORM pg_advisory_xact_lock(1702060354, l.k)
     FROM (SELECT DISTINCT hashtext(x.id) AS k FROM unnest(p_streams) AS x(id) ORDER BY 1) AS l;

  -- Each stream's revision: its last event's (-1 if none), one index probe per stream (a scalar subquery, which a
  -- generic plan cannot turn into a hash join over a sequential scan).
  SELECT array_agg(coalesce((SELECT max(x.stream_revision) FROM es_events x WHERE x.stream_id = u.id), -1) ORDER BY u.i)
    INTO revisions
    FROM unnest(p_streams) WITH ORDINALITY AS u(id, i);
  initial := revisions;

  -- The events whose (stream, id) is stored already. Only an append that the revision check alone would not
  -- settle can be a retry: one expecting any or stream_exists, one that fails the check, one whose stream another
  -- append of the batch writes too. An append that passes the check cannot be a retry (its original moved the
  -- stream past the expected revision), so an id of it stored already belongs to another append: the insert then
  -- fails on the (stream_id, event_id) key, nothing is written, and the adapter calls again with p_check_all_ids.
  IF p_check_all_ids THEN
    to_check := ARRAY(SELECT generate_series(1, n_events));
  ELSE
    IF cardinality(p_streams) < n_appends THEN
      uses := array_fill(0, ARRAY[cardinality(p_streams)]);
      FOR a IN 1..n_appends LOOP
        uses[p_append_stream[a]] := uses[p_append_stream[a]] + 1;
      END LOOP;
    END IF;
    FOR a IN 1..n_appends LOOP
      s := p_append_stream[a];
      expected := p_expected[a];
      IF expected < -1 OR expected <> initial[s] OR uses[s] > 1 THEN  -- (uses is NULL when no stream repeats)
        FOR j IN e + 1..e + p_counts[a] LOOP
          to_check := to_check || j;
        END LOOP;
      END IF;
      e := e + p_counts[a];
    END LOOP;
    e := 0;
  END IF;
  IF cardinality(to_check) > 0 THEN
    SELECT array_agg(u.i ORDER BY u.i), array_agg(ev.stream_revision ORDER BY u.i),
           array_agg(ev.transaction_id::text ORDER BY u.i), array_agg(ev.global_position ORDER BY u.i)
      INTO found_at, m_rev, m_tx, m_pos
      FROM unnest(to_check) AS u(i)
     CROSS JOIN LATERAL (SELECT x.stream_revision, x.transaction_id, x.global_position FROM es_events x
                          WHERE x.stream_id = p_streams[p_event_stream[u.i]] AND x.event_id = p_ids[u.i] LIMIT 1) AS ev;
  END IF;
  IF found_at IS NOT NULL THEN
    found_rev := array_fill(NULL::bigint, ARRAY[n_events]);
    found_tx := array_fill(NULL::text, ARRAY[n_events]);
    found_pos := array_fill(NULL::bigint, ARRAY[n_events]);
    FOR j IN 1..cardinality(found_at) LOOP
      found_rev[found_at[j]] := m_rev[j];
      found_tx[found_at[j]] := m_tx[j];
      found_pos[found_at[j]] := m_pos[j];
    END LOOP;
  END IF;

  FOR a IN 1..n_appends LOOP
    s := p_append_stream[a];
    c := p_counts[a];
    cur := revisions[s];
    expected := p_expected[a];
    first_rev := NULL;
    conflict := NULL;
    IF found_at IS NOT NULL THEN
      -- The first id stored: a retry if all the ids are there, in order from it (answered with the original
      -- result), else ids of a different append (reported by the first one). Only a later id stored: ids of a
      -- different append, if the revision check lets the append through (reported by that id).
      first_rev := found_rev[e + 1];
      FOR j IN 1..c LOOP
        IF first_rev IS NULL THEN
          IF found_rev[e + j] IS NOT NULL THEN
            conflict := j;
            EXIT;
          END IF;
        ELSIF found_rev[e + j] IS DISTINCT FROM first_rev + j - 1 THEN
          conflict := 1;
          EXIT;
        END IF;
      END LOOP;
    END IF;
    IF first_rev IS NOT NULL AND conflict IS NOT NULL THEN
      o_kind[a] := 3;
      o_revision[a] := conflict;
    ELSIF first_rev IS NOT NULL THEN
      o_kind[a] := 1;
      o_revision[a] := first_rev + c - 1;
      o_commit[a] := found_tx[e + c];
      o_prepare[a] := found_pos[e + 1];
      FOR j IN 2..c LOOP
        o_prepare[a] := greatest(o_prepare[a], found_pos[e + j]);
      END LOOP;
    ELSIF NOT (expected = -3 OR (expected = -2 AND cur >= 0) OR expected = cur) THEN
      o_kind[a] := 2;
      o_revision[a] := cur;
    ELSIF conflict IS NOT NULL THEN
      o_kind[a] := 3;
      o_revision[a] := conflict;
    ELSE
      FOR j IN 1..c LOOP
        event_rev[e + j] := cur + j;
      END LOOP;
      revisions[s] := cur + c;
      accepted := accepted + c;
      o_kind[a] := 0;
      o_revision[a] := cur + c;
    END IF;
    e := e + c;
  END LOOP;

  IF accepted > 0 THEN
    -- One insert, in batch order: the positions are drawn in that order, so each stream's revisions take increasing
    -- positions, and sorted they are the accepted events' in batch order. The streams the batch creates are
    -- registered in the same statement (the second form, for the batches that create none, spares that part).
    IF -1 = ANY (initial) THEN
      WITH inserted AS (
        INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata)
        SELECT p_streams[u.s], u.rev, u.id, u.type, u.data, u.metadata
          FROM unnest(p_event_stream, event_rev, p_ids, p_types, p_data, p_metadata) WITH ORDINALITY
               AS u(s, rev, id, type, data, metadata, i)
         WHERE u.rev IS NOT NULL
         ORDER BY u.i
        RETURNING global_position),
      created AS (
        INSERT INTO es_streams (stream_id)
        SELECT p_streams[i] FROM generate_subscripts(p_streams, 1) AS i WHERE initial[i] = -1 AND revisions[i] >= 0
        ON CONFLICT (stream_id) DO NOTHING)
      SELECT array_agg(global_position ORDER BY global_position), pg_current_xact_id()::text INTO positions, tx FROM inserted;
    ELSE
      WITH inserted AS (
        INSERT INTO es_events (stream_id, stream_revision, event_id, event_type, data, metadata)
        SELECT p_streams[u.s], u.rev, u.id, u.type, u.data, u.metadata
          FROM unnest(p_event_stream, event_rev, p_ids, p_types, p_data, p_metadata) WITH ORDINALITY
               AS u(s, rev, id, type, data, metadata, i)
         WHERE u.rev IS NOT NULL
         ORDER BY u.i
        RETURNING global_position)
      SELECT array_agg(global_position ORDER BY global_position), pg_current_xact_id()::text INTO positions, tx FROM inserted;
    END IF;

    j := 0;
    FOR a IN 1..n_appends LOOP
      IF o_kind[a] = 0 THEN
        j := j + p_counts[a];
        o_commit[a] := tx;
        o_prepare[a] := positions[j];
      END IF;
    END LOOP;
  END IF;
END
$fn$;
`,
  },
  {
    version: 2,
    name: 'history indexes: actor, correlation id, recorded time',
    // The audit's history queries (PostgresEventStore.readHistory) filter on these and page in log order. Actor and
    // correlation id lead indexes that go on in (transaction_id, global_position) order, so a page of one actor's
    // events, newest or oldest first, is a range scan of the index from the cursor, whatever the size of the log.
    // The expressions must stay exactly those of readHistory's conditions for the planner to use them. Category,
    // type and stream already had theirs (migration 1). recorded_at serves time windows; it carries the position,
    // so the window step of a history query (see history-query.ts) reads this index alone.
    //
    // Built CONCURRENTLY (outside a transaction): on a large existing log, appends go on while they are built.
    concurrentIndexes: [
      { name: 'es_events_actor_order', definition: `es_events ((metadata ->> 'actorId'), transaction_id, global_position)` },
      { name: 'es_events_correlation_order', definition: `es_events ((metadata ->> 'correlationId'), transaction_id, global_position)` },
      { name: 'es_events_recorded_at', definition: 'es_events (recorded_at) INCLUDE (transaction_id, global_position)' },
    ],
  },
  {
    version: 3,
    name: 'history index: event id',
    // node(id) finds a governance event by its own id (a history query filtered on eventId). UNIQUE (stream_id,
    // event_id) leads with the stream, so without this the lookup would read the whole log. The position follows the
    // id, as in every history index: should two streams hold the same id (the key allows it; UUIDs make it
    // vanishingly rare), the first in log order is the first entry.
    //
    // Built CONCURRENTLY, as migration 2: appends go on while it is built.
    concurrentIndexes: [{ name: 'es_events_event_id_order', definition: 'es_events (event_id, transaction_id, global_position)' }],
  },
  {
    version: 4,
    name: 'history index: recorded day, in log order',
    // Time windows of history pages (history-query.ts): the window's rows of one day are a range of this index in
    // log order from the cursor, so a page of a window is one short, ordered read per day of the window, whatever the
    // window's size and wherever in the log it lies; the recorded time it carries settles the window's first and last
    // days without the table. Through the time index of migration 2, a window far from the cursor cost a read of the
    // whole window; that index stays, for windows with an actor or another selective filter (the planner combines
    // the two). The expression is history-query.ts's RECORDED_DAY, exactly.
    //
    // Built CONCURRENTLY, as migration 2: appends go on while it is built.
    concurrentIndexes: [
      {
        name: 'es_events_recorded_day_order',
        definition: `es_events (${RECORDED_DAY.replace('%.', '')}, transaction_id, global_position) INCLUDE (recorded_at)`,
      },
    ],
  },
  {
    version: 5,
    name: 'event data compressed with lz4 where the server has it',
    // Large events (a log seal lists every stream changed since the last: 330 KB for 20,000 events) are compressed
    // when stored; PostgreSQL's default pglz took 55 ms of the server's CPU for a seal of 12,000 streams, lz4 23 ms
    // (measured for issue 17, where sealing's cost is counted per appended event). Values stored before keep their
    // compression, readable as ever; only new ones use lz4. A server built without lz4 (the embedded one's binaries
    // are) keeps pglz: the log's bytes read back the same either way.
    sql: `
DO $migration$
BEGIN
  ALTER TABLE es_events ALTER COLUMN data SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available on this server: event data stays compressed with pglz';
END
$migration$;
`,
  },
  {
    version: 6,
    name: 'appends probe indexes whatever the statistics say',
    // es_append's statements are planned once per connection (force_generic_plan) and the plans kept while the
    // connection lives. Planned on statistics of a nearly empty log (autovacuum analyses a new log after 50 events),
    // the revision lookup was a sequential scan, and stayed one on that connection as the log grew: with autovacuum
    // off, or behind on a large log, every append read the whole log (PostgreSQL's CPU per appended event went from
    // about 150 to 600-1,300 µs at 20,000 events, the log-seal bench, 2026-12-06). Every statement of the function
    // is a key lookup or an insert: an index probe is right at any size, so sequential scans are off inside it.
    sql: `
ALTER FUNCTION es_append(text[], int[], bigint[], int[], int[], uuid[], text[], json[], json[], boolean)
  SET enable_seqscan = off;
`,
  },
];
