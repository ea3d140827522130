import { createHmac, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): `webhook-signature: v1,<base64 HMAC-SHA256 of
 * "<webhook-id>.<webhook-timestamp>.<body>">` under the webhook's secret, which its receiver holds as `whsec_<base64>`.
 *
 * Secrets are derived, never stored: HMAC-SHA256(the service's webhook key, "<webhook id>:<secret version>"). The log
 * records only the version, so a database dump gives nobody a secret, every instance with the same key signs alike,
 * and rotating is recording a new version. The key comes from WEBHOOK_SIGNING_KEY (production) or is generated under
 * DATA_DIR for development; changing it changes every webhook's secret (rotate them all after).
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const KEY_FILE = 'webhook-signing.key';

/** After a rotation, the previous secret also signs for this long, so that receivers can switch without a gap. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

export interface WebhookKey {
  /** The secret of one version of one webhook's secret, as its receiver is given it: `whsec_<base64>`. */
  secretOf(webhookId: string, secretVersion: number): string;
}

export function webhookKey(key: Buffer): WebhookKey {
  if (key.length < 32) throw new Error('the webhook signing key must be at least 32 bytes');
  return {
    secretOf: (webhookId, secretVersion) =>
      WEBHOOK_SECRET_PREFIX +
      createHmac('sha256', key).update(`${webhookId}:${secretVersion}`).digest().subarray(0, SECRET_BYTES).toString('base64'),
  };
}

/**
 * WEBHOOK_SIGNING_KEY when given (at least 32 characters), else the key in DATA_DIR/webhook-signing.key, created on
 * first use (mode 0600). Instances sharing a database must share the key: in production it comes from the environment.
 */
export async function loadWebhookKey(options: {
  readonly configuredKey: string | undefined;
  readonly dataDir: string;
}): Promise<WebhookKey> {
  if (options.configuredKey !== undefined) return webhookKey(Buffer.from(options.configuredKey, 'utf8'));
  const file = join(options.dataDir, KEY_FILE);
  try {
    return webhookKey(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(options.dataDir, { recursive: true });
  // 'wx': two instances starting together on one DATA_DIR must not each write a different key.
  try {
    await writeFile(file, randomBytes(48).toString('base64') + '\n', { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  await chmod(file, 0o600).catch(() => undefined);
  return webhookKey(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64'));
}

/** One Standard Webhooks signature (`v1,<base64>`) of a message under a `whsec_` secret. */
export function signatureOf(secret: string, messageId: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
  return 'v1,' + createHmac('sha256', key).update(`${messageId}.${timestampSeconds}.${body}`).digest('base64');
}

/** The `webhook-*` headers of one attempt: signed now (receivers refuse old timestamps), by every secret that still signs. */
export function signedHeaders(
  secrets: readonly string[],
  messageId: string,
  now: Date,
  body: string,
): { 'webhook-id': string; 'webhook-timestamp': string; 'webhook-signature': string } {
  const timestamp = Math.floor(now.getTime() / 1000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((secret) => signatureOf(secret, messageId, timestamp, body)).join(' '),
  };
}

/** The secrets that sign now: the current one, and the previous one for ROTATION_OVERLAP_MS after a rotation. */
export function signingSecrets(
  key: WebhookKey,
  webhook: { readonly webhookId: string; readonly secretVersion: number; readonly rotatedAt: string | null },
  now: Date,
): string[] {
  const current = key.secretOf(webhook.webhookId, webhook.secretVersion);
  const overlapping =
    webhook.rotatedAt !== null && webhook.secretVersion > 1 && now.getTime() - Date.parse(webhook.rotatedAt) < ROTATION_OVERLAP_MS;
  return overlapping ? [current, key.secretOf(webhook.webhookId, webhook.secretVersion - 1)] : [current];
}
