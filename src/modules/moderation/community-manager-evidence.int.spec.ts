import { testMetadata } from '../../../test/support/event-metadata.ts';
import { startTestEventSourcing, type TestEventSourcing } from '../../../test/support/test-event-sourcing.ts';
import { MEMBER_EVENT_SCHEMAS } from '../members/member.decider.ts';
import { hasActedAsCommunityManager } from './community-manager-evidence.ts';

/** The recorded evidence that someone is a community manager, read from the PostgreSQL event store's history. */
describe('hasActedAsCommunityManager', () => {
  let es: TestEventSourcing;

  /** `count` events recorded with `actorId` as their actor and `roles` as the roles their token carried. */
  const actions = (actorId: string, roles: string[], count = 1) =>
    es.events.append(
      `member-${actorId}`,
      Array.from({ length: count }, () => ({ type: 'MemberUpdated', data: { memberId: actorId, department: 'Ops' } })),
      {
        expectedRevision: 'any',
        metadata: testMetadata(new Date().toISOString(), { actorId, actorRoles: roles, authority: roles[0] ?? 'self' }),
      },
    );

  beforeAll(async () => {
    es = await startTestEventSourcing({ schemas: MEMBER_EVENT_SCHEMAS, projections: [] }, 'cm_evidence');
  });
  afterAll(async () => {
    await es?.close();
  });

  test('someone recorded acting with the role COMMUNITY_MANAGER is one', async () => {
    await actions('m-manager', ['MEMBER', 'COMMUNITY_MANAGER']);
    expect(await hasActedAsCommunityManager(es.events, 'm-manager')).toBe(true);
  });

  test('someone who only ever acted with other roles, or never acted, is not known as one', async () => {
    await actions('m-owner', ['GROUP_OWNER', 'MEMBER'], 3);
    expect(await hasActedAsCommunityManager(es.events, 'm-owner')).toBe(false);
    expect(await hasActedAsCommunityManager(es.events, 'm-never-acted')).toBe(false);
  });

  test('another actor acting as a community manager about them is not evidence about them', async () => {
    await es.events.append('member-m-subject', [{ type: 'MemberUpdated', data: { memberId: 'm-subject', department: 'Ops' } }], {
      expectedRevision: 'any',
      metadata: testMetadata(new Date().toISOString()),
    });
    expect(await hasActedAsCommunityManager(es.events, 'm-subject')).toBe(false);
  });

  test('evidence after more than a page of ordinary actions is still found', async () => {
    await actions('m-promoted', ['MEMBER'], 501);
    expect(await hasActedAsCommunityManager(es.events, 'm-promoted')).toBe(false);
    await actions('m-promoted', ['COMMUNITY_MANAGER']);
    expect(await hasActedAsCommunityManager(es.events, 'm-promoted')).toBe(true);
  });
});
