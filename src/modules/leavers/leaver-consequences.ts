import type { DataSource } from 'typeorm';
import {
  handleCommand,
  StreamNotFoundError,
  type Decider,
  type DeciderEvent,
  type EventMetadata,
  type GovernanceEventStore,
  type StoredEvent,
} from '#event-store';
import { logContext, logger } from '../../platform/observability/logger.ts';
import { DueWorkScheduler } from '../../platform/scheduling/due-work-scheduler.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import { sqlIn } from '../../platform/shared/sql.ts';
import { AMBASSADORS_TABLE, ambassadorDecider, ambassadorStreamId, type AmbassadorStatus } from '../ambassadors/index.ts';
import { GROUPS_TABLE, groupDecider, groupStreamId } from '../groups/index.ts';
import { MEMBERS_TABLE, memberStreamId } from '../members/index.ts';
import { MODERATION_CASES_TABLE, moderationCaseDecider, moderationCaseStreamId } from '../moderation/index.ts';

export const LEAVER_CONSEQUENCES_SCHEDULER = 'leaver-consequences';
export const LEAVER_AUTHORITY = 'automation: the member left the organisation';
/** The reason recorded with each consequence: the same words for every leaver, nothing personal. */
export const LEFT_THE_ORGANISATION = 'left the organisation';

/** An ambassador in one of these is offboarded when they leave (a pending nomination cannot be approved any more). */
export const OFFBOARDED_ON_LEAVING: readonly AmbassadorStatus[] = ['APPROVED', 'ACTIVE', 'INACTIVE'];

/** Something a member who left still holds: an ownership of a group, an ambassadorship, a case they had claimed. */
export interface LeaverHolding {
  readonly kind: 'ownership' | 'ambassador' | 'case';
  readonly memberId: string;
  /** The group, the member (ambassador) or the case. */
  readonly target: string;
  /** The revision of the target's stream as the read model shows it: part of the command id (see leaverCommandId). */
  readonly revision: number;
  readonly leftAt: Date;
}

export interface LeaverConsequencesOptions {
  readonly events: GovernanceEventStore;
  readonly readModels: DataSource;
  readonly clock: Clock;
  readonly intervalMs: number;
  readonly batchSize?: number;
}

/**
 * What a member's leaving sets in motion, each its own event on the stream it concerns, caused by the leaving
 * (causationId: the MemberLeft event's id; correlationId: the leaving's): the group ownerships they held end, an
 * ambassadorship is offboarded, the cases they had claimed go back to the queue. Certifications stay as history.
 *
 * Driven by state rather than by the MemberLeft event: the read models say who left and still holds something, so a
 * holding that reached a leaver through a race (an owner assigned while they were leaving) is found too. Exactly once:
 * the command id depends only on the leaving and the holding, handleCommand records a command id once per stream, and
 * each command records nothing when the stream shows the holding is gone already (a lagging read model, a restart,
 * another instance, a community manager who was quicker). Leaving is final (a member who left cannot be registered
 * again), so a member has at most one MemberLeft.
 */
export function createLeaverConsequencesScheduler(options: LeaverConsequencesOptions): DueWorkScheduler<LeaverHolding> {
  const { events, readModels } = options;
  return new DueWorkScheduler<LeaverHolding>({
    name: LEAVER_CONSEQUENCES_SCHEDULER,
    clock: options.clock,
    intervalMs: options.intervalMs,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    findDue: (_now, limit) => findLeaverHoldings(readModels, limit),
    handle: (holding, now) => endLeaverHolding(events, holding, now),
    describe: (holding) => `${holding.kind} ${holding.target}@${holding.revision} of leaver ${holding.memberId}`,
  });
}

/** Holdings of members who left, those who left longest ago first. */
export async function findLeaverHoldings(readModels: DataSource, limit: number): Promise<LeaverHolding[]> {
  const members = `read_models.${MEMBERS_TABLE}`;
  const rows: { kind: LeaverHolding['kind']; member_id: string; target: string; revision: number; left_at: Date }[] =
    await readModels.query(
      `SELECT * FROM (
         SELECT 'ownership' AS kind, m.member_id, g.group_id AS target, g.revision, m.left_at
           FROM read_models.${GROUPS_TABLE} g
           CROSS JOIN LATERAL unnest(g.owners) AS o(member_id)
           JOIN ${members} m ON m.member_id = o.member_id
          WHERE m.status = 'LEFT'
       UNION ALL
         SELECT 'ambassador', m.member_id, m.member_id, a.revision, m.left_at
           FROM read_models.${AMBASSADORS_TABLE} a JOIN ${members} m ON m.member_id = a.member_id
          WHERE m.status = 'LEFT' AND a.status IN ${sqlIn(OFFBOARDED_ON_LEAVING)}
       UNION ALL
         SELECT 'case', m.member_id, c.case_id, c.revision, m.left_at
           FROM read_models.${MODERATION_CASES_TABLE} c JOIN ${members} m ON m.member_id = c.assigned_to
          WHERE m.status = 'LEFT' AND c.status = 'IN_REVIEW'
     ) holdings
     ORDER BY left_at, member_id, kind, target
     LIMIT $1`,
      [limit],
    );
  return rows.map((row) => ({
    kind: row.kind,
    memberId: row.member_id,
    target: row.target,
    revision: Number(row.revision),
    leftAt: new Date(row.left_at),
  }));
}

/**
 * The command id of one consequence of one leaving, as of the target's revision: a retry, or another instance that read
 * the same revision, appends the same events once. The revision is in it because a holding can come back: an owner
 * assignment decided just before the leaving was recorded lands after the first removal, and must be removed again,
 * which the first removal's command id would answer as a replay. Two passes that read different revisions cannot both
 * end the same holding either: the stream shows it gone to the second, which then records nothing.
 */
export function leaverCommandId(leaving: Pick<StoredEvent, 'id'>, holding: Pick<LeaverHolding, 'kind' | 'target' | 'revision'>): string {
  return `system/leaver/${leaving.id}/${holding.kind}/${holding.target}@${holding.revision}`;
}

/** Ends one holding on its own stream, caused by the member's MemberLeft event. */
export async function endLeaverHolding(events: GovernanceEventStore, holding: LeaverHolding, now: Date): Promise<void> {
  const leaving = await findLeaving(events, holding.memberId);
  // The read model says they left; the stream must agree before anything is ended in their name.
  if (!leaving) return;
  const at = now.toISOString();
  const metadata: EventMetadata = {
    actorId: 'system',
    actorRoles: [],
    authority: LEAVER_AUTHORITY,
    reason: LEFT_THE_ORGANISATION,
    source: 'automation',
    correlationId: leaving.metadata.correlationId,
    causationId: leaving.id,
    commandId: leaverCommandId(leaving, holding),
    occurredAt: at,
  };
  const { memberId, target } = holding;
  await logContext.run({ correlationId: leaving.metadata.correlationId }, async () => {
    let recorded: boolean;
    switch (holding.kind) {
      case 'ownership':
        recorded = await run(
          events,
          groupStreamId(target),
          onlyWhile(groupDecider, (s) => s.status === 'active' && s.owners.includes(memberId)),
          {
            type: 'RemoveGroupOwner',
            groupId: target,
            memberId,
          },
          metadata,
        );
        break;
      case 'ambassador':
        recorded = await run(
          events,
          ambassadorStreamId(memberId),
          onlyWhile(ambassadorDecider, (s) => (OFFBOARDED_ON_LEAVING as readonly string[]).includes(s.status)),
          { type: 'OffboardAmbassador', memberId, reason: LEFT_THE_ORGANISATION, actorId: 'system', at },
          metadata,
        );
        break;
      case 'case':
        // The case decider itself records nothing for a case that is not (any more) claimed by them.
        recorded = await run(
          events,
          moderationCaseStreamId(target),
          moderationCaseDecider,
          {
            type: 'ReleaseCase',
            caseId: target,
            reason: LEFT_THE_ORGANISATION,
            // Only from them: a community manager who took the case over since the read model was read keeps it.
            moderatorId: memberId,
            at,
          },
          metadata,
        );
        break;
    }
    if (recorded) logger.info("a leaver's holding ended", { memberId, kind: holding.kind, target });
  });
}

async function findLeaving(events: GovernanceEventStore, memberId: string): Promise<StoredEvent | undefined> {
  const stream = await events.readStream(memberStreamId(memberId)).catch((error: unknown) => {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  });
  return stream.findLast((event) => event.type === 'MemberLeft');
}

/**
 * The decider, recording nothing once the holding is gone (removed, offboarded or released by someone else since the
 * read model was read): that is the end this work wants, not a conflict to report and retry.
 */
function onlyWhile<Command, State, Event extends DeciderEvent>(
  decider: Decider<Command, State, Event>,
  holds: (state: State) => boolean,
): Decider<Command, State, Event> {
  return { ...decider, decide: (command, state) => (holds(state) ? decider.decide(command, state) : []) };
}

async function run<Command, State, Event extends DeciderEvent>(
  events: GovernanceEventStore,
  streamId: string,
  decider: Decider<Command, State, Event>,
  command: NoInfer<Command>,
  metadata: EventMetadata,
): Promise<boolean> {
  const result = await handleCommand({ store: events, streamId, decider, command, metadata, retryOnConflict: 3 });
  return result.events.length > 0 && !result.idempotentReplay;
}
