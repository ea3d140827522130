import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type pg from 'pg';
import {
  comparePositions,
  parsePosition,
  previousAfter,
  START,
  StreamNotFoundError,
  type EventMetadata,
  type EventStore,
  type GovernanceAppendOptions,
  type GovernanceEventStore,
  type LogPosition,
  type ReadAllPage,
  type StoredEvent,
} from '#event-store';
import { Pause } from '#projections';
import type { Clock } from '../../platform/shared/clock.ts';
import { leafFieldsOf, MillisecondTimes, portLeafReader, type LeafPage, type LeafReader } from './leaf-reader.ts';
import { LogFold } from './log-fold.ts';
import {
  LOG_SEAL_KEY_ADOPTED,
  LOG_SEAL_KEYS_STREAM,
  LOG_SEAL_STREAM,
  comparePositionText,
  SEAL_ALGORITHM,
  sealFromJson,
  sealToJson,
  signSeal,
  type LogSeal,
} from './log-seal.ts';
import { logSealedEvent, sealKeyAdoptedEvent } from './log-seal.decider.ts';
import type { SealSigningKey } from './seal-keys.ts';

export interface LogSealerOptions {
  /** The port: the sealer folds exactly what readAll gives, which is the stable head (nothing can appear below it). */
  readonly store: Pick<EventStore, 'readAll'>;
  /** The same pages, leaner where the store allows (postgresLeafReader); default: through the port. */
  readonly leaves?: LeafReader;
  /**
   * Where the store hands out the pages it reads for others (PostgresEventStore.observeTailReads: the projections'
   * shared reads of the log's tail). The sealer, while it holds the lock, folds those that continue its fold instead
   * of reading them again, and reads on its own only what they leave out.
   */
  readonly tailReads?: (observer: (after: LogPosition, page: ReadAllPage) => void) => () => void;
  /** Seals are appended as events, with the chain and metadata every event has. */
  readonly events: Pick<GovernanceEventStore, 'append' | 'readStream'>;
  /** For the advisory lock that keeps one sealer at a time across instances. */
  readonly pool: pg.Pool;
  readonly key: SealSigningKey;
  readonly clock: Clock;
  /** LOG_SEAL_INTERVAL_MS: at most this long between a new event and the seal that covers it. */
  readonly intervalMs: number;
  /** LOG_SEAL_EVERY_EVENTS: seal as soon as this many events are unsealed. */
  readonly everyEvents: number;
  /** LOG_SEAL_WITNESS_DIR: each seal is also written there, a copy outside the database. */
  readonly witnessDir?: string | undefined;
  readonly log?: (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;
  /** How often the sealer looks at the log. Default min(intervalMs, 1000). */
  readonly checkMs?: number;
}

const LOCK = 'log-sealer';
const PAGE = 2000;

/**
 * At most this many events (and pages: a quiet log's reads bring empty ones) of others' pages are kept between two
 * looks, about a second apart: beyond, the oldest go, and the sealer reads what they held itself. Kept whole (data
 * included, about a kilobyte an event), since most pages are never needed long: 20,000 is a few seconds of the
 * benchmark's appends and some 20 MB at most.
 */
const TAPPED_EVENTS = 20_000;
const TAPPED_PAGES = 1_000;

/**
 * Pages read for others (the projections' shared reads of the log's tail), kept until the sealer looks: each holds
 * every event of (after, checkpoint], so one that starts at or before where the fold ends continues it. A page that
 * does not connect is of no use; the sealer reads that part itself.
 */
export class TappedPages {
  private pages: { after: LogPosition; page: ReadAllPage }[] = [];
  private events = 0;

  add(after: LogPosition, page: ReadAllPage): void {
    this.pages.push({ after, page });
    this.events += page.events.length;
    while (this.events > TAPPED_EVENTS || this.pages.length > TAPPED_PAGES) this.events -= this.pages.shift()!.page.events.length;
  }

  /** What the pages hold after `from`, from the one that continues from there; undefined when none does. */
  take(from: LogPosition, times: MillisecondTimes): LeafPage | undefined {
    // Pages with nothing past `from` were folded already.
    while (this.pages[0] && comparePositions(this.pages[0].page.checkpoint, from) <= 0)
      this.events -= this.pages.shift()!.page.events.length;
    // Not necessarily the first: pages come in the order they were read, not of position.
    const index = this.pages.findIndex((p) => comparePositions(p.after, from) <= 0 && comparePositions(p.page.checkpoint, from) > 0);
    if (index === -1) return undefined;
    const [found] = this.pages.splice(index, 1);
    this.events -= found!.page.events.length;
    return leavesAfter(found!.page, from, times);
  }

  clear(): void {
    this.pages = [];
    this.events = 0;
  }
}

function leavesAfter(page: ReadAllPage, from: LogPosition, times: MillisecondTimes): LeafPage {
  const leaves = [];
  for (const event of page.events) if (comparePositions(event.position, from) > 0) leaves.push(leafFieldsOf(event, times));
  return { leaves, checkpoint: page.checkpoint, isEnd: page.isEnd };
}

/**
 * Signs, now and then, a statement of the whole log up to its stable head (see LogSeal). One instance seals at a time
 * (a session advisory lock, as projections run); the others stand by. The holder keeps the log folded in memory, so a
 * seal costs folding the events since the last one: it reads the log once when it takes the lock, then folds the pages
 * others read where the store hands them out (tailReads), reading itself only across their gaps.
 */
export class LogSealer {
  private fold: LogFold | undefined;
  private foldedThrough: LogPosition = START;
  /** Events other than seals since the last seal: a log that only received its own seal needs no new one. */
  private unsealed = 0;
  private lastSealAt = 0;
  /**
   * Where the seals' stream ends, as the last catch-up read it or the last seal appended it ({} when unknown). Given
   * to the append, it saves reading the previous seal back whole (data included: a line per stream it listed, about as
   * many as the new one lists) only to extend the chain from its hash. A stale value is caught by the port's revision
   * check, and the append then reads the stream itself.
   */
  private sealStreamEnd: Pick<GovernanceAppendOptions, 'previous'> = {};
  private keyAdopted = false;
  private stopping = false;
  private running: Promise<void> | undefined;
  private readonly pause = new Pause(() => this.stopping);
  /** Others' pages, gathered while this sealer holds the lock (see LogSealerOptions.tailReads). */
  private readonly tapped = new TappedPages();
  private readonly times = new MillisecondTimes();

  private readonly readLeaves: LeafReader;

  constructor(private readonly options: LogSealerOptions) {
    this.readLeaves = options.leaves ?? portLeafReader(options.store);
  }

  start(): void {
    this.running ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.pause.end();
    await this.running;
  }

  /** Seals what is readable now, if anything besides seals arrived since the last seal; waits for the lock. */
  async sealNow(): Promise<LogSeal | undefined> {
    const client = await this.options.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [LOCK]);
      try {
        this.fold = undefined;
        await this.catchUp();
        return this.unsealed > 0 ? await this.seal() : undefined;
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtext($1))', [LOCK]);
      }
    } finally {
      client.release();
    }
  }

  private async run(): Promise<void> {
    const checkMs = this.options.checkMs ?? Math.min(this.options.intervalMs, 1000);
    while (!this.stopping) {
      let client: pg.PoolClient;
      try {
        client = await this.options.pool.connect();
      } catch (error) {
        this.log('warn', 'log sealer cannot connect; retrying', { error: (error as Error).message });
        await this.pause.for(5_000);
        continue;
      }
      let lost = false;
      let stopTapping: (() => void) | undefined;
      const onLost = () => {
        lost = true;
        this.pause.end();
      };
      client.on('error', onLost);
      try {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [LOCK]);
        if (!rows[0]?.ok) {
          await this.pause.for(Math.max(checkMs, 1_000));
          continue;
        }
        // Another instance may have sealed while this one stood by: start from the log as it is.
        this.fold = undefined;
        stopTapping = this.options.tailReads?.((after, page) => this.tapped.add(after, page));
        while (!this.stopping && !lost) {
          try {
            await this.catchUp();
            if (this.due()) await this.seal();
          } catch (error) {
            this.fold = undefined;
            this.log('error', 'log seal failed; retrying', { error: (error as Error).message });
            await this.pause.for(5_000);
          }
          await this.pause.for(checkMs);
        }
      } catch (error) {
        this.log('error', 'log sealer stopped; retrying', { error: (error as Error).message });
        await this.pause.for(5_000);
      } finally {
        stopTapping?.();
        this.tapped.clear();
        client.off('error', onLost);
        await client.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
        client.release(true);
      }
    }
  }

  private due(): boolean {
    if (this.unsealed === 0) return false;
    return this.unsealed >= this.options.everyEvents || this.options.clock.now().getTime() - this.lastSealAt >= this.options.intervalMs;
  }

  /** Folds what is new; on the first call, the whole log, taking up where the last seal left off. */
  private async catchUp(): Promise<void> {
    let fold = this.fold;
    let lastSealPosition: LogPosition | undefined;
    if (!fold) {
      fold = new LogFold();
      this.foldedThrough = START;
      this.unsealed = 0;
      const last = await this.lastSeal();
      // Without any seal, the first one comes an interval after start, like every other.
      this.lastSealAt = last ? Date.parse(last.sealedAt) : this.options.clock.now().getTime();
      lastSealPosition = last ? parsePosition(last.position) : undefined;
      this.keyAdopted = await this.isKeyAdopted();
    }
    let atEnd = false;
    for (;;) {
      // What others read already, where it continues the fold; else, unless a page reached the end, a read of its own.
      const tapped = this.tapped.take(this.foldedThrough, this.times);
      if (!tapped && atEnd) break;
      const page = tapped ?? (await this.readLeaves(this.foldedThrough, PAGE));
      for (const leaf of page.leaves) {
        if (lastSealPosition && comparePositions(parsePosition(leaf.position), lastSealPosition) > 0) {
          // What the last seal already listed is not listed again.
          fold.takeTouchedHeads();
          this.unsealed = 0;
          lastSealPosition = undefined;
        }
        fold.add(leaf);
        if (!leaf.streamId.startsWith('log_seal-')) this.unsealed++;
      }
      this.foldedThrough = page.checkpoint;
      atEnd = page.isEnd;
      if (atEnd && !tapped) break;
    }
    if (lastSealPosition) {
      fold.takeTouchedHeads();
      this.unsealed = 0;
    }
    this.fold = fold;
  }

  private async seal(): Promise<LogSeal | undefined> {
    const fold = this.fold;
    if (!fold || fold.position === null) return undefined;
    const now = this.options.clock.now();
    const { key } = this.options;
    if (!this.keyAdopted) {
      await adoptSealKey(this.options.events, key, now);
      this.keyAdopted = true;
    }
    const seal = signSeal(
      {
        position: fold.position,
        eventCount: fold.eventCount,
        rootHash: fold.tree.root().toString('hex'),
        sealedAt: now.toISOString(),
        keyId: key.keyId,
        algorithm: SEAL_ALGORITHM,
        heads: fold.takeTouchedHeads(),
      },
      key.privateKey,
    );
    try {
      const appended = await this.options.events.append(LOG_SEAL_STREAM, [logSealedEvent(seal)], {
        expectedRevision: 'any',
        metadata: sealerMetadata(now, `the log up to ${seal.position} (${seal.eventCount} events)`),
        ...this.sealStreamEnd,
      });
      this.sealStreamEnd = previousAfter(appended.events.at(-1));
    } catch (error) {
      // The heads were taken: fold again next time, so the next seal lists them.
      this.fold = undefined;
      this.sealStreamEnd = {};
      throw error;
    }
    this.unsealed = 0;
    this.lastSealAt = now.getTime();
    if (this.options.witnessDir) await writeWitness(this.options.witnessDir, seal);
    this.log('info', 'log sealed', { position: seal.position, eventCount: seal.eventCount, keyId: seal.keyId });
    return seal;
  }

  private async lastSeal(): Promise<LogSeal | undefined> {
    let last: StoredEvent | undefined;
    this.sealStreamEnd = {};
    try {
      [last] = await this.options.events.readStream(LOG_SEAL_STREAM, { direction: 'backwards', maxCount: 1 });
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
    }
    this.sealStreamEnd = previousAfter(last);
    return last ? sealFromJson(last.data) : undefined;
  }

  private async isKeyAdopted(): Promise<boolean> {
    try {
      const events = await this.options.events.readStream(LOG_SEAL_KEYS_STREAM);
      return events.some((event) => event.type === LOG_SEAL_KEY_ADOPTED && event.data['keyId'] === this.options.key.keyId);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return false;
      throw error;
    }
  }

  private log(level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>): void {
    this.options.log?.(level, message, fields);
  }
}

/** Records that seals are signed with `key` from now on: what the sealer does before its first seal with a new key. */
export async function adoptSealKey(events: Pick<GovernanceEventStore, 'append'>, key: SealSigningKey, now: Date): Promise<void> {
  await events.append(
    LOG_SEAL_KEYS_STREAM,
    [sealKeyAdoptedEvent({ keyId: key.keyId, algorithm: SEAL_ALGORITHM, publicKeyJwk: key.publicKeyJwk })],
    { expectedRevision: 'any', metadata: sealerMetadata(now, `seals are signed with key ${key.keyId} from now on`) },
  );
}

function sealerMetadata(now: Date, reason: string): EventMetadata {
  return {
    actorId: null,
    actorRoles: [],
    authority: 'the log sealer',
    reason,
    source: 'automation',
    correlationId: randomUUID(),
    causationId: null,
    commandId: null,
    occurredAt: now.toISOString(),
  };
}

/** One file per seal, named so that a listing sorts by event count; written aside and renamed, never half there. */
export async function writeWitness(dir: string, seal: LogSeal): Promise<string> {
  await mkdir(dir, { recursive: true });
  const name = `seal-${String(seal.eventCount).padStart(12, '0')}-${seal.position.replace(':', '-')}.json`;
  const temporary = join(dir, `.${name}.${process.pid}.tmp`);
  await writeFile(temporary, `${JSON.stringify(sealToJson(seal))}\n`);
  await rename(temporary, join(dir, name));
  return join(dir, name);
}

/** The seals in a witness directory, by position; files that are not seals are left alone (the directory is shared). */
export async function readWitness(dir: string): Promise<LogSeal[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const seals: LogSeal[] = [];
  for (const name of names.filter((n) => /^seal-\d{12}-\d+-\d+\.json$/.test(n))) {
    try {
      const seal = sealFromJson(JSON.parse(await readFile(join(dir, name), 'utf8')));
      if (seal) seals.push(seal);
    } catch {
      // An unreadable copy proves nothing either way; the log's own seals still count.
    }
  }
  return seals.sort((a, b) => comparePositionText(a.position, b.position));
}
