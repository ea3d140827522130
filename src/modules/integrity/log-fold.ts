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
 * of the two happened). They locate and name a change; the Merkle root is what proves there was none. A seal lists
 * them cut to SEALED_DIGEST_DIGITS (see takeTouchedHeads); a verifier computes them longer (see head) and compares
 * with headFieldMatches, so seals written before, with the whole chain hash and 32-digit digests, still compare.
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
   * The values since the base, position and recorded time of each event in turn, kept as they came and joined only
   * when hashed (a string grown by concatenation cost two strings an event for each). One array for both, made with
   * the stream's first event since the base: most streams of a governance log have a few events, and an empty array
   * per digest, grown on the first push, was most of what the fold kept per stream.
   */
  tail: string[] | undefined;
}

/** Each value at `from`, `from` + 2, ... of a tail, followed by a line break: what a digest takes. */
function tailText(tail: readonly string[] | undefined, from: 0 | 1): string {
  if (tail === undefined) return '';
  let text = '';
  for (let i = from; i < tail.length; i += 2) text += `${tail[i]}\n`;
  return text;
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
  const tail = state.tail;
  if (tail === undefined) {
    state.tail = [fields.position, fields.recordedAt];
    return;
  }
  tail.push(fields.position, fields.recordedAt);
  if (tail.length === 2 * TAIL_EVENTS) {
    state.orderBase = digest(`${state.orderBase}\n${tailText(tail, 0)}`);
    state.timeBase = digest(`${state.timeBase}\n${tailText(tail, 1)}`);
    state.tail = undefined;
  }
}

/**
 * How many hex digits of the chain hash and of the two digests a seal lists: 64 bits. A head only names what changed
 * (the root, 256 bits, proves it), and a governance log's seal lists nearly a head per event (0.73-0.79 in the scale
 * bench's simulated year), each passing through the seal's signing, storage and every verifier: the whole hash and
 * 32-digit digests made a head about 150 bytes, these about 75. Seals before listed the whole chain hash and 32
 * digits (VERIFIED_DIGEST_DIGITS): their first 16 are these.
 */
export const SEALED_DIGEST_DIGITS = 16;
const VERIFIED_DIGEST_DIGITS = 32;

function headOf(state: StreamState, digits: number, hashDigits: number): StreamHead {
  return {
    streamId: state.streamId,
    revision: state.revision,
    hash: state.hash.slice(0, hashDigits),
    order: digest(`head\n${state.orderBase}\n${tailText(state.tail, 0)}`).slice(0, digits),
    time: digest(`head\n${state.timeBase}\n${tailText(state.tail, 1)}`).slice(0, digits),
  };
}

/**
 * Whether a head's field as a seal lists it (`sealed`) matches the one computed from the log (`found`, as head()
 * gives it): the same, or `sealed` is its first SEALED_DIGEST_DIGITS digits. No other cut counts: a shorter one would
 * match too much.
 */
export function headFieldMatches(found: string, sealed: string): boolean {
  return found === sealed || (sealed.length === SEALED_DIGEST_DIGITS && found.length > SEALED_DIGEST_DIGITS && found.startsWith(sealed));
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
        tail: undefined,
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

  /**
   * The head of a stream as folded so far, to compare a seal's with (headFieldMatches): the whole chain hash and
   * 32-digit digests, what seals listed before and whose first digits they list now; undefined for a stream with no
   * event folded in.
   */
  head(streamId: string): StreamHead | undefined {
    const state = this.streams.get(streamId);
    return state ? headOf(state, VERIFIED_DIGEST_DIGITS, Number.POSITIVE_INFINITY) : undefined;
  }

  /**
   * The heads of the streams that received events since the last call, as a seal lists them (SEALED_DIGEST_DIGITS), in
   * the order the streams first received one; starts a new set. Not sorted: seals before listed them by stream id, but
   * no reader depends on the order (each head is compared alone), and sorting cost half a microsecond a head.
   */
  takeTouchedHeads(): StreamHead[] {
    const touched = this.touched;
    this.touched = [];
    return touched.map((state) => {
      state.touched = false;
      return headOf(state, SEALED_DIGEST_DIGITS, SEALED_DIGEST_DIGITS);
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
