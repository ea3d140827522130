import { In, type DataSource } from 'typeorm';
import { READ_MODEL_SCHEMA } from '#projections';
import { keyCondition, keysetPage, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { encodeIdCursor } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import { AgreementAcceptanceRecord, AgreementMemberRecord, AgreementRecord, AgreementVersionRecord } from './agreement.records.ts';
import { AGREEMENT_ACCEPTANCES_TABLE, AGREEMENT_MEMBERS_TABLE, AGREEMENTS_TABLE } from './agreements.projection.ts';

/** Shaped like the GraphQL `AgreementVersion`. */
export interface AgreementVersionView {
  readonly agreementId: string;
  readonly version: number;
  readonly title: string;
  readonly body: string;
  readonly bodySha256: string;
  readonly requiresReacceptance: boolean;
  readonly publishedBy: string;
  readonly publishedAt: Date;
}

/** Shaped like the GraphQL `Agreement`. */
export interface AgreementView {
  readonly id: string;
  readonly currentVersion: AgreementVersionView;
  /** Oldest first. */
  readonly versions: AgreementVersionView[];
  /** The version the active members must have accepted (or a later one). */
  readonly bindingVersion: number;
  /** Registered, active members whose latest acceptance is at or after the binding version. */
  readonly acceptedCount: number;
  /** Registered, active members who still have to accept. */
  readonly pendingCount: number;
  /** The revision of the agreement's stream: what `expectedRevision` compares with. */
  readonly revision: number;
}

/** Shaped like the GraphQL `AgreementAcceptance`. */
export interface AgreementAcceptanceView {
  readonly agreementId: string;
  readonly memberId: string;
  readonly bindingVersion: number;
  /** Of the member's latest acceptance; null when they never accepted any version. */
  readonly acceptedVersion: number | null;
  readonly acceptedAt: Date | null;
  /** An active member who has not accepted the binding version (or a later one). Nothing is pending for someone who left. */
  readonly pending: boolean;
}

export type AgreementAcceptanceLookup =
  | { readonly found: true; readonly acceptance: AgreementAcceptanceView }
  | { readonly found: false; readonly missing: 'agreement' | 'member' };

export async function findAgreement(db: DataSource, agreementId: string): Promise<AgreementView | null> {
  if (!isId(agreementId)) return null;
  const record = await db.getRepository(AgreementRecord).findOneBy({ agreementId });
  if (!record) return null;
  const [view] = await toViews(db, [record]);
  return view ?? null;
}

/** A page of agreements as their connection has it: each with its cursor, where the page sits, how many there are. */
export interface AgreementPage {
  readonly edges: { readonly cursor: string; readonly node: AgreementView }[];
  readonly pageInfo: PageInfo;
  readonly totalCount: number;
}

/** Every agreement, by agreement id, both ways (keyset on the id: a page stays right while agreements are published). */
export async function listAgreements(db: DataSource, page: PageRequest): Promise<AgreementPage> {
  const all = () => db.getRepository(AgreementRecord).createQueryBuilder('g');
  const listed = await keysetPage(
    page,
    (record: AgreementRecord) => record.agreementId,
    ({ bound, order, limit }) => {
      const query = all().orderBy('g.agreementId', order).limit(limit);
      if (bound !== null) {
        const condition = keyCondition('g.agreementId', bound);
        query.andWhere(condition.sql, condition.parameters);
      }
      return query.getMany();
    },
  );
  const views = await toViews(db, listed.rows);
  return {
    edges: views.map((view) => ({ cursor: encodeIdCursor(view.id), node: view })),
    pageInfo: listed.pageInfo,
    totalCount: await all().getCount(),
  };
}

/** Which version binds the member and whether they still have to accept it. */
export async function findAgreementAcceptance(db: DataSource, agreementId: string, memberId: string): Promise<AgreementAcceptanceLookup> {
  if (!isId(agreementId)) return { found: false, missing: 'agreement' };
  const agreement = await db.getRepository(AgreementRecord).findOneBy({ agreementId });
  if (!agreement) return { found: false, missing: 'agreement' };
  const member = isId(memberId) ? await db.getRepository(AgreementMemberRecord).findOneBy({ memberId }) : null;
  if (!member) return { found: false, missing: 'member' };
  const accepted = await db.getRepository(AgreementAcceptanceRecord).findOneBy({ agreementId, memberId });
  return {
    found: true,
    acceptance: {
      agreementId,
      memberId,
      bindingVersion: agreement.bindingVersion,
      acceptedVersion: accepted?.acceptedVersion ?? null,
      acceptedAt: accepted?.acceptedAt ?? null,
      pending: member.active && (accepted === null || accepted.acceptedVersion < agreement.bindingVersion),
    },
  };
}

/** What the member still has to accept, by agreement id; nothing for someone who is not (or no longer) a member. */
export async function pendingAgreementsOf(db: DataSource, memberId: string): Promise<AgreementView[]> {
  if (!isId(memberId)) return [];
  const member = await db.getRepository(AgreementMemberRecord).findOneBy({ memberId });
  if (!member?.active) return [];
  const records = await db
    .getRepository(AgreementRecord)
    .createQueryBuilder('g')
    .leftJoin(AgreementAcceptanceRecord, 'a', 'a.agreementId = g.agreementId AND a.memberId = :memberId', { memberId })
    .where('a.acceptedVersion IS NULL OR a.acceptedVersion < g.bindingVersion')
    .orderBy('g.agreementId', 'ASC')
    .getMany();
  return toViews(db, records);
}

async function toViews(db: DataSource, records: readonly AgreementRecord[]): Promise<AgreementView[]> {
  if (records.length === 0) return [];
  const ids = records.map((record) => record.agreementId);
  const versionRecords = await db.getRepository(AgreementVersionRecord).find({
    where: { agreementId: In(ids) },
    order: { agreementId: 'ASC', version: 'ASC' },
  });
  const versions = new Map<string, AgreementVersionView[]>();
  for (const record of versionRecords) {
    const list = versions.get(record.agreementId) ?? [];
    list.push({
      agreementId: record.agreementId,
      version: record.version,
      title: record.title,
      body: record.body,
      bodySha256: record.bodySha256,
      requiresReacceptance: record.requiresReacceptance,
      publishedBy: record.publishedBy,
      publishedAt: record.publishedAt,
    });
    versions.set(record.agreementId, list);
  }
  const counts = await acceptanceCounts(db, ids);
  return records.map((record) => {
    const all = versions.get(record.agreementId) ?? [];
    const current = all.find((version) => version.version === record.currentVersion);
    if (!current) throw new Error(`agreement ${record.agreementId} has no version ${record.currentVersion} in the read model`);
    const count = counts.get(record.agreementId) ?? { accepted: 0, pending: 0 };
    return {
      id: record.agreementId,
      currentVersion: current,
      versions: all,
      bindingVersion: record.bindingVersion,
      acceptedCount: count.accepted,
      pendingCount: count.pending,
      revision: record.revision,
    };
  });
}

/**
 * Every active member is bound by each agreement's binding version; those who accepted it (or a later one) count as
 * accepted, the others as pending. One statement, so both counts come from the same snapshot.
 */
async function acceptanceCounts(
  db: DataSource,
  agreementIds: readonly string[],
): Promise<Map<string, { accepted: number; pending: number }>> {
  const agreements = `${READ_MODEL_SCHEMA}.${AGREEMENTS_TABLE}`;
  const acceptances = `${READ_MODEL_SCHEMA}.${AGREEMENT_ACCEPTANCES_TABLE}`;
  const members = `${READ_MODEL_SCHEMA}.${AGREEMENT_MEMBERS_TABLE}`;
  const rows = await db.query<{ agreement_id: string; accepted: number; active: number }[]>(
    `SELECT g.agreement_id,
            (SELECT count(*) FROM ${acceptances} a JOIN ${members} m ON m.member_id = a.member_id AND m.active
              WHERE a.agreement_id = g.agreement_id AND a.accepted_version >= g.binding_version)::int AS accepted,
            (SELECT count(*) FROM ${members} WHERE active)::int AS active
       FROM ${agreements} g
      WHERE g.agreement_id = ANY($1)`,
    [[...agreementIds]],
  );
  return new Map(rows.map((row) => [row.agreement_id, { accepted: row.accepted, pending: row.active - row.accepted }]));
}
