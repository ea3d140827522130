import pg from 'pg';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '#testing';
import { createReadModelDataSource } from './read-model-data-source.ts';
import { columns, readModelProjection, readModelTable, readModelEntitiesOf, type RowOf } from './read-model-table.ts';

const STATUSES = ['OPEN', 'CLOSED'] as const;

/** One of each kind of column, a composite key, an index: what the read models use. */
const ITEMS = readModelTable(
  'items',
  {
    ownerId: columns.text().primary(),
    itemNumber: columns.int().primary(),
    status: columns.text().oneOf(STATUSES),
    tags: columns.textArray().default("'{}'"),
    details: columns.jsonb<{ readonly note: string }[]>().default("'[]'"),
    archived: columns.boolean().default('false'),
    closedAt: columns.timestamptz().nullable(),
    legacyName: columns.text().nullable().named('old_name'),
  },
  { indexes: ['(status, item_number)'] },
);
type ItemRow = RowOf<typeof ITEMS>;

describe('readModelTable', () => {
  test('writes the CREATE TABLE its columns describe: snake_case names, NOT NULL unless nullable, defaults, checks, the key, indexes', () => {
    expect(ITEMS.ddl('"gen_1"."items"')).toEqual([
      `CREATE TABLE "gen_1"."items" (
  owner_id text NOT NULL,
  item_number int NOT NULL,
  status text NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
  tags text[] NOT NULL DEFAULT '{}',
  details jsonb NOT NULL DEFAULT '[]',
  archived boolean NOT NULL DEFAULT false,
  closed_at timestamptz,
  old_name text,
  PRIMARY KEY (owner_id, item_number)
)`,
      'CREATE INDEX ON "gen_1"."items" (status, item_number)',
    ]);
    expect(ITEMS.columnName('legacyName')).toBe('old_name');
    expect(ITEMS.columnName('itemNumber')).toBe('item_number');
  });

  test('refuses a table without a primary key', () => {
    expect(() => readModelTable('keyless', { name: columns.text() })).toThrow('read model table keyless has no primary key');
  });

  test('a projection built from tables names them, creates them in order and hands their entities to the read side', () => {
    const projection = readModelProjection({ name: 'items', version: 1, tables: [ITEMS], apply: async () => {} });
    expect(projection.tables).toEqual(['items']);
    expect(readModelEntitiesOf([projection, { name: 'raw', tables: ['x'] }])).toEqual([ITEMS.entity]);
  });

  describe('against PostgreSQL', () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    let readModels: DataSource;

    beforeAll(async () => {
      database = await createTestDatabase('read_model_table');
      pool = new pg.Pool({ connectionString: database.url, max: 2 });
      // What the projection runner does: the table in a generation schema, a view over it in read_models.
      await pool.query('CREATE SCHEMA gen_1; CREATE SCHEMA read_models');
      const client = await pool.connect();
      try {
        await ITEMS.create(client, { generation: 1, table: (name) => `gen_1.${name}` });
      } finally {
        client.release();
      }
      await pool.query('CREATE VIEW read_models.items AS SELECT * FROM gen_1.items');
      readModels = await createReadModelDataSource(database.url, [ITEMS.entity], 2);
    });

    afterAll(async () => {
      await readModels?.destroy();
      await pool?.end();
      await database?.drop();
    });

    test('the entity reads rows back in their TypeScript types, defaults filled in', async () => {
      await pool.query(`INSERT INTO gen_1.items (owner_id, item_number, status, closed_at) VALUES ('m-1', 1, 'OPEN', NULL)`);
      await pool.query(
        `INSERT INTO gen_1.items (owner_id, item_number, status, tags, details, archived, closed_at, old_name)
         VALUES ('m-1', 2, 'CLOSED', '{a,b}', '[{"note":"n"}]', true, '2025-03-01T09:00:00Z', 'before')`,
      );
      const rows: ItemRow[] = await readModels.getRepository(ITEMS.entity).find({ order: { itemNumber: 'ASC' } });
      expect(rows).toEqual([
        { ownerId: 'm-1', itemNumber: 1, status: 'OPEN', tags: [], details: [], archived: false, closedAt: null, legacyName: null },
        {
          ownerId: 'm-1',
          itemNumber: 2,
          status: 'CLOSED',
          tags: ['a', 'b'],
          details: [{ note: 'n' }],
          archived: true,
          closedAt: new Date('2025-03-01T09:00:00Z'),
          legacyName: 'before',
        },
      ]);
      expect(await readModels.getRepository(ITEMS.entity).findOneBy({ ownerId: 'm-1', itemNumber: 2 })).toMatchObject({ status: 'CLOSED' });
    });

    test('findByKey gives the row the entity gives, whatever its columns hold, and null for a key without a row', async () => {
      await pool.query(`INSERT INTO gen_1.items (owner_id, item_number, status, closed_at) VALUES ('k-1', 1, 'OPEN', NULL)`);
      await pool.query(
        `INSERT INTO gen_1.items (owner_id, item_number, status, tags, details, archived, closed_at, old_name)
         VALUES ('k-1', 2, 'CLOSED', '{"a b",NULL,"c,d"}', '[{"note":"n"}]', true, '2025-03-01T09:00:00.123Z', 'before')`,
      );
      const repository = readModels.getRepository(ITEMS.entity);
      for (const key of [
        { ownerId: 'k-1', itemNumber: 1 },
        { ownerId: 'k-1', itemNumber: 2 },
      ]) {
        const found = await ITEMS.findByKey(readModels, key);
        expect(found).not.toBeNull();
        expect(found).toStrictEqual({ ...(await repository.findOneBy(key)) });
      }
      expect(await ITEMS.findByKey(readModels, { ownerId: 'k-1', itemNumber: 3 })).toBeNull();
      expect(await ITEMS.findByKey(readModels, { ownerId: 'k-2', itemNumber: 1 })).toBeNull();
      await expect(ITEMS.findByKey(readModels, { ownerId: 'k-1' })).rejects.toThrow(/itemNumber is missing/);
    });

    test('the checks, NOT NULL and the key hold in the database', async () => {
      await expect(pool.query(`INSERT INTO gen_1.items (owner_id, item_number, status) VALUES ('m-2', 1, 'LOST')`)).rejects.toMatchObject({
        code: '23514',
      });
      await expect(pool.query(`INSERT INTO gen_1.items (owner_id, item_number, status) VALUES ('m-2', 1, NULL)`)).rejects.toMatchObject({
        code: '23502',
      });
      await pool.query(`INSERT INTO gen_1.items (owner_id, item_number, status) VALUES ('m-3', 1, 'OPEN')`);
      await expect(pool.query(`INSERT INTO gen_1.items (owner_id, item_number, status) VALUES ('m-3', 1, 'OPEN')`)).rejects.toMatchObject({
        code: '23505',
      });
      const { rows } = await pool.query<{ indexdef: string }>(
        `SELECT indexdef FROM pg_indexes WHERE schemaname = 'gen_1' ORDER BY indexname`,
      );
      expect(rows.map((row) => row.indexdef)).toEqual([
        'CREATE UNIQUE INDEX items_pkey ON gen_1.items USING btree (owner_id, item_number)',
        'CREATE INDEX items_status_item_number_idx ON gen_1.items USING btree (status, item_number)',
      ]);
    });
  });
});
