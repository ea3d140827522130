import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { leafBytes, LogFold, type LeafFields } from './log-fold.ts';

/** The leaf's framing as defined (every seal and verifier depends on it): each part as `<utf-8 length>:<part>,`. */
function framed(fields: LeafFields): string {
  const parts = ['governance-log-leaf/v1', fields.hash, fields.position, fields.streamId, String(fields.revision), fields.recordedAt];
  return parts.map((part) => `${Buffer.byteLength(part, 'utf8')}:${part},`).join('');
}

describe('a leaf of the log tree', () => {
  it('frames each part with its length in UTF-8 bytes, the scheme first', () => {
    const leaf = { hash: '', position: '12:34', streamId: 'group-é', revision: 7, recordedAt: '2025-03-10T12:00:00.000Z' };
    expect(leafBytes(leaf)).toBe('22:governance-log-leaf/v1,0:,5:12:34,8:group-é,1:7,24:2025-03-10T12:00:00.000Z,');
  });

  it('property: the framing of any fields, whatever characters they hold', () => {
    const text = fc.string({ unit: 'binary' });
    const fields = fc.record({ hash: text, position: text, streamId: text, revision: fc.integer(), recordedAt: text });
    fc.assert(
      fc.property(fields, (leaf) => {
        expect(leafBytes(leaf)).toBe(framed(leaf));
      }),
      { numRuns: 2000 },
    );
  });
});

/**
 * A stream's head as defined, from its events alone: the order and time digests chain a SHA-256 over every 32 values
 * (each followed by a line break) from a start of 64 zeros, and the head hashes `head`, that base and the values since
 * it, cut to 32 hex digits (as a verifier computes it: `head`). A seal lists the first 16 digits of those and of the
 * chain hash (`sealedHead`). Every verifier recomputes them: the fold must keep them byte for byte, however it holds
 * the values meanwhile.
 */
function sealedHead(events: readonly LeafFields[]) {
  const whole = headByDefinition(events);
  return { ...whole, hash: whole.hash.slice(0, 16), order: whole.order.slice(0, 16), time: whole.time.slice(0, 16) };
}

function headByDefinition(events: readonly LeafFields[]) {
  const sha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');
  const digestOf = (values: readonly string[]) => {
    let base = '0'.repeat(64);
    const whole = values.length - (values.length % 32);
    for (let i = 0; i < whole; i += 32)
      base = sha(
        `${base}\n${values
          .slice(i, i + 32)
          .map((v) => `${v}\n`)
          .join('')}`,
      );
    return sha(
      `head\n${base}\n${values
        .slice(whole)
        .map((v) => `${v}\n`)
        .join('')}`,
    ).slice(0, 32);
  };
  const last = events.at(-1)!;
  return {
    streamId: last.streamId,
    revision: last.revision,
    hash: last.hash,
    order: digestOf(events.map((e) => e.position)),
    time: digestOf(events.map((e) => e.recordedAt)),
  };
}

describe('the fold of the log', () => {
  const event = (streamId: string, n: number): LeafFields => ({
    hash: n % 3 === 0 ? '' : `${n}`.padStart(64, 'a'),
    position: `${1000 + Math.floor(n / 4)}:${n}`,
    streamId,
    revision: n,
    recordedAt: new Date(Date.UTC(2026, 0, 1) + n * 1_500).toISOString(),
  });

  it('gives each stream the head its events define, across the 32-event blocks, and the touched ones as first touched', () => {
    const lengths: Record<string, number> = { 'group-a': 1, 'group-b': 31, 'group-c': 32, 'member-é': 33, 'case-z': 64, 'case-Z': 70 };
    const fold = new LogFold();
    const folded: Record<string, LeafFields[]> = {};
    let n = 0;
    // Interleaved, as a log mixes streams.
    for (let round = 0; round < 70; round++) {
      for (const [streamId, length] of Object.entries(lengths)) {
        if (round >= length) continue;
        const leaf = event(streamId, n++);
        fold.add(leaf);
        (folded[streamId] ??= []).push(leaf);
      }
    }
    const heads = fold.takeTouchedHeads();
    const ids = Object.keys(lengths);
    expect(heads.map((h) => h.streamId)).toEqual(ids);
    for (const head of heads) expect(head).toEqual(sealedHead(folded[head.streamId]!));
    expect(fold.takeTouchedHeads()).toEqual([]);
    // Touched again after a take: only those, with heads over everything folded so far.
    for (const streamId of ['group-b', 'case-z']) {
      const leaf = event(streamId, n++);
      fold.add(leaf);
      folded[streamId]!.push(leaf);
    }
    expect(fold.takeTouchedHeads()).toEqual([sealedHead(folded['group-b']!), sealedHead(folded['case-z']!)]);
    expect(fold.head('member-é')).toEqual(headByDefinition(folded['member-é']!));
  });

  it('property: any interleaving of a few streams folds to the defined heads', () => {
    const log = fc.array(fc.constantFrom('s-a', 's-b', 's-c', 'ß'), { maxLength: 150 });
    fc.assert(
      fc.property(log, fc.integer({ min: 1, max: 150 }), (streams, takeAt) => {
        const fold = new LogFold();
        const folded = new Map<string, LeafFields[]>();
        const touched = new Set<string>();
        streams.forEach((streamId, n) => {
          const leaf = event(streamId, n);
          fold.add(leaf);
          folded.set(streamId, [...(folded.get(streamId) ?? []), leaf]);
          touched.add(streamId);
          if (n === takeAt) {
            expect(fold.takeTouchedHeads().map((h) => h.streamId)).toEqual([...touched]);
            touched.clear();
          }
        });
        const heads = fold.takeTouchedHeads();
        expect(heads.map((h) => h.streamId)).toEqual([...touched]);
        for (const head of heads) {
          expect(head).toEqual(sealedHead(folded.get(head.streamId)!));
          expect(fold.head(head.streamId)).toEqual(headByDefinition(folded.get(head.streamId)!));
        }
      }),
      { numRuns: 300 },
    );
  });
});
