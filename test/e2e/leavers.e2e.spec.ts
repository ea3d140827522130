import { handleCommand } from '#event-store';
import { eventually } from '#testing';
import { Role } from '../../src/platform/auth/role.ts';
import { ambassadorStreamId } from '../../src/modules/ambassadors/index.ts';
import { groupDecider, groupStreamId } from '../../src/modules/groups/index.ts';
import {
  createLeaverConsequencesScheduler,
  LEAVER_AUTHORITY,
  LEAVER_CONSEQUENCES_SCHEDULER,
  LEAVER_ERASURE_SCHEDULER,
  LEFT_THE_ORGANISATION,
} from '../../src/modules/leavers/index.ts';
import { memberStreamId } from '../../src/modules/members/index.ts';
import { caseIdFor, moderationCaseStreamId } from '../../src/modules/moderation/index.ts';
import { privacyStreamId } from '../../src/modules/privacy/index.ts';
import type { DueWorkScheduler } from '../../src/platform/scheduling/due-work-scheduler.ts';
import { testMetadata } from '../support/event-metadata.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;
const LEAVE = `mutation($input: RecordMemberLeftInput!) { recordMemberLeft(input: $input) { id status } }`;
const CREATE_GROUP = `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`;
const ASSIGN_OWNER = `mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { id } }`;
const NOMINATE = `mutation($input: NominateAmbassadorInput!) { nominateAmbassador(input: $input) { memberId status } }`;
const ambassadorDecision = (name: string) => `mutation($input: AmbassadorDecisionInput!) { ${name}(input: $input) { memberId status } }`;
const REPORT = `mutation($input: ReportContentInput!) { reportContent(input: $input) { id status } }`;
const CLAIM = `mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { id status assignedTo } }`;
const GROUP = `query($id: ID!) { group(id: $id) { owners } }`;
const OWNERLESS = `query { ownerlessGroups(first: 10) { edges { node { name } } } }`;
const CASE = `query($id: ID!) { moderationCase(id: $id) { id status assignedTo } }`;
const AMBASSADORS = `query { ambassadors(first: 50) { edges { node { memberId status offboardReason } } } }`;
const MEMBER = `query($id: ID!) { member(id: $id) { id displayName status } }`;
const ERASURE = `query($memberId: ID!) { erasureRequest(memberId: $memberId) { status } }`;

/** The service's own scheduler, to run a pass now instead of waiting for its interval. */
function scheduler(t: TestService, name: string): DueWorkScheduler<unknown> {
  const found = t.service.schedulers.find((candidate) => (candidate as DueWorkScheduler<unknown>).name === name);
  if (!found) throw new Error(`no scheduler ${name}`);
  return found as DueWorkScheduler<unknown>;
}

describe('what a leaver sets in motion', () => {
  let t: TestService;
  let cm: string;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }
  const run = async <T = Record<string, unknown>>(query: string, input: Record<string, unknown>, token = cm) =>
    ok(await t.graphql<T>(query, { input }, { token }));

  beforeAll(async () => {
    // The schedulers are driven by the test (runOnce), so that what a pass did is known when it is checked.
    t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '3600000', CERTIFICATION_GATE: 'off' } });
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
  });

  test('with CERTIFICATION_GATE=off the API says owners are not held to their certification', async () => {
    expect(await t.graphql('{ certificationGate }', {}, { token: cm })).toMatchObject({ data: { certificationGate: false } });
  });

  test('their ownerships end, their ambassadorship is offboarded, their claimed case goes back to the queue: each once, caused by the leaving', async () => {
    for (const [memberId, department] of [
      ['lv-1', 'Sales'],
      ['stay-1', 'Sales'],
    ]) {
      await run(REGISTER, { memberId, displayName: `Member ${memberId}`, department });
    }
    for (const groupId of ['g-solo', 'g-shared']) await run(CREATE_GROUP, { groupId, name: groupId });
    await run(ASSIGN_OWNER, { groupId: 'g-solo', memberId: 'lv-1' });
    await run(ASSIGN_OWNER, { groupId: 'g-shared', memberId: 'lv-1' });
    await run(ASSIGN_OWNER, { groupId: 'g-shared', memberId: 'stay-1' });
    await run(NOMINATE, { memberId: 'lv-1', department: 'Sales' });
    await run(ambassadorDecision('approveAmbassador'), { memberId: 'lv-1' });
    await run(ambassadorDecision('activateAmbassador'), { memberId: 'lv-1' });
    // lv-1 also moderates as a community manager: the case they claimed must not stay with them.
    await run(REPORT, { contentId: 'post-1', contentType: 'post', authorId: 'stay-1', reason: 'SPAM' });
    const caseId = caseIdFor('post-1', 1);
    const leaverAsModerator = await t.token('lv-1', Role.COMMUNITY_MANAGER);
    expect(
      (await run<{ claimModerationCase: { assignedTo: string } }>(CLAIM, { caseId }, leaverAsModerator)).claimModerationCase.assignedTo,
    ).toBe('lv-1');

    // Nothing happens to a member who has not left.
    expect(await scheduler(t, LEAVER_CONSEQUENCES_SCHEDULER).runOnce()).toBe(0);

    await run(LEAVE, { memberId: 'lv-1', reason: 'moved on' });
    const [leaving] = (await t.service.eventSourcing.events.readStream(memberStreamId('lv-1'))).filter((e) => e.type === 'MemberLeft');
    expect(leaving).toBeDefined();

    // Every instance runs this work: a second instance's scheduler, at the same moment, must not double anything.
    const otherInstance = createLeaverConsequencesScheduler({
      events: t.service.eventSourcing.events,
      readModels: t.service.eventSourcing.readModels,
      clock: { now: () => new Date() },
      intervalMs: 3_600_000,
    });
    const handled = await Promise.all([scheduler(t, LEAVER_CONSEQUENCES_SCHEDULER).runOnce(), otherInstance.runOnce()]);
    // Both handled all four (the command ids make the second a replay): what counts is what the streams hold.
    expect(handled).toEqual([4, 4]);

    const owners = async (id: string) => ok(await t.graphql<{ group: { owners: string[] } }>(GROUP, { id }, { token: cm })).group.owners;
    // The read models follow the scheduler's events as they follow any other.
    await eventually(async () => {
      expect(await owners('g-solo')).toEqual([]);
      expect(await owners('g-shared')).toEqual(['stay-1']);
      // Community managers see the group that has nobody left to own it.
      const ownerless = ok(await t.graphql<{ ownerlessGroups: { edges: { node: { name: string } }[] } }>(OWNERLESS, {}, { token: cm }));
      expect(ownerless.ownerlessGroups.edges.map((e) => e.node.name)).toEqual(['g-solo']);
      const ambassadors = ok(
        await t.graphql<{ ambassadors: { edges: { node: Record<string, unknown> }[] } }>(AMBASSADORS, {}, { token: cm }),
      );
      expect(ambassadors.ambassadors.edges.map((e) => e.node)).toEqual([
        { memberId: 'lv-1', status: 'OFFBOARDED', offboardReason: LEFT_THE_ORGANISATION },
      ]);
      expect(ok(await t.graphql<{ moderationCase: unknown }>(CASE, { id: caseId }, { token: cm })).moderationCase).toMatchObject({
        status: 'OPEN',
        assignedTo: null,
      });
    });

    // Each consequence is its own event on the stream it concerns, by the system, caused by the leaving.
    const consequences = [
      ...(await t.storedEvents(groupStreamId('g-solo'))),
      ...(await t.storedEvents(groupStreamId('g-shared'))),
      ...(await t.storedEvents(ambassadorStreamId('lv-1'))),
      ...(await t.storedEvents(moderationCaseStreamId(caseId))),
    ].filter((e) => e.metadata['actorId'] === 'system');
    expect(consequences.map((e) => e.type).sort()).toEqual([
      'AmbassadorOffboarded',
      'GroupOwnerRemoved',
      'GroupOwnerRemoved',
      'ModerationCaseReleased',
    ]);
    for (const event of consequences) {
      expect(event.metadata).toMatchObject({
        causationId: leaving!.id,
        correlationId: leaving!.metadata.correlationId,
        authority: LEAVER_AUTHORITY,
        source: 'automation',
      });
    }

    // Exactly once: further passes, with the read models caught up or not, record nothing more.
    const before = await t.eventCount();
    expect(await scheduler(t, LEAVER_CONSEQUENCES_SCHEDULER).runOnce()).toBe(0);
    expect(await t.eventCount()).toBe(before);
    // A race: an assignment decided just before the leaving was recorded lands after the first removal. The holding is
    // back, so it is ended again (a command id of its own: the first removal's would be answered as a replay).
    await handleCommand({
      store: t.service.eventSourcing.events,
      streamId: groupStreamId('g-solo'),
      decider: groupDecider,
      command: { type: 'AssignGroupOwner', groupId: 'g-solo', memberId: 'lv-1', candidate: { status: 'active' } },
      metadata: testMetadata(new Date().toISOString(), { actorId: 'cm-1', actorRoles: ['COMMUNITY_MANAGER'] }),
    });
    await eventually(async () => expect(await owners('g-solo')).toEqual(['lv-1']));
    expect(await scheduler(t, LEAVER_CONSEQUENCES_SCHEDULER).runOnce()).toBe(1);
    await eventually(async () => expect(await owners('g-solo')).toEqual([]));
    const removals = (await t.storedEvents(groupStreamId('g-solo'))).filter((e) => e.type === 'GroupOwnerRemoved');
    expect(removals.map((e) => e.metadata['causationId'])).toEqual([leaving!.id, leaving!.id]);
    expect(new Set(removals.map((e) => e.metadata['commandId'])).size).toBe(2);

    // The case is in the queue again: another moderator (not its reporter, cm-1) takes it.
    const another = await t.token('cm-2', Role.COMMUNITY_MANAGER);
    expect((await run<{ claimModerationCase: { assignedTo: string } }>(CLAIM, { caseId }, another)).claimModerationCase.assignedTo).toBe(
      'cm-2',
    );
  });
});

describe('the leaver retention rule (LEAVER_ERASURE_AFTER_DAYS)', () => {
  test('a leaver is erased once the days have passed, not before, and once; nobody else is', async () => {
    const t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '3600000', LEAVER_ERASURE_AFTER_DAYS: '30' } });
    try {
      const cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
      const privacyOfficer = await t.token('po-1', Role.PRIVACY_OFFICER);
      const call = async (query: string, variables: Record<string, unknown>) => {
        const response = await t.graphql<Record<string, unknown>>(query, variables, { token: query === ERASURE ? privacyOfficer : cm });
        expect(response.errors).toBeUndefined();
        return response.data!;
      };
      await call(REGISTER, { input: { memberId: 'lv-2', displayName: 'Grace Hopper', department: 'Legal' } });
      await call(REGISTER, { input: { memberId: 'stay-2', displayName: 'Alan Turing', department: 'Legal' } });
      await call(LEAVE, { input: { memberId: 'lv-2' } });
      const erasure = scheduler(t, LEAVER_ERASURE_SCHEDULER);

      // Left today: not due for 30 days.
      expect(await erasure.runOnce()).toBe(0);
      expect(await call(ERASURE, { memberId: 'lv-2' })).toEqual({ erasureRequest: null });

      // 31 days on (the scheduler's clock; the rule counts from the day the member left).
      const clock = { now: () => new Date(Date.now() + 31 * 24 * 3_600_000) };
      (erasure as unknown as { options: { clock: typeof clock } }).options.clock = clock;
      expect(await erasure.runOnce()).toBe(1);
      await eventually(async () => {
        expect(await call(ERASURE, { memberId: 'lv-2' })).toEqual({ erasureRequest: { status: 'COMPLETED' } });
        expect(await call(MEMBER, { id: 'lv-2' })).toMatchObject({ member: { displayName: '[redacted]', status: 'LEFT' } });
      });
      // Only the leaver.
      expect(await call(MEMBER, { id: 'stay-2' })).toMatchObject({ member: { displayName: 'Alan Turing' } });
      const erasureEvents = await t.storedEvents(privacyStreamId('lv-2'));
      expect(erasureEvents.map((e) => e.type)).toEqual(['ErasureRequested', 'ErasureCompleted']);
      expect(erasureEvents[0]!.metadata).toMatchObject({ actorId: 'system', source: 'automation' });
      expect(String(erasureEvents[0]!.metadata['authority'])).toMatch(/30 days after the member left/);

      // Once: the next pass finds nobody.
      const before = await t.eventCount();
      expect(await erasure.runOnce()).toBe(0);
      expect(await t.eventCount()).toBe(before);
    } finally {
      await t.close();
    }
  });
});
