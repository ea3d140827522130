import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { loadWebhookKey, ROTATION_OVERLAP_MS, signedHeaders, signingSecrets, webhookKey } from './webhook-signing.ts';

const KEY = webhookKey(Buffer.from('a'.repeat(48)));
const BODY = JSON.stringify({ type: 'group.GroupCreated', timestamp: '2026-12-01T09:00:00.000Z', data: { groupId: 'g-1' } });

describe('webhook secrets', () => {
  test('are whsec_ secrets of 32 bytes, the same for the same webhook and version, different otherwise', () => {
    const secret = KEY.secretOf('wh-1', 1);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(KEY.secretOf('wh-1', 1)).toBe(secret);
    expect(KEY.secretOf('wh-1', 2)).not.toBe(secret);
    expect(KEY.secretOf('wh-2', 1)).not.toBe(secret);
    expect(webhookKey(Buffer.from('b'.repeat(48))).secretOf('wh-1', 1)).not.toBe(secret);
  });

  test('a key shorter than 32 bytes is refused', () => expect(() => webhookKey(Buffer.alloc(31))).toThrow(/at least 32 bytes/));

  test('a development key is generated once under DATA_DIR, readable by its owner only, and read back', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'webhook-key-'));
    const first = await loadWebhookKey({ configuredKey: undefined, dataDir });
    const again = await loadWebhookKey({ configuredKey: undefined, dataDir });
    expect(again.secretOf('wh-1', 1)).toBe(first.secretOf('wh-1', 1));
    expect((await stat(join(dataDir, 'webhook-signing.key'))).mode & 0o777).toBe(0o600);
    expect((await readFile(join(dataDir, 'webhook-signing.key'), 'utf8')).trim().length).toBeGreaterThanOrEqual(64);
    const configured = await loadWebhookKey({ configuredKey: 'c'.repeat(40), dataDir });
    expect(configured.secretOf('wh-1', 1)).not.toBe(first.secretOf('wh-1', 1));
  });
});

describe('Standard Webhooks signatures', () => {
  const now = new Date('2026-12-01T09:00:00.000Z');

  test("verify with the specification's own library", () => {
    const secret = KEY.secretOf('wh-1', 1);
    expect(signedHeaders([secret], 'msg_1', now, BODY)['webhook-timestamp']).toBe(String(now.getTime() / 1000));
    // The library refuses timestamps more than five minutes from its clock: signed now.
    const headers = signedHeaders([secret], 'msg_1', new Date(), BODY);
    expect(new Webhook(secret).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(KEY.secretOf('wh-1', 2)).verify(BODY, headers)).toThrow();
    expect(() => new Webhook(secret).verify(BODY.replace('g-1', 'g-2'), headers)).toThrow();
    const old = signedHeaders([secret], 'msg_1', new Date(Date.now() - 10 * 60_000), BODY);
    expect(() => new Webhook(secret).verify(BODY, old)).toThrow();
  });

  test('after a rotation, both secrets sign for 24 hours, so a receiver with either verifies; then only the new one', () => {
    const rotatedAt = '2026-12-01T08:00:00.000Z';
    const webhook = { webhookId: 'wh-1', secretVersion: 2, rotatedAt };
    const during = signingSecrets(KEY, webhook, now);
    expect(during).toEqual([KEY.secretOf('wh-1', 2), KEY.secretOf('wh-1', 1)]);
    const headers = signedHeaders(during, 'msg_2', new Date(), BODY);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(KEY.secretOf('wh-1', 1)).verify(BODY, headers)).toBeTruthy();
    expect(new Webhook(KEY.secretOf('wh-1', 2)).verify(BODY, headers)).toBeTruthy();
    const after = new Date(Date.parse(rotatedAt) + ROTATION_OVERLAP_MS);
    expect(signingSecrets(KEY, webhook, after)).toEqual([KEY.secretOf('wh-1', 2)]);
    expect(signingSecrets(KEY, { webhookId: 'wh-1', secretVersion: 1, rotatedAt: null }, now)).toEqual([KEY.secretOf('wh-1', 1)]);
  });
});
