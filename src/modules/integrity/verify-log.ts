import type { KeyObject } from 'node:crypto';
import {
  checkLink,
  positionToString,
  START,
  StreamNotFoundError,
  ZERO_HASH,
  type EventStore,
  type LogPosition,
  type RecordedEvent,
} from '#event-store';
import { BreakList, SealCheck, type IntegrityBreak } from './integrity-check.ts';
import { comparePositionText, LOG_SEAL_STREAM, LOG_SEALED, sealFromJson, type LogSeal } from './log-seal.ts';
import { leafFieldsOf } from './leaf-reader.ts';

export interface IntegrityResult {
  readonly verifiedEvents: number;
  readonly ok: boolean;
  readonly breaks: readonly IntegrityBreak[];
  /** How many breaks there were in all (only the first MAX_REPORTED_BREAKS are listed). */
  readonly totalBreaks: number;
  readonly latestSeal: LogSeal | null;
  readonly unsealedEvents: number;
}

interface ChainState {
  readonly head: { revision: number; hash: string };
  /** Events that came before their predecessor, by revision; made when the first one does (a Map per stream was most of what verifying kept per stream). */
  pending: Map<number, RecordedEvent> | undefined;
  broken: boolean;
}

const MAX_PENDING = 1000;

function hasWaiting(state: ChainState): boolean {
  return state.pending !== undefined && state.pending.size > 0;
}

/**
 * Each stream's hash chain, fed in log order: an altered event (HASH_MISMATCH), a revision missing (MISSING_EVENT), a
 * revision seen twice or after a later one (REORDERED). An event that comes before its predecessor waits (bounded),
 * as in verifyLog: the order within a stream is the seals' to judge.
 */
class ChainCheck {
  private readonly streams = new Map<string, ChainState>();
  verified = 0;

  constructor(
    private readonly breaks: BreakList,
    private readonly onBroken: (streamId: string) => void,
  ) {}

  add(event: RecordedEvent): void {
    let state = this.streams.get(event.streamId);
    if (!state) {
      state = { head: { revision: -1, hash: ZERO_HASH }, pending: undefined, broken: false };
      this.streams.set(event.streamId, state);
    }
    if (state.broken) return;
    const next = state.head.revision + 1;
    if (event.revision < next || state.pending?.has(event.revision)) {
      return this.fail(
        state,
        event,
        'REORDERED',
        `revision ${event.revision} of ${event.streamId} appears again after revision ${state.head.revision}`,
      );
    }
    if (event.revision > next) {
      const pending = (state.pending ??= new Map());
      pending.set(event.revision, event);
      if (pending.size > MAX_PENDING) this.missing(state, event.streamId);
      return;
    }
    this.link(state, event);
    for (
      let waiting = state.pending?.get(state.head.revision + 1);
      waiting && !state.broken;
      waiting = state.pending?.get(state.head.revision + 1)
    ) {
      state.pending!.delete(waiting.revision);
      this.link(state, waiting);
    }
  }

  finish(): void {
    for (const [streamId, state] of this.streams) if (!state.broken && hasWaiting(state)) this.missing(state, streamId);
  }

  /**
   * A seal is about to compare these streams: one still waiting for a revision lacks it (everything up to the seal's
   * position has been read), which is the precise finding; the seal would only see a head that moved.
   */
  reportGaps(streamIds: readonly string[]): void {
    for (const streamId of streamIds) {
      const state = this.streams.get(streamId);
      if (state && !state.broken && hasWaiting(state)) this.missing(state, streamId);
    }
  }

  private link(state: ChainState, event: RecordedEvent): void {
    const result = checkLink(state.head, event);
    if ('reason' in result) {
      return this.fail(
        state,
        event,
        'HASH_MISMATCH',
        `revision ${event.revision} of ${event.streamId} does not match its hash (${result.reason}): it, or the event before it, was altered`,
      );
    }
    // In place: an object per event folded was garbage at every one.
    state.head.revision = event.revision;
    state.head.hash = result.hash;
    this.verified++;
  }

  private missing(state: ChainState, streamId: string): void {
    const pending = state.pending!;
    const lowest = Math.min(...pending.keys());
    const expected = state.head.revision + 1;
    this.fail(
      state,
      pending.get(lowest)!,
      'MISSING_EVENT',
      `stream ${streamId} goes from revision ${state.head.revision} to ${lowest}: revision ${expected}${lowest - 1 > expected ? ` to ${lowest - 1}` : ''} is missing`,
    );
  }

  private fail(state: ChainState, event: RecordedEvent, kind: IntegrityBreak['kind'], detail: string): void {
    state.broken = true;
    state.pending = undefined;
    this.onBroken(event.streamId);
    this.breaks.add({ kind, position: positionToString(event.position), streamId: event.streamId, revision: event.revision, detail });
  }
}

export interface VerifyOptions {
  /** Public keys by key id (sealKeys): the current key and every retired one. */
  readonly keys: ReadonlyMap<string, KeyObject>;
  readonly pageSize?: number;
  /** Seals read from LOG_SEAL_WITNESS_DIR, sorted by position. */
  readonly witness?: readonly LogSeal[];
}

/**
 * Reads the seals as the log passes them (they are in the log themselves, after what they cover) and the log once:
 * memory is that of the streams' heads, whatever the log's length.
 */
class SealReader {
  private buffer: LogSeal[] = [];
  private nextRevision = 0;
  private done = false;
  /** Positions and signatures of the seals found in the log so far: what a witness copy is matched against. */
  private readonly inLog = new Map<string, string>();
  private witnessAt = 0;

  constructor(
    private readonly store: Pick<EventStore, 'readStream'>,
    private readonly breaks: BreakList,
    /** The copies in LOG_SEAL_WITNESS_DIR, by position: a seal deleted from the log is still checked, and reported. */
    private readonly witness: readonly LogSeal[] = [],
  ) {}

  /** Seals up to (and a little past) `position`, in the order of their positions. */
  async upTo(position: LogPosition | undefined): Promise<LogSeal[]> {
    while (!this.done && (position === undefined || this.buffer.length === 0 || !past(this.buffer.at(-1)!, position))) {
      let page: RecordedEvent[];
      try {
        page = await this.store.readStream(LOG_SEAL_STREAM, { fromRevision: this.nextRevision, maxCount: 100 });
      } catch (error) {
        if (!(error instanceof StreamNotFoundError)) throw error;
        page = [];
      }
      if (page.length < 100) this.done = true;
      for (const event of page) {
        this.nextRevision = event.revision + 1;
        if (event.type !== LOG_SEALED) continue;
        const seal = sealFromJson(safeParse(event.data));
        if (seal) {
          this.buffer.push(seal);
          this.inLog.set(seal.position, seal.signature);
        } else {
          this.breaks.add({
            kind: 'BAD_SEAL',
            position: positionToString(event.position),
            streamId: LOG_SEAL_STREAM,
            revision: event.revision,
            detail: `the seal at revision ${event.revision} of ${LOG_SEAL_STREAM} is not a well-formed seal`,
          });
        }
      }
    }
    const taken = this.buffer;
    this.buffer = [];
    return this.withWitness(taken);
  }

  /** The witness copies up to the last seal taken from the log (all of them once the log has no more), merged in. */
  private withWitness(taken: LogSeal[]): LogSeal[] {
    if (this.witness.length === 0) return taken;
    const limit = this.done ? undefined : taken.at(-1)?.position;
    if (!this.done && limit === undefined) return taken;
    const merged = [...taken];
    for (; this.witnessAt < this.witness.length; this.witnessAt++) {
      const copy = this.witness[this.witnessAt]!;
      if (limit !== undefined && comparePositionText(copy.position, limit) > 0) break;
      const signature = this.inLog.get(copy.position);
      if (signature === copy.signature) continue;
      if (signature !== undefined) {
        this.breaks.add({
          kind: 'BAD_SEAL',
          position: copy.position,
          streamId: LOG_SEAL_STREAM,
          revision: null,
          detail: `the seal at ${copy.position} in the log differs from its copy in the witness directory`,
        });
        continue;
      }
      this.breaks.add({
        kind: 'MISSING_EVENT',
        position: copy.position,
        streamId: LOG_SEAL_STREAM,
        revision: null,
        detail: `the seal at ${copy.position} (${copy.eventCount} events) is in the witness directory but not in the log: seals were deleted`,
      });
      merged.push(copy);
    }
    return merged.sort((a, b) => comparePositionText(a.position, b.position));
  }
}

function past(seal: LogSeal, position: LogPosition): boolean {
  const [commit, prepare] = seal.position.split(':').map(BigInt) as [bigint, bigint];
  return commit > position.commit || (commit === position.commit && prepare >= position.prepare);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The whole log: every chain, every seal, every root. */
export async function verifyWholeLog(store: Pick<EventStore, 'readAll' | 'readStream'>, options: VerifyOptions): Promise<IntegrityResult> {
  const breaks = new BreakList();
  const chains: ChainCheck = new ChainCheck(breaks, (streamId) => seals.markBroken(streamId));
  const seals = new SealCheck({ keys: options.keys, breaks, beforeCheck: (ids) => chains.reportGaps(ids) });
  const reader = new SealReader(store, breaks, options.witness);
  let after: LogPosition = START;
  for (;;) {
    const page = await store.readAll({ after, maxCount: options.pageSize ?? 2000 });
    for (const seal of await reader.upTo(page.events.at(-1)?.position)) seals.queue(seal);
    for (const event of page.events) {
      chains.add(event);
      seals.add(leafFieldsOf(event));
    }
    after = page.checkpoint;
    if (page.isEnd) break;
  }
  for (const seal of await reader.upTo(undefined)) seals.queue(seal);
  chains.finish();
  const sealed = seals.finish();
  return result(chains.verified, breaks, sealed);
}

/** One stream: its chain, and where every seal says it ended. */
export async function verifyOneStream(
  store: Pick<EventStore, 'readStream'>,
  streamId: string,
  options: VerifyOptions,
): Promise<IntegrityResult | undefined> {
  const breaks = new BreakList();
  const chains: ChainCheck = new ChainCheck(breaks, (id) => seals.markBroken(id));
  const seals = new SealCheck({ keys: options.keys, breaks, streamId, beforeCheck: (ids) => chains.reportGaps(ids) });
  const reader = new SealReader(store, breaks, options.witness);
  const events: RecordedEvent[] = [];
  const pageSize = options.pageSize ?? 1000;
  for (let from = 0; ;) {
    let page: RecordedEvent[];
    try {
      page = await store.readStream(streamId, { fromRevision: from, maxCount: pageSize });
    } catch (error) {
      if (!(error instanceof StreamNotFoundError)) throw error;
      page = [];
    }
    events.push(...page);
    if (page.length < pageSize) break;
    from = page.at(-1)!.revision + 1;
  }
  // In log order, as the seals saw the stream.
  events.sort((a, b) =>
    a.position.commit !== b.position.commit
      ? a.position.commit < b.position.commit
        ? -1
        : 1
      : a.position.prepare < b.position.prepare
        ? -1
        : a.position.prepare > b.position.prepare
          ? 1
          : 0,
  );
  for (const seal of await reader.upTo(undefined)) seals.queue(seal);
  for (const event of events) {
    chains.add(event);
    seals.add(leafFieldsOf(event));
  }
  chains.finish();
  const sealed = seals.finish();
  // A stream that never existed is not found; one the seals remember is missing.
  if (events.length === 0 && breaks.total === 0) return undefined;
  return result(chains.verified, breaks, sealed);
}

function result(verified: number, breaks: BreakList, sealed: ReturnType<SealCheck['finish']>): IntegrityResult {
  return {
    verifiedEvents: verified,
    ok: breaks.total === 0,
    breaks: breaks.items,
    totalBreaks: breaks.total,
    latestSeal: sealed.latestSeal ?? null,
    unsealedEvents: sealed.unsealedEvents,
  };
}
