import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '../../src/platform/auth/role.ts';
import { eventually } from '#testing';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

/**
 * Issue 17, what the first pass left: the streams the integrity module writes (seals, seal keys, read-model rebuilds)
 * fold in streamStateAt like every other stream, and an export of the log is an operator action recorded in the log
 * (category `operator`) before a byte of it is served.
 */
let t: TestService;
let dir: string;
let auditor: string;
let manager: string;
let member: string;
const run = randomUUID().slice(0, 8);
const auditorId = `auditor-${run}`;
const managerId = `cm-${run}`;

const STATE_AT = `query($streamId: String!, $revision: Int) {
  streamStateAt(streamId: $streamId, revision: $revision) { streamId revision state } }`;
const HISTORY = `query($filter: GovernanceHistoryFilter, $order: HistoryOrder) {
  governanceHistory(filter: $filter, first: 100, order: $order) {
    edges { node { streamId revision type data metadata { actorId actorRoles authority correlationId } } } } }`;

interface StateAnswer {
  streamStateAt: { streamId: string; revision: number; state: Record<string, unknown> };
}
interface HistoryNode {
  streamId: string;
  revision: number;
  type: string;
  data: Record<string, unknown>;
  metadata: { actorId: string | null; actorRoles: string[]; authority: string | null; correlationId: string };
}
interface HistoryAnswer {
  governanceHistory: { edges: { node: HistoryNode }[] };
}

function ok<T>(answer: GraphQLResponse<T>): T {
  expect(answer.errors).toBeUndefined();
  return answer.data!;
}

const stateAt = (streamId: string, revision?: number) =>
  t.graphql<StateAnswer>(STATE_AT, revision === undefined ? { streamId } : { streamId, revision }, { token: auditor });
const history = async (filter: Record<string, unknown>) =>
  ok(await t.graphql<HistoryAnswer>(HISTORY, { filter, order: 'OLDEST_FIRST' }, { token: auditor })).governanceHistory.edges.map(
    (edge) => edge.node,
  );
const exportLog = (query: string, token: string | undefined, correlationId: string = randomUUID()) =>
  fetch(`${t.service.url}/audit/export${query}`, {
    headers: { 'x-correlation-id': correlationId, ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'log-seals-state-'));
  t = await startTestService({
    env: { LOG_SEALING: 'on', LOG_SEAL_INTERVAL_MS: '200', LOG_SEAL_EVERY_EVENTS: '1', DATA_DIR: dir },
  });
  auditor = await t.token(auditorId, Role.AUDITOR);
  manager = await t.token(managerId, Role.COMMUNITY_MANAGER);
  member = await t.token(`m-${run}`, Role.MEMBER);
  ok(
    await t.graphql(
      `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
      { input: { memberId: `m-${run}`, displayName: 'Ada', department: 'Ops' } },
      { token: manager },
    ),
  );
  await eventually(async () => expect((await t.storedEvents('log_seal-seals')).length).toBeGreaterThan(0), 30_000);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('streamStateAt over the integrity streams', () => {
  test('log_seal-seals: how many seals, and the newest as recorded at that revision', async () => {
    const [first] = await history({ streamId: 'log_seal-seals' });
    const answer = ok(await stateAt('log_seal-seals', 0)).streamStateAt;
    expect(answer).toEqual({
      streamId: 'log_seal-seals',
      revision: 0,
      state: {
        seals: 1,
        latestSeal: {
          position: first!.data['position'],
          eventCount: first!.data['eventCount'],
          rootHash: first!.data['rootHash'],
          sealedAt: first!.data['sealedAt'],
          keyId: first!.data['keyId'],
          algorithm: 'Ed25519',
          signature: first!.data['signature'],
          // Stored as one string, a line per changed stream (src/modules/integrity/seal-heads.ts).
          changedStreams: (first!.data['heads'] as string).split('\n').length,
        },
        keys: [],
        currentKeyId: null,
      },
    });
    const now = ok(await stateAt('log_seal-seals')).streamStateAt;
    expect(now.state['seals']).toBe(now.revision + 1);
  });

  test('log_seal-keys: the keys adopted and the current one, the same as sealKeys', async () => {
    const keys = ok(
      await t.graphql<{ sealKeys: { keyId: string; publicKeyJwk: string }[] }>(
        '{ sealKeys { keyId publicKeyJwk } }',
        {},
        { token: auditor },
      ),
    ).sealKeys;
    expect(ok(await stateAt('log_seal-keys')).streamStateAt).toEqual({
      streamId: 'log_seal-keys',
      revision: 0,
      state: {
        seals: 0,
        latestSeal: null,
        keys: [{ keyId: keys[0]!.keyId, algorithm: 'Ed25519', publicKeyJwk: JSON.parse(keys[0]!.publicKeyJwk) as unknown }],
        currentKeyId: keys[0]!.keyId,
      },
    });
  });

  test('read_model-<name>: who asked for the last rebuild and how many were asked', async () => {
    ok(
      await t.graphql(
        `mutation($input: RebuildProjectionInput!) { rebuildProjection(input: $input) { name } }`,
        { input: { name: 'members', reason: 'state check' } },
        { token: manager },
      ),
    );
    const answer = ok(await stateAt('read_model-members')).streamStateAt;
    expect(answer).toEqual({
      streamId: 'read_model-members',
      revision: 0,
      state: { status: 'rebuilt', rebuildRequests: 1, lastRequestedAt: expect.any(String), lastRequestedBy: managerId },
    });
  });
});

describe('an export of the governance log is recorded', () => {
  test('who exported which part, when: in the history under category operator and in streamStateAt', async () => {
    const correlationId = `export-${run}`;
    const response = await exportLog('?category=member&from=2025-01-01T00:00:00%2B01:00', auditor, correlationId);
    expect(response.status).toBe(200);
    await response.text();

    const recorded = (await history({ category: 'operator' })).filter((node) => node.metadata.correlationId === correlationId);
    expect(recorded).toEqual([
      {
        streamId: 'operator-log_exports',
        revision: expect.any(Number),
        type: 'GovernanceLogExported',
        data: { exportedBy: auditorId, exportedAt: expect.any(String), from: '2024-12-31T23:00:00.000Z', to: null, category: 'member' },
        metadata: { actorId: auditorId, actorRoles: ['AUDITOR'], authority: 'role:AUDITOR', correlationId },
      },
    ]);
    const state = ok(await stateAt('operator-log_exports', recorded[0]!.revision)).streamStateAt.state;
    expect(state).toEqual({ logExports: recorded[0]!.revision + 1, lastLogExport: recorded[0]!.data });
  });

  test('a whole export holds the line that records it', async () => {
    const correlationId = `whole-${run}`;
    const response = await exportLog('', manager, correlationId);
    expect(response.status).toBe(200);
    const lines = (await response.text())
      .trim()
      .split('\n')
      .slice(0, -1)
      .map((line) => JSON.parse(line) as HistoryNode);
    expect(lines.filter((line) => line.type === 'GovernanceLogExported' && line.metadata.correlationId === correlationId)).toEqual([
      expect.objectContaining({
        streamId: 'operator-log_exports',
        data: expect.objectContaining({ exportedBy: managerId, from: null, to: null, category: null }),
        metadata: expect.objectContaining({ actorId: managerId, authority: 'role:COMMUNITY_MANAGER' }),
      }),
    ]);
  });

  test('a refused export (no token, a role that may not, bad parameters) records nothing', async () => {
    const before = (await t.storedEvents('operator-log_exports')).length;
    expect((await exportLog('', undefined)).status).toBe(401);
    expect((await exportLog('', member)).status).toBe(403);
    expect((await exportLog('?from=yesterday', auditor)).status).toBe(400);
    expect((await exportLog('?stream=x', auditor)).status).toBe(400);
    expect((await t.storedEvents('operator-log_exports')).length).toBe(before);
  });
});
