import { In, type DataSource } from 'typeorm';
import { READ_MODEL_SCHEMA } from '#projections';
import { keyCondition, keysetPage, type PageInfo, type PageRequest } from '../../../platform/graphql/pagination.ts';
import { encodeIdCursor } from '../../../platform/shared/id-cursor.ts';
import { isId } from '../../../platform/shared/identifiers.ts';
import type { Agreement, AgreementAcceptance, AgreementVersion } from '../agreements.graphql.ts';
import { AGREEMENT_ACCEPTANCES, AGREEMENT_MEMBERS, AGREEMENT_VERSIONS, AGREEMENTS, type AgreementRow } from './agreements.projection.ts';

/** An `AgreementVersion` as read: its node `id` is made from the agreement id and the version by the field itself. */
export type AgreementVersionAnswer = Omit<AgreementVersion, 'id'>;

/** An `Agreement` as read, with its versions as read. */
export type AgreementAnswer = Omit<Agreement, 'currentVersion' | 'versions'> & {
  readonly currentVersion: AgreementVersionAnswer;
  readonly versions: AgreementVersionAnswer[];
};

/** An `AgreementAcceptance` as read: its node `id` is made from the agreement and member ids by the field itself. */
export type AgreementAcceptanceAnswer = Omit<AgreementAcceptance, 'id'>;

export type AgreementAcceptanceLookup =
  | { readonly found: true; readonly acceptance: AgreementAcceptanceAnswer }
  | { readonly found: false; readonly missing: 'agreement' | 'member' };

export async function findAgreement(db: DataSource, agreementId: string): Promise<AgreementAnswer | null> {
  if (!isId(agreementId)) return null;
  const record = await db.getRepository(AGREEMENTS.entity).findOneBy({ agreementId });
  if (!record) return null;
  const [view] = await toAgreements(db, [record]);
  return view ?? null;
}

/** A page of agreements as their connection has it: each with its cursor, where the page sits, how many there are. */
export interface AgreementPage {
  readonly edges: { readonly cursor: string; readonly node: AgreementAnswer }[];
  readonly pageInfo: PageInfo;
  readonly totalCount: number;
}

/** Every agreement, by agreement id, both ways (keyset on the id: a page stays right while agreements are published). */
export async function listAgreements(db: DataSource, page: PageRequest): Promise<AgreementPage> {
  const all = () => db.getRepository(AGREEMENTS.entity).createQueryBuilder('g');
  const listed = await keysetPage(
    page,
    (record: AgreementRow) => record.agreementId,
    ({ bound, order, limit }) => {
      const query = all().orderBy('g.agreementId', order).limit(limit);
      if (bound !== null) {
        const condition = keyCondition('g.agreementId', bound);
        query.andWhere(condition.sql, condition.parameters);
      }
      return query.getMany();
    },
  );
  const views = await toAgreements(db, listed.rows);
  return {
    edges: views.map((view) => ({ cursor: encodeIdCursor(view.id), node: view })),
    pageInfo: listed.pageInfo,
    totalCount: await all().getCount(),
  };
}

/** Which version binds the member and whether they still have to accept it. */
export async function findAgreementAcceptance(db: DataSource, agreementId: string, memberId: string): Promise<AgreementAcceptanceLookup> {
  if (!isId(agreementId)) return { found: false, missing: 'agreement' };
  const agreement = await db.getRepository(AGREEMENTS.entity).findOneBy({ agreementId });
  if (!agreement) return { found: false, missing: 'agreement' };
  const member = isId(memberId) ? await db.getRepository(AGREEMENT_MEMBERS.entity).findOneBy({ memberId }) : null;
  if (!member) return { found: false, missing: 'member' };
  const accepted = await db.getRepository(AGREEMENT_ACCEPTANCES.entity).findOneBy({ agreementId, memberId });
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
export async function pendingAgreementsOf(db: DataSource, memberId: string): Promise<AgreementAnswer[]> {
  if (!isId(memberId)) return [];
  const member = await db.getRepository(AGREEMENT_MEMBERS.entity).findOneBy({ memberId });
  if (!member?.active) return [];
  const records = await db
    .getRepository(AGREEMENTS.entity)
    .createQueryBuilder('g')
    // TypeORM joins an EntitySchema (it finds its metadata) though its types list only classes and names; the entity's
    // name, read_models.<table>, would be read as an alias and a relation.
    .leftJoin(AGREEMENT_ACCEPTANCES.entity as never, 'a', 'a.agreementId = g.agreementId AND a.memberId = :memberId', { memberId })
    .where('a.acceptedVersion IS NULL OR a.acceptedVersion < g.bindingVersion')
    .orderBy('g.agreementId', 'ASC')
    .getMany();
  return toAgreements(db, records);
}

async function toAgreements(db: DataSource, records: readonly AgreementRow[]): Promise<AgreementAnswer[]> {
  if (records.length === 0) return [];
  const ids = records.map((record) => record.agreementId);
  // A version's row is an AgreementVersion as read, column for column.
  const versionRows: AgreementVersionAnswer[] = await db.getRepository(AGREEMENT_VERSIONS.entity).find({
    where: { agreementId: In(ids) },
    order: { agreementId: 'ASC', version: 'ASC' },
  });
  const versions = new Map<string, AgreementVersionAnswer[]>();
  for (const row of versionRows) {
    const list = versions.get(row.agreementId) ?? [];
    list.push(row);
    versions.set(row.agreementId, list);
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
  const agreements = `${READ_MODEL_SCHEMA}.${AGREEMENTS.name}`;
  const acceptances = `${READ_MODEL_SCHEMA}.${AGREEMENT_ACCEPTANCES.name}`;
  const members = `${READ_MODEL_SCHEMA}.${AGREEMENT_MEMBERS.name}`;
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
