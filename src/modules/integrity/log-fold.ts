import { hash } from 'node:crypto';
import { leafHash, leafHashBinary, MerkleFrontier } from './merkle.ts';

/** What a leaf of the log tree covers: enough that truncation, deletion, reordering and backdating all change it. */
export interface LeafFields {
  /** The event's chain hash (empty for an event written around the serialisation layer: it cannot verify anyway). */
  readonly hash: string;
  /** The log position in its string form, `<commit>:<prepare>`. */
  readonly position: string;
  readonly streamId: string;
  readonly revision: number;
  /** ISO 8601 with milliseconds, as the stores give it and the export writes it. */
  readonly recordedAt: string;
}

const LEAF_SCHEME = 'governance-log-leaf/v1';

const SCHEME_PART = `${Buffer.byteLength(LEAF_SCHEME, 'utf8')}:${LEAF_SCHEME},`;

const utf8Length = (part: string) => Buffer.byteLength(part, 'utf8');

/**
 * The leaf's bytes are its parts framed `<utf-8 length>:<bytes>,` (as the chain hash does), so no two leaves collide:
 * the scheme, the hash, the position, the stream id, the revision and the recorded time. Written out as one template
 * rather than a loop over an array of the parts: the sealer frames every event of the log, and the loop cost it about
 * a fifth of a microsecond an event (bench/log-seal.bench.ts counts sealing's share of an append).
 */
export function leafBytes(fields: LeafFields): string {
  const { hash, position, streamId, recordedAt } = fields;
  const revision = String(fields.revision); // ASCII digits and a sign: its length is its UTF-8 length
  return `${SCHEME_PART}${utf8Length(hash)}:${hash},${utf8Length(position)}:${position},${utf8Length(streamId)}:${streamId},${revision.length}:${revision},${utf8Length(recordedAt)}:${recordedAt},`;
}

export function eventLeaf(fields: LeafFields): Buffer {
  return leafHash(leafBytes(fields));
}

/**
 * Where a stream ended when a seal was made: the thing the log did not record before (issue 17). `hash` is the chain
 * hash of the last event (so an edit whose chain was recomputed shows), `order` and `time` are digests of the
 * positions and recorded times of the stream's events in log order (so a moved or backdated event shows, and which
 * of the two happened), cut to 128 bits to keep seals small. They locate and name a change; the Merkle root is what
 * proves there was none.
 */
export interface StreamHead {
  readonly streamId: string;
  readonly revision: number;
  readonly hash: string;
  readonly order: string;
  readonly time: string;
}

export type StreamHeadTuple = readonly [streamId: string, revision: number, hash: string, order: string, time: string];

interface StreamState {
  readonly streamId: string;
  /** Whether the stream is among the touched ones (LogFold.touched): a flag and a list cost less than a Set per event. */
  touched: boolean;
  revision: number;
  hash: string;
  /** The positions and recorded times folded so far, as a base digest and the values since it (see extendState). */
  orderBase: string;
  timeBase: string;
  /**
   * The values since the base, kept as they came and joined only when hashed: a string grown by concatenation cost
   * two strings an event for each (a piece and the concatenation), all kept until the head is taken.
   */
  orderTail: string[];
  timeTail: string[];
}

/** A tail as the digests take it: each value followed by a line break (nothing for an empty tail). */
function tailText(values: readonly string[]): string {
  return values.length === 0 ? '' : `${values.join('\n')}\n`;
}

const DIGEST_START = '0'.repeat(64);
/**
 * How many of a stream's events go into its tails before they are hashed into the base. Hashing every event twice
 * cost the sealer as much as the leaf and the tree together (bench/log-seal.bench.ts); the schedule depends only on
 * the stream's own events, so the sealer, a sealer that restarted and every verifier agree on the digests.
 */
const TAIL_EVENTS = 32;

function digest(text: string): string {
  return hash('sha256', text, 'hex');
}

function extendState(state: StreamState, fields: LeafFields): void {
  state.revision = fields.revision;
  state.hash = fields.hash;
  state.orderTail.push(fields.position);
  state.timeTail.push(fields.recordedAt);
  if (state.orderTail.length === TAIL_EVENTS) {
    state.orderBase = digest(`${state.orderBase}\n${tailText(state.orderTail)}`);
    state.timeBase = digest(`${state.timeBase}\n${tailText(state.timeTail)}`);
    state.orderTail = [];
    state.timeTail = [];
  }
}

function headOf(streamId: string, state: StreamState): StreamHead {
  return {
    streamId,
    revision: state.revision,
    hash: state.hash,
    order: digest(`head\n${state.orderBase}\n${tailText(state.orderTail)}`).slice(0, 32),
    time: digest(`head\n${state.timeBase}\n${tailText(state.timeTail)}`).slice(0, 32),
  };
}

/**
 * The log folded event by event, in log order: the Merkle frontier, how many events, and each stream's head. The
 * sealer and every verifier (the service's, the offline script's) fold the same way, so they agree on what a seal says.
 */
export class LogFold {
  readonly tree: MerkleFrontier;
  private readonly streams = new Map<string, StreamState>();
  /** The streams that received events since the last takeTouchedHeads, each once, in no order. */
  private touched: StreamState[] = [];
  private lastPosition: string | null = null;

  constructor(tree: MerkleFrontier = new MerkleFrontier()) {
    this.tree = tree;
  }

  get eventCount(): number {
    return this.tree.size;
  }

  /** The position of the last event folded in, or null before any. */
  get position(): string | null {
    return this.lastPosition;
  }

  add(fields: LeafFields): void {
    this.tree.appendBinary(leafHashBinary(leafBytes(fields)));
    let state = this.streams.get(fields.streamId);
    if (!state) {
      state = {
        streamId: fields.streamId,
        touched: false,
        revision: -1,
        hash: '',
        orderBase: DIGEST_START,
        timeBase: DIGEST_START,
        orderTail: [],
        timeTail: [],
      };
      this.streams.set(fields.streamId, state);
    }
    extendState(state, fields);
    if (!state.touched) {
      state.touched = true;
      this.touched.push(state);
    }
    this.lastPosition = fields.position;
  }

  /** Leaves an export left out, given as a compact range's node: in the root, but in no stream's head. */
  skip(size: number, hash: Buffer): void {
    this.tree.appendSubtree(size, hash);
  }

  /** The head of a stream as folded so far; undefined for a stream with no event folded in. */
  head(streamId: string): StreamHead | undefined {
    const state = this.streams.get(streamId);
    return state ? headOf(streamId, state) : undefined;
  }

  /** The heads of the streams that received events since the last call, by stream id; starts a new set. */
  takeTouchedHeads(): StreamHead[] {
    // By stream id in UTF-16 code unit order, as a plain sort() of the ids orders them.
    const touched = this.touched.sort((a, b) => (a.streamId < b.streamId ? -1 : a.streamId > b.streamId ? 1 : 0));
    this.touched = [];
    return touched.map((state) => {
      state.touched = false;
      return headOf(state.streamId, state);
    });
  }
}

export function headToTuple(head: StreamHead): StreamHeadTuple {
  return [head.streamId, head.revision, head.hash, head.order, head.time];
}

export function headFromTuple(tuple: unknown): StreamHead | undefined {
  if (!Array.isArray(tuple) || tuple.length !== 5) return undefined;
  const [streamId, revision, hash, order, time] = tuple as unknown[];
  if (typeof streamId !== 'string' || !Number.isSafeInteger(revision) || typeof hash !== 'string') return undefined;
  if (typeof order !== 'string' || typeof time !== 'string') return undefined;
  return { streamId, revision: revision as number, hash, order, time };
}
