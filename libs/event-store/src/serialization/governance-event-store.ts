import { randomUUID } from 'node:crypto';
import { InvalidAppendError, StreamNotFoundError, WrongExpectedRevisionError } from '../errors.ts';
import type { EventStore, EventToAppend, ExpectedRevision, ReadAllOptions, ReadStreamOptions, RecordedEvent } from '../event-store.port.ts';
import { readHistory, type ReadHistoryOptions } from '../history.ts';
import type { LogPosition } from '../position.ts';
import { deterministicEventId } from './event-ids.ts';
import { parseStoredMetadata, storedMetadataObject, validateMetadata, type EventMetadata } from './event-metadata.ts';
import type { EventSchemaRegistry } from './event-schema.ts';
import { IntegrityChainError } from './errors.ts';
import { sealMetadata, storedHash, StreamChainVerifier, verifyLog, ZERO_HASH, type ChainVerification } from './integrity.ts';
import { memoizedLookup, protectPersonalData, revealPersonalData, type KeyLookup, type KeyStore } from './personal-data.ts';
import { upcast } from './upcasters.ts';

/** An event as domain code, projections and the audit see it. */
export interface StoredEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
  /** The version `data` is in: the current one after upcasting, or the stored one for a type this code does not know. */
  readonly schemaVersion: number;
  /** Upcast, personal fields decrypted or "[redacted]". */
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
  /** The integrity hash; null for an event written around this layer (it cannot verify). */
  readonly hash: string | null;
  readonly position: LogPosition;
  readonly recordedAt: Date;
}

/**
 * An event as an append reports it. The port answers an append with the position of its last event only, and the
 * server stamps `recordedAt`, so those two are known only by reading the event back.
 */
export type AppendedEvent = Omit<StoredEvent, 'position' | 'recordedAt'>;

export interface NewEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

export interface GovernanceAppendOptions {
  readonly expectedRevision: ExpectedRevision;
  readonly metadata: EventMetadata;
  /** Default: derived from metadata.commandId when there is one, else random. */
  readonly eventIds?: readonly string[];
  /**
   * The stream's last event as the caller just read it (null: the caller found the stream empty); saves reading it
   * again to extend the hash chain. The port still checks the revision, so a stale value cannot break the chain.
   * One imprecision: if these event ids were already appended right after `previous` (a concurrent duplicate), the
   * port answers its original result, but the events reported are this call's serialisation (same ids, revisions
   * and plaintext; other ciphertext and hash), because the port's AppendResult does not say it replayed.
   */
  readonly previous?: { readonly revision: number; readonly hash: string } | null;
}

/**
 * The `previous` to append after the stream's last event as the caller read it (undefined: it found the stream
 * empty): null for an empty stream, the event's revision and hash otherwise, and nothing for an event without a hash
 * (written around this layer), so that append reads the head and refuses to chain from it.
 */
export function previousAfter(
  last: { readonly revision: number; readonly hash: string | null } | undefined,
): Pick<GovernanceAppendOptions, 'previous'> {
  if (!last) return { previous: null };
  return last.hash ? { previous: { revision: last.revision, hash: last.hash } } : {};
}

export interface GovernanceAppendResult {
  readonly nextExpectedRevision: number;
  /** Log position of the last event: what a read-your-writes wait waits for. */
  readonly position: LogPosition;
  readonly events: AppendedEvent[];
}

export interface GovernanceReadAllPage {
  readonly events: StoredEvent[];
  readonly checkpoint: LogPosition;
  readonly isEnd: boolean;
}

export interface GovernanceHistoryPage {
  /** In the reading direction. */
  readonly events: StoredEvent[];
  readonly hasMore: boolean;
}

/** Every subject as if forgotten: its personal fields read as "[redacted]" (see readStreamWithoutPersonalData). */
const NO_KEY: KeyLookup = async () => undefined;

export interface GovernanceEventStoreOptions {
  readonly store: EventStore;
  readonly schemas: EventSchemaRegistry;
  readonly keys: KeyStore;
  /** Re-reads of the stream head when a concurrent append took it ('any' and 'stream_exists' only). Default 5. */
  readonly conflictRetries?: number;
  /** Events per read when verifying a stream. Default 1000. */
  readonly verifyPageSize?: number;
}

interface StreamHead {
  readonly revision: number;
  readonly hash: string;
}

interface PreparedEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly dataText: string;
  readonly readable: Record<string, unknown>;
}

const EMPTY_STREAM: StreamHead = Object.freeze({ revision: -1, hash: ZERO_HASH });
const HASH = /^[0-9a-f]{64}$/;

/**
 * The store domain code uses, above the port: metadata, schema versions and upcasting, personal-data encryption and
 * the per-stream hash chain. Both adapters sit below it unchanged, since everything here travels as JSON text.
 */
export class GovernanceEventStore {
  private readonly store: EventStore;
  private readonly schemas: EventSchemaRegistry;
  private readonly keys: KeyStore;
  private readonly conflictRetries: number;
  private readonly verifyPageSize: number;

  constructor(options: GovernanceEventStoreOptions) {
    this.store = options.store;
    this.schemas = options.schemas;
    this.keys = options.keys;
    this.conflictRetries = options.conflictRetries ?? 5;
    this.verifyPageSize = options.verifyPageSize ?? 1000;
  }

  /**
   * Appends with the exact revision the chain was extended from, so a concurrent writer makes the port refuse
   * (WrongExpectedRevisionError) rather than leave two events chained to the same predecessor.
   */
  async append(streamId: string, events: readonly NewEvent[], options: GovernanceAppendOptions): Promise<GovernanceAppendResult> {
    if (events.length === 0) throw new InvalidAppendError(`stream ${streamId}: nothing to append`);
    validateMetadata(options.metadata);
    const ids = this.eventIds(streamId, events.length, options);
    // Encrypt once: a retry after a conflict re-chains the same bytes instead of producing new ciphertexts.
    const keyFor = memoizedLookup((subject) => this.keys.getOrCreateKey(subject));
    const prepared: PreparedEvent[] = [];
    for (const [index, event] of events.entries()) {
      const schema = this.schemas.require(event.type);
      if (event.data === null || typeof event.data !== 'object' || Array.isArray(event.data)) {
        throw new InvalidAppendError(`stream ${streamId}: data of ${event.type} must be an object`);
      }
      const { storedText, readable } = await protectPersonalData(schema, event.data, keyFor);
      prepared.push({ id: ids[index]!, type: event.type, schemaVersion: schema.schemaVersion, dataText: storedText, readable });
    }

    const expected = options.expectedRevision;
    // The port would accept these whatever the revision, so a conflict caused only by our exact-revision append is ours to retry.
    const retries = expected === 'any' || expected === 'stream_exists' ? this.conflictRetries : 0;
    for (let attempt = 0; ; attempt++) {
      const head = await this.head(streamId, attempt === 0 ? options.previous : undefined);
      if (!satisfies(expected, head.revision)) {
        const replay = await this.findReplay(streamId, expected, head.revision, prepared);
        if (replay) return replay;
        throw new WrongExpectedRevisionError(streamId, expected, head.revision < 0 ? undefined : head.revision);
      }
      const chained = chain(streamId, head, prepared, options.metadata);
      let result;
      try {
        result = await this.store.appendToStream(
          streamId,
          chained.map((c) => c.toAppend),
          head.revision < 0 ? 'no_stream' : head.revision,
        );
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt < retries) continue;
        throw new WrongExpectedRevisionError(streamId, expected, error.actual);
      }
      if (result.nextExpectedRevision !== head.revision + prepared.length) {
        // The port answered an idempotent retry with the original result: report the events it kept, not ours.
        const original = await this.store.readStream(streamId, {
          fromRevision: result.nextExpectedRevision - prepared.length + 1,
          toRevision: result.nextExpectedRevision,
        });
        return {
          nextExpectedRevision: result.nextExpectedRevision,
          position: result.position,
          events: await this.deserializeAll(original),
        };
      }
      return { nextExpectedRevision: result.nextExpectedRevision, position: result.position, events: chained.map((c) => c.appended) };
    }
  }

  /** Throws StreamNotFoundError, like the port, when the stream has no events. */
  async readStream(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.deserializeAll(await this.store.readStream(streamId, options));
  }

  /**
   * The stream with every personal field read as "[redacted]", as after an erasure, and no key read: for a decision
   * that needs none of them (whether a member is registered, active or gone). A key read was a query in every other
   * group-owner assignment, and a decryption per event, for fields nobody looked at. Throws StreamNotFoundError, like
   * readStream. Never to decide on what the personal fields say, nor to copy them into a new event.
   */
  async readStreamWithoutPersonalData(streamId: string, options?: ReadStreamOptions): Promise<StoredEvent[]> {
    return this.deserializeAll(await this.store.readStream(streamId, options), NO_KEY);
  }

  async readAll(options: ReadAllOptions): Promise<GovernanceReadAllPage> {
    const page = await this.store.readAll(options);
    return { events: await this.deserializeAll(page.events), checkpoint: page.checkpoint, isEnd: page.isEnd };
  }

  /**
   * A page of the log's history, filtered (stream, category, type, actor, correlation id, recorded time), newest or
   * oldest first from a cursor: the store's indexed query where it has one, else a scan (see readHistory).
   */
  async readHistory(options: ReadHistoryOptions): Promise<GovernanceHistoryPage> {
    const page = await readHistory(this.store, options);
    return { events: await this.deserializeAll(page.events), hasMore: page.hasMore };
  }

  /** For readers of the port itself (projection runner, subscriptions). Pass one `keyFor` per batch to look each key up once. */
  async deserialize(recorded: RecordedEvent, keyFor: KeyLookup = (subject) => this.keys.getKey(subject)): Promise<StoredEvent> {
    const { metadata, schemaVersion: storedVersion } = parseStoredMetadata(recorded.metadata);
    const parsed = JSON.parse(recorded.data) as unknown;
    let data: Record<string, unknown>;
    let schemaVersion = storedVersion;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      const revealed = await revealPersonalData(parsed as Record<string, unknown>, keyFor);
      ({ data, schemaVersion } = upcast(this.schemas.get(recorded.type), recorded.type, storedVersion, revealed));
    } else {
      // Only an event written around this layer can hold non-object data; the audit shows it as it is.
      data = parsed as Record<string, unknown>;
    }
    return {
      id: recorded.id,
      streamId: recorded.streamId,
      revision: recorded.revision,
      type: recorded.type,
      schemaVersion,
      data,
      metadata,
      hash: storedHash(recorded.metadata) ?? null,
      position: recorded.position,
      recordedAt: recorded.recordedAt,
    };
  }

  /** `keyFor`: by default each subject's key, looked up once for the batch. */
  async deserializeAll(
    events: readonly RecordedEvent[],
    keyFor: KeyLookup = memoizedLookup((subject) => this.keys.getKey(subject)),
  ): Promise<StoredEvent[]> {
    const result: StoredEvent[] = [];
    for (const event of events) result.push(await this.deserialize(event, keyFor));
    return result;
  }

  /** Throws StreamNotFoundError when the stream has no events. */
  async verifyStream(streamId: string): Promise<ChainVerification> {
    const verifier = new StreamChainVerifier(streamId);
    for (let from = 0; ;) {
      const page = await this.store.readStream(streamId, { fromRevision: from, maxCount: this.verifyPageSize });
      verifier.add(page);
      const last = page.at(-1);
      if (!last || page.length < this.verifyPageSize || verifier.done) break;
      from = last.revision + 1;
    }
    return verifier.result();
  }

  verifyAll(): Promise<ChainVerification> {
    return verifyLog(this.store, { pageSize: this.verifyPageSize });
  }

  /** The top-level data fields of an event type that hold personal data: what a copy sent outside must leave out. */
  personalFieldsOf(type: string): readonly string[] {
    return this.schemas.get(type)?.personal?.fields ?? [];
  }

  /** Erasure: the subject's personal fields read as "[redacted]" from now on; no stored byte changes. */
  forgetSubject(subjectId: string): Promise<void> {
    return this.keys.forget(subjectId);
  }

  private eventIds(streamId: string, count: number, options: GovernanceAppendOptions): string[] {
    if (options.eventIds) {
      if (options.eventIds.length !== count) {
        throw new InvalidAppendError(`stream ${streamId}: ${options.eventIds.length} event ids for ${count} events`);
      }
      // Lower case because the stores give ids back that way, and the id is part of the hash.
      return options.eventIds.map((id) => id.toLowerCase());
    }
    const commandId = options.metadata.commandId;
    return Array.from({ length: count }, (_, index) => (commandId ? deterministicEventId(commandId, streamId, index) : randomUUID()));
  }

  private async head(streamId: string, previous: GovernanceAppendOptions['previous']): Promise<StreamHead> {
    if (previous === null) return EMPTY_STREAM;
    if (previous) {
      if (!Number.isSafeInteger(previous.revision) || previous.revision < 0 || !HASH.test(previous.hash)) {
        throw new InvalidAppendError(`stream ${streamId}: previous must be the last event's revision and 64-hex hash`);
      }
      return previous;
    }
    // Read even for 'no_stream': a retry of an append that did land is then recognised and answered exactly.
    let last: RecordedEvent | undefined;
    try {
      [last] = await this.store.readStream(streamId, { direction: 'backwards', maxCount: 1 });
    } catch (error) {
      if (error instanceof StreamNotFoundError) return EMPTY_STREAM;
      throw error;
    }
    if (!last) return EMPTY_STREAM;
    const hash = storedHash(last.metadata);
    if (hash === undefined)
      throw new IntegrityChainError(streamId, last.revision, 'the last event carries no integrity hash, so the chain cannot be extended');
    return { revision: last.revision, hash };
  }

  /**
   * The caller's revision no longer holds, but the stream may already hold exactly these events right after it:
   * an append retried after its answer was lost. Then the original result is the answer.
   */
  private async findReplay(
    streamId: string,
    expected: ExpectedRevision,
    actual: number,
    prepared: readonly PreparedEvent[],
  ): Promise<GovernanceAppendResult | undefined> {
    if (expected !== 'no_stream' && typeof expected !== 'number') return undefined;
    const before = expected === 'no_stream' ? -1 : expected;
    if (actual < before + prepared.length) return undefined;
    const found = await this.store.readStream(streamId, { fromRevision: before + 1, maxCount: prepared.length });
    if (found.length !== prepared.length || found.some((event, i) => event.id.toLowerCase() !== prepared[i]!.id)) return undefined;
    const last = found.at(-1)!;
    return { nextExpectedRevision: last.revision, position: last.position, events: await this.deserializeAll(found) };
  }
}

function satisfies(expected: ExpectedRevision, revision: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no_stream') return revision === -1;
  if (expected === 'stream_exists') return revision >= 0;
  return revision === expected;
}

function chain(
  streamId: string,
  head: StreamHead,
  prepared: readonly PreparedEvent[],
  metadata: EventMetadata,
): { toAppend: EventToAppend; appended: AppendedEvent }[] {
  let previousHash = head.hash;
  return prepared.map((event, index) => {
    const revision = head.revision + 1 + index;
    const sealed = sealMetadata(storedMetadataObject(metadata, event.schemaVersion), previousHash, {
      id: event.id,
      streamId,
      revision,
      type: event.type,
      data: event.dataText,
    });
    previousHash = sealed.hash;
    return {
      toAppend: { id: event.id, type: event.type, data: event.dataText, metadata: sealed.text },
      appended: {
        id: event.id,
        streamId,
        revision,
        type: event.type,
        schemaVersion: event.schemaVersion,
        data: event.readable,
        metadata: parseStoredMetadata(sealed.text).metadata,
        hash: sealed.hash,
      },
    };
  });
}
