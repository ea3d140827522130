import { spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SoakReport } from '../../soak/soak.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const DURATION_S = 60;

interface Report extends SoakReport {
  readonly wallS: number;
  readonly requests: { mutations: { acknowledged: number; refused: number; byKind: Record<string, Record<string, number>> } };
  readonly faults: { byKind: Record<string, number> };
  readonly checks: {
    expiries: { sanctionsExpired: number; certificationsExpired: number };
    readModels: { compared: { table: string; rows: number }[] };
    subscribers: { name: string; connections: number; received: number; expected: number }[];
    notifications: {
      webhook: { expected: number; unique: number; repeats: number; missing: number; invalidSignatures: number };
      emails: { moderationDecisions: { due: number; unique: number; repeats: number; missing: number }; unexpected: number };
    };
  };
}

function runSoak(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(
      process.execPath,
      ['--experimental-transform-types', '--conditions=source', '--no-warnings', 'soak/soak.ts', '--duration', String(DURATION_S)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

/**
 * The short soak (`npm run soak -- --duration 60`): the service under load and every kind of fault for a minute, then
 * the checker. Zero discrepancies, and enough happened for that to mean something.
 */
describe('soak', () => {
  test(`${DURATION_S} s of load and faults leave no discrepancy`, async () => {
    const { code, stdout, stderr } = await runSoak();
    let report: Report;
    try {
      report = JSON.parse(stdout) as Report;
    } catch {
      throw new Error(`the soak printed no report (exit ${code}):\n${stderr.slice(-4000)}`);
    }
    if (!report.ok)
      console.error(`soak discrepancies:\n${JSON.stringify(report.discrepancies, null, 2).slice(0, 8000)}\n${stderr.slice(-3000)}`);
    expect(report.discrepancies).toEqual([]);
    expect(code).toBe(0);

    for (const kind of ['service-kill', 'clock-jump', 'long-transaction', 'drop-connections'])
      expect(report.faults.byKind[kind]).toBeGreaterThan(0);
    expect((report.faults.byKind['postgres-restart'] ?? 0) + (report.faults.byKind['postgres-terminate-backends'] ?? 0)).toBeGreaterThan(0);
    expect(report.requests.mutations.acknowledged).toBeGreaterThan(300);
    for (const kind of [
      'reportContent',
      'decideModerationCase',
      'fileAppeal',
      'decideAppeal',
      'completeTrainingModule',
      'acceptAgreement',
    ]) {
      expect(report.requests.mutations.byKind[kind]?.acknowledged ?? 0).toBeGreaterThan(0);
    }
    expect(report.checks.expiries.sanctionsExpired).toBeGreaterThan(0);
    expect(report.checks.readModels.compared.find((t) => t.table === 'moderation_cases')?.rows ?? 0).toBeGreaterThan(0);
    for (const subscriber of report.checks.subscribers) {
      expect(subscriber.received).toBe(subscriber.expected);
      expect(subscriber.connections).toBeGreaterThan(1);
    }
    // Notifications (issue 21): the webhook heard every event once by webhook-id, and every moderation decision due an
    // e-mail arrived once by Message-ID (repeats of the same id after a crash are counted, not failures).
    const { webhook, emails } = report.checks.notifications;
    expect(webhook.expected).toBeGreaterThan(100);
    expect(webhook).toMatchObject({ unique: webhook.expected, missing: 0, invalidSignatures: 0 });
    expect(emails.moderationDecisions.due).toBeGreaterThan(0);
    expect(emails.moderationDecisions).toMatchObject({ unique: emails.moderationDecisions.due, missing: 0 });
    expect(emails.unexpected).toBe(0);
  }, 240_000);
});
