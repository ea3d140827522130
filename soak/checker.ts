/**
 * After the load: proves, from the log read through the event-store port (on either store, see ./event-log.ts), from
 * the read models in PostgreSQL and through the service, that the promises held.
 *
 * - commands: every acknowledged command's events exist exactly once (one stream, consecutive revisions, each of its
 *   event types at most once, only types the command may append; at least one event where the command must change
 *   something); no event exists for a refused command; every event carries the commandId of a command someone sent
 *   (the soak's, or a scheduler's `system/...`).
 * - streams: revisions 0..n-1 without gaps, in log order; on PostgreSQL also each stream registered (es_streams, the
 *   adapter's own table).
 * - hash chains: `verifyHistory` over the whole log, as an auditor, verifies every event.
 * - expiries: each suspension with an end date expired exactly once (none if an appeal lifted it first), on its end
 *   date; each certification award expired at most once, and none is left live past its expiry; a renewal window is
 *   recorded at most once per award and expiry date.
 * - leavers: each thing a member held when they left (a group's ownership, a live ambassadorship, a claimed case) ends
 *   once: by exactly one consequence caused by their MemberLeft, or by someone else first; no consequence without a
 *   leaving as its cause; at the end of the log no leaver holds anything (see checkLeaverConsequences).
 * - read models: every table of read_models equals a fresh rebuild from the log: the tables are copied, every
 *   projection is rebuilt through the service (`rebuildProjection`: fresh tables from position zero, swapped in once
 *   caught up), and the copies are compared with the new tables row by row.
 * - subscribers: each saw every event of its filter exactly once and in log order, across its reconnections.
 */
import type pg from 'pg';
import type { EventStore } from '#event-store';
import type { Role } from '../src/platform/auth/role.ts';
import { SOAK_DIRECTORY_ACTOR, type Discrepancy, type LedgerEntry, type SoakClient } from './client.ts';
import { readLog, type LogEvent, type SoakEventStore } from './event-log.ts';
import { withClient } from './harness.ts';
import { checkEmailDeliveries, checkWebhookDeliveries, type DeliveryRecord } from './notifications-check.ts';
import type { SmtpSink, WebhookReceiver } from './receivers.ts';
import type { Subscriber } from './subscribers.ts';
import { delay, log, now } from './util.ts';

const AUDITOR = ['AUDITOR'] as Role[];
const CM = ['COMMUNITY_MANAGER'] as Role[];

/**
 * Columns left out of the read-model comparison because a rebuild cannot reproduce them. None: every column of every
 * read model is derived from the events (their times included), so the list is empty; a column that needed to be here
 * would be documented in the README's Reliability section.
 */
export const VOLATILE_COLUMNS: Readonly<Record<string, readonly string[]>> = {};

export class Checker {
  readonly discrepancies: Discrepancy[] = [];
  private readonly limits = new Map<string, number>();

  constructor(
    private readonly databaseUrl: string,
    private readonly soak: SoakClient,
    /** The service's event log, read through the port. */
    private readonly eventLog: EventStore,
    private readonly eventStore: SoakEventStore,
    /** With several instances, each one's own client. */
    private readonly instanceClients: readonly SoakClient[] = [],
  ) {}

  /** Records a discrepancy; after 25 of one check the rest are only counted. */
  private report(check: string, detail: string, data?: unknown): void {
    const seen = (this.limits.get(check) ?? 0) + 1;
    this.limits.set(check, seen);
    if (seen <= 25) this.discrepancies.push({ check, detail, ...(data === undefined ? {} : { data }) });
    else if (seen === 26) this.discrepancies.push({ check, detail: `more discrepancies of this check; only the first 25 are listed` });
  }

  private db<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
    return withClient(this.databaseUrl, fn);
  }

  // ---------------------------------------------------------------- commands
  async checkCommands(ledger: readonly LedgerEntry[]) {
    const rows = (await readLog(this.eventLog)).sort((a, b) => a.streamId.localeCompare(b.streamId) || a.revision - b.revision);
    const byCommand = new Map<string, LogEvent[]>();
    const withoutCommandId = new Map<string, number>();
    // SCIM has no commandId: a member the soak provisioned is registered once, by the soak's directory client.
    const provisioned = new Map((this.soak.directory ?? []).filter((e) => e.status === 'acknowledged').map((e) => [e.memberId, 0]));
    for (const row of rows) {
      if (row.commandId === null) {
        const memberId = row.streamId.slice('member-'.length);
        if (row.type === 'MemberRegistered' && row.actorId === SOAK_DIRECTORY_ACTOR && provisioned.has(memberId)) {
          provisioned.set(memberId, provisioned.get(memberId)! + 1);
          continue;
        }
        withoutCommandId.set(row.type, (withoutCommandId.get(row.type) ?? 0) + 1);
        continue;
      }
      let list = byCommand.get(row.commandId);
      if (!list) byCommand.set(row.commandId, (list = []));
      list.push(row);
    }
    const counts = {
      acknowledged: 0,
      acknowledgedWithEvents: 0,
      acknowledgedNoOp: 0,
      refused: 0,
      unresolved: 0,
      systemCommands: 0,
      events: rows.length,
    };
    const sent = new Set<string>();
    for (const entry of ledger) {
      sent.add(entry.storedCommandId);
      const events = byCommand.get(entry.storedCommandId) ?? [];
      const label = `${entry.kind} ${entry.storedCommandId}`;
      if (entry.status === 'refused') {
        counts.refused++;
        if (events.length > 0) {
          this.report(
            'refused-command-has-events',
            `${label} was refused with ${entry.code} (${String(entry.answer)}) but appended ${events.map((e) => `${e.type}@${e.streamId}/${e.revision}`).join(', ')}`,
            {
              attempts: entry.attempts,
            },
          );
        }
        continue;
      }
      if (entry.status === 'unresolved') {
        counts.unresolved++;
        this.report(
          'unresolved-command',
          `${label} got no definite answer within the retry deadline (${entry.code}); ${events.length} events stored`,
        );
        continue;
      }
      counts.acknowledged++;
      if (events.length === 0) {
        counts.acknowledgedNoOp++;
        if (entry.expect === 'change')
          this.report('acknowledged-command-without-events', `${label} was acknowledged but no event carries its commandId`);
        continue;
      }
      counts.acknowledgedWithEvents++;
      this.checkBlock(label, events, entry.allowed, entry.streamPrefix);
    }
    for (const [commandId, events] of byCommand) {
      if (sent.has(commandId)) continue;
      if (commandId.startsWith('system/')) {
        counts.systemCommands++;
        this.checkBlock(`scheduler command ${commandId}`, events, null, null);
        continue;
      }
      this.report(
        'events-of-an-unknown-command',
        `${events.length} events carry commandId ${commandId}, which the soak never sent`,
        events.slice(0, 3).map(({ data: _data, ...event }) => event),
      );
    }
    for (const [type, n] of withoutCommandId) this.report('event-without-command-id', `${n} ${type} events carry no commandId`);
    for (const [memberId, n] of provisioned) {
      if (n !== 1)
        this.report('provisioned-member-not-registered-once', `${memberId}, provisioned through SCIM, has ${n} MemberRegistered events`);
    }
    return { ...counts, provisionedThroughScim: provisioned.size, eventsWithoutCommandId: Object.fromEntries(withoutCommandId) };
  }

  /** The events of one command: one stream, consecutive revisions, each type at most once (and allowed). */
  private checkBlock(label: string, events: readonly LogEvent[], allowed: readonly string[] | null, streamPrefix: string | null): void {
    const streams = new Set(events.map((e) => e.streamId));
    const where = events.map((e) => `${e.type}@${e.streamId}/${e.revision}`).join(', ');
    if (streams.size > 1) return this.report('command-applied-to-several-streams', `${label}: ${where}`);
    const first = events[0]!;
    if (streamPrefix && !first.streamId.startsWith(streamPrefix)) {
      this.report('command-in-wrong-stream', `${label}: expected a stream starting with ${streamPrefix}: ${where}`);
    }
    events.forEach((event, i) => {
      if (event.revision !== first.revision + i) this.report('command-events-not-consecutive', `${label}: ${where}`);
    });
    const types = events.map((e) => e.type);
    if (new Set(types).size !== types.length) this.report('command-applied-twice', `${label}: ${where}`);
    const unexpected = allowed ? types.filter((type) => !allowed.includes(type)) : [];
    if (unexpected.length > 0)
      this.report('command-appended-unexpected-type', `${label}: ${unexpected.join(', ')} (allowed ${allowed!.join(', ')})`);
  }

  // ---------------------------------------------------------------- streams
  async checkStreams() {
    const log = await readLog(this.eventLog);
    // In log order: the k-th event of a stream met while reading the log must be its revision k.
    const streams = new Map<string, { n: number; lo: number; hi: number }>();
    let outOfOrder = 0;
    for (const event of log) {
      let stream = streams.get(event.streamId);
      if (!stream) streams.set(event.streamId, (stream = { n: 0, lo: event.revision, hi: event.revision }));
      if (event.revision !== stream.n) {
        outOfOrder++;
        if (outOfOrder <= 20)
          this.report(
            'stream-out-of-log-order',
            `${event.streamId}: revision ${event.revision} is event ${stream.n} of the stream in log order`,
          );
      }
      stream.n++;
      stream.lo = Math.min(stream.lo, event.revision);
      stream.hi = Math.max(stream.hi, event.revision);
    }
    let gaps = 0;
    for (const [streamId, { n, lo, hi }] of streams) {
      if (lo === 0 && hi === n - 1) continue;
      gaps++;
      this.report('stream-revisions-have-gaps', `${streamId}: ${n} events, revisions ${lo}..${hi}`);
    }
    return { streams: streams.size, events: log.length, gaps, outOfOrder, unregistered: await this.unregisteredStreams(log) };
  }

  /**
   * PostgreSQL only: every stream with events has its es_streams row (the adapter's own table, which its appends lock).
   * EventStoreDB has no such table: null.
   */
  private async unregisteredStreams(log: readonly LogEvent[]): Promise<number | null> {
    if (this.eventStore !== 'postgres') return null;
    const { rows } = await this.db((c) =>
      c.query<{ stream_id: string }>(
        'SELECT stream_id FROM unnest($1::text[]) AS s(stream_id) EXCEPT SELECT stream_id FROM es_streams LIMIT 20',
        [[...new Set(log.map((e) => e.streamId))]],
      ),
    );
    for (const row of rows) this.report('stream-not-registered', `${row.stream_id} has events but no es_streams row`);
    return rows.length;
  }

  // ---------------------------------------------------------------- hash chains
  async checkHashChains() {
    const data = await this.soak.mustQuery<{ verifyHistory: { ok: boolean; verifiedEvents: number; firstBrokenPosition: string | null } }>(
      'soak-auditor-1',
      AUDITOR,
      'query { verifyHistory { ok verifiedEvents firstBrokenPosition } }',
    );
    const eventsInLog = (await readLog(this.eventLog)).length;
    const report = data.verifyHistory;
    if (!report.ok) this.report('hash-chain-broken', `verifyHistory: broken at ${report.firstBrokenPosition}`, report);
    if (report.verifiedEvents !== eventsInLog) {
      this.report('hash-chain-incomplete', `verifyHistory verified ${report.verifiedEvents} events; the log has ${eventsInLog}`);
    }
    return { ...report, eventsInLog };
  }

  // ---------------------------------------------------------------- expiries
  /** `settledAt`: the schedulers' clock during the settle phase; everything due before it must have been recorded. */
  async checkExpiries(settledAt: Date) {
    const types = new Set([
      'ModerationCaseDecided',
      'SanctionExpired',
      'SanctionLifted',
      'CertificationAwarded',
      'CertificationRenewed',
      'CertificationExpired',
      'CertificationRevoked',
      'CertificationDueForRenewal',
    ]);
    const rows = (await readLog(this.eventLog))
      .filter((event) => types.has(event.type))
      .map((event) => ({
        stream_id: event.streamId,
        event_type: event.type,
        data: JSON.parse(event.data) as Record<string, unknown>,
        command_id: event.commandId,
      }));
    interface Sanction {
      until: string | null;
      expired: number;
      lifted: boolean;
    }
    interface Award {
      expiresAt: string;
      ended: string | null;
      expired: number;
    }
    const sanctions = new Map<string, Sanction>();
    const awards = new Map<string, Award>();
    const dueForRenewal = new Map<string, number>();
    const str = (value: unknown) => (typeof value === 'string' ? value : String(value));
    for (const { event_type: type, data, stream_id: stream } of rows) {
      switch (type) {
        case 'ModerationCaseDecided': {
          const sanction = data.sanction as { sanctionId: string; until: string | null; kind: string } | null;
          if (sanction) sanctions.set(sanction.sanctionId, { until: sanction.until, expired: 0, lifted: false });
          break;
        }
        case 'SanctionLifted': {
          const sanction = sanctions.get(str(data.sanctionId));
          if (!sanction) this.report('sanction-unknown', `${stream}: SanctionLifted for unknown sanction ${str(data.sanctionId)}`);
          else if (sanction.expired === 0) sanction.lifted = true;
          break;
        }
        case 'SanctionExpired': {
          const id = str(data.sanctionId);
          const sanction = sanctions.get(id);
          if (!sanction) {
            this.report('sanction-unknown', `${stream}: SanctionExpired for unknown sanction ${id}`);
            break;
          }
          sanction.expired++;
          if (sanction.expired > 1)
            this.report('sanction-expired-twice', `${stream}: sanction ${id} has ${sanction.expired} SanctionExpired events`);
          if (sanction.lifted) this.report('sanction-expired-after-lift', `${stream}: sanction ${id} expired after an appeal lifted it`);
          if (sanction.until === null) this.report('sanction-expired-without-end', `${stream}: permanent sanction ${id} expired`);
          else if (Date.parse(str(data.expiredAt)) !== Date.parse(sanction.until)) {
            this.report(
              'sanction-expired-on-wrong-date',
              `${stream}: sanction ${id} ends ${sanction.until}, recorded as expired at ${str(data.expiredAt)}`,
            );
          }
          break;
        }
        case 'CertificationAwarded': {
          const replaced = data.replacedRecordId as string | null;
          if (replaced) {
            const old = awards.get(replaced);
            if (old && !old.ended) old.ended = 'replaced';
          }
          awards.set(str(data.recordId), { expiresAt: str(data.expiresAt), ended: null, expired: 0 });
          break;
        }
        case 'CertificationRenewed': {
          const award = awards.get(str(data.recordId));
          if (!award) this.report('certification-unknown', `${stream}: renewal of unknown award ${str(data.recordId)}`);
          else {
            award.expiresAt = str(data.expiresAt);
            if (award.ended === 'expired') award.ended = null;
          }
          break;
        }
        case 'CertificationRevoked': {
          const award = awards.get(str(data.recordId));
          if (award) award.ended = 'revoked';
          break;
        }
        case 'CertificationExpired': {
          const id = str(data.recordId);
          const award = awards.get(id);
          if (!award) {
            this.report('certification-unknown', `${stream}: CertificationExpired for unknown award ${id}`);
            break;
          }
          award.expired++;
          if (award.ended) this.report('certification-expired-when-not-live', `${stream}: award ${id} expired after it was ${award.ended}`);
          if (Date.parse(str(data.expiredAt)) !== Date.parse(award.expiresAt)) {
            this.report(
              'certification-expired-on-wrong-date',
              `${stream}: award ${id} expires ${award.expiresAt}, recorded as expired at ${str(data.expiredAt)}`,
            );
          }
          award.ended = 'expired';
          break;
        }
        case 'CertificationDueForRenewal': {
          const key = `${str(data.recordId)} ${Date.parse(str(data.expiresAt))}`;
          const n = (dueForRenewal.get(key) ?? 0) + 1;
          dueForRenewal.set(key, n);
          if (n > 1) this.report('certification-due-for-renewal-twice', `${stream}: ${key} recorded ${n} times`);
          break;
        }
      }
    }
    const horizon = settledAt.getTime();
    let sanctionsDue = 0;
    for (const [id, sanction] of sanctions) {
      if (sanction.until === null || Date.parse(sanction.until) > horizon) continue;
      sanctionsDue++;
      if (!sanction.lifted && sanction.expired === 0)
        this.report('sanction-never-expired', `sanction ${id} ended ${sanction.until} but no SanctionExpired was recorded`);
    }
    let awardsDue = 0;
    for (const [id, award] of awards) {
      if (Date.parse(award.expiresAt) > horizon || award.ended === 'replaced' || award.ended === 'revoked') continue;
      awardsDue++;
      if (award.expired === 0)
        this.report('certification-never-expired', `award ${id} expired ${award.expiresAt} but no CertificationExpired was recorded`);
    }
    const all = [...sanctions.values()];
    return {
      sanctions: all.length,
      sanctionsWithEndDate: all.filter((s) => s.until !== null).length,
      sanctionsDueBySettleClock: sanctionsDue,
      sanctionsExpired: all.filter((s) => s.expired > 0).length,
      sanctionsLiftedByAppeal: all.filter((s) => s.lifted).length,
      certificationAwards: awards.size,
      certificationAwardsDueBySettleClock: awardsDue,
      certificationsExpired: [...awards.values()].filter((a) => a.expired > 0).length,
      certificationsDueForRenewalRecorded: dueForRenewal.size,
      expiredBySystem: rows.filter(
        (r) => (r.event_type === 'SanctionExpired' || r.event_type === 'CertificationExpired') && r.command_id?.startsWith('system/'),
      ).length,
    };
  }

  // ---------------------------------------------------------------- leavers
  /** What a member's leaving set in motion (see checkLeaverConsequences), on the final log. */
  async checkLeavers() {
    return checkLeaverConsequences(await readLog(this.eventLog), (check, detail, data) => this.report(check, detail, data));
  }

  // ---------------------------------------------------------------- read models
  /**
   * Waits until every projection has processed the whole log (`projections` through the service: lag 0, running; the
   * state is the same whichever instance answers, with the instance that runs it as `runner`).
   */
  async waitProjectionsCaughtUp(timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    for (;;) {
      const data = await this.soak.mustQuery<{ projections: { name: string; lag: number; state: string }[] }>(
        'soak-auditor-1',
        AUDITOR,
        '{ projections { name lag state } }',
      );
      const behind = data.projections.filter((p) => p.lag > 0 || p.state.toLowerCase() !== 'running');
      if (behind.length === 0) return;
      if (now() > deadline) {
        this.report('projection-not-caught-up', `after ${timeoutMs} ms: ${JSON.stringify(behind)}`);
        return;
      }
      await delay(250);
    }
  }

  async checkReadModels(timeoutMs: number) {
    await this.waitProjectionsCaughtUp(60_000);
    const tables = await this.db(async (c) => {
      const { rows } = await c.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.views WHERE table_schema = 'read_models' ORDER BY table_name",
      );
      await c.query('DROP SCHEMA IF EXISTS soak_snapshot CASCADE');
      await c.query('CREATE SCHEMA soak_snapshot');
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      for (const { table_name: table } of rows) {
        await c.query(`CREATE TABLE soak_snapshot.${ident(table)} AS SELECT * FROM read_models.${ident(table)}`);
      }
      await c.query('COMMIT');
      return rows.map((r) => r.table_name);
    });
    const before = await this.generations();
    const t0 = now();
    // All at once, as an operator might: the rebuilds share the service's pool with the live projections.
    const rebuild = 'mutation($input: RebuildProjectionInput!) { rebuildProjection(input: $input) { name state } }';
    await Promise.all(
      [...before.keys()].map((name) =>
        this.soak.mustQuery('soak-cm-1', CM, rebuild, { input: { name, commandId: `soak-rebuild-${name}` } }),
      ),
    );
    // Sent to one instance through the balancer: whichever instance holds a projection finds the request (its runner
    // looks for requests every 2 s; before, a request landing on a standby instance waited for a restart: found by
    // the multi-instance soak, 8 of 12 rebuilds not started after 120 s).
    // Rebuilt: a newer generation is active for every projection, none is building, and all caught up.
    for (const deadline = now() + timeoutMs; ;) {
      const after = await this.generations();
      const pending = [...before].filter(([name, generation]) => {
        const current = after.get(name);
        return !current || current <= generation;
      });
      const building = await this.db((c) =>
        c.query<{ n: number }>("SELECT count(*)::int AS n FROM projection_generations WHERE status = 'building'"),
      );
      if (pending.length === 0 && building.rows[0]!.n === 0) break;
      if (now() > deadline) {
        this.report('rebuild-did-not-finish', `after ${timeoutMs} ms: still rebuilding ${pending.map(([n]) => n).join(', ')}`);
        return { tables: tables.length, rebuildMs: Math.round(now() - t0), compared: [] };
      }
      await delay(250);
    }
    await this.waitProjectionsCaughtUp(30_000);
    const rebuildMs = Math.round(now() - t0);
    const compared = await this.db(async (c) => {
      const results: { table: string; rows: number; onlyBefore: number; onlyRebuilt: number }[] = [];
      for (const table of tables) {
        const volatile = VOLATILE_COLUMNS[table] ?? [];
        const row = (alias: string) =>
          volatile.length ? `to_jsonb(${alias}) - ARRAY[${volatile.map((v) => `'${v}'`).join(', ')}]` : `to_jsonb(${alias})`;
        const diff = await c.query<{ side: string; r: unknown }>(
          `(SELECT 'before' AS side, r FROM (SELECT ${row('t')} AS r FROM soak_snapshot.${ident(table)} t
                                               EXCEPT ALL SELECT ${row('t')} FROM read_models.${ident(table)} t) a)
           UNION ALL
           (SELECT 'rebuilt', r FROM (SELECT ${row('t')} AS r FROM read_models.${ident(table)} t
                                       EXCEPT ALL SELECT ${row('t')} FROM soak_snapshot.${ident(table)} t) b)`,
        );
        const count = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM read_models.${ident(table)}`);
        const onlyBefore = diff.rows.filter((r) => r.side === 'before');
        const onlyRebuilt = diff.rows.filter((r) => r.side === 'rebuilt');
        if (diff.rows.length > 0) {
          this.report(
            'read-model-differs-from-rebuild',
            `read_models.${table}: ${onlyBefore.length} rows only in the live read model, ${onlyRebuilt.length} only in the rebuild`,
            {
              onlyBefore: onlyBefore.slice(0, 3).map((r) => r.r),
              onlyRebuilt: onlyRebuilt.slice(0, 3).map((r) => r.r),
            },
          );
        }
        results.push({ table, rows: count.rows[0]!.n, onlyBefore: onlyBefore.length, onlyRebuilt: onlyRebuilt.length });
      }
      await c.query('DROP SCHEMA soak_snapshot CASCADE');
      return results;
    });
    return { tables: tables.length, projections: before.size, rebuildMs, compared };
  }

  private async generations(): Promise<Map<string, number>> {
    const { rows } = await this.db((c) =>
      c.query<{ name: string; generation: number }>("SELECT name, generation FROM projection_generations WHERE status = 'active'"),
    );
    return new Map(rows.map((r) => [r.name, r.generation]));
  }

  // ---------------------------------------------------------------- notifications (issue 21)
  /**
   * Waits (at most `timeoutMs`) until the deliveries have drained: every event after the webhook's registration has
   * arrived at its receiver, and the e-mail outbox has nothing left to do (each event done, no delivery claimed or
   * waiting for a retry). Answers what was still outstanding.
   */
  async waitDeliveriesDrained(
    deliveries: { readonly receiver: WebhookReceiver; readonly webhookId: string },
    timeoutMs: number,
  ): Promise<{ webhookEventsOutstanding: number; emailEventsOutstanding: number; ms: number }> {
    const t0 = now();
    const deadline = t0 + timeoutMs;
    for (;;) {
      const heard = new Set(deliveries.receiver.received.map((r) => r.eventId));
      const events = await readLog(this.eventLog);
      const registration = events.findIndex((e) => e.type === 'WebhookRegistered' && e.streamId === `webhook-${deliveries.webhookId}`);
      const webhookEventsOutstanding = events.slice(registration + 1).filter((e) => !heard.has(e.id)).length;
      const emailEventsOutstanding = await this.db((c) =>
        c.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM read_models.notification_outbox o
                    WHERE NOT EXISTS (SELECT 1 FROM notification_events_done d WHERE d.event_id = o.event_id))
                + (SELECT count(*) FROM notification_deliveries WHERE status IN ('SENDING', 'RETRY')) AS n`,
        ),
      ).then(
        ({ rows }) => Number(rows[0]!.n),
        () => -1,
      );
      if ((webhookEventsOutstanding === 0 && emailEventsOutstanding === 0) || now() > deadline) {
        return { webhookEventsOutstanding, emailEventsOutstanding, ms: Math.round(now() - t0) };
      }
      await delay(500);
    }
  }

  /** What arrived at the soak's SMTP server and webhook receiver, against the log (see ./notifications-check.ts). */
  async checkNotifications(input: {
    readonly smtp: SmtpSink;
    readonly receiver: WebhookReceiver;
    readonly webhookId: string;
    readonly addresses: ReadonlyMap<string, string>;
  }) {
    const events = await readLog(this.eventLog);
    const report = (check: string, detail: string, data?: unknown) => this.report(check, detail, data);
    const webhook = checkWebhookDeliveries({ log: events, webhookId: input.webhookId, received: input.receiver.received }, report);
    const { rows } = await this.db((c) =>
      c.query<{ notification_id: string; kind: string; recipient_id: string; status: string }>(
        'SELECT notification_id, kind, recipient_id, status FROM notification_deliveries',
      ),
    );
    const deliveries: DeliveryRecord[] = rows.map((r) => ({
      notificationId: r.notification_id,
      kind: r.kind,
      recipientId: r.recipient_id,
      status: r.status,
    }));
    const emails = checkEmailDeliveries({ log: events, addresses: input.addresses, received: input.smtp.received, deliveries }, report);
    const byStatus = countBy(deliveries.map((d) => `${d.kind} ${d.status}`));
    log(
      `notifications checked: webhook ${webhook.unique}/${webhook.expected} events (${webhook.repeats} repeats), ` +
        `moderation e-mails ${emails.moderationDecisions.unique}/${emails.moderationDecisions.due} (${emails.moderationDecisions.repeats} repeats)`,
    );
    return {
      webhook: { ...webhook, abortedRequests: input.receiver.aborted },
      emails: { ...emails, smtpConnectionErrors: input.smtp.errors.toJSON(), deliveriesRecordedByService: byStatus },
    };
  }

  // ---------------------------------------------------------------- subscribers
  private async expectedFor(subscriber: Subscriber): Promise<string[]> {
    const filter = subscriber.filter;
    return (await readLog(this.eventLog))
      .filter(
        (event) =>
          (!filter?.category || event.category === filter.category) &&
          (!filter?.eventTypes || filter.eventTypes.includes(event.type)) &&
          (!filter?.actorId || event.actorId === filter.actorId),
      )
      .map((event) => event.position);
  }

  /** Waits (at most `timeoutMs`) until every subscriber has received the last event of its filter. */
  async waitSubscribersCaughtUp(subscribers: readonly Subscriber[], timeoutMs: number): Promise<void> {
    const deadline = now() + timeoutMs;
    for (const subscriber of subscribers) {
      const expected = await this.expectedFor(subscriber);
      const last = expected.at(-1) ?? null;
      while (last !== null && !subscriber.received.some((event) => event.position === last) && now() < deadline) await delay(200);
    }
  }

  async checkSubscribers(subscribers: readonly Subscriber[]) {
    const results = [];
    for (const subscriber of subscribers) {
      const expected = await this.expectedFor(subscriber);
      const received = subscriber.received.map((e) => e.position);
      const seen = new Map<string, number>();
      for (const position of received) seen.set(position, (seen.get(position) ?? 0) + 1);
      const duplicates = [...seen].filter(([, n]) => n > 1).map(([p]) => p);
      const expectedSet = new Set(expected);
      const missing = expected.filter((p) => !seen.has(p));
      const extra = [...seen.keys()].filter((p) => !expectedSet.has(p));
      let outOfOrder = 0;
      for (let i = 1; i < received.length; i++) if (comparePositions(received[i - 1]!, received[i]!) >= 0) outOfOrder++;
      const name = `subscriber "${subscriber.name}"`;
      if (missing.length)
        this.report('subscriber-missed-events', `${name} missed ${missing.length} of ${expected.length} events`, missing.slice(0, 5));
      if (duplicates.length)
        this.report('subscriber-saw-events-twice', `${name} received ${duplicates.length} events more than once`, duplicates.slice(0, 5));
      if (outOfOrder) this.report('subscriber-out-of-order', `${name}: ${outOfOrder} events came after a later one`);
      if (extra.length)
        this.report(
          'subscriber-saw-unexpected-events',
          `${name} received ${extra.length} events outside its filter or the log`,
          extra.slice(0, 5),
        );
      results.push({
        name: subscriber.name,
        filter: subscriber.filter,
        connections: subscriber.connections.length,
        endedBy: countBy(subscriber.connections.map((c) => (c.endedBy ?? 'open').replace(/\d{4,}/g, 'N').slice(0, 80))),
        received: received.length,
        expected: expected.length,
        missing: missing.length,
        duplicates: duplicates.length,
        outOfOrder,
        extra: extra.length,
      });
    }
    log(`subscribers checked: ${results.map((r) => `${r.name} ${r.received}/${r.expected} over ${r.connections} connections`).join('; ')}`);
    return results;
  }
}

// ---------------------------------------------------------------- leavers (issue #20)
/**
 * The promise, restated here rather than imported from the service (the checker must not share the code it checks):
 * the leaver scheduler's events carry this authority and a commandId `system/leaver/<MemberLeft id>/<kind>/<target>@<revision of the target's stream>`.
 */
export const LEAVER_AUTHORITY = 'automation: the member left the organisation';
const LEAVER_COMMAND_ID = /^system\/leaver\/([^/]+)\/(ownership|ambassador|case)\/(.+)@\d+$/;
/** The ambassador statuses a leaving ends (a pending nomination is left alone: it can no longer be approved). */
const LIVE_AMBASSADOR = new Set(['APPROVED', 'ACTIVE', 'INACTIVE']);
const AMBASSADOR_STATUS_AFTER: Readonly<Record<string, string>> = {
  AmbassadorNominated: 'NOMINATED',
  AmbassadorApproved: 'APPROVED',
  AmbassadorRejected: 'REJECTED',
  AmbassadorActivated: 'ACTIVE',
  AmbassadorDeactivated: 'INACTIVE',
  AmbassadorReactivated: 'ACTIVE',
  AmbassadorOffboarded: 'OFFBOARDED',
};
const CONSEQUENCE_TYPE = { ownership: 'GroupOwnerRemoved', ambassador: 'AmbassadorOffboarded', case: 'ModerationCaseReleased' } as const;
const CONSEQUENCE_STREAM = { ownership: 'group-', ambassador: 'ambassador-', case: 'moderation_case-' } as const;
type HoldingKind = keyof typeof CONSEQUENCE_TYPE;

/** One thing a leaver held: from their leaving (or from when a race gave it to them after it) to its end. */
interface LeaverHolding {
  readonly leavingId: string;
  readonly memberId: string;
  readonly kind: HoldingKind;
  readonly target: string;
  /** Held when the MemberLeft event was written (false: it reached them afterwards, through a race). */
  readonly atLeaving: boolean;
  held: boolean;
  consequences: number;
  endedByOthers: number;
}

export interface LeaverReport {
  readonly leavers: number;
  readonly leaversHoldingSomething: number;
  readonly holdingsAtLeaving: Record<HoldingKind, number>;
  readonly holdingsAfterLeaving: Record<HoldingKind, number>;
  readonly consequences: Record<HoldingKind, number>;
  readonly endedByOthersFirst: Record<HoldingKind, number>;
}

/**
 * Folds the log in its order, keeping what the promise is about: the owners of each group (its stream's
 * GroupOwnerAssigned/Removed), each member's ambassador status, each case's status and assignee. At a MemberLeft, what
 * the member holds then is noted; afterwards each holding must end exactly once, by a consequence caused by that
 * MemberLeft or by someone else first (then no consequence may follow: the scheduler finds nothing left to end).
 *
 * - a consequence (commandId `system/leaver/...`) names a MemberLeft earlier in the log as its cause, in its commandId
 *   too, is the system's with the leaver authority, has the type and stream its kind says, and ends a holding the
 *   leaver had at that point of the log;
 * - at most one consequence per leaving, kind and target (`leaver-consequence-duplicated`);
 * - nothing is still held at the end of the log (`leaver-consequence-missing` for a holding since the leaving,
 *   `leaver-still-holds` for one that reached them afterwards).
 */
export function checkLeaverConsequences(
  log: readonly LogEvent[],
  report: (check: string, detail: string, data?: unknown) => void,
): LeaverReport {
  const owners = new Map<string, Set<string>>();
  const ambassadors = new Map<string, string>();
  const cases = new Map<string, { status: string; assignee: string | null }>();
  /** MemberLeft event id → member, and member → their MemberLeft id. */
  const leavingOf = new Map<string, string>();
  const leftAs = new Map<string, string>();
  const holdings = new Map<string, LeaverHolding>();
  const zero = (): Record<HoldingKind, number> => ({ ownership: 0, ambassador: 0, case: 0 });
  const counts = { holdingsAtLeaving: zero(), holdingsAfterLeaving: zero(), consequences: zero(), endedByOthersFirst: zero() };
  const key = (leavingId: string, kind: HoldingKind, target: string) => `${leavingId} ${kind} ${target}`;

  const isHeld = (memberId: string, kind: HoldingKind, target: string): boolean => {
    switch (kind) {
      case 'ownership':
        return owners.get(target)?.has(memberId) ?? false;
      case 'ambassador':
        return LIVE_AMBASSADOR.has(ambassadors.get(memberId) ?? '');
      case 'case': {
        const file = cases.get(target);
        return file?.status === 'IN_REVIEW' && file.assignee === memberId;
      }
    }
  };
  /** What the member holds at this point of the log. */
  const heldBy = (memberId: string): [HoldingKind, string][] => [
    ...[...owners].filter(([, set]) => set.has(memberId)).map(([groupId]): [HoldingKind, string] => ['ownership', groupId]),
    ...(isHeld(memberId, 'ambassador', memberId) ? [['ambassador', memberId] as [HoldingKind, string]] : []),
    ...[...cases]
      .filter(([, file]) => file.status === 'IN_REVIEW' && file.assignee === memberId)
      .map(([caseId]): [HoldingKind, string] => ['case', caseId]),
  ];
  /** A leaver gains or loses `kind`/`target` with `event`: the holding's record follows. */
  const track = (memberId: string, kind: HoldingKind, target: string, wasHeld: boolean, consequence: boolean) => {
    const leavingId = leftAs.get(memberId);
    if (leavingId === undefined) return;
    const nowHeld = isHeld(memberId, kind, target);
    if (wasHeld === nowHeld) return;
    const id = key(leavingId, kind, target);
    let holding = holdings.get(id);
    if (nowHeld) {
      // Reached a member who had left already (an owner assigned while they were leaving): it must end too.
      if (!holding) {
        holdings.set(
          id,
          (holding = { leavingId, memberId, kind, target, atLeaving: false, held: true, consequences: 0, endedByOthers: 0 }),
        );
        counts.holdingsAfterLeaving[kind]++;
      }
      holding.held = true;
    } else if (holding) {
      holding.held = false;
      if (!consequence) {
        holding.endedByOthers++;
        counts.endedByOthersFirst[kind]++;
      }
    }
  };

  for (const event of log) {
    const consequence = event.commandId?.startsWith('system/leaver/') ?? false;
    if (consequence) checkConsequence(event);
    const data = () => JSON.parse(event.data) as Record<string, unknown>;
    const streamTail = event.streamId.slice(event.streamId.indexOf('-') + 1);
    if (event.category === 'member' && event.type === 'MemberLeft') {
      const memberId = streamTail;
      if (leftAs.has(memberId)) report('leaver-left-twice', `${memberId} has more than one MemberLeft (${event.position})`);
      leavingOf.set(event.id, memberId);
      leftAs.set(memberId, event.id);
      for (const [kind, target] of heldBy(memberId)) {
        holdings.set(key(event.id, kind, target), {
          leavingId: event.id,
          memberId,
          kind,
          target,
          atLeaving: true,
          held: true,
          consequences: 0,
          endedByOthers: 0,
        });
        counts.holdingsAtLeaving[kind]++;
      }
    } else if (event.category === 'group' && (event.type === 'GroupOwnerAssigned' || event.type === 'GroupOwnerRemoved')) {
      const memberId = String(data().memberId);
      let set = owners.get(streamTail);
      if (!set) owners.set(streamTail, (set = new Set()));
      const was = set.has(memberId);
      if (event.type === 'GroupOwnerAssigned') set.add(memberId);
      else set.delete(memberId);
      track(memberId, 'ownership', streamTail, was, consequence);
    } else if (event.category === 'ambassador' && AMBASSADOR_STATUS_AFTER[event.type]) {
      const was = isHeld(streamTail, 'ambassador', streamTail);
      ambassadors.set(streamTail, AMBASSADOR_STATUS_AFTER[event.type]!);
      track(streamTail, 'ambassador', streamTail, was, consequence);
    } else if (event.category === 'moderation_case') {
      const before = cases.get(streamTail) ?? { status: 'OPEN', assignee: null };
      let after = before;
      if (event.type === 'ModerationCaseOpened') after = { status: 'OPEN', assignee: null };
      else if (event.type === 'ModerationCaseClaimed') after = { status: 'IN_REVIEW', assignee: String(data().moderatorId) };
      else if (event.type === 'ModerationCaseReleased') after = { status: 'OPEN', assignee: null };
      else if (event.type === 'ModerationCaseDecided') after = { status: 'DECIDED', assignee: before.assignee };
      if (after === before) continue;
      cases.set(streamTail, after);
      // The one who had it and the one who has it now (a community manager taking a leaver's case over ends it).
      for (const memberId of new Set([before.assignee, after.assignee])) {
        if (memberId === null) continue;
        const had = before.status === 'IN_REVIEW' && before.assignee === memberId;
        track(memberId, 'case', streamTail, had, consequence);
      }
    }
  }

  function checkConsequence(event: LogEvent): void {
    const where = `${event.type}@${event.streamId}/${event.revision} (${event.commandId})`;
    const leaver = event.causationId === null ? undefined : leavingOf.get(event.causationId);
    if (leaver === undefined) {
      report('leaver-consequence-without-leaving', `${where}: its causationId ${event.causationId} is no MemberLeft earlier in the log`);
      return;
    }
    const parts = LEAVER_COMMAND_ID.exec(event.commandId!);
    const kind = parts?.[2] as HoldingKind | undefined;
    const target = parts?.[3];
    const problems = [
      !parts || parts[1] !== event.causationId ? `its commandId does not name its cause ${event.causationId}` : null,
      event.actorId !== 'system' ? `actor ${event.actorId}, not system` : null,
      event.authority !== LEAVER_AUTHORITY ? `authority ${JSON.stringify(event.authority)}` : null,
      kind && event.type !== CONSEQUENCE_TYPE[kind] ? `a ${kind} is ended by ${CONSEQUENCE_TYPE[kind]}` : null,
      kind && target && event.streamId !== `${CONSEQUENCE_STREAM[kind]}${target}` ? `not on the stream of ${kind} ${target}` : null,
      kind === 'ambassador' && target !== leaver ? `the ambassadorship of ${target}, not of the leaver ${leaver}` : null,
    ].filter((problem) => problem !== null);
    if (problems.length > 0 || !kind || !target) {
      report('leaver-consequence-malformed', `${where}: ${problems.join('; ')}`);
      return;
    }
    counts.consequences[kind]++;
    const holding = holdings.get(key(event.causationId!, kind, target));
    if (holding) holding.consequences++;
    if (holding && holding.consequences > 1) {
      report(
        'leaver-consequence-duplicated',
        `${where}: ${holding.consequences} consequences of ${leaver}'s leaving end ${kind} ${target}`,
      );
    } else if (!isHeld(leaver, kind, target)) {
      report('leaver-consequence-without-holding', `${where}: ${leaver} did not hold ${kind} ${target} at this point of the log`);
    }
  }

  for (const holding of holdings.values()) {
    if (!holding.held) continue;
    const what = `${holding.memberId} left (MemberLeft ${holding.leavingId}) but still holds ${holding.kind} ${holding.target}`;
    if (holding.atLeaving) report('leaver-consequence-missing', `${what}, held since before the leaving, at the end of the log`);
    else report('leaver-still-holds', `${what}, which reached them after the leaving, at the end of the log`);
  }
  return {
    leavers: leavingOf.size,
    leaversHoldingSomething: new Set([...holdings.values()].map((h) => h.memberId)).size,
    ...counts,
  };
}

function comparePositions(a: string, b: string): number {
  const [ac, ap] = a.split(':').map(BigInt) as [bigint, bigint];
  const [bc, bp] = b.split(':').map(BigInt) as [bigint, bigint];
  if (ac !== bc) return ac < bc ? -1 : 1;
  if (ap !== bp) return ap < bp ? -1 : 1;
  return 0;
}

function ident(name: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`unexpected table name ${name}`);
  return name;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
