import type pg from 'pg';
import type { DataSource } from 'typeorm';
import { startTestEventSourcing, type TestEventSourcing } from '../../../../test/support/test-event-sourcing.ts';
import { handleCommand, REDACTED, type EventMetadata, type EventStore, type GovernanceEventStore, type StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { eventually } from '#testing';
import { DomainError } from '../../../platform/shared/domain-error.ts';
import { MEMBER_EVENT_SCHEMAS, memberDecider, memberStreamId, type MemberCommand } from '../member.decider.ts';
import { membersProjection } from './members.projection.ts';
import {
  EVERY_MEMBER,
  findMember,
  findMemberByExternalId,
  findMemberByUserName,
  listMembers,
  listMembersForDirectory,
} from './members.queries.ts';
import { PRIVACY_EVENT_SCHEMAS, privacyStreamId } from '../../privacy/index.ts';
import { testMetadata } from '../../../../test/support/event-metadata.ts';
import { backward, expectPagingBothWays, forward } from '../../../../test/support/paging.ts';
import { pageRequest } from '../../../platform/graphql/pagination.ts';

describe('members read model', () => {
  let eventSourcing: TestEventSourcing;
  let port: EventStore;
  let pool: pg.Pool;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      { schemas: [...MEMBER_EVENT_SCHEMAS, ...PRIVACY_EVENT_SCHEMAS], projections: [membersProjection] },
      'members_read_model',
    );
    ({ store: port, pool, readModels, events: governance, runner } = eventSourcing);
  });

  afterEach(async () => {
    await eventSourcing.close();
  });

  const metadata = (occurredAt: string, source = 'api'): EventMetadata =>
    testMetadata(occurredAt, { authority: 'COMMUNITY_MANAGER', source });

  /** What a resolver will do: decide, append, and answer once the read model has the events. */
  async function run(command: MemberCommand, occurredAt = '2025-03-01T09:00:00.000Z', source = 'api') {
    const result = await handleCommand({
      store: governance,
      streamId: memberStreamId(command.memberId),
      decider: memberDecider,
      command,
      metadata: metadata(occurredAt, source),
    });
    await runner.waitForPosition(result.position, ['members']);
    return result;
  }

  const register = (memberId: string, displayName: string, department: string) =>
    run({ type: 'RegisterMember', memberId, displayName, department });

  test('follows registration, updates and leaving', async () => {
    await run({ type: 'RegisterMember', memberId: 'm-1', displayName: 'Ada Lovelace', department: 'Research' }, '2025-03-01T09:00:00.000Z');
    expect(await findMember(readModels, 'm-1', EVERY_MEMBER)).toEqual({
      id: 'm-1',
      displayName: 'Ada Lovelace',
      department: 'Research',
      status: 'ACTIVE',
      revision: 0,
      registeredAt: new Date('2025-03-01T09:00:00.000Z'),
      updatedAt: new Date('2025-03-01T09:00:00.000Z'),
      // Registered through the API: no directory attributes, and the directory never changed the member.
      userName: null,
      externalId: null,
      emails: [],
      preferredLanguage: null,
      source: 'api',
      directoryChangedAt: null,
    });

    await run({ type: 'UpdateMember', memberId: 'm-1', department: 'Engineering' }, '2025-03-02T10:00:00.000Z');
    expect(await findMember(readModels, 'm-1', EVERY_MEMBER)).toMatchObject({
      displayName: 'Ada Lovelace',
      department: 'Engineering',
      revision: 1,
    });

    const unchanged = await run({ type: 'UpdateMember', memberId: 'm-1', department: 'Engineering' }, '2025-03-02T11:00:00.000Z');
    expect(unchanged.events).toEqual([]);

    await run({ type: 'UpdateMember', memberId: 'm-1', displayName: 'Ada King' }, '2025-03-03T10:00:00.000Z');
    await run({ type: 'RecordMemberLeft', memberId: 'm-1', reason: 'moved abroad' }, '2025-03-04T10:00:00.000Z');
    expect(await findMember(readModels, 'm-1', EVERY_MEMBER)).toMatchObject({
      id: 'm-1',
      displayName: 'Ada King',
      department: 'Engineering',
      status: 'LEFT',
      revision: 3,
    });

    const { rows } = await pool.query<{ registered_at: Date; updated_at: Date; left_at: Date | null }>(
      'SELECT registered_at, updated_at, left_at FROM read_models.members WHERE member_id = $1',
      ['m-1'],
    );
    expect(rows[0]?.registered_at.toISOString()).toBe('2025-03-01T09:00:00.000Z');
    expect(rows[0]?.updated_at.toISOString()).toBe('2025-03-04T10:00:00.000Z');
    expect(rows[0]?.left_at?.toISOString()).toBe('2025-03-04T10:00:00.000Z');
    expect(await findMember(readModels, 'm-unknown', EVERY_MEMBER)).toBeNull();
  });

  test('the display name is stored encrypted, not as plain text in the log', async () => {
    await register('m-1', 'Ada Lovelace', 'Research');
    const [raw] = await port.readStream(memberStreamId('m-1'));
    expect(raw?.data).not.toContain('Ada Lovelace');
    expect(raw?.data).toContain('Research');
  });

  test('lists members page by page, by department, with the total', async () => {
    for (const [id, department] of [
      ['m-5', 'Research'],
      ['m-1', 'Research'],
      ['m-4', 'Sales'],
      ['m-2', 'Research'],
      ['m-3', 'Sales'],
    ] as const) {
      await register(id, `Member ${id}`, department);
    }

    const pages: string[][] = [];
    let after: string | null = null;
    for (;;) {
      const page = await listMembers(readModels, { reader: EVERY_MEMBER, page: pageRequest({ first: 2, after }) });
      expect(page.totalCount).toBe(5);
      pages.push(page.nodes.map((m) => m.id));
      if (!page.hasNextPage) break;
      after = page.endCursor;
    }
    expect(pages).toEqual([['m-1', 'm-2'], ['m-3', 'm-4'], ['m-5']]);

    const research = await listMembers(readModels, { reader: EVERY_MEMBER, department: 'Research', page: pageRequest({ first: 2 }) });
    expect(research).toMatchObject({ hasNextPage: true, totalCount: 3 });
    expect(research.nodes.map((m) => m.id)).toEqual(['m-1', 'm-2']);
    const rest = await listMembers(readModels, {
      reader: EVERY_MEMBER,
      department: 'Research',
      page: pageRequest({ first: 2, after: research.endCursor }),
    });
    expect(rest).toMatchObject({ hasNextPage: false, totalCount: 3 });
    expect(rest.nodes).toMatchObject([{ id: 'm-5', displayName: 'Member m-5', department: 'Research', status: 'ACTIVE', revision: 0 }]);

    const empty = await listMembers(readModels, { reader: EVERY_MEMBER, department: 'Legal', page: pageRequest({ first: 10 }) });
    expect(empty).toEqual({ nodes: [], hasNextPage: false, endCursor: null, hasPreviousPage: false, startCursor: null, totalCount: 0 });
    expect((await listMembers(readModels, { reader: EVERY_MEMBER, page: forward(0) })).nodes).toEqual([]);
  });

  test('pages backward too: the end with last, back to the start with before, the same nodes as forward', async () => {
    for (const id of ['m-4', 'm-1', 'm-6', 'm-3', 'm-7', 'm-2', 'm-5'])
      await register(id, `Member ${id}`, id === 'm-3' ? 'Sales' : 'Research');
    const list = async (department: string | null, page: ReturnType<typeof forward>) => {
      const listed = await listMembers(readModels, { reader: EVERY_MEMBER, department, page });
      return { ids: listed.nodes.map((m) => m.id), pageInfo: listed };
    };
    await expectPagingBothWays((page) => list(null, page), ['m-1', 'm-2', 'm-3', 'm-4', 'm-5', 'm-6', 'm-7'], 3);
    // The filter holds both ways, and the total is the filter's, whatever the page.
    await expectPagingBothWays((page) => list('Research', page), ['m-1', 'm-2', 'm-4', 'm-5', 'm-6', 'm-7'], 4);
    const end = await listMembers(readModels, { reader: EVERY_MEMBER, department: 'Research', page: pageRequest({ last: 2 }) });
    expect(end).toMatchObject({ hasNextPage: false, hasPreviousPage: true, totalCount: 6 });
    expect(end.nodes.map((m) => m.id)).toEqual(['m-6', 'm-7']);
    const all = await listMembers(readModels, { reader: EVERY_MEMBER, page: backward(50) });
    expect(all).toMatchObject({ hasNextPage: false, hasPreviousPage: false, totalCount: 7 });
    expect(all.nodes).toHaveLength(7);
    for (const before of ['%%%', Buffer.from('m-1').toString('base64') + '=']) {
      await expect(listMembers(readModels, { reader: EVERY_MEMBER, page: backward(2, before) })).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'before is not a valid cursor',
        details: { field: 'before' },
      });
    }
  });

  test('refuses a malformed cursor and a bad page size as bad input', async () => {
    await register('m-1', 'Ada', 'Research');
    for (const after of ['%%%', 'not a cursor', Buffer.from('a b').toString('base64url'), Buffer.from('m-1').toString('base64') + '=']) {
      await expect(listMembers(readModels, { reader: EVERY_MEMBER, page: pageRequest({ first: 2, after }) })).rejects.toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'after is not a valid cursor',
      });
    }
    await expect(listMembers(readModels, { reader: EVERY_MEMBER, page: forward(-1) })).rejects.toBeInstanceOf(DomainError);
    await expect(listMembers(readModels, { reader: EVERY_MEMBER, page: forward(1.5) })).rejects.toBeInstanceOf(DomainError);
  });

  test('after erasure, a rebuild purges the plain display name from the read model', async () => {
    await register('m-1', 'Ada Lovelace', 'Research');
    await register('m-2', 'Grace Hopper', 'Engineering');
    await run({ type: 'UpdateMember', memberId: 'm-2', displayName: 'Grace B. Hopper' });

    await governance.forgetSubject('m-2');
    await runner.requestRebuild('members');

    await eventually(async () => {
      const [status] = await runner.status();
      expect(status).toMatchObject({ generation: 2, state: 'running', rebuild: null });
    });
    expect(await findMember(readModels, 'm-2', EVERY_MEMBER)).toMatchObject({
      id: 'm-2',
      displayName: REDACTED,
      department: 'Engineering',
      status: 'ACTIVE',
      revision: 1,
    });
    expect(await findMember(readModels, 'm-1', EVERY_MEMBER)).toMatchObject({ displayName: 'Ada Lovelace' });

    // The member's own stream reads redacted too, and still folds.
    const history = await governance.readStream(memberStreamId('m-2'));
    expect(history.map((e) => e.data['displayName'])).toEqual([REDACTED, REDACTED]);
    const left = await run({ type: 'RecordMemberLeft', memberId: 'm-2' });
    expect(left.state).toMatchObject({ status: 'left', displayName: REDACTED });
    expect(await findMember(readModels, 'm-2', EVERY_MEMBER)).toMatchObject({ status: 'LEFT', revision: 2 });
  });

  describe('the directory’s attributes (SCIM)', () => {
    const work = { value: 'ada@example.org', type: 'work', primary: true } as const;
    const provision = (command: MemberCommand, occurredAt = '2025-03-01T09:00:00.000Z') => run(command, occurredAt, 'provisioning');
    const provisionAda = () =>
      provision({
        type: 'RegisterMember',
        memberId: 'm-1',
        displayName: 'Ada Lovelace',
        department: 'Research',
        userName: 'Ada.Lovelace@Example.org',
        externalId: 'dir-1',
        emails: [work],
        preferredLanguage: 'en-GB',
      });
    const recordedAt = async (memberId: string, revision: number) =>
      (await governance.readStream(memberStreamId(memberId)))[revision]!.recordedAt;
    const row = async (memberId: string) =>
      (
        await pool.query<Record<string, unknown>>(
          `SELECT display_name, user_name, user_name_key, external_id, emails, preferred_language, source
             FROM read_models.members WHERE member_id = $1`,
          [memberId],
        )
      ).rows[0];

    test('are kept with the registering source and when the directory last changed the member; the user name found whatever its case', async () => {
      await provisionAda();
      expect(await row('m-1')).toEqual({
        display_name: 'Ada Lovelace',
        user_name: 'Ada.Lovelace@Example.org',
        user_name_key: 'ada.lovelace@example.org',
        external_id: 'dir-1',
        emails: [work],
        preferred_language: 'en-GB',
        source: 'provisioning',
      });
      const registered = await findMemberByUserName(readModels, 'ADA.lovelace@example.ORG');
      expect(registered).toMatchObject({
        id: 'm-1',
        userName: 'Ada.Lovelace@Example.org',
        externalId: 'dir-1',
        emails: [work],
        preferredLanguage: 'en-GB',
        source: 'provisioning',
        directoryChangedAt: await recordedAt('m-1', 0),
        revision: 0,
      });
      expect(await findMemberByExternalId(readModels, 'dir-1')).toEqual(registered);
      // externalId is compared exactly, as SCIM says; nothing found is null, whatever was asked.
      expect(await findMemberByExternalId(readModels, 'DIR-1')).toBeNull();
      for (const nobody of ['grace@example.org', '', 'u'.repeat(300)]) expect(await findMemberByUserName(readModels, nobody)).toBeNull();

      // The personal attributes are encrypted in the log; the directory's own id is not personal.
      const [raw] = await port.readStream(memberStreamId('m-1'));
      for (const personal of ['Ada.Lovelace@Example.org', 'ada@example.org', 'en-GB']) expect(raw?.data).not.toContain(personal);
      expect(raw?.data).toContain('dir-1');

      // A change made through the API is not the directory's.
      await run({ type: 'UpdateMember', memberId: 'm-1', department: 'Engineering' }, '2025-03-02T09:00:00.000Z');
      expect(await findMember(readModels, 'm-1', EVERY_MEMBER)).toMatchObject({
        department: 'Engineering',
        directoryChangedAt: await recordedAt('m-1', 0),
      });
      const home = { value: 'ada@home.example', type: 'home', primary: false } as const;
      await provision(
        { type: 'UpdateMember', memberId: 'm-1', emails: [work, home], userName: 'ada.lovelace@example.org' },
        '2025-03-03T09:00:00.000Z',
      );
      // The same request again appends nothing, so nothing moves.
      expect((await provision({ type: 'UpdateMember', memberId: 'm-1', emails: [work, home] })).events).toEqual([]);
      expect(await findMemberByUserName(readModels, 'Ada.Lovelace@Example.org')).toMatchObject({
        userName: 'ada.lovelace@example.org',
        emails: [work, home],
        preferredLanguage: 'en-GB',
        department: 'Engineering',
        revision: 2,
        source: 'provisioning',
        directoryChangedAt: await recordedAt('m-1', 2),
      });

      // Registered through the API, then given attributes by the directory: the source stays the registering one.
      await register('m-2', 'Grace Hopper', 'Engineering');
      await provision({ type: 'UpdateMember', memberId: 'm-2', externalId: 'dir-2' }, '2025-03-04T09:00:00.000Z');
      expect(await findMemberByExternalId(readModels, 'dir-2')).toMatchObject({
        id: 'm-2',
        userName: null,
        source: 'api',
        directoryChangedAt: await recordedAt('m-2', 1),
      });
      await provision({ type: 'RecordMemberLeft', memberId: 'm-2' }, '2025-03-05T09:00:00.000Z');
      expect(await findMember(readModels, 'm-2', EVERY_MEMBER)).toMatchObject({
        status: 'LEFT',
        directoryChangedAt: await recordedAt('m-2', 2),
      });
    });

    test('a user name freed by a member who left and given to another finds the active member (the index is not unique)', async () => {
      await provisionAda();
      await provision({ type: 'RecordMemberLeft', memberId: 'm-1' });
      await provision({
        type: 'RegisterMember',
        memberId: 'm-0',
        displayName: 'Ada Byron',
        department: 'Research',
        userName: 'ADA.LOVELACE@example.org',
      });
      expect(await findMemberByUserName(readModels, 'ada.lovelace@example.org')).toMatchObject({ id: 'm-0', status: 'ACTIVE' });
      const both = await listMembersForDirectory(readModels, { startIndex: 1, count: 10, userName: 'Ada.Lovelace@Example.org' });
      expect(both).toMatchObject({ totalResults: 2, members: [{ id: 'm-0' }, { id: 'm-1', status: 'LEFT' }] });
    });

    test('lists every member for the directory by index, listed in the directory or not, with the filters’ total', async () => {
      for (const id of ['m-4', 'm-1', 'm-5', 'm-3', 'm-2']) {
        await provision({
          type: 'RegisterMember',
          memberId: id,
          displayName: `Member ${id}`,
          department: 'Research',
          userName: `${id.toUpperCase()}@example.org`,
          externalId: `dir-${id}`,
        });
      }
      // Only m-3 is listed in the directory: the provisioner reads the others all the same.
      const listed = await governance.append(
        privacyStreamId('m-3'),
        [{ type: 'PrivacySettingsUpdated', data: { memberId: 'm-3', directoryListed: true } }],
        { expectedRevision: 'any', metadata: metadata('2025-03-02T09:00:00.000Z') },
      );
      await runner.waitForPosition(listed.position, ['members']);
      const ids = async (options: Parameters<typeof listMembersForDirectory>[1]) => {
        const page = await listMembersForDirectory(readModels, options);
        return { totalResults: page.totalResults, ids: page.members.map((m) => m.id) };
      };
      expect(await ids({ startIndex: 1, count: 2 })).toEqual({ totalResults: 5, ids: ['m-1', 'm-2'] });
      expect(await ids({ startIndex: 3, count: 2 })).toEqual({ totalResults: 5, ids: ['m-3', 'm-4'] });
      expect(await ids({ startIndex: 5, count: 2 })).toEqual({ totalResults: 5, ids: ['m-5'] });
      expect(await ids({ startIndex: 6, count: 2 })).toEqual({ totalResults: 5, ids: [] });
      // RFC 7644, 3.4.2.4: a start below 1 is 1, a count of 0 (or below) asks for the total only.
      expect(await ids({ startIndex: 0, count: 1 })).toEqual({ totalResults: 5, ids: ['m-1'] });
      expect(await ids({ startIndex: -3, count: 0 })).toEqual({ totalResults: 5, ids: [] });
      expect(await ids({ startIndex: 1, count: -1 })).toEqual({ totalResults: 5, ids: [] });
      expect(await ids({ startIndex: 1, count: 10, userName: 'm-4@EXAMPLE.ORG' })).toEqual({ totalResults: 1, ids: ['m-4'] });
      expect(await ids({ startIndex: 1, count: 10, externalId: 'dir-m-2' })).toEqual({ totalResults: 1, ids: ['m-2'] });
      expect(await ids({ startIndex: 1, count: 10, userName: 'm-4@example.org', externalId: 'dir-m-2' })).toEqual({
        totalResults: 0,
        ids: [],
      });
      expect(await ids({ startIndex: 1, count: 10, userName: 'nobody@example.org', externalId: null })).toEqual({
        totalResults: 0,
        ids: [],
      });
      for (const [field, options] of [
        ['count', { startIndex: 1, count: 1.5 }],
        ['startIndex', { startIndex: Number.NaN, count: 1 }],
      ] as const) {
        await expect(listMembersForDirectory(readModels, options)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', details: { field } });
      }
    });

    test('an erasure purges the personal attributes at once, a rebuild reads them the same, and no lookup finds the name', async () => {
      await provisionAda();
      await provision({
        type: 'RegisterMember',
        memberId: 'm-2',
        displayName: 'Grace Hopper',
        department: 'Engineering',
        userName: 'grace@example.org',
        emails: [{ value: 'grace@example.org', primary: true }],
      });
      await register('m-3', 'Alan Turing', 'Research');
      const rows = async () => Promise.all(['m-1', 'm-2', 'm-3'].map(row));
      const before = await rows();

      for (const memberId of ['m-1', 'm-3']) {
        await governance.forgetSubject(memberId);
        const erased = await governance.append(
          privacyStreamId(memberId),
          [{ type: 'ErasureCompleted', data: { memberId, completedAt: '2025-03-02T09:00:00.000Z' } }],
          { expectedRevision: 'any', metadata: metadata('2025-03-02T09:00:00.000Z') },
        );
        await runner.waitForPosition(erased.position, ['members']);
      }
      const purged = [
        {
          display_name: REDACTED,
          user_name: REDACTED,
          user_name_key: null,
          // Not personal: the directory's id is how the directory still finds the member it provisioned.
          external_id: 'dir-1',
          emails: [],
          preferred_language: REDACTED,
          source: 'provisioning',
        },
        before[1],
        // No attributes were given, so none is redacted: no user name stays no user name.
        { ...before[2], display_name: REDACTED },
      ];
      expect(await rows()).toEqual(purged);
      expect(await findMemberByUserName(readModels, 'Ada.Lovelace@Example.org')).toBeNull();
      expect(await findMemberByUserName(readModels, REDACTED)).toBeNull();
      expect(await findMemberByExternalId(readModels, 'dir-1')).toMatchObject({ id: 'm-1', userName: REDACTED, emails: [] });

      await runner.requestRebuild('members');
      await eventually(async () => {
        const [status] = await runner.status();
        expect(status).toMatchObject({ generation: 2, state: 'running', rebuild: null });
      });
      expect(await rows()).toEqual(purged);

      // The stream still folds; what the directory sends now is stored redacted, as the key is gone.
      const update = await provision({ type: 'UpdateMember', memberId: 'm-1', emails: [work], preferredLanguage: 'nl-NL' });
      expect(update.events).toHaveLength(1);
      expect(await row('m-1')).toEqual(purged[0]);
    });
  });
});
