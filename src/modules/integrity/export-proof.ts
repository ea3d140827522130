import { positionToString, START, storedHash, ZERO_HASH, type EventStore, type LogPosition, type RecordedEvent } from '#event-store';
import { eventLeaf } from './log-fold.ts';
import { sealToJson, type LogSeal } from './log-seal.ts';
import { CompactRange } from './merkle.ts';
import { leafFieldsOf } from './leaf-reader.ts';

/** What an export line carries besides the event, so that it can be checked offline (scripts/verify-export.ts). */
export interface ExportLineProof {
  /** The chain hash of the stream's event before this one (ZERO_HASH at revision 0): the hash is recomputed from it. */
  readonly previousHash: string;
  /** The stored texts the hash covers; personal fields stay encrypted here, so erasure does not change them. */
  readonly stored: { readonly data: string; readonly metadata: string } | null;
  /** The leaves of the events a filter left out just before this one, as compact-range nodes [size, hex]. */
  readonly skipped?: [number, string][];
}

export interface ExportSummaryProof {
  readonly seals: Record<string, unknown>[];
  /** Leaves after the last exported event up to the newest seal, as compact-range nodes. */
  readonly skippedAfter: [number, string][];
}

const PAGE = 1000;

/**
 * Walks the whole log (the port's readAll, in log order) alongside an export, which may be filtered: for each exported
 * event it gives the stored bytes and the previous hash of its stream, and for the events in between their part of
 * the Merkle tree, cut at every seal's event count so that a verifier can check each seal when it reaches it.
 */
export class ExportProof {
  private buffer: RecordedEvent[] = [];
  private after: LogPosition = START;
  private end = false;
  private index = 0;
  private range: CompactRange;
  private pendingNodes: [number, string][] = [];
  private readonly lastHash = new Map<string, string>();
  private readonly sealCounts: Set<number>;

  constructor(
    private readonly store: Pick<EventStore, 'readAll'>,
    private readonly seals: readonly LogSeal[],
  ) {
    this.sealCounts = new Set(seals.map((seal) => seal.eventCount));
    this.range = new CompactRange(0);
  }

  /** For each event of a page (in log order), its proof fields. */
  async annotate(events: readonly { position: LogPosition; streamId: string; id: string }[]): Promise<ExportLineProof[]> {
    const proofs: ExportLineProof[] = [];
    for (const event of events) {
      const target = positionToString(event.position);
      let raw: RecordedEvent | undefined;
      for (let next = await this.peek(); next; next = await this.peek()) {
        if (comparePosition(next.position, event.position) > 0) break;
        this.buffer.shift();
        if (positionToString(next.position) === target) {
          raw = next;
          break;
        }
        this.skip(next);
      }
      this.flushRange();
      const skipped = this.pendingNodes;
      this.pendingNodes = [];
      const previousHash = this.lastHash.get(event.streamId) ?? ZERO_HASH;
      if (raw) this.consume(raw);
      proofs.push({
        previousHash,
        stored: raw ? { data: raw.data, metadata: raw.metadata } : null,
        ...(skipped.length > 0 ? { skipped } : {}),
      });
    }
    return proofs;
  }

  /** The seals up to `through`, and the leaves after the last exported event up to the newest of them. */
  async summary(): Promise<ExportSummaryProof | undefined> {
    // No seal yet: the lines' own proof (stored bytes, previous hash) is all there is, and the summary stays as it was.
    if (this.seals.length === 0) return undefined;
    const last = this.seals.at(-1);
    while (last && this.index < last.eventCount) {
      const next = await this.peek();
      if (!next) break;
      this.buffer.shift();
      this.skip(next);
    }
    this.flushRange();
    return { seals: this.seals.map(sealToJson), skippedAfter: this.pendingNodes };
  }

  private skip(event: RecordedEvent): void {
    this.range.append(eventLeaf(leafFieldsOf(event)));
    this.consume(event);
    if (this.sealCounts.has(this.index)) this.flushRange();
  }

  private consume(event: RecordedEvent): void {
    this.lastHash.set(event.streamId, storedHash(event.metadata) ?? '');
    if (this.range.length === 0) this.range = new CompactRange(this.index + 1);
    this.index++;
  }

  private flushRange(): void {
    if (this.range.length > 0) this.pendingNodes.push(...this.range.toJson());
    this.range = new CompactRange(this.index);
  }

  private async peek(): Promise<RecordedEvent | undefined> {
    if (this.buffer.length === 0 && !this.end) {
      const page = await this.store.readAll({ after: this.after, maxCount: PAGE });
      this.buffer = [...page.events];
      this.after = page.checkpoint;
      this.end = page.isEnd;
    }
    return this.buffer[0];
  }
}

function comparePosition(a: LogPosition, b: LogPosition): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
