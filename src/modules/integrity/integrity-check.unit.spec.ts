import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { BreakList, SealCheck } from './integrity-check.ts';
import { headFieldMatches, LogFold, type LeafFields, type StreamHead } from './log-fold.ts';
import { signSeal, type LogSeal } from './log-seal.ts';
import { keyIdOf, publicJwkOf } from './seal-keys.ts';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const keyId = keyIdOf(publicJwkOf(publicKey));
const keys = new Map([[keyId, publicKey]]);

/** A valid history: events of a few streams in log order, revisions consecutive per stream, positions increasing. */
const history = fc
  .array(
    fc.record({
      stream: fc.integer({ min: 0, max: 4 }),
      gap: fc.integer({ min: 1, max: 3 }),
      hash: fc.uint8Array({ minLength: 4, maxLength: 4 }),
    }),
    {
      minLength: 1,
      maxLength: 40,
    },
  )
  .map((steps) => {
    const revisions = new Map<number, number>();
    let commit = 100;
    return steps.map((step, index): LeafFields => {
      const revision = (revisions.get(step.stream) ?? -1) + 1;
      revisions.set(step.stream, revision);
      commit += step.gap;
      return {
        hash: Buffer.from(step.hash).toString('hex').padEnd(64, '0'),
        position: `${commit}:${index + 1}`,
        streamId: `case-${step.stream}`,
        revision,
        recordedAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
      };
    });
  });

/**
 * The heads as seals listed them before 64-bit heads: the whole chain hash and 32-digit digests (what LogFold.head
 * computes), by stream id.
 */
function wholeHeads(fold: LogFold): StreamHead[] {
  const ids = fold.takeTouchedHeads().map((head) => head.streamId);
  return ids.sort().map((id) => fold.head(id)!);
}

/** Seals after the events at the given cut points (as the sealer would), all events sealed by the last one. */
function sealed(events: readonly LeafFields[], cuts: readonly number[], heads = (fold: LogFold) => fold.takeTouchedHeads()): LogSeal[] {
  const fold = new LogFold();
  const seals: LogSeal[] = [];
  const points = new Set([...cuts.map((c) => c % events.length), events.length - 1]);
  events.forEach((event, index) => {
    fold.add(event);
    if (!points.has(index)) return;
    seals.push(
      signSeal(
        {
          position: event.position,
          eventCount: fold.eventCount,
          rootHash: fold.tree.root().toString('hex'),
          sealedAt: event.recordedAt,
          keyId,
          algorithm: 'Ed25519',
          heads: heads(fold),
        },
        privateKey,
      ),
    );
  });
  return seals;
}

function check(events: readonly LeafFields[], seals: readonly LogSeal[]) {
  const breaks = new BreakList();
  const checker = new SealCheck({ keys, breaks });
  for (const seal of seals) checker.queue(seal);
  for (const event of events) checker.add(event);
  return { breaks: breaks.items, ...checker.finish() };
}

type Mutation = (events: LeafFields[], index: number) => LeafFields[];
const mutations: Record<string, Mutation> = {
  'edit the hash': (events, i) =>
    events.map((e, j) => (j === i ? { ...e, hash: e.hash.replace(/^./, (c) => (c === 'f' ? '0' : 'f')) } : e)),
  backdate: (events, i) =>
    events.map((e, j) => (j === i ? { ...e, recordedAt: new Date(Date.parse(e.recordedAt) - 300 * 86_400_000).toISOString() } : e)),
  'move within the log': (events, i) =>
    events.map((e, j) => (j === i ? { ...e, position: `${e.position.split(':')[0]}:${9_000_000 + j}` } : e)),
  delete: (events, i) => events.filter((_, j) => j !== i),
  'swap with the next': (events, i) => {
    if (i + 1 >= events.length) return events.filter((_, j) => j !== i);
    const copy = [...events];
    // Each keeps the other's place in the log: what swapping positions in the table does.
    copy[i] = { ...events[i + 1]!, position: events[i]!.position };
    copy[i + 1] = { ...events[i]!, position: events[i + 1]!.position };
    return copy;
  },
  'renumber the revision': (events, i) => events.map((e, j) => (j === i ? { ...e, revision: e.revision + 7 } : e)),
};

describe('seal check', () => {
  test('property: a valid history always verifies against its seals, wherever they were cut', () => {
    fc.assert(
      fc.property(history, fc.array(fc.nat(), { maxLength: 5 }), (events, cuts) => {
        const seals = sealed(events, cuts);
        const result = check(events, seals);
        expect(result.breaks).toEqual([]);
        expect(result.latestSeal).toEqual(seals.at(-1));
        expect(result.unsealedEvents).toBe(0);
      }),
    );
  });

  test('property: any single mutation of a sealed event never verifies', () => {
    fc.assert(
      fc.property(
        history,
        fc.array(fc.nat(), { maxLength: 5 }),
        fc.nat(),
        fc.constantFrom(...Object.keys(mutations)),
        (events, cuts, at, name) => {
          const seals = sealed(events, cuts);
          const mutated = mutations[name]!([...events], at % events.length);
          fc.pre(JSON.stringify(mutated) !== JSON.stringify(events));
          expect(check(mutated, seals).breaks.length).toBeGreaterThan(0);
        },
      ),
    );
  });

  test('a seal signed with another key, or altered after signing, is a BAD_SEAL and verifies nothing', () => {
    const events = fc.sample(history, { numRuns: 1, seed: 42 })[0]!;
    const [seal] = sealed(events, []);
    const other = generateKeyPairSync('ed25519');
    const forged = signSeal({ ...seal!, rootHash: 'f'.repeat(64) }, other.privateKey);
    expect(check(events, [forged]).breaks).toEqual([
      expect.objectContaining({ kind: 'BAD_SEAL', detail: expect.stringMatching(/does not verify/) }),
    ]);
    const altered = { ...seal!, eventCount: seal!.eventCount + 1 };
    expect(check(events, [altered])).toMatchObject({ breaks: [expect.objectContaining({ kind: 'BAD_SEAL' })], latestSeal: undefined });
  });

  test('a seal lists 64 bits of each head field; seals written before with whole ones still verify and name each change', () => {
    const events = fc.sample(history, { numRuns: 1, seed: 7 })[0]!;
    const [now] = sealed(events, []);
    const [before] = sealed(events, [], wholeHeads);
    for (const head of now!.heads) {
      expect([head.hash.length, head.order.length, head.time.length]).toEqual([16, 16, 16]);
    }
    expect(before!.heads.map((head) => [head.hash.length, head.order.length, head.time.length])).toEqual(
      before!.heads.map(() => [64, 32, 32]),
    );
    for (const seal of [now!, before!]) {
      expect(check(events, [seal]).breaks).toEqual([]);
      const last = events.length - 1;
      const named = (mutated: LeafFields[]) => check(mutated, [seal]).breaks.map((b) => [b.kind, b.streamId]);
      // The last event's stream ends with it (its head's hash is its hash); the first can move within the seal's reach.
      const stream = events[last]!.streamId;
      expect(named(mutations['edit the hash']!([...events], last))).toContainEqual(['HASH_MISMATCH', stream]);
      expect(named(mutations['backdate']!([...events], last))).toContainEqual(['HASH_MISMATCH', stream]);
      expect(named(mutations['delete']!([...events], last))).toContainEqual(['TRUNCATED_STREAM', stream]);
      expect(named(mutations['move within the log']!([...events], 0))).toContainEqual(['REORDERED', events[0]!.streamId]);
    }
  });

  test('a sealed head field matches the computed one whole, or as its first 16 digits, and no other cut', () => {
    const whole = 'ab'.repeat(32);
    expect(headFieldMatches(whole, whole)).toBe(true);
    expect(headFieldMatches(whole, whole.slice(0, 16))).toBe(true);
    expect(headFieldMatches(whole, whole.slice(0, 32))).toBe(false);
    expect(headFieldMatches(whole, whole.slice(0, 15))).toBe(false);
    expect(headFieldMatches(whole, '')).toBe(false);
    expect(headFieldMatches(whole, `${whole.slice(0, 15)}c`)).toBe(false);
    // A hash shorter than a cut (an event written around the serialisation layer has none) is listed, and matched, whole.
    expect(headFieldMatches('', '')).toBe(true);
    expect(headFieldMatches('abc', 'abc')).toBe(true);
    expect(headFieldMatches('abcd', 'abc')).toBe(false);
  });
});
