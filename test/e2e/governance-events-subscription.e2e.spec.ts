import { randomUUID } from 'node:crypto';
import { createClient, type Client } from 'graphql-ws';
import { Role } from '../../src/platform/auth/role.ts';
import { eventually } from '#testing';
import { startTestService, type TestService } from '../support/test-service.ts';

const SUBSCRIPTION = `subscription($filter: GovernanceHistoryFilter, $after: String) {
  governanceEvents(filter: $filter, afterPosition: $after) { position streamId revision type data metadata { actorId actorRoles authority correlationId } recordedAt }
}`;

interface Received {
  position: string;
  streamId: string;
  type: string;
  data: Record<string, unknown>;
  metadata: { actorId: string; authority: string };
}

describe('governanceEvents over graphql-ws', () => {
  let t: TestService;
  let manager: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    t = await startTestService();
    manager = await t.token('cm-1', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
    await t?.close();
  });

  function subscribe(token: string | null, variables: Record<string, unknown>) {
    const client = createClient({
      url: `${t.service.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: token ? { authorization: `Bearer ${token}` } : {},
      retryAttempts: 0,
    });
    clients.push(client);
    const state = { events: [] as Received[], errors: [] as unknown[], completed: false };
    client.subscribe<{ governanceEvents: Received }>(
      { query: SUBSCRIPTION, variables },
      {
        next: (message) => {
          if (message.errors) state.errors.push(...message.errors);
          if (message.data) state.events.push(message.data.governanceEvents);
        },
        error: (error) => state.errors.push(error),
        complete: () => (state.completed = true),
      },
    );
    return state;
  }

  const register = (memberId: string) =>
    t.graphql(
      `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
      { input: { memberId, displayName: 'Ada', department: 'Ops' } },
      { token: manager },
    );

  test('with afterPosition 0:0, replays history from the start, then goes live: each event once, in log order', async () => {
    const department = randomUUID().slice(0, 8);
    const ids = [`m-${department}-1`, `m-${department}-2`, `m-${department}-3`];
    await register(ids[0]!);
    await register(ids[1]!);
    const feed = subscribe(manager, { filter: { category: 'member', eventTypes: ['MemberRegistered'] }, after: '0:0' });
    await eventually(() =>
      expect(feed.events.map((e) => e.streamId)).toEqual(expect.arrayContaining([`member-${ids[0]}`, `member-${ids[1]}`])),
    );
    await register(ids[2]!);
    await eventually(() => expect(feed.events.map((e) => e.streamId)).toContain(`member-${ids[2]}`));
    const mine = feed.events.filter((e) => ids.some((id) => e.streamId === `member-${id}`));
    expect(mine.map((e) => e.streamId)).toEqual(ids.map((id) => `member-${id}`));
    expect(mine[2]).toMatchObject({
      type: 'MemberRegistered',
      data: { memberId: ids[2], displayName: 'Ada' },
      metadata: { actorId: 'cm-1', authority: 'role:COMMUNITY_MANAGER' },
    });
    const positions = feed.events.map((e) => e.position);
    expect(new Set(positions).size).toBe(positions.length);
  });

  test('without afterPosition, it starts at the head: only events recorded after the subscription started', async () => {
    const before = `m-${randomUUID().slice(0, 8)}`;
    await register(before);
    const feed = subscribe(manager, { filter: { category: 'member', eventTypes: ['MemberRegistered'] } });
    // The client is not told when the subscription is live: register members until the first one arrives.
    const after: string[] = [];
    await eventually(
      async () => {
        if (feed.events.length === 0) {
          after.push(`m-${randomUUID().slice(0, 8)}`);
          await register(after.at(-1)!);
        }
        expect(feed.events.length).toBeGreaterThan(0);
      },
      10_000,
      200,
    );
    await eventually(() => expect(feed.events.map((e) => e.streamId)).toContain(`member-${after.at(-1)}`));
    // Nothing from before it started (the whole log would have been replayed): only members registered after.
    expect(feed.events.map((e) => e.streamId).every((streamId) => after.some((id) => streamId === `member-${id}`))).toBe(true);
    expect(feed.events.map((e) => e.streamId)).not.toContain(`member-${before}`);
  });

  test('afterPosition resumes after that event; streamId narrows to one stream', async () => {
    const memberId = `m-${randomUUID().slice(0, 8)}`;
    await register(memberId);
    await t.graphql(
      `mutation($input: UpdateMemberInput!) { updateMember(input: $input) { id } }`,
      { input: { memberId, department: 'Legal' } },
      { token: manager },
    );
    const all = subscribe(manager, { filter: { streamId: `member-${memberId}` }, after: '0:0' });
    await eventually(() => expect(all.events).toHaveLength(2));
    const rest = subscribe(manager, { filter: { streamId: `member-${memberId}` }, after: all.events[0]!.position });
    await eventually(() => expect(rest.events).toHaveLength(1));
    expect(rest.events[0]?.type).toBe('MemberUpdated');
  });

  test('a MEMBER is refused, and so is a connection without a token', async () => {
    const member = subscribe(await t.token('m-1', Role.MEMBER), {});
    const anonymous = subscribe(null, {});
    await eventually(() => {
      expect(member.errors.length).toBeGreaterThan(0);
      expect(anonymous.errors.length).toBeGreaterThan(0);
    });
    expect(JSON.stringify(member.errors)).toMatch(/needs the role AUDITOR or COMMUNITY_MANAGER/);
    expect(JSON.stringify(anonymous.errors)).toMatch(/bearer token/);
    expect(member.events).toHaveLength(0);
  });

  test('a malformed afterPosition is refused', async () => {
    const feed = subscribe(manager, { after: 'yesterday' });
    await eventually(() => expect(feed.errors.length).toBeGreaterThan(0));
    expect(JSON.stringify(feed.errors)).toMatch(/afterPosition is not a position/);
  });
});
