import pg from 'pg';
import { createTestDatabase } from '#testing';

test('a suite gets its own database on a real PostgreSQL', async () => {
  const db = await createTestDatabase('smoke');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  const { rows } = await client.query<{ db: string; v: string }>('SELECT current_database() AS db, current_setting($1) AS v', [
    'server_version_num',
  ]);
  await client.end();
  await db.drop();
  expect(rows[0]?.db).toBe(db.name);
  expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(130000);
});
