import { randomUUID } from 'node:crypto';
import { comparePositions, type EventStore, type GovernanceEventStore, type LogPosition } from '#event-store';
import { LOG_EXPORTS_STREAM, operatorActionsDecider, type LogExportScope } from './operator-actions.decider.ts';

export interface LogExportRequest {
  readonly actor: { readonly id: string; readonly roles: readonly string[] };
  /** Why the actor may export ("role:AUDITOR"). */
  readonly authority: string;
  readonly correlationId: string;
  readonly scope: LogExportScope;
}

/** How long an export waits for its own record to be readable before it starts without it. */
const RECORD_READABLE_WAIT_MS = 5_000;

/**
 * Records an export of the governance log before a byte of it is served: an export that cannot be recorded serves
 * nothing. Not through the command pipeline, which refuses every command of an auditor's token: an auditor who reads
 * changes nothing; the service records that they read, with their id, roles and authority in the metadata.
 * Nothing depends on the stream's state, so it appends without reading it: concurrent exports never conflict.
 *
 * Then it waits (bounded) until the record is below the readable head, so that an export of the whole log holds the
 * line that says who exported it; PostgreSQL's readable head waits for every older open transaction.
 */
export async function recordLogExport(
  events: Pick<GovernanceEventStore, 'append'>,
  store: Pick<EventStore, 'headPosition'>,
  request: LogExportRequest,
  options: { readonly now?: () => Date; readonly waitMs?: number } = {},
): Promise<LogPosition> {
  const at = (options.now?.() ?? new Date()).toISOString();
  const recorded = operatorActionsDecider.decide(
    { type: 'RecordGovernanceLogExport', scope: request.scope, actorId: request.actor.id, at },
    operatorActionsDecider.initialState,
  );
  const { position } = await events.append(LOG_EXPORTS_STREAM, recorded, {
    expectedRevision: 'any',
    metadata: {
      actorId: request.actor.id,
      actorRoles: [...request.actor.roles],
      authority: request.authority,
      reason: null,
      source: 'api',
      correlationId: request.correlationId || randomUUID(),
      causationId: null,
      commandId: null,
      occurredAt: at,
    },
  });
  const deadline = Date.now() + (options.waitMs ?? RECORD_READABLE_WAIT_MS);
  while (comparePositions(await store.headPosition(), position) < 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return position;
}
