import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const VIVA_ENGAGE_REPORT = join(ROOT, 'test/fixtures/viva-engage-groups-activity.csv');
const GROUPS = [
  ['g-sales', 'Sales NL'],
  ['g-eng', 'Engineering, Platform'],
  ['g-koffie', 'Koffie & "Gebak"'],
] as const;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * `npm run -s import-activity -- ...` as npm runs it (same node flags), asynchronously: the service answering it runs in
 * this very process, so a synchronous spawn would wait for an answer that can never come.
 */
function importActivity(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const { GOVERNANCE_TOKEN: _inherited, ...inherited } = process.env;
  return new Promise((resolveRun, reject) => {
    const child = spawn(
      process.execPath,
      ['--experimental-transform-types', '--conditions=source', '--no-warnings', 'scripts/import-activity.ts', ...args],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...inherited, NODE_OPTIONS: '', ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

describe('npm run import-activity: a usage report from the command line (issue 24)', () => {
  let t: TestService;
  let cm: string;
  let url: string;
  let dir: string;

  beforeAll(async () => {
    t = await startTestService();
    url = `${t.service.url}/graphql`;
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
    dir = await mkdtemp(join(tmpdir(), 'import-activity-'));
    for (const [groupId, name] of GROUPS) {
      const created = await t.graphql(
        `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
        { input: { groupId, name } },
        { token: cm },
      );
      expect(created.errors).toBeUndefined();
    }
  });
  afterAll(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the Viva Engage report, its format detected: exit 0, the result as JSON on stdout, the token nowhere', async () => {
    const before = await t.eventCount();
    const run = await importActivity([VIVA_ENGAGE_REPORT, '--url', url], { GOVERNANCE_TOKEN: cm });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      periodStart: '2026-11-23T00:00:00.000Z',
      periodEnd: '2026-11-30T00:00:00.000Z',
      rowsImported: 3,
      rowsUnmatched: ['Old Archive Group'],
      rowsRejected: [],
    });
    expect(run.stderr).toMatch(/format viva-engage \(detected/);
    expect(run.stderr + run.stdout).not.toContain(cm);
    expect(await t.eventCount()).toBe(before + 3);
    expect((await t.storedEvents('group_activity-g-sales'))[0]).toMatchObject({
      type: 'GroupActivityRecorded',
      metadata: { actorId: 'cm-1', source: 'api' },
    });
  });

  test('the same file again is a retry: the same answer, nothing appended', async () => {
    const first = await t.storedEvents('group_activity-g-sales');
    const before = await t.eventCount();
    const run = await importActivity([VIVA_ENGAGE_REPORT, '--url', url, '--token', cm]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({
      periodStart: '2026-11-23T00:00:00.000Z',
      periodEnd: '2026-11-30T00:00:00.000Z',
      rowsImported: 3,
      rowsUnmatched: ['Old Archive Group'],
      rowsRejected: [],
    });
    expect(await t.eventCount()).toBe(before);
    // The default command id is the digest of the format and the file's bytes: the first run's events carry it.
    const digest = createHash('sha256')
      .update('viva-engage\n')
      .update(await readFile(VIVA_ENGAGE_REPORT))
      .digest('hex');
    expect(first[0]!.metadata['commandId']).toBe(`cm-1/import-activity:${digest}`);
  });

  test('a file with a malformed row (generic format, detected): exit 1, the rejected line reported, nothing imported', async () => {
    const malformed = join(dir, 'malformed.csv');
    await writeFile(
      malformed,
      [
        'group_id,period_start,period_end,members,posts',
        'g-koffie,2026-10-01,2026-10-31,20,5',
        'g-sales,2026-10-01,2026-10-31,many,5',
        '',
      ].join('\n'),
    );
    const before = await t.eventCount();
    const run = await importActivity([malformed, '--url', url], { GOVERNANCE_TOKEN: cm });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/format generic \(detected/);
    expect(JSON.parse(run.stdout)).toMatchObject({
      rowsImported: 0,
      rowsRejected: [{ row: 3, message: 'members "many" is not a whole number of 0 or more' }],
    });
    expect(run.stderr).toMatch(/line 3: members "many"/);
    expect(await t.eventCount()).toBe(before);
  });

  test("a member's token: exit 1 with the service's FORBIDDEN, nothing on stdout (the URL from PORT)", async () => {
    const member = await t.token('m-1', Role.MEMBER);
    const before = await t.eventCount();
    const run = await importActivity([join(ROOT, 'test/fixtures/generic-group-activity.csv')], {
      GOVERNANCE_TOKEN: member,
      PORT: new URL(t.service.url).port,
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/FORBIDDEN: /);
    expect(run.stderr).not.toContain(member);
    expect(await t.eventCount()).toBe(before);
  });

  test('usage errors exit 2 and send nothing: a missing file, an unknown format, no token', async () => {
    const before = await t.eventCount();
    const missing = await importActivity([join(dir, 'no-such-report.csv'), '--url', url], { GOVERNANCE_TOKEN: cm });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*no-such-report\.csv/);
    expect(missing.stdout).toBe('');
    expect((await importActivity([VIVA_ENGAGE_REPORT, '--url', url, '--format', 'xlsx'], { GOVERNANCE_TOKEN: cm })).code).toBe(2);
    const tokenless = await importActivity([VIVA_ENGAGE_REPORT, '--url', url]);
    expect(tokenless.code).toBe(2);
    expect(tokenless.stderr).toMatch(/GOVERNANCE_TOKEN/);
    expect(await t.eventCount()).toBe(before);
  });
});
