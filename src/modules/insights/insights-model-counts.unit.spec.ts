import type { AgreementAcceptanceEvent } from '../agreements/agreement-acceptance.decider.ts';
import type { AgreementEvent } from '../agreements/agreement.decider.ts';
import type { MemberEvent } from '../members/member.decider.ts';
import type { PrivacyEvent } from '../privacy/privacy.decider.ts';
import { InsightsModel } from './insights-model.ts';
import { DAY_MS, measure } from './insights-measures.ts';
import { pointAt } from './insights-timeline.ts';

/**
 * The model counts active members by department, by consent purpose and by agreement as the events come, so that the
 * measures need not scan every member, consent and acceptance at each point of a series. These counts must stay what
 * the scan would count, whatever order members come, move, leave and come back in.
 */

type DomainEvent = MemberEvent | AgreementEvent | AgreementAcceptanceEvent | PrivacyEvent;

const T0 = Date.parse('2025-03-03T00:00:00.000Z');
const iso = (day: number) => new Date(T0 + day * DAY_MS).toISOString();

const registered = (memberId: string, department: string): DomainEvent => ({
  type: 'MemberRegistered',
  data: { memberId, displayName: `Member ${memberId}`, department },
});
const moved = (memberId: string, department: string): DomainEvent => ({ type: 'MemberUpdated', data: { memberId, department } });
const left = (memberId: string): DomainEvent => ({ type: 'MemberLeft', data: { memberId, reason: null } });
const published = (agreementId: string, version: number, requiresReacceptance: boolean, day: number): DomainEvent => ({
  type: 'AgreementVersionPublished',
  data: {
    agreementId,
    version,
    title: `Agreement ${agreementId}`,
    body: `version ${version}`,
    bodySha256: 'sha',
    requiresReacceptance,
    publishedBy: 'cm-1',
    publishedAt: iso(day),
  },
});
const accepted = (agreementId: string, memberId: string, version: number, day: number): DomainEvent => ({
  type: 'AgreementAccepted',
  data: { agreementId, memberId, version, bodySha256: 'sha', acceptedAt: iso(day) },
});
const consent = (memberId: string, purpose: string, day: number): DomainEvent => ({
  type: 'ConsentGiven',
  data: { memberId, purpose, noticeVersion: 'v1', givenAt: iso(day) },
});
const withdrawn = (memberId: string, purpose: string, day: number): DomainEvent => ({
  type: 'ConsentWithdrawn',
  data: { memberId, purpose, withdrawnAt: iso(day) },
});

function apply(model: InsightsModel, day: number, event: DomainEvent): void {
  model.apply({ streamId: 'any', revision: 0, type: event.type, data: event.data, time: T0 + day * DAY_MS });
}

/** What a scan of the model's members, consents and acceptances counts: the oracle for the model's own counts. */
function scanned(model: InsightsModel) {
  const active = (memberId: string) => model.members.get(memberId)?.active === true;
  const departments = new Map<string, number>();
  for (const member of model.members.values()) {
    if (member.active) departments.set(member.department, (departments.get(member.department) ?? 0) + 1);
  }
  return {
    departments: sorted(departments),
    consents: sorted(new Map([...model.consents].map(([purpose, given]) => [purpose, [...given].filter(active).length]))),
    acceptances: sorted(
      new Map(
        [...model.agreements].map(([agreementId, agreement]) => [
          agreementId,
          [...(model.acceptances.get(agreementId) ?? [])].filter(
            ([memberId, version]) => version >= agreement.bindingVersion && active(memberId),
          ).length,
        ]),
      ),
    ),
  };
}

/** The model's counts, as the measures read them: departments without active members are none. */
function counted(model: InsightsModel) {
  return {
    departments: sorted(new Map([...model.activeMembersByDepartment].filter(([, count]) => count !== 0))),
    consents: sorted(new Map([...model.consents.keys()].map((purpose) => [purpose, model.activeConsents.get(purpose) ?? 0]))),
    acceptances: sorted(
      new Map([...model.agreements.keys()].map((agreementId) => [agreementId, model.activeAcceptances.get(agreementId) ?? 0])),
    ),
  };
}

function sorted(counts: ReadonlyMap<string, number>): [string, number][] {
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

describe('insights model: active members counted as they come and go', () => {
  test('moves, a registration again, leaving and coming back, an acceptance before publication and a new binding version', () => {
    const model = new InsightsModel();
    const history: [number, DomainEvent][] = [
      [0, registered('m1', 'Sales')],
      [0, registered('m2', 'Sales')],
      [0, registered('m3', 'Legal')],
      [0, consent('m1', 'newsletter', 0)],
      [0, consent('m2', 'newsletter', 0)],
      [0, consent('m6', 'analytics', 0)], // m6 never registers: counted nowhere
      [0, consent('m3', 'analytics', 0)],
      [0, accepted('code', 'm2', 1, 0)], // before the agreement is published
      [0, published('terms', 1, false, 0)],
      [1, published('code', 1, false, 1)],
      [1, moved('m2', 'Legal')],
      [1, accepted('terms', 'm2', 1, 1)],
      [2, registered('m3', 'R&D')], // registered again while active: moves to R&D
      [2, accepted('code', 'm3', 1, 2)],
      [3, left('m1')],
      [4, moved('m1', 'R&D')], // while gone: counts nowhere
      [4, published('code', 2, true, 4)], // binding version 2: m2 and m3 no longer count for code
      [4, accepted('code', 'm1', 2, 4)], // m1 is gone
      [5, registered('m1', 'Legal')], // back: counts in Legal, for the newsletter and for code
      [5, published('terms', 2, false, 5)], // terms still binds version 1
      [6, withdrawn('m2', 'newsletter', 6)],
      [6, accepted('code', 'm3', 2, 6)],
      [7, consent('m3', 'analytics', 7)], // given again: still once
      [7, accepted('code', 'm2', 1, 7)], // an older version: m2 still has not accepted version 2
    ];
    for (const [day, event] of history) apply(model, day, event);
    const snapshot = measure(model, pointAt(T0 + 10 * DAY_MS, 'WEEK'));

    // Active: m1 (Legal), m2 (Legal), m3 (R&D). Sales has no active member left: no row.
    expect(snapshot.ambassadors).toMatchObject({ departments: 2, activeMembers: 3 });
    expect(snapshot.ambassadors.byDepartment.map((d) => [d.department, d.activeMembers])).toEqual([
      ['Legal', 2],
      ['R&D', 1],
    ]);
    // code (binding 2): m1 and m3; terms (binding 1): m2. Pairs: 3 of 3 members × 2 agreements.
    expect(snapshot.agreements.agreements.map((a) => [a.agreementId, a.bindingVersion, a.accepted])).toEqual([
      ['code', 2, 2],
      ['terms', 1, 1],
    ]);
    expect(snapshot.agreements.acceptanceRate).toBe(0.5);
    // newsletter: m1 (m2 withdrew); analytics: m3 (m6 is nobody).
    expect(snapshot.privacy.consents).toEqual([
      { purpose: 'analytics', given: 1, share: 1 / 3 },
      { purpose: 'newsletter', given: 1, share: 1 / 3 },
    ]);
    expect(counted(model)).toEqual(scanned(model));
  });

  test('after every event of random histories, the counts are what a scan of the model counts', () => {
    const members = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7'];
    const departments = ['Sales', 'Legal', 'R&D'];
    const purposes = ['newsletter', 'analytics'];
    const agreements = ['code', 'terms'];
    for (let seed = 1; seed <= 25; seed++) {
      const random = mulberry32(seed);
      const pick = <T>(values: readonly T[]) => values[Math.floor(random() * values.length)]!;
      const model = new InsightsModel();
      const versions = new Map<string, number>();
      for (let i = 0; i < 300; i++) {
        const member = pick(members);
        const agreement = pick(agreements);
        const kind = Math.floor(random() * 8);
        const version = (versions.get(agreement) ?? 0) + 1;
        const event =
          kind === 0
            ? registered(member, pick(departments))
            : kind === 1
              ? moved(member, pick(departments))
              : kind === 2
                ? left(member)
                : kind === 3
                  ? consent(member, pick(purposes), i)
                  : kind === 4
                    ? withdrawn(member, pick(purposes), i)
                    : kind === 5
                      ? published(agreement, version, random() < 0.5, i)
                      : accepted(agreement, member, 1 + Math.floor(random() * version), i);
        if (kind === 5) versions.set(agreement, version);
        apply(model, i, event);
        expect({ seed, i, ...counted(model) }).toEqual({ seed, i, ...scanned(model) });
      }
    }
  });
});

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
