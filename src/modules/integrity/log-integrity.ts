import type pg from 'pg';
import type { KeyObject } from 'node:crypto';
import {
  comparePositions,
  parsePosition,
  StreamNotFoundError,
  type EventStore,
  type GovernanceEventStore,
  type LogPosition,
} from '#event-store';
import { ExportProof } from './export-proof.ts';
import type { LogSealConfig } from '../../platform/config/config.ts';
import type { Clock } from '../../platform/shared/clock.ts';
import {
  LOG_SEAL_KEY_ADOPTED,
  LOG_SEAL_KEYS_STREAM,
  LOG_SEAL_STREAM,
  LOG_SEALED,
  SEAL_ALGORITHM,
  sealFromJson,
  type LogSeal,
} from './log-seal.ts';
import { loadSealKey, publicKeyFromJwk, type SealSigningKey } from './seal-keys.ts';
import { LogSealer, readWitness } from './sealer.ts';
import { postgresLeafReader } from './leaf-reader.ts';
import { PostgresEventStore } from '#event-store/postgres';
import { verifyOneStream, verifyWholeLog, type IntegrityResult } from './verify-log.ts';

export interface SealKeyInfo {
  readonly keyId: string;
  readonly algorithm: string;
  /** JSON text of the public JWK. */
  readonly publicKeyJwk: string;
}

/** What the audit API asks of the integrity module: verify, the latest seal, the seal keys. */
export class LogIntegrity {
  constructor(
    private readonly store: Pick<EventStore, 'readAll' | 'readStream'>,
    private readonly events: Pick<GovernanceEventStore, 'readStream'>,
    private readonly signingKey: SealSigningKey | undefined,
    /** LOG_SEAL_WITNESS_DIR: its copies are checked too, so seals deleted from the database still count. */
    private readonly witnessDir?: string,
  ) {}

  async verifyAll(): Promise<IntegrityResult> {
    return verifyWholeLog(this.store, { keys: await this.publicKeys(), witness: await this.witness() });
  }

  /** Undefined when the stream never existed (a stream the seals remember but the log lost is a MISSING_STREAM). */
  async verifyStream(streamId: string): Promise<IntegrityResult | undefined> {
    return verifyOneStream(this.store, streamId, { keys: await this.publicKeys(), witness: await this.witness() });
  }

  async latestSeal(): Promise<LogSeal | null> {
    try {
      const [last] = await this.events.readStream(LOG_SEAL_STREAM, { direction: 'backwards', maxCount: 1 });
      return last && last.type === LOG_SEALED ? (sealFromJson(last.data) ?? null) : null;
    } catch (error) {
      if (error instanceof StreamNotFoundError) return null;
      throw error;
    }
  }

  /** What an export up to `through` carries to be checked offline: the seals up to there, and the walk of the log. */
  async exportProof(through: LogPosition): Promise<ExportProof> {
    const seals: LogSeal[] = [];
    for await (const seal of this.seals()) {
      if (comparePositions(parsePosition(seal.position), through) <= 0) seals.push(seal);
    }
    return new ExportProof(this.store, seals);
  }

  /** The seal recorded for the log up to `position` (a seal's id names it so); null when there is none. */
  async sealAt(position: string): Promise<LogSeal | null> {
    for await (const seal of this.seals()) if (seal.position === position) return seal;
    return null;
  }

  /** Every seal in the order recorded. */
  private async *seals(): AsyncGenerator<LogSeal> {
    for (let from = 0; ;) {
      let page;
      try {
        page = await this.events.readStream(LOG_SEAL_STREAM, { fromRevision: from, maxCount: 100 });
      } catch (error) {
        if (error instanceof StreamNotFoundError) return;
        throw error;
      }
      for (const event of page) {
        const seal = event.type === LOG_SEALED ? sealFromJson(event.data) : undefined;
        if (seal) yield seal;
      }
      if (page.length < 100) return;
      from = page.at(-1)!.revision + 1;
    }
  }

  private async witness(): Promise<LogSeal[]> {
    return this.witnessDir ? readWitness(this.witnessDir) : [];
  }

  /** The current key first, then every key the log was sealed with before (retired keys stay listed). */
  async sealKeys(): Promise<SealKeyInfo[]> {
    const keys = new Map<string, SealKeyInfo>();
    if (this.signingKey) {
      keys.set(this.signingKey.keyId, {
        keyId: this.signingKey.keyId,
        algorithm: SEAL_ALGORITHM,
        publicKeyJwk: JSON.stringify(this.signingKey.publicKeyJwk),
      });
    }
    for (const event of await this.keyEvents()) {
      const keyId = event.data['keyId'];
      if (typeof keyId !== 'string' || keys.has(keyId)) continue;
      keys.set(keyId, { keyId, algorithm: String(event.data['algorithm']), publicKeyJwk: JSON.stringify(event.data['publicKeyJwk']) });
    }
    return [...keys.values()];
  }

  /**
   * The keys the service checks seals with. Retired ones come from the log's own key stream, so the service's check
   * proves the log consistent with itself and with the current key; an auditor proves more with a key they hold
   * (scripts/verify-export.ts --public-key).
   */
  private async publicKeys(): Promise<Map<string, KeyObject>> {
    const keys = new Map<string, KeyObject>();
    for (const info of await this.sealKeys()) {
      try {
        keys.set(info.keyId, publicKeyFromJwk(JSON.parse(info.publicKeyJwk)));
      } catch {
        // A malformed key event verifies nothing: seals signed with it are reported as bad.
      }
    }
    return keys;
  }

  private async keyEvents() {
    try {
      return (await this.events.readStream(LOG_SEAL_KEYS_STREAM)).filter((event) => event.type === LOG_SEAL_KEY_ADOPTED);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }
}

export interface LogIntegritySetup {
  readonly integrity: LogIntegrity;
  /** Undefined with LOG_SEALING=off. */
  readonly sealer: LogSealer | undefined;
}

/** Loads (or, in development, makes) the key and builds the sealer; production without a key was refused by config. */
export async function createLogIntegrity(options: {
  readonly config: LogSealConfig;
  readonly dataDir: string;
  readonly store: EventStore;
  readonly events: GovernanceEventStore;
  readonly pool: pg.Pool;
  readonly clock: Clock;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
}): Promise<LogIntegritySetup> {
  const { config } = options;
  if (!config.enabled)
    return { integrity: new LogIntegrity(options.store, options.events, undefined, config.witnessDir), sealer: undefined };
  const key = await loadSealKey({ privateKeyFile: config.privateKeyFile, dataDir: options.dataDir });
  const sealer = new LogSealer({
    store: options.store,
    // On PostgreSQL the sealer folds the pages the projections' shared tail reads bring, and reads the rest itself,
    // only what the leaves cover (leaf-reader.ts), on its own connection pool.
    ...(options.store instanceof PostgresEventStore
      ? { leaves: postgresLeafReader(options.pool), tailReads: options.store.observeTailReads.bind(options.store) }
      : {}),
    events: options.events,
    pool: options.pool,
    key,
    clock: options.clock,
    intervalMs: config.intervalMs,
    everyEvents: config.everyEvents,
    witnessDir: config.witnessDir,
    ...(options.log ? { log: options.log } : {}),
  });
  return { integrity: new LogIntegrity(options.store, options.events, key, config.witnessDir), sealer };
}
