import { createHash } from 'node:crypto';
import type pg from 'pg';
import { runMigrations, type Migration } from '#postgres';

/**
 * How long a commandId stays bound to the input it was first sent with. A retry within this window is answered with
 * the original result; the same commandId with another input is refused (CONFLICT). Past it, the input is no longer
 * known and the commandId cannot be used again. A day, as payment APIs keep idempotency keys: far longer than any
 * client retries a request.
 */
export const COMMAND_INPUT_RETENTION_MS = 24 * 60 * 60 * 1000;

/** A mutation as the client sent it: the root field and its `input` argument. */
export interface MutationCall {
  readonly field: string;
  readonly input: unknown;
}

/**
 * The digest of what a command asked for: the mutation and its input, without the idempotency key and the optimistic
 * concurrency check (a retry may leave out an expectedRevision it had sent). Keys in a canonical order, and an absent
 * field the same as null, so two encodings of one input digest alike.
 */
export function inputDigest(call: MutationCall): string {
  const input = typeof call.input === 'object' && call.input !== null ? { ...(call.input as Record<string, unknown>) } : call.input;
  if (typeof input === 'object' && input !== null) {
    delete (input as Record<string, unknown>)['commandId'];
    delete (input as Record<string, unknown>)['expectedRevision'];
  }
  return createHash('sha256')
    .update(canonicalJson({ field: call.field, input }))
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null && v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type Binding = 'new' | 'same' | 'different';

const COMMAND_INPUTS_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'command_inputs',
    sql: `CREATE TABLE IF NOT EXISTS command_inputs (
            command_key text PRIMARY KEY,
            digest      text NOT NULL,
            bound_at    timestamptz NOT NULL
          )`,
  },
];

/**
 * Which input each commandId was first used with, as a digest, for COMMAND_INPUT_RETENTION_MS. Kept in PostgreSQL
 * beside the read models, not in the events: an input holds personal data (a display name, a note), and a digest of
 * it in the log would outlive crypto-shredding (anyone could test a guess against it). Here the digests expire, and an
 * erasure forgets them all at once.
 */
export interface CommandInputs {
  /** Binds `key` to `digest` unless it is bound already; says whether it was new, the same input, or another. */
  bind(key: string, digest: string): Promise<Binding>;
  /** Undoes a binding this command made, when the command did not happen (refused, failed): the key is free again. */
  release(key: string, digest: string): Promise<void>;
  /** Forgets every binding (an erasure: no digest of the erased member's data may remain). */
  forgetAll(): Promise<void>;
}

export class PostgresCommandInputs implements CommandInputs {
  private lastSweep = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly retentionMs: number = COMMAND_INPUT_RETENTION_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates the table once (serialised across instances by the migrations' lock, as every component's schema is). */
  async ensureSchema(): Promise<void> {
    await runMigrations(this.pool, 'command-inputs', COMMAND_INPUTS_MIGRATIONS);
  }

  async bind(key: string, digest: string): Promise<Binding> {
    await this.sweep();
    const now = new Date(this.now());
    const expired = new Date(this.now() - this.retentionMs);
    // One statement: an expired binding is taken over as if it were gone (the sweep may not have reached it yet).
    const { rows } = await this.pool.query(
      `INSERT INTO command_inputs (command_key, digest, bound_at) VALUES ($1, $2, $3)
       ON CONFLICT (command_key) DO UPDATE SET digest = EXCLUDED.digest, bound_at = EXCLUDED.bound_at
         WHERE command_inputs.bound_at < $4
       RETURNING 1`,
      [key, digest, now, expired],
    );
    if (rows[0]) return 'new';
    const existing = await this.pool.query<{ digest: string }>('SELECT digest FROM command_inputs WHERE command_key = $1', [key]);
    const bound = existing.rows[0]?.digest;
    // Released in between: nobody holds it now, but this command is not the one that bound it; bind again.
    if (bound === undefined) return this.bind(key, digest);
    return bound === digest ? 'same' : 'different';
  }

  async release(key: string, digest: string): Promise<void> {
    await this.pool.query('DELETE FROM command_inputs WHERE command_key = $1 AND digest = $2', [key, digest]);
  }

  async forgetAll(): Promise<void> {
    await this.pool.query('DELETE FROM command_inputs');
  }

  /** At most once a minute: expired bindings are deleted, not only ignored (they are digests of personal data). */
  private async sweep(): Promise<void> {
    if (this.now() - this.lastSweep < 60_000) return;
    this.lastSweep = this.now();
    await this.pool.query('DELETE FROM command_inputs WHERE bound_at < $1', [new Date(this.now() - this.retentionMs)]);
  }
}
