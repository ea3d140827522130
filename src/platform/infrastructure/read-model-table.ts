import type pg from 'pg';
import { EntitySchema, type DataSource, type EntitySchemaColumnOptions } from 'typeorm';
import type { ProjectionContext, ProjectionDefinition } from '#projections';
import { sqlIn } from '../shared/sql.ts';
import { poolOf } from './data-source-pool.ts';

/**
 * A read-model table described once: its columns give the projection's CREATE TABLE (with the CHECKs from the
 * deciders' `as const` arrays), the TypeORM entity readers query through, and the row type (`RowOf`). Before, each
 * table was written out as SQL in the projection, again as an entity class, and the two could drift apart unnoticed.
 */

type SqlType = 'text' | 'int' | 'bigint' | 'boolean' | 'timestamptz' | 'jsonb';

/** One column: its SQL, and (as a phantom) the TypeScript type a row holds in it. */
export class Column<T> {
  declare readonly valueType: T;

  constructor(
    readonly sqlType: SqlType,
    readonly options: {
      readonly array: boolean;
      readonly nullable: boolean;
      readonly primary: boolean;
      readonly defaultSql: string | null;
      readonly allowed: readonly string[] | null;
      readonly name: string | null;
    },
  ) {}

  /** May hold NULL (a column is NOT NULL unless said otherwise). */
  nullable(): Column<T | null> {
    return new Column<T | null>(this.sqlType, { ...this.options, nullable: true });
  }

  /** The primary key, or part of it when several columns say so. */
  primary(): Column<T> {
    return new Column<T>(this.sqlType, { ...this.options, primary: true });
  }

  /** A DEFAULT, as SQL (`'{}'`, `false`, `'[]'`): what a row gets when the projection's INSERT leaves it out. */
  default(sql: string): Column<T> {
    return new Column<T>(this.sqlType, { ...this.options, defaultSql: sql });
  }

  /** A CHECK that the value is one of `values` (a decider's `as const` array), and the row type narrowed to them. */
  oneOf<const V extends string>(values: readonly V[]): Column<V | Extract<T, null>> {
    return new Column<V | Extract<T, null>>(this.sqlType, { ...this.options, allowed: values });
  }

  /** The SQL name, where it is not the property's name in snake_case. */
  named(name: string): Column<T> {
    return new Column<T>(this.sqlType, { ...this.options, name });
  }
}

const column = <T>(sqlType: SqlType, array = false) =>
  new Column<T>(sqlType, { array, nullable: false, primary: false, defaultSql: null, allowed: null, name: null });

/** The column kinds the read models use; `jsonb<T>()` says what the JSON holds. */
export const columns = {
  text: () => column<string>('text'),
  textArray: () => column<string[]>('text', true),
  int: () => column<number>('int'),
  /** pg hands int8 over as a string: it may not fit in a JavaScript number. */
  bigint: () => column<string>('bigint'),
  boolean: () => column<boolean>('boolean'),
  timestamptz: () => column<Date>('timestamptz'),
  jsonb: <T>() => column<T>('jsonb'),
};

type Columns = Record<string, Column<unknown>>;

/** The row a table's columns hold, as TypeORM hands it over. */
export type RowOf<Table> = Table extends ReadModelTable<infer Row> ? Row : never;

type RowOfColumns<C extends Columns> = { -readonly [K in keyof C]: C[K]['valueType'] };

// An entity whatever its row: EntitySchema's options map the row's keys, so no one row type (not even unknown) takes
// every table's; TypeORM's own `entities` option is typed the same way.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type UntypedEntity = EntitySchema<any>;

/** What a projection and the read side need of a table, whatever its rows. */
export interface AnyReadModelTable {
  /** The table's name in its projection's generation schema, and of the view `read_models.<name>` readers query. */
  readonly name: string;
  readonly entity: UntypedEntity;
  /** CREATE TABLE and its indexes in the generation being written. */
  create(client: pg.ClientBase, context: ProjectionContext): Promise<void>;
  /** The statements `create` runs on `qualifiedName`. */
  ddl(qualifiedName: string): string[];
}

export interface ReadModelTable<Row> extends AnyReadModelTable {
  /** The TypeORM entity over the view: `db.getRepository(TABLE.entity)` is a `Repository<Row>`. */
  readonly entity: EntitySchema<Row>;
  /** The SQL column name of a property, for the projection's raw SQL where a name is built rather than written. */
  columnName(property: keyof Row & string): string;
  /**
   * The row with this primary key (every key column given), or null; the same row the entity's `findOneBy` gives.
   * One prepared statement on the data source's pool, for reads on a request's hot path: `findOneBy` allocated about
   * 47 KB a lookup, a quarter of all that a `group(id)` request allocated (a sampling heap profile of the service at
   * 1,000 requests/s), and that garbage is what its major collections, and so its slowest answers, come from.
   */
  findByKey(db: DataSource, key: Partial<Row>): Promise<Row | null>;
}

export interface TableOptions {
  /**
   * Index definitions after `CREATE INDEX ON <table>`, in SQL: `(opened_at, case_id)`, `(until) WHERE state =
   * 'active'`. Each with a comment saying which read needs it.
   */
  readonly indexes?: readonly string[];
}

const snakeCase = (property: string) => property.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

export function readModelTable<const C extends Columns>(
  name: string,
  described: C,
  options: TableOptions = {},
): ReadModelTable<RowOfColumns<C>> {
  type Row = RowOfColumns<C>;
  const entries = Object.entries(described).map(([property, col]) => ({ property, col, sqlName: col.options.name ?? snakeCase(property) }));
  const primary = entries.filter(({ col }) => col.options.primary);
  if (primary.length === 0) throw new Error(`read model table ${name} has no primary key`);

  const entityColumns: Record<string, EntitySchemaColumnOptions> = {};
  for (const { property, col, sqlName } of entries) {
    entityColumns[property] = {
      name: sqlName,
      type: col.sqlType,
      array: col.options.array,
      nullable: col.options.nullable,
      primary: col.options.primary,
    };
  }
  const entity = new EntitySchema<Row>({
    // Entity names are global to the data source: the table's name is unique among the read models (one view each).
    name: `read_models.${name}`,
    schema: 'read_models',
    tableName: name,
    synchronize: false,
    columns: entityColumns as never,
  });

  const ddl = (qualifiedName: string): string[] => {
    const lines = entries.map(({ col, sqlName }) => {
      const parts = [sqlName, col.sqlType + (col.options.array ? '[]' : '')];
      if (!col.options.nullable) parts.push('NOT NULL');
      if (col.options.defaultSql !== null) parts.push(`DEFAULT ${col.options.defaultSql}`);
      if (col.options.allowed !== null) parts.push(`CHECK (${sqlName} IN ${sqlIn(col.options.allowed)})`);
      return parts.join(' ');
    });
    lines.push(`PRIMARY KEY (${primary.map(({ sqlName }) => sqlName).join(', ')})`);
    return [
      `CREATE TABLE ${qualifiedName} (\n  ${lines.join(',\n  ')}\n)`,
      ...(options.indexes ?? []).map((index) => `CREATE INDEX ON ${qualifiedName} ${index}`),
    ];
  };

  // Columns under their property names, as the entity hands them over; pg parses each type as TypeORM does (int and
  // boolean, text[] to an array, jsonb parsed, timestamptz to a Date, int8 left a string).
  const byKey = {
    name: `read-model-${name}-by-key`,
    text: `SELECT ${entries.map(({ property, sqlName }) => `${sqlName} AS "${property}"`).join(', ')}
             FROM read_models.${name} WHERE ${primary.map(({ sqlName }, i) => `${sqlName} = $${i + 1}`).join(' AND ')}`,
  };

  return {
    name,
    entity,
    async findByKey(db, key) {
      const values = primary.map(({ property }) => {
        const value = key[property as keyof Row];
        if (value === undefined || value === null) throw new Error(`${name}.findByKey: the key's ${property} is missing`);
        return value;
      });
      const { rows } = await poolOf(db).query<Row>({ ...byKey, values });
      return rows[0] ?? null;
    },
    columnName(property) {
      const entry = entries.find((candidate) => candidate.property === property);
      if (entry === undefined) throw new Error(`${name} has no column ${property}`);
      return entry.sqlName;
    },
    async create(client, context) {
      for (const statement of ddl(context.table(name))) await client.query(statement);
    },
    ddl,
  };
}

/** A projection whose tables are described with `readModelTable`: their names, creation and entities come from there. */
export interface ReadModelProjection<Event> extends ProjectionDefinition<Event> {
  readonly readModelTables: readonly AnyReadModelTable[];
}

/**
 * `tables` are created in order by `setup`; `afterCreate` is for what a table description cannot say (seed rows, a
 * constraint across tables). The manifest reads `readModelTables` for the read side's entities.
 */
export function readModelProjection<Event>(
  definition: Omit<ProjectionDefinition<Event>, 'tables' | 'setup'> & {
    readonly tables: readonly AnyReadModelTable[];
    readonly afterCreate?: ProjectionDefinition<Event>['setup'];
  },
): ReadModelProjection<Event> {
  const { tables, afterCreate, ...rest } = definition;
  return {
    ...rest,
    tables: tables.map((table) => table.name),
    readModelTables: tables,
    async setup(client, context) {
      for (const table of tables) await table.create(client, context);
      if (afterCreate !== undefined) await afterCreate(client, context);
    },
  };
}

/** The entities of a module's projections described with `readModelTable` (others list none). */
export function readModelEntitiesOf(projections: readonly object[]): UntypedEntity[] {
  return projections.flatMap((projection) =>
    'readModelTables' in projection ? (projection as ReadModelProjection<unknown>).readModelTables.map((table) => table.entity) : [],
  );
}
