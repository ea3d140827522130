import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { COMMAND_INPUT_RETENTION_MS, PostgresCommandInputs } from './command-inputs.ts';

describe('PostgresCommandInputs: a commandId bound to its input, for a day', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let now = Date.parse('2026-12-05T10:00:00Z');
  const clock = () => now;

  beforeAll(async () => {
    database = await createTestDatabase('command_inputs');
    pool = new pg.Pool({ connectionString: database.url, max: 4 });
    await new PostgresCommandInputs(pool).ensureSchema();
    // Starting twice (a second instance) changes nothing.
    await new PostgresCommandInputs(pool).ensureSchema();
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const rows = async () =>
    (await pool.query<{ command_key: string; digest: string }>('SELECT command_key, digest FROM command_inputs ORDER BY 1')).rows;

  test('new, then the same input, then another input', async () => {
    const inputs = new PostgresCommandInputs(pool, COMMAND_INPUT_RETENTION_MS, clock);
    expect(await inputs.bind('cm-1/a', 'd1')).toBe('new');
    expect(await inputs.bind('cm-1/a', 'd1')).toBe('same');
    expect(await inputs.bind('cm-1/a', 'd2')).toBe('different');
    // The first binding holds: another input never replaces it.
    expect(await rows()).toEqual(expect.arrayContaining([{ command_key: 'cm-1/a', digest: 'd1' }]));
  });

  test('concurrent binds of one key: exactly one is new', async () => {
    const inputs = new PostgresCommandInputs(pool, COMMAND_INPUT_RETENTION_MS, clock);
    const answers = await Promise.all(Array.from({ length: 8 }, () => inputs.bind('cm-1/race', 'd')));
    expect(answers.filter((a) => a === 'new')).toHaveLength(1);
    expect(answers.filter((a) => a === 'same')).toHaveLength(7);
  });

  test('release frees the key only for the input that bound it', async () => {
    const inputs = new PostgresCommandInputs(pool, COMMAND_INPUT_RETENTION_MS, clock);
    await inputs.bind('cm-1/r', 'd1');
    await inputs.release('cm-1/r', 'other');
    expect(await inputs.bind('cm-1/r', 'd2')).toBe('different');
    await inputs.release('cm-1/r', 'd1');
    expect(await inputs.bind('cm-1/r', 'd2')).toBe('new');
  });

  test('past the retention a binding is gone: taken over, and swept from the table', async () => {
    const inputs = new PostgresCommandInputs(pool, COMMAND_INPUT_RETENTION_MS, clock);
    await inputs.bind('cm-1/old', 'd1');
    now += COMMAND_INPUT_RETENTION_MS + 1;
    expect(await inputs.bind('cm-1/old', 'd2')).toBe('new');
    await inputs.bind('cm-1/other', 'd');
    now += COMMAND_INPUT_RETENTION_MS + 61_000;
    // Any bind sweeps (at most once a minute): nothing older than the retention stays in the table.
    await inputs.bind('cm-1/fresh', 'd');
    expect((await rows()).map((row) => row.command_key)).toEqual(['cm-1/fresh']);
  });

  test('forgetAll (an erasure) leaves no digest', async () => {
    const inputs = new PostgresCommandInputs(pool, COMMAND_INPUT_RETENTION_MS, clock);
    await inputs.bind('cm-2/x', 'd');
    await inputs.forgetAll();
    expect(await rows()).toEqual([]);
    expect(await inputs.bind('cm-2/x', 'other')).toBe('new');
  });
});
