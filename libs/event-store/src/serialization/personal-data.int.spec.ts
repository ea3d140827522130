import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { PostgresKeyStore } from './personal-data.ts';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase('pd_keys');
  pool = new pg.Pool({ connectionString: db.url, max: 10 });
  await new PostgresKeyStore(pool).ensureSchema();
});

afterAll(async () => {
  await pool.end();
  await db.drop();
});

async function row(subject: string): Promise<{ key: Buffer | null; forgotten_at: Date | null } | undefined> {
  const result = await pool.query<{ key: Buffer | null; forgotten_at: Date | null }>(
    'SELECT key, forgotten_at FROM pd_subject_keys WHERE subject_id = $1',
    [subject],
  );
  return result.rows[0];
}

describe('PostgresKeyStore', () => {
  test('ensureSchema can run again, also concurrently', async () => {
    await Promise.all([new PostgresKeyStore(pool).ensureSchema(), new PostgresKeyStore(pool).ensureSchema()]);
  });

  test('creates a random 32-byte key once per subject and gives the same one back, to every process', async () => {
    const keys = new PostgresKeyStore(pool);
    expect(await keys.getKey('member-a')).toBeUndefined();
    const key = await keys.getOrCreateKey('member-a');
    expect(key).toHaveLength(32);
    expect(await keys.getOrCreateKey('member-a')).toEqual(key);
    expect(await new PostgresKeyStore(pool, { cacheTtlMs: 0 }).getKey('member-a')).toEqual(key);
    expect(await keys.getOrCreateKey('member-b')).not.toEqual(key);
    expect(await keys.isForgotten('member-a')).toBe(false);
  });

  test('concurrent first uses agree on one key', async () => {
    const stores = [new PostgresKeyStore(pool, { cacheTtlMs: 0 }), new PostgresKeyStore(pool, { cacheTtlMs: 0 })];
    const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 2]!.getOrCreateKey('member-race')));
    const first = keys[0]!;
    for (const key of keys) expect(key).toEqual(first);
  });

  test('forgetting drops the key, keeps a tombstone, and takes effect at once in this process despite the cache', async () => {
    const keys = new PostgresKeyStore(pool, { cacheTtlMs: 60_000 });
    await keys.getOrCreateKey('member-c');
    expect(await keys.getKey('member-c')).toBeDefined();

    await keys.forget('member-c');
    expect(await keys.getKey('member-c')).toBeUndefined();
    expect(await keys.isForgotten('member-c')).toBe(true);
    const tombstone = await row('member-c');
    expect(tombstone?.key).toBeNull();
    expect(tombstone?.forgotten_at).toBeInstanceOf(Date);
  });

  test('a forgotten subject never gets a new key, in any process', async () => {
    await new PostgresKeyStore(pool).forget('member-c2');
    const other = new PostgresKeyStore(pool, { cacheTtlMs: 0 });
    expect(await other.getOrCreateKey('member-c2')).toBeUndefined();
    expect(await other.isForgotten('member-c2')).toBe(true);
    expect((await row('member-c2'))?.key).toBeNull();
  });

  test('another process stops reading the key once its cache entry expires', async () => {
    const writer = new PostgresKeyStore(pool, { cacheTtlMs: 0 });
    const reader = new PostgresKeyStore(pool, { cacheTtlMs: 50 });
    await writer.getOrCreateKey('member-d');
    expect(await reader.getKey('member-d')).toBeDefined();
    await writer.forget('member-d');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(await reader.getKey('member-d')).toBeUndefined();
  });

  test('forgetting twice keeps the first erasure time', async () => {
    const keys = new PostgresKeyStore(pool);
    await keys.getOrCreateKey('member-e');
    await keys.forget('member-e');
    const first = (await row('member-e'))?.forgotten_at;
    await new PostgresKeyStore(pool).forget('member-e');
    expect((await row('member-e'))?.forgotten_at).toEqual(first);
  });
});
