import type { KeyObject } from 'node:crypto';
import { headFieldMatches, LogFold, type LeafFields, type StreamHead } from './log-fold.ts';
import { comparePositionText, sealSignatureValid, type LogSeal } from './log-seal.ts';

export type IntegrityBreakKind = 'HASH_MISMATCH' | 'MISSING_EVENT' | 'TRUNCATED_STREAM' | 'MISSING_STREAM' | 'REORDERED' | 'BAD_SEAL';

export interface IntegrityBreak {
  readonly kind: IntegrityBreakKind;
  readonly position: string | null;
  readonly streamId: string | null;
  readonly revision: number | null;
  readonly detail: string;
}

export const MAX_REPORTED_BREAKS = 1000;

/** Collects breaks, at most MAX_REPORTED_BREAKS of them, remembering that there were more. */
export class BreakList {
  readonly items: IntegrityBreak[] = [];
  total = 0;

  constructor(private readonly max = MAX_REPORTED_BREAKS) {}

  add(item: IntegrityBreak): void {
    this.total++;
    if (this.items.length < this.max) this.items.push(item);
  }
}

export interface SealCheckOptions {
  /** The public keys by key id that seals may be signed with. */
  readonly keys: ReadonlyMap<string, KeyObject>;
  /** Only this stream's events are fed in: compare its heads only, and no root (it needs every event). */
  readonly streamId?: string;
  /**
   * Leaves are fed in with gaps given as subtrees (a filtered export): each seal is checked when the fold reaches its
   * event count, by its root alone (a stream's head needs all of its events). Default: by position, heads and root.
   */
  readonly byCount?: boolean;
  readonly breaks: BreakList;
  /** Told just before a seal is checked, with the streams it lists: lets the chain check report its gaps first. */
  readonly beforeCheck?: (streamIds: readonly string[]) => void;
}

/**
 * Checks the log against its seals while the log is fed in, in log order. Each seal is checked when the log passes
 * its position, against the fold at that point: the signature, where each stream it lists ended (missing, truncated,
 * altered, moved, backdated: each its own kind) and the Merkle root over every event. The same code runs in the
 * service (verifyHistory) and offline (scripts/verify-export.ts), so both say the same thing about the same log.
 */
export class SealCheck {
  private readonly fold = new LogFold();
  private readonly waiting: LogSeal[] = [];
  private readonly brokenStreams = new Set<string>();
  private readonly streamPositions = new Map<string, string>();
  private lastQueued: string | undefined;
  private verified: LogSeal | undefined;
  /** A root that did not match is reported once: every later root differs too. */
  private rootReported = false;

  constructor(private readonly options: SealCheckOptions) {}

  /** Seals in the order they were made (by position); a bad one is reported and then ignored. */
  queue(seal: LogSeal): void {
    const key = this.options.keys.get(seal.keyId);
    if (!key) return this.bad(seal, `the seal at ${seal.position} is signed with key ${seal.keyId}, which is not a published seal key`);
    if (!sealSignatureValid(seal, key))
      return this.bad(seal, `the signature of the seal at ${seal.position} does not verify with key ${seal.keyId}`);
    if (this.lastQueued !== undefined && comparePositionText(seal.position, this.lastQueued) <= 0) {
      return this.bad(seal, `the seal at ${seal.position} comes after a seal at ${this.lastQueued}: seals only move forward`);
    }
    this.lastQueued = seal.position;
    this.waiting.push(seal);
  }

  add(fields: LeafFields): void {
    if (!this.options.byCount) this.checkSealsBefore(fields.position);
    this.fold.add(fields);
    this.streamPositions.set(fields.streamId, fields.position);
    if (this.options.byCount) this.checkSealsReached();
  }

  /** Leaves left out of a filtered export, as a compact range's node. */
  skip(size: number, hash: Buffer): void {
    this.fold.skip(size, hash);
    this.checkSealsReached();
  }

  private checkSealsReached(): void {
    while (this.waiting.length > 0 && this.fold.eventCount >= this.waiting[0]!.eventCount) this.check(this.waiting.shift()!);
  }

  /** Checks the seals past the last event, and answers the newest verified one and what no seal covers yet. */
  finish(): { latestSeal: LogSeal | undefined; unsealedEvents: number; eventCount: number } {
    while (this.waiting.length > 0) this.check(this.waiting.shift()!);
    return {
      latestSeal: this.verified,
      unsealedEvents: this.fold.eventCount - (this.verified && !this.options.streamId ? this.verified.eventCount : 0),
      eventCount: this.fold.eventCount,
    };
  }

  /** Whether a break was already reported for this stream (the chain check reports into the same list). */
  markBroken(streamId: string): void {
    this.brokenStreams.add(streamId);
  }

  private checkSealsBefore(position: string): void {
    while (this.waiting.length > 0 && comparePositionText(this.waiting[0]!.position, position) < 0) this.check(this.waiting.shift()!);
  }

  private check(seal: LogSeal): void {
    this.options.beforeCheck?.(seal.heads.map((head) => head.streamId));
    const before = this.options.breaks.total;
    for (const head of this.options.byCount ? [] : seal.heads) {
      if (this.options.streamId !== undefined && head.streamId !== this.options.streamId) continue;
      if (this.brokenStreams.has(head.streamId)) continue;
      this.compareHead(seal, head);
    }
    if (this.options.streamId === undefined) {
      const root = this.fold.tree.root().toString('hex');
      if (this.fold.eventCount !== seal.eventCount || root !== seal.rootHash) {
        // A break found before explains a different root; an unexplained one is this seal's, reported once.
        if (!this.rootReported && this.options.breaks.total === 0) {
          this.bad(
            seal,
            this.fold.eventCount !== seal.eventCount
              ? `the log holds ${this.fold.eventCount} events up to ${seal.position}; the seal says ${seal.eventCount}: events were removed or added below it`
              : `the root over the ${seal.eventCount} events up to ${seal.position} does not match the seal's: a sealed event was altered, moved or replaced`,
          );
        }
        this.rootReported = true;
        return;
      }
    }
    if (this.options.breaks.total === before && !this.rootReported) this.verified = seal;
  }

  private compareHead(seal: LogSeal, sealed: StreamHead): void {
    const found = this.fold.head(sealed.streamId);
    const at = `when the log was sealed at ${seal.position}`;
    const report = (kind: IntegrityBreak['kind'], revision: number, detail: string) => {
      this.brokenStreams.add(sealed.streamId);
      this.options.breaks.add({
        kind,
        position: this.streamPositions.get(sealed.streamId) ?? seal.position,
        streamId: sealed.streamId,
        revision,
        detail,
      });
    };
    if (!found) {
      return report(
        'MISSING_STREAM',
        sealed.revision,
        `stream ${sealed.streamId} had ${sealed.revision + 1} events ${at}; none of them is in the log`,
      );
    }
    if (found.revision < sealed.revision) {
      return report(
        'TRUNCATED_STREAM',
        sealed.revision,
        `stream ${sealed.streamId} ends at revision ${found.revision}; it had reached revision ${sealed.revision} ${at}`,
      );
    }
    if (found.revision > sealed.revision) {
      return report(
        'REORDERED',
        found.revision,
        `stream ${sealed.streamId} shows revision ${found.revision} before ${seal.position}; it was at revision ${sealed.revision} ${at}`,
      );
    }
    if (!headFieldMatches(found.hash, sealed.hash)) {
      return report(
        'HASH_MISMATCH',
        sealed.revision,
        `the chain of stream ${sealed.streamId} up to revision ${sealed.revision} differs from the one sealed at ${seal.position}: an event was altered and the chain recomputed`,
      );
    }
    if (!headFieldMatches(found.order, sealed.order)) {
      return report(
        'REORDERED',
        sealed.revision,
        `an event of stream ${sealed.streamId} up to revision ${sealed.revision} is at another log position than ${at}`,
      );
    }
    if (!headFieldMatches(found.time, sealed.time)) {
      return report(
        'HASH_MISMATCH',
        sealed.revision,
        `the recorded time of an event of stream ${sealed.streamId} up to revision ${sealed.revision} differs from the one sealed at ${seal.position}: it was changed (backdated?)`,
      );
    }
  }

  private bad(seal: LogSeal, detail: string): void {
    this.options.breaks.add({ kind: 'BAD_SEAL', position: seal.position, streamId: null, revision: null, detail });
  }
}
