import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import type pg from 'pg';
import { InvalidAppendError } from '../errors.ts';
import type { EventSchema } from './event-schema.ts';
import { PersonalDataDecryptionError } from './errors.ts';

/** How a personal field reads once its subject was forgotten. */
export const REDACTED = '[redacted]';

/**
 * Per-subject data keys. Forgetting a subject destroys its key (crypto-shredding): the events keep their bytes, so
 * the hash chain still verifies, but the personal fields can no longer be read by anyone.
 */
export interface KeyStore {
  /** The subject's key, created on first use; undefined once the subject was forgotten (a new key is never made for them). */
  getOrCreateKey(subject: string): Promise<Buffer | undefined>;
  /** Undefined when the subject has no key: forgotten, or never had personal data written. */
  getKey(subject: string): Promise<Buffer | undefined>;
  forget(subject: string): Promise<void>;
  isForgotten(subject: string): Promise<boolean>;
}

/**
 * What JSON.parse(JSON.stringify(data)) gives, without the parse, when data is a plain object of strings, booleans,
 * nulls and finite numbers (a seal, most events): those survive the round trip as they are. Undefined for anything
 * else (nested values, dates, -0, a key `__proto__`), which takes the round trip.
 */
function flatJsonCopy(data: Record<string, unknown>): Record<string, unknown> | undefined {
  if (Object.getPrototypeOf(data) !== Object.prototype) return undefined;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(data)) {
    const value = data[key];
    if (key === '__proto__') return undefined;
    if (typeof value === 'number') {
      if (!Number.isFinite(value) || Object.is(value, -0)) return undefined;
    } else if (value !== null && typeof value !== 'string' && typeof value !== 'boolean') return undefined;
    copy[key] = value;
  }
  return copy;
}

/**
 * The stored form of one personal field: `{"$pd":{"s":subject,"iv":…,"ct":…,"tag":…}}`, base64, AES-256-GCM with
 * the subject as additional authenticated data. Without `ct` the field was already redacted when it was written
 * (its subject had been forgotten).
 */
export interface PersonalDataEnvelope {
  readonly $pd: { readonly s: string; readonly iv?: string; readonly ct?: string; readonly tag?: string };
}

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The KeyObject of a subject's key, made once per key buffer (the key store's cache and a batch's lookup hand out the
 * same buffer): given a buffer, Node builds a KeyObject for every cipher, which took more than half of each field's
 * encryption or decryption (measured on Node 24: 34 µs per field with a buffer, 15 µs with a KeyObject). It lives as
 * long as the buffer: once the key store forgets a key, neither is reachable.
 */
const keyObjects = new WeakMap<Buffer, KeyObject>();
function keyObjectOf(key: Buffer): KeyObject {
  let keyObject = keyObjects.get(key);
  if (!keyObject) {
    keyObject = createSecretKey(key);
    keyObjects.set(key, keyObject);
  }
  return keyObject;
}

export function encryptValue(key: Buffer, subject: string, value: unknown): PersonalDataEnvelope {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', keyObjectOf(key), iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(subject, 'utf8'));
  const ct = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return { $pd: { s: subject, iv: iv.toString('base64'), ct: ct.toString('base64'), tag: cipher.getAuthTag().toString('base64') } };
}

/** REDACTED when there is no key or no ciphertext; throws when a key exists but does not open the ciphertext. */
export function decryptValue(key: Buffer | undefined, envelope: PersonalDataEnvelope): unknown {
  const { s, iv, ct, tag } = envelope.$pd;
  if (!key || ct === undefined || iv === undefined || tag === undefined) return REDACTED;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyObjectOf(key), Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(s, 'utf8'));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(ct, 'base64')), decipher.final()]).toString('utf8');
    return JSON.parse(plain) as unknown;
  } catch (error) {
    throw new PersonalDataDecryptionError(s, { cause: error });
  }
}

export function isEnvelope(value: unknown): value is PersonalDataEnvelope {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  if (keys.length !== 1 || keys[0] !== '$pd') return false;
  const pd = (value as { $pd: unknown }).$pd;
  return pd !== null && typeof pd === 'object' && typeof (pd as { s?: unknown }).s === 'string';
}

/** Looks each subject's key up once per batch of events (a stream, a page of the log). */
export type KeyLookup = (subject: string) => Promise<Buffer | undefined>;

export function memoizedLookup(lookup: KeyLookup): KeyLookup {
  const memo = new Map<string, Promise<Buffer | undefined>>();
  return (subject) => {
    let key = memo.get(subject);
    if (!key) {
      key = lookup(subject);
      memo.set(subject, key);
    }
    return key;
  };
}

export interface ProtectedData {
  /** What is stored: personal fields replaced by envelopes. */
  readonly stored: Record<string, unknown>;
  /** `stored` as JSON text, made once: without personal fields it is the text the round trip below already made. */
  readonly storedText: string;
  /** What a read will give back right after this append: the JSON round trip, with redactions applied. */
  readonly readable: Record<string, unknown>;
}

/** Encrypts the personal top-level fields that `schema` declares; for a forgotten subject they are stored redacted. */
export async function protectPersonalData(schema: EventSchema, data: Record<string, unknown>, keyFor: KeyLookup): Promise<ProtectedData> {
  // The text of data is the text of its round trip too (JSON.stringify writes a parsed object's keys in the order a
  // JavaScript object already holds them), so an event without personal fields is stored as this text, not
  // stringified again: a seal lists a line per stream changed, megabytes at a time (bench/log-seal.bench.ts).
  const text = JSON.stringify(data);
  const readable = flatJsonCopy(data) ?? (JSON.parse(text) as Record<string, unknown>);
  const personal = schema.personal;
  for (const [field, value] of Object.entries(readable)) {
    // A look-alike in a plain field would later be read as an envelope; refuse it rather than guess.
    if (isEnvelope(value) && !personal?.fields.includes(field)) {
      throw new InvalidAppendError(
        `event ${schema.type}: field "${field}" looks like encrypted personal data but is not declared personal`,
      );
    }
  }
  // Null holds nothing about anyone: it stays null (so "no note" still reads as no note after an erasure), and
  // an event with nothing personal in it creates no key.
  const present = (field: string) => Object.hasOwn(readable, field) && readable[field] !== null;
  if (!personal || !personal.fields.some(present)) return { stored: readable, storedText: text, readable };

  const subject = personal.subject(data);
  if (typeof subject !== 'string' || subject.length === 0) {
    throw new InvalidAppendError(`event ${schema.type}: subject(data) must name the member whose personal data this is`);
  }
  const key = await keyFor(subject);
  const stored: Record<string, unknown> = { ...readable };
  for (const field of personal.fields) {
    if (!present(field)) continue;
    if (key) {
      stored[field] = encryptValue(key, subject, readable[field]);
    } else {
      stored[field] = { $pd: { s: subject } } satisfies PersonalDataEnvelope;
      readable[field] = REDACTED;
    }
  }
  return { stored, storedText: JSON.stringify(stored), readable };
}

/**
 * Opens every top-level envelope, whatever the schema says today: the envelope names its own subject, and a field
 * that was personal when written stays protected even if a later version stopped declaring it.
 */
export async function revealPersonalData(data: Record<string, unknown>, keyFor: KeyLookup): Promise<Record<string, unknown>> {
  let revealed: Record<string, unknown> | undefined;
  for (const [field, value] of Object.entries(data)) {
    if (!isEnvelope(value)) continue;
    revealed ??= { ...data };
    revealed[field] = decryptValue(await keyFor(value.$pd.s), value);
  }
  return revealed ?? data;
}

export interface PostgresKeyStoreOptions {
  /**
   * How long a key may be served from memory. Erasure in this process invalidates at once; another process may
   * keep decrypting for at most this long. Default 1000 ms; 0 disables the cache.
   */
  readonly cacheTtlMs?: number;
  /** Cached keys at most. Default 10 000. */
  readonly maxCachedKeys?: number;
}

/**
 * Keys in table `pd_subject_keys`. Forgetting sets the key to NULL and keeps the row, so that a later append for
 * that subject finds the tombstone and stores the field redacted instead of quietly creating a fresh key.
 */
export class PostgresKeyStore implements KeyStore {
  private readonly cache = new Map<string, { key: Buffer; expiresAt: number }>();
  /** Forgetting is final, so this never goes stale. */
  private readonly forgotten = new Set<string>();
  /** Bumped by forget: a lookup that started before it must not put the old key back in the cache. */
  private generation = 0;
  private readonly ttlMs: number;
  private readonly maxCached: number;

  constructor(
    private readonly pool: pg.Pool,
    options: PostgresKeyStoreOptions = {},
  ) {
    this.ttlMs = options.cacheTtlMs ?? 1000;
    this.maxCached = options.maxCachedKeys ?? 10_000;
  }

  async ensureSchema(): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      // Two processes starting together would otherwise race on CREATE TABLE IF NOT EXISTS.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('pd_subject_keys'))`);
      await client.query(`
        CREATE TABLE IF NOT EXISTS pd_subject_keys (
          subject_id   text PRIMARY KEY,
          key          bytea,
          created_at   timestamptz NOT NULL DEFAULT now(),
          forgotten_at timestamptz,
          CHECK ((key IS NULL) = (forgotten_at IS NOT NULL)),
          CHECK (key IS NULL OR octet_length(key) = ${KEY_BYTES})
        )`);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async getOrCreateKey(subject: string): Promise<Buffer | undefined> {
    requireSubject(subject);
    const known = this.cached(subject);
    if (known !== null) return known;
    const generation = this.generation;
    let row = await this.select(subject);
    if (!row) {
      const inserted = await this.pool.query<{ key: Buffer }>(
        'INSERT INTO pd_subject_keys (subject_id, key) VALUES ($1, $2) ON CONFLICT (subject_id) DO NOTHING RETURNING key',
        [subject, randomBytes(KEY_BYTES)],
      );
      // Lost the race to another writer: its key is committed and visible to a new statement.
      row = inserted.rows[0] ? { key: inserted.rows[0].key } : await this.select(subject);
      if (!row) throw new Error(`pd_subject_keys: the row of subject ${subject} disappeared while its key was being created`);
    }
    return this.remember(subject, row.key ?? undefined, generation);
  }

  async getKey(subject: string): Promise<Buffer | undefined> {
    requireSubject(subject);
    const known = this.cached(subject);
    if (known !== null) return known;
    const generation = this.generation;
    const row = await this.select(subject);
    if (!row) return undefined;
    return this.remember(subject, row.key ?? undefined, generation);
  }

  async forget(subject: string): Promise<void> {
    requireSubject(subject);
    this.generation++;
    this.cache.delete(subject);
    // Upsert: forgetting someone with no data yet must still block a key from being created for them later.
    await this.pool.query(
      `INSERT INTO pd_subject_keys (subject_id, key, forgotten_at) VALUES ($1, NULL, now())
       ON CONFLICT (subject_id) DO UPDATE SET key = NULL, forgotten_at = COALESCE(pd_subject_keys.forgotten_at, now())`,
      [subject],
    );
    this.forgotten.add(subject);
    this.cache.delete(subject);
  }

  async isForgotten(subject: string): Promise<boolean> {
    requireSubject(subject);
    if (this.forgotten.has(subject)) return true;
    const rows = await this.pool.query<{ forgotten: boolean }>(
      'SELECT forgotten_at IS NOT NULL AS forgotten FROM pd_subject_keys WHERE subject_id = $1',
      [subject],
    );
    const forgotten = rows.rows[0]?.forgotten === true;
    if (forgotten) this.forgotten.add(subject);
    return forgotten;
  }

  private async select(subject: string): Promise<{ key: Buffer | null } | undefined> {
    const result = await this.pool.query<{ key: Buffer | null }>('SELECT key FROM pd_subject_keys WHERE subject_id = $1', [subject]);
    return result.rows[0];
  }

  /** null: not known here, ask the database. */
  private cached(subject: string): Buffer | undefined | null {
    if (this.forgotten.has(subject)) return undefined;
    const entry = this.cache.get(subject);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      this.cache.delete(subject);
      return null;
    }
    return entry.key;
  }

  private remember(subject: string, key: Buffer | undefined, generation: number): Buffer | undefined {
    if (!key) {
      this.forgotten.add(subject);
      this.cache.delete(subject);
      return undefined;
    }
    if (this.ttlMs > 0 && generation === this.generation) {
      if (this.cache.size >= this.maxCached) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(subject, { key, expiresAt: Date.now() + this.ttlMs });
    }
    return key;
  }
}

function requireSubject(subject: string): void {
  if (typeof subject !== 'string' || subject.length === 0) throw new TypeError('subject must be a non-empty string');
}
