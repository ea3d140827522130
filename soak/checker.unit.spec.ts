import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '../test/support/in-memory-event-store.ts';
import { Checker, checkLeaverConsequences, LEAVER_AUTHORITY } from './checker.ts';
import { SOAK_DIRECTORY_ACTOR, type DirectoryEntry, type LedgerEntry, type SoakClient } from './client.ts';
import type { LogEvent } from './event-log.ts';

/**
 * The checker reads the log through the port (so it runs on EventStoreDB too): it still finds what it is there to
 * find. The store is our own port in memory; no database is involved (on EventStoreDB no es_streams check runs).
 */
describe('soak checker, reading the log through the port', () => {
  const metadata = (commandId: string | null) => JSON.stringify({ commandId, actorId: 'soak-cm-1' });
  const append = (store: InMemoryEventStore, streamId: string, commandId: string | null, ...types: string[]) =>
    store.appendToStream(
      streamId,
      types.map((type) => ({ id: randomUUID(), type, data: '{}', metadata: metadata(commandId) })),
      'any',
    );
  const entry = (storedCommandId: string, status: LedgerEntry['status']): LedgerEntry => ({
    kind: 'registerMember',
    actor: 'soak-cm-1',
    commandId: storedCommandId.split('/')[1]!,
    storedCommandId,
    expect: 'change',
    allowed: ['MemberRegistered'],
    streamPrefix: 'member-',
    status,
    code: status === 'refused' ? 'CONFLICT' : null,
    savedWithoutAnswer: false,
    attempts: 1,
    sentAt: new Date().toISOString(),
    answeredAt: new Date().toISOString(),
    answer: null,
  });
  const checker = (store: InMemoryEventStore) => new Checker('postgres://unused', {} as SoakClient, store, 'eventstoredb');

  test('a clean log passes', async () => {
    const store = new InMemoryEventStore();
    await append(store, 'member-a', 'soak-cm-1/c1', 'MemberRegistered');
    const check = checker(store);
    expect(await check.checkCommands([entry('soak-cm-1/c1', 'acknowledged')])).toMatchObject({ acknowledgedWithEvents: 1, events: 1 });
    expect(await check.checkStreams()).toEqual({ streams: 1, events: 1, gaps: 0, outOfOrder: 0, unregistered: null });
    expect(check.discrepancies).toEqual([]);
  });

  test('a command applied twice, a refused one with events, an unknown commandId and a revision gap are all reported', async () => {
    const store = new InMemoryEventStore();
    await append(store, 'member-a', 'soak-cm-1/c1', 'MemberRegistered');
    await append(store, 'member-a', 'soak-cm-1/c1', 'MemberRegistered');
    await append(store, 'member-b', 'soak-cm-1/refused', 'MemberRegistered');
    await append(store, 'member-c', 'soak-cm-1/never-sent', 'MemberRegistered');
    // Revision 0 of member-d is missing: written around the port, as only a defect could.
    const last = store.log.at(-1)!;
    store.log.push({ ...last, id: randomUUID(), streamId: 'member-d', revision: 1, position: { commit: 99n, prepare: 99n } });

    const check = checker(store);
    await check.checkCommands([entry('soak-cm-1/c1', 'acknowledged'), entry('soak-cm-1/refused', 'refused')]);
    await check.checkStreams();
    expect(check.discrepancies.map((d) => d.check).sort()).toEqual([
      'command-applied-twice',
      'events-of-an-unknown-command',
      'refused-command-has-events',
      'stream-out-of-log-order',
      'stream-revisions-have-gaps',
    ]);
  });

  test('a member the soak provisioned through SCIM (no commandId) is registered once by the directory client, or reported', async () => {
    const directory: DirectoryEntry[] = [
      { userName: 'a@soak.example', memberId: 'scim-a', email: 'a@soak.example', status: 'acknowledged', attempts: 1 },
      { userName: 'b@soak.example', memberId: 'scim-b', email: 'b@soak.example', status: 'acknowledged', attempts: 2 },
    ];
    const provisioned = (store: InMemoryEventStore, memberId: string, actorId = SOAK_DIRECTORY_ACTOR) =>
      store.appendToStream(
        `member-${memberId}`,
        [{ id: randomUUID(), type: 'MemberRegistered', data: '{}', metadata: JSON.stringify({ commandId: null, actorId }) }],
        'any',
      );
    const store = new InMemoryEventStore();
    await provisioned(store, 'scim-a');
    await provisioned(store, 'scim-b');
    await provisioned(store, 'scim-b');
    await provisioned(store, 'scim-c', 'someone-else'); // neither provisioned by the soak nor by its directory client
    const check = new Checker('postgres://unused', { directory } as unknown as SoakClient, store, 'eventstoredb');
    expect(await check.checkCommands([])).toMatchObject({ provisionedThroughScim: 2, eventsWithoutCommandId: { MemberRegistered: 1 } });
    expect(check.discrepancies.map((d) => d.check).sort()).toEqual(['event-without-command-id', 'provisioned-member-not-registered-once']);
    expect(check.discrepancies.find((d) => d.check === 'provisioned-member-not-registered-once')!.detail).toContain('scim-b');
  });
});

/** Hand-built logs: what a leaving held, and the consequences that did or did not end it. */
describe('soak checker, the consequences of a leaving', () => {
  let position = 0;
  const revisions = new Map<string, number>();
  const event = (
    streamId: string,
    type: string,
    data: Record<string, unknown>,
    metadata: Partial<Pick<LogEvent, 'id' | 'commandId' | 'actorId' | 'causationId' | 'authority'>> = {},
  ): LogEvent => {
    const revision = revisions.get(streamId) ?? 0;
    revisions.set(streamId, revision + 1);
    position++;
    return {
      id: metadata.id ?? randomUUID(),
      streamId,
      category: streamId.slice(0, streamId.indexOf('-')),
      revision,
      type,
      position: `${position}:${position}`,
      commandId: metadata.commandId ?? `soak-cm-1/c${position}`,
      actorId: metadata.actorId ?? 'soak-cm-1',
      causationId: metadata.causationId ?? null,
      authority: metadata.authority ?? 'role:COMMUNITY_MANAGER',
      data: JSON.stringify(data),
    };
  };
  const LEFT = 'left-event-of-m1';
  /** The scheduler's event ending `kind`/`target` of m1, caused by m1's leaving. */
  const consequence = (streamId: string, type: string, kind: string, target: string, data: Record<string, unknown>) =>
    event(streamId, type, data, {
      commandId: `system/leaver/${LEFT}/${kind}/${target}@3`,
      actorId: 'system',
      causationId: LEFT,
      authority: LEAVER_AUTHORITY,
    });
  /** m1 owns g1, is an active ambassador and has claimed case c1; then leaves. */
  const holdingsThenLeaving = (): LogEvent[] => [
    event('member-m1', 'MemberRegistered', { memberId: 'm1' }),
    event('group-g1', 'GroupCreated', { groupId: 'g1' }),
    event('group-g1', 'GroupOwnerAssigned', { groupId: 'g1', memberId: 'm1' }),
    event('ambassador-m1', 'AmbassadorNominated', { memberId: 'm1' }),
    event('ambassador-m1', 'AmbassadorApproved', { memberId: 'm1' }),
    event('ambassador-m1', 'AmbassadorActivated', { memberId: 'm1' }),
    event('moderation_case-c1', 'ModerationCaseOpened', { caseId: 'c1' }),
    event('moderation_case-c1', 'ModerationCaseClaimed', { caseId: 'c1', moderatorId: 'm1' }),
    event('member-m1', 'MemberLeft', { memberId: 'm1' }, { id: LEFT }),
  ];
  const removed = () => consequence('group-g1', 'GroupOwnerRemoved', 'ownership', 'g1', { groupId: 'g1', memberId: 'm1' });
  const offboarded = () => consequence('ambassador-m1', 'AmbassadorOffboarded', 'ambassador', 'm1', { memberId: 'm1' });
  const released = () => consequence('moderation_case-c1', 'ModerationCaseReleased', 'case', 'c1', { caseId: 'c1', moderatorId: 'm1' });
  const check = (log: LogEvent[]) => {
    const found: { check: string; detail: string }[] = [];
    const result = checkLeaverConsequences(log, (check, detail) => found.push({ check, detail }));
    return { result, checks: found.map((d) => d.check).sort(), found };
  };

  beforeEach(() => {
    position = 0;
    revisions.clear();
  });

  test('each holding ended by exactly one consequence passes, and is counted', () => {
    const { result, found } = check([...holdingsThenLeaving(), removed(), released(), offboarded()]);
    expect(found).toEqual([]);
    expect(result).toEqual({
      leavers: 1,
      leaversHoldingSomething: 1,
      holdingsAtLeaving: { ownership: 1, ambassador: 1, case: 1 },
      holdingsAfterLeaving: { ownership: 0, ambassador: 0, case: 0 },
      consequences: { ownership: 1, ambassador: 1, case: 1 },
      endedByOthersFirst: { ownership: 0, ambassador: 0, case: 0 },
    });
  });

  test('a consequence recorded twice is reported as a duplicate', () => {
    const { checks, found } = check([...holdingsThenLeaving(), removed(), released(), offboarded(), removed()]);
    expect(checks).toEqual(['leaver-consequence-duplicated']);
    expect(found[0]!.detail).toContain('2 consequences');
  });

  test('a holding left without its consequence is reported as missing', () => {
    const { checks, found } = check([...holdingsThenLeaving(), removed(), offboarded()]);
    expect(checks).toEqual(['leaver-consequence-missing']);
    expect(found[0]!.detail).toContain('case c1');
  });

  test('a holding someone else ended first needs no consequence, and must not get one afterwards', () => {
    const othersFirst = [
      ...holdingsThenLeaving(),
      event('moderation_case-c1', 'ModerationCaseDecided', { caseId: 'c1', decidedBy: 'soak-cm-2' }),
      event('group-g1', 'GroupOwnerRemoved', { groupId: 'g1', memberId: 'm1' }),
      offboarded(),
    ];
    const clean = check(othersFirst);
    expect(clean.found).toEqual([]);
    expect(clean.result.endedByOthersFirst).toEqual({ ownership: 1, ambassador: 0, case: 1 });
    expect(check([...othersFirst, released()]).checks).toEqual(['leaver-consequence-without-holding']);
  });

  test('a holding that reached the member after the leaving must end too', () => {
    const log = [...holdingsThenLeaving(), removed(), released(), offboarded()];
    const race = event('group-g2', 'GroupOwnerAssigned', { groupId: 'g2', memberId: 'm1' });
    expect(check([...log, race]).checks).toEqual(['leaver-still-holds']);
    const ended = consequence('group-g2', 'GroupOwnerRemoved', 'ownership', 'g2', { groupId: 'g2', memberId: 'm1' });
    const { result, found } = check([...log, race, ended]);
    expect(found).toEqual([]);
    expect(result.holdingsAfterLeaving.ownership).toBe(1);
  });

  test('a consequence caused by something other than a MemberLeft, or not the system’s, is reported', () => {
    const notALeaving = event(
      'group-g1',
      'GroupOwnerRemoved',
      { groupId: 'g1', memberId: 'm1' },
      {
        commandId: `system/leaver/${LEFT}/ownership/g1@3`,
        actorId: 'system',
        causationId: 'some-other-event',
        authority: LEAVER_AUTHORITY,
      },
    );
    const byAManager = event(
      'moderation_case-c1',
      'ModerationCaseReleased',
      { caseId: 'c1' },
      {
        commandId: `system/leaver/${LEFT}/case/c1@3`,
        causationId: LEFT,
        authority: LEAVER_AUTHORITY,
      },
    );
    // Both still end what they name (the log says so); the ambassadorship nobody ended is missing besides.
    const { checks } = check([...holdingsThenLeaving(), notALeaving, byAManager]);
    expect(checks).toEqual(['leaver-consequence-malformed', 'leaver-consequence-missing', 'leaver-consequence-without-leaving']);
  });
});
