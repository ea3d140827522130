import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '../../src/platform/auth/role.ts';
import { readPublicKeys, verifyExportFile } from '../../src/modules/integrity/verify-export.ts';
import { eventually } from '#testing';
import { startTestService, type TestService } from '../support/test-service.ts';

/**
 * Issue 17 over HTTP: the service seals its log, verifyHistory checks against the seals, and an export verifies
 * offline (the library and the npm script, with the public key from sealKeys) and stops verifying when tampered with.
 */
let t: TestService;
let dir: string;
let auditor: string;
let manager: string;
let officer: string;
const run = randomUUID().slice(0, 8);
const members = [`m-${run}-1`, `m-${run}-2`, `m-${run}-3`];

const SEAL = `{ latestLogSeal { id position eventCount rootHash sealedAt keyId algorithm signature } }`;
const VERIFY = `{ verifyHistory { ok verifiedEvents unsealedEvents firstBrokenPosition breaks { kind position streamId revision detail } latestSeal { position eventCount keyId } } }`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'log-seals-'));
  t = await startTestService({
    env: {
      LOG_SEALING: 'on',
      LOG_SEAL_INTERVAL_MS: '200',
      LOG_SEAL_EVERY_EVENTS: '1',
      DATA_DIR: dir,
      LOG_SEAL_WITNESS_DIR: join(dir, 'witness'),
    },
  });
  auditor = await t.token(`auditor-${run}`, Role.AUDITOR);
  manager = await t.token(`cm-${run}`, Role.COMMUNITY_MANAGER);
  officer = await t.token(`po-${run}`, Role.PRIVACY_OFFICER);
  for (const memberId of members) {
    const registered = await t.graphql(
      `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
      {
        input: { memberId, displayName: `Person ${memberId}`, department: 'Ops' },
      },
      { token: manager },
    );
    expect(registered.errors).toBeUndefined();
  }
  // Erasure: the member's personal fields read "[redacted]" from now on; nothing stored changes, so all still verifies.
  const erased = await t.graphql(
    `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { __typename } }`,
    {
      input: { memberId: members[2], reason: 'asked to be forgotten' },
    },
    { token: officer },
  );
  expect(erased.errors).toBeUndefined();
  // Every event but the seals' own is sealed.
  await eventually(async () => {
    const seal = (await t.graphql<{ latestLogSeal: { eventCount: number } | null }>(SEAL, {}, { token: auditor })).data?.latestLogSeal;
    const all = await t.eventCount();
    const sealEvents =
      (await t.storedEvents('log_seal-seals').catch(() => [])).length + (await t.storedEvents('log_seal-keys').catch(() => [])).length;
    expect(seal?.eventCount).toBeGreaterThanOrEqual(all - sealEvents);
  }, 30_000);
}, 60_000);

afterAll(async () => {
  await t?.close();
  await rm(dir, { recursive: true, force: true });
});

async function exportTo(name: string, query = ''): Promise<string> {
  const response = await fetch(`${t.service.url}/audit/export${query}`, { headers: { authorization: `Bearer ${auditor}` } });
  expect(response.status).toBe(200);
  const path = join(dir, name);
  await writeFile(path, await response.text());
  return path;
}

async function publicKeyFile(): Promise<string> {
  const keys = await t.graphql<{ sealKeys: { keyId: string; algorithm: string; publicKeyJwk: string }[] }>(
    '{ sealKeys { keyId algorithm publicKeyJwk } }',
    {},
    { token: auditor },
  );
  expect(keys.data!.sealKeys).toEqual([
    { keyId: expect.any(String), algorithm: 'Ed25519', publicKeyJwk: expect.stringContaining('"crv":"Ed25519"') },
  ]);
  const path = join(dir, 'seal-key.jwk');
  await writeFile(path, keys.data!.sealKeys[0]!.publicKeyJwk);
  return path;
}

function cli(...args: string[]) {
  return spawnSync(
    process.execPath,
    ['--experimental-transform-types', '--conditions=source', '--no-warnings', 'scripts/verify-export.ts', ...args],
    {
      encoding: 'utf8',
    },
  );
}

describe('sealed governance log', () => {
  test('latestLogSeal and verifyHistory: the whole log verifies against its newest seal; the seal is also a witness file', async () => {
    const seal = (await t.graphql<{ latestLogSeal: Record<string, unknown> }>(SEAL, {}, { token: auditor })).data!.latestLogSeal;
    expect(seal).toMatchObject({ algorithm: 'Ed25519', rootHash: expect.stringMatching(/^[0-9a-f]{64}$/), signature: expect.any(String) });
    const report = await t.graphql<{ verifyHistory: Record<string, unknown> }>(VERIFY, {}, { token: auditor });
    expect(report.errors).toBeUndefined();
    expect(report.data!.verifyHistory).toMatchObject({
      ok: true,
      breaks: [],
      firstBrokenPosition: null,
      latestSeal: { keyId: seal['keyId'] },
    });
    expect(await readdir(join(dir, 'witness'))).toContain(
      `seal-${String(seal['eventCount']).padStart(12, '0')}-${String(seal['position']).replace(':', '-')}.json`,
    );
    // Nobody but staff readers sees seals (the authorization matrix checks every role).
    const member = await t.token(members[0]!, Role.MEMBER);
    expect((await t.graphql(SEAL, {}, { token: member })).errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  test('a complete and a filtered export verify offline with the public key; the npm script says OK', async () => {
    const keyFile = await publicKeyFile();
    const keys = await readPublicKeys(keyFile);
    const whole = await verifyExportFile(await exportTo('whole.ndjson'), keys);
    expect(whole).toMatchObject({ ok: true, complete: true, breaks: [] });
    expect(whole.latestSeal).toBeDefined();
    const members = await verifyExportFile(await exportTo('members.ndjson', '?category=member'), keys);
    expect(members).toMatchObject({ ok: true, complete: false, breaks: [] });
    expect(members.latestSeal).toBeDefined();

    const ran = cli(join(dir, 'whole.ndjson'), '--public-key', keyFile);
    expect(ran.status).toBe(0);
    expect(ran.stdout).toMatch(/^OK: \d+ events, unaltered; complete export, sealed up to \d+:\d+/);
  });

  test('an export file tampered with is detected offline, each change with its kind', async () => {
    const keyFile = await publicKeyFile();
    const keys = await readPublicKeys(keyFile);
    const text = await readFile(await exportTo('original.ndjson'), 'utf8');
    const lines = text.slice(0, -1).split('\n');
    const target = lines.findIndex((line) => line.includes(`"streamId":"member-${members[0]}"`));
    expect(target).toBeGreaterThanOrEqual(0);

    // The department shown changed (the stored bytes left alone). A personal field (the name) is encrypted in the
    // stored bytes, so its plaintext cannot be checked offline: only the summary's digest covers it.
    const renamed = [...lines];
    expect(renamed[target]).toContain('"department":"Ops"');
    renamed[target] = renamed[target]!.replace('"department":"Ops"', '"department":"Sales"');
    await writeFile(join(dir, 'renamed.ndjson'), `${renamed.join('\n')}\n`);
    const verdict = await verifyExportFile(join(dir, 'renamed.ndjson'), keys);
    expect(verdict.ok).toBe(false);
    expect(verdict.breaks).toContainEqual(expect.objectContaining({ kind: 'HASH_MISMATCH', streamId: `member-${members[0]}` }));

    // A line removed, and the summary's count and digest made to fit: the seal's root no longer matches.
    const removed = lines.filter((_, index) => index !== target);
    const summary = JSON.parse(removed.at(-1)!) as Record<string, unknown>;
    const body = removed
      .slice(0, -1)
      .map((line) => `${line}\n`)
      .join('');
    const { createHash } = await import('node:crypto');
    removed[removed.length - 1] = JSON.stringify({
      ...summary,
      count: removed.length - 1,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    await writeFile(join(dir, 'removed.ndjson'), `${removed.join('\n')}\n`);
    const gone = await verifyExportFile(join(dir, 'removed.ndjson'), keys);
    expect(gone.ok).toBe(false);
    expect(gone.breaks.map((b) => b.kind)).toEqual(expect.arrayContaining(['MISSING_STREAM']));

    const ran = cli(join(dir, 'renamed.ndjson'), '--public-key', keyFile);
    expect(ran.status).toBe(1);
    expect(ran.stdout.split('\n')[0]).toMatch(/^BROKEN: \d+ breaks? in \d+ events/);
    expect(ran.stdout).toContain('HASH_MISMATCH');
  });

  test("an export's seals verify offline with their heads in either stored form; heads tampered with are BAD_SEAL", async () => {
    const keys = await readPublicKeys(await publicKeyFile());
    const text = await readFile(await exportTo('heads.ndjson'), 'utf8');
    const lines = text.slice(0, -1).split('\n');
    const summary = JSON.parse(lines.at(-1)!) as { seals: Record<string, unknown>[] };
    // Written as one string per seal, a line per head (src/modules/integrity/seal-heads.ts).
    expect(summary.seals.length).toBeGreaterThan(0);
    for (const seal of summary.seals) expect(typeof seal['heads']).toBe('string');
    const withSeals = async (name: string, seals: Record<string, unknown>[]) => {
      await writeFile(join(dir, name), `${[...lines.slice(0, -1), JSON.stringify({ ...summary, seals })].join('\n')}\n`);
      return verifyExportFile(join(dir, name), keys);
    };

    // Exports made before hold the heads as arrays of [streamId, revision, hash, order, time]: they still verify.
    const asTuples = summary.seals.map((seal) => ({
      ...seal,
      heads:
        (seal['heads'] as string) === ''
          ? []
          : (seal['heads'] as string).split('\n').map((line) => {
              const [streamId, revision, hash, order, time] = line.split(' ');
              return [streamId, Number(revision), hash, order, time];
            }),
    }));
    expect(await withSeals('heads-old-form.ndjson', asTuples)).toMatchObject({ ok: true, breaks: [] });

    // One head's revision changed in the newest seal: what was signed no longer matches.
    const last = summary.seals.at(-1)!;
    const tampered = (last['heads'] as string).replace(
      /^(\S+) (\d+)/,
      (_, stream: string, revision: string) => `${stream} ${Number(revision) + 1}`,
    );
    expect(tampered).not.toBe(last['heads']);
    const verdict = await withSeals('heads-tampered.ndjson', [...summary.seals.slice(0, -1), { ...last, heads: tampered }]);
    expect(verdict.ok).toBe(false);
    expect(verdict.breaks).toContainEqual(expect.objectContaining({ kind: 'BAD_SEAL', position: last['position'] }));
    // Heads that are not well made (a field missing) make the seal unreadable, also BAD_SEAL.
    const malformed = await withSeals('heads-malformed.ndjson', [...summary.seals.slice(0, -1), { ...last, heads: 'group-x 1 ab' }]);
    expect(malformed.breaks).toContainEqual(expect.objectContaining({ kind: 'BAD_SEAL' }));
  });
});

describe('operator actions are history', () => {
  const REBUILD = `mutation($input: RebuildProjectionInput!) { rebuildProjection(input: $input) { name state } }`;
  const HISTORY = `query($filter: GovernanceHistoryFilter) { governanceHistory(filter: $filter, first: 50) {
    edges { node { streamId type data metadata { actorId actorRoles authority reason commandId } } } } }`;
  const recorded = async () =>
    (
      await t.graphql<{ governanceHistory: { edges: { node: Record<string, unknown> }[] } }>(
        HISTORY,
        { filter: { category: 'read_model' } },
        { token: auditor },
      )
    ).data!.governanceHistory.edges.map((edge) => edge.node);

  test('rebuildProjection records who rebuilt which read model, when and why; an auditor filters on read_model', async () => {
    const answer = await t.graphql(
      REBUILD,
      { input: { name: 'members', commandId: `${run}-rebuild`, reason: 'suspected drift after an incident' } },
      { token: manager },
    );
    expect(answer.errors).toBeUndefined();
    const events = await recorded();
    expect(events).toEqual([
      {
        streamId: 'read_model-members',
        type: 'ReadModelRebuildRequested',
        data: { readModel: 'members', generation: expect.any(Number), requestedBy: `cm-${run}`, requestedAt: expect.any(String) },
        metadata: {
          actorId: `cm-${run}`,
          actorRoles: ['COMMUNITY_MANAGER'],
          authority: expect.stringContaining('COMMUNITY_MANAGER'),
          reason: 'suspected drift after an incident',
          commandId: expect.stringContaining(`${run}-rebuild`),
        },
      },
    ]);
    // The same commandId again (a retry: the same input) records nothing new; with another input it is refused.
    const retry = { name: 'members', commandId: `${run}-rebuild`, reason: 'suspected drift after an incident' };
    expect((await t.graphql(REBUILD, { input: retry }, { token: manager })).errors).toBeUndefined();
    const other = await t.graphql(REBUILD, { input: { name: 'members', commandId: `${run}-rebuild` } }, { token: manager });
    expect(other.errors?.map((error) => error.extensions?.code)).toEqual(['CONFLICT']);
    expect(await recorded()).toHaveLength(1);
  });

  test('a refused or unknown rebuild records nothing', async () => {
    const before = await t.eventCount();
    const byAuditor = await t.graphql(REBUILD, { input: { name: 'members' } }, { token: auditor });
    expect(byAuditor.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
    const unknown = await t.graphql(REBUILD, { input: { name: 'no-such-model' } }, { token: manager });
    expect(unknown.errors?.[0]?.extensions?.['code']).toBe('NOT_FOUND');
    const blank = await t.graphql(REBUILD, { input: { name: 'members', reason: '   ' } }, { token: manager });
    expect(blank.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    // Seals may have been added meanwhile (sealing every event here), but no read_model event.
    expect(await recorded()).toHaveLength(1);
    expect(await t.eventCount()).toBeGreaterThanOrEqual(before);
  });
});
