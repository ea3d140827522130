import type pg from 'pg';
import type { StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { columns, readModelProjection, readModelTable, type RowOf } from '../../../platform/infrastructure/read-model-table.ts';
import { isMemberEvent, MEMBER_STREAM_CATEGORY, type MemberEvent } from '../../members/index.ts';
import { ACCEPTANCE_STREAM_CATEGORY, isAgreementAcceptanceEvent, type AgreementAcceptanceEvent } from '../agreement-acceptance.decider.ts';
import { AGREEMENT_STREAM_CATEGORY, isAgreementEvent, type AgreementEvent } from '../agreement.decider.ts';

export const AGREEMENTS_PROJECTION = 'agreements';

export const AGREEMENTS = readModelTable('agreements', {
  agreementId: columns.text().primary(),
  currentVersion: columns.int(),
  /** The latest version that required re-acceptance, or 1. */
  bindingVersion: columns.int(),
  revision: columns.int(),
  updatedAt: columns.timestamptz(),
});
export type AgreementRow = RowOf<typeof AGREEMENTS>;

export const AGREEMENT_VERSIONS = readModelTable('agreement_versions', {
  agreementId: columns.text().primary(),
  version: columns.int().primary(),
  title: columns.text(),
  body: columns.text(),
  bodySha256: columns.text(),
  requiresReacceptance: columns.boolean(),
  publishedBy: columns.text(),
  publishedAt: columns.timestamptz(),
});

/** A member's latest acceptance of an agreement. */
export const AGREEMENT_ACCEPTANCES = readModelTable(
  'agreement_acceptances',
  {
    agreementId: columns.text().primary(),
    memberId: columns.text().primary(),
    acceptedVersion: columns.int(),
    acceptedAt: columns.timestamptz(),
  },
  // A member's pending agreements.
  { indexes: ['(member_id)'] },
);

/** Who is bound by agreements: registered and not left. */
export const AGREEMENT_MEMBERS = readModelTable('agreement_members', {
  memberId: columns.text().primary(),
  active: columns.boolean(),
});

/**
 * Agreements with every version, each member's latest acceptance per agreement, and which members are active (kept
 * from the member events themselves, never from the members module's tables): what the accepted and pending counts
 * are computed from. Nothing here is personal text.
 */
export const agreementsProjection = readModelProjection<StoredEvent>({
  name: AGREEMENTS_PROJECTION,
  version: 1,
  tables: [AGREEMENTS, AGREEMENT_VERSIONS, AGREEMENT_ACCEPTANCES, AGREEMENT_MEMBERS],
  filter: { categories: [AGREEMENT_STREAM_CATEGORY, ACCEPTANCE_STREAM_CATEGORY, MEMBER_STREAM_CATEGORY] },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isAgreementEvent(event)) await applyAgreementEvent(event as StoredEvent & AgreementEvent, client, ctx);
      else if (isAgreementAcceptanceEvent(event)) await applyAcceptanceEvent(event as StoredEvent & AgreementAcceptanceEvent, client, ctx);
      else if (isMemberEvent(event)) await applyMemberEvent(event as StoredEvent & MemberEvent, client, ctx);
    }
  },
});

async function applyAgreementEvent(event: StoredEvent & AgreementEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  switch (event.type) {
    case 'AgreementVersionPublished': {
      const d = event.data;
      await client.query(
        `INSERT INTO ${ctx.table(AGREEMENT_VERSIONS.name)}
           (agreement_id, version, title, body, body_sha256, requires_reacceptance, published_by, published_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [d.agreementId, d.version, d.title, d.body, d.bodySha256, d.requiresReacceptance, d.publishedBy, d.publishedAt],
      );
      // The first version binds everyone; a later one only when it requires re-acceptance.
      await client.query(
        `INSERT INTO ${ctx.table(AGREEMENTS.name)} AS g (agreement_id, current_version, binding_version, revision, updated_at)
         VALUES ($1, $2, $2, $4, $5)
         ON CONFLICT (agreement_id) DO UPDATE
           SET current_version = EXCLUDED.current_version,
               binding_version = CASE WHEN $3::boolean THEN EXCLUDED.binding_version ELSE g.binding_version END,
               revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at`,
        [d.agreementId, d.version, d.requiresReacceptance, event.revision, event.metadata.occurredAt],
      );
      return;
    }
    default:
      return unhandled(event.type);
  }
}

async function applyAcceptanceEvent(
  event: StoredEvent & AgreementAcceptanceEvent,
  client: pg.ClientBase,
  ctx: ProjectionContext,
): Promise<void> {
  const acceptances = ctx.table(AGREEMENT_ACCEPTANCES.name);
  switch (event.type) {
    case 'AgreementAccepted': {
      const d = event.data;
      // The latest acceptance is the one with the highest version (versions only grow, so it is also the newest).
      await client.query(
        `INSERT INTO ${acceptances} AS a (agreement_id, member_id, accepted_version, accepted_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (agreement_id, member_id) DO UPDATE
           SET accepted_version = EXCLUDED.accepted_version, accepted_at = EXCLUDED.accepted_at
         WHERE EXCLUDED.accepted_version > a.accepted_version`,
        [d.agreementId, d.memberId, d.version, d.acceptedAt],
      );
      return;
    }
    default:
      return unhandled(event.type);
  }
}

async function applyMemberEvent(event: StoredEvent & MemberEvent, client: pg.ClientBase, ctx: ProjectionContext): Promise<void> {
  const members = ctx.table(AGREEMENT_MEMBERS.name);
  switch (event.type) {
    case 'MemberRegistered':
      await client.query(`INSERT INTO ${members} (member_id, active) VALUES ($1, true) ON CONFLICT (member_id) DO NOTHING`, [
        event.data.memberId,
      ]);
      return;
    case 'MemberUpdated':
      return;
    case 'MemberLeft':
      await client.query(`UPDATE ${members} SET active = false WHERE member_id = $1`, [event.data.memberId]);
      return;
    default:
      return unhandledMember(event);
  }
}

function unhandled(type: never): void {
  void type;
}

function unhandledMember(event: never): void {
  void event;
}
