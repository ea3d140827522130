import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  CompactRange,
  consistencyProof,
  EMPTY_TREE_HASH,
  inclusionProof,
  leafHash,
  MerkleFrontier,
  merkleRoot,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const leaves = (n: number) => Array.from({ length: n }, (_, i) => leafHash(`leaf ${i}`));

describe('RFC 9162 §2.1 Merkle tree hash', () => {
  it('hashes the empty tree, a leaf and a node with the RFC prefixes', () => {
    expect(EMPTY_TREE_HASH.toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(leafHash('a')).toEqual(sha(Buffer.from([0]), Buffer.from('a')));
    expect(nodeHash(leafHash('a'), leafHash('b'))).toEqual(sha(Buffer.from([1]), leafHash('a'), leafHash('b')));
  });

  it('gives each node its own hash although every node is hashed through one reused input buffer', () => {
    const [a, b, c] = leaves(3) as [Buffer, Buffer, Buffer];
    const first = nodeHash(a, b);
    const copy = Buffer.from(first);
    const second = nodeHash(b, c);
    expect(first).toEqual(copy);
    expect(second).toEqual(sha(Buffer.from([1]), b, c));
    // A node of another width (a malformed proof's) still hashes as defined, rather than as a cut or padded one.
    expect(nodeHash(Buffer.from('ab'), c)).toEqual(sha(Buffer.from([1]), Buffer.from('ab'), c));
  });

  it('splits at the largest power of two below n (the 7-leaf tree of RFC 9162 §2.1.5)', () => {
    const [a, b, c, d, e, f, g] = leaves(7) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
    const expected = nodeHash(nodeHash(nodeHash(a, b), nodeHash(c, d)), nodeHash(nodeHash(e, f), g));
    expect(merkleRoot([a, b, c, d, e, f, g])).toEqual(expected);
  });

  it('gives the RFC §2.1.5 audit paths and consistency proofs for the 7-leaf tree', () => {
    const [a, b, c, d, e, f, g] = leaves(7) as [Buffer, Buffer, Buffer, Buffer, Buffer, Buffer, Buffer];
    const all = [a, b, c, d, e, f, g];
    const [h, i, j, k, l] = [nodeHash(a, b), nodeHash(c, d), nodeHash(e, f), nodeHash(nodeHash(a, b), nodeHash(c, d)), g];
    // The audit path for d0 is [b, h, l]; for d3 [c, g, l]; for d4 [f, j, k] (the RFC's node names).
    expect(inclusionProof(0, all)).toEqual([b, i, nodeHash(j, l)]);
    expect(inclusionProof(3, all)).toEqual([c, h, nodeHash(j, l)]);
    expect(inclusionProof(4, all)).toEqual([f, g, k]);
    expect(inclusionProof(6, all)).toEqual([j, k]);
    // Consistency: PROOF(3, D[7]) = [c, d, g, l] in the RFC's naming: here [c, d, h(ab), node(ef,g)].
    expect(consistencyProof(3, all)).toEqual([c, d, h, nodeHash(j, l)]);
    expect(consistencyProof(4, all)).toEqual([nodeHash(j, l)]);
    expect(consistencyProof(6, all)).toEqual([j, l, k]);
  });

  it('the frontier answers the same root as the recursive definition at every size', () => {
    const all = leaves(70);
    const frontier = new MerkleFrontier();
    expect(frontier.root()).toEqual(EMPTY_TREE_HASH);
    all.forEach((leaf, n) => {
      frontier.append(leaf);
      expect(frontier.root()).toEqual(merkleRoot(all.slice(0, n + 1)));
      expect(MerkleFrontier.from(frontier.snapshot()).root()).toEqual(frontier.root());
    });
  });

  it('property: a run of leaves given as a compact range carries the frontier on to the same root', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 0, max: 70 }),
        fc.integer({ min: 0, max: 10 }),
        (before, run, after) => {
          const all = leaves(before + run + after);
          const frontier = new MerkleFrontier();
          all.slice(0, before).forEach((leaf) => frontier.append(leaf));
          const range = new CompactRange(before);
          all.slice(before, before + run).forEach((leaf) => range.append(leaf));
          for (const [size, hex] of range.toJson()) frontier.appendSubtree(size, Buffer.from(hex, 'hex'));
          all.slice(before + run).forEach((leaf) => frontier.append(leaf));
          expect(frontier.root()).toEqual(merkleRoot(all));
        },
      ),
    );
  });

  it('refuses a frontier whose peaks no tree has', () => {
    const hash = leafHash('x');
    expect(() =>
      MerkleFrontier.from([
        { size: 1, hash },
        { size: 2, hash },
      ]),
    ).toThrow(/decreasing powers of two/);
    expect(() => MerkleFrontier.from([{ size: 3, hash }])).toThrow(/decreasing powers of two/);
  });

  it('property: every leaf has a valid inclusion proof, and no other leaf or index passes it', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 80 }), fc.nat(), fc.nat(), (n, rawIndex, rawOther) => {
        const all = leaves(n);
        const index = rawIndex % n;
        const root = merkleRoot(all);
        const proof = inclusionProof(index, all);
        expect(verifyInclusion(index, n, all[index]!, proof, root)).toBe(true);
        expect(verifyInclusion(index, n, leafHash('forged'), proof, root)).toBe(false);
        const other = rawOther % n;
        if (other !== index && !all[other]!.equals(all[index]!)) expect(verifyInclusion(other, n, all[index]!, proof, root)).toBe(false);
      }),
    );
  });

  it('property: an append-only extension is consistent; a changed earlier leaf is not', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 60 }), fc.nat(), (m, extra, rawChanged) => {
        const all = leaves(m + extra);
        const first = merkleRoot(all.slice(0, m));
        const second = merkleRoot(all);
        const proof = consistencyProof(m, all);
        expect(verifyConsistency(m, all.length, first, second, proof)).toBe(true);
        const rewritten = [...all];
        rewritten[rawChanged % m] = leafHash('rewritten');
        expect(verifyConsistency(m, all.length, first, merkleRoot(rewritten), consistencyProof(m, rewritten))).toBe(false);
      }),
    );
  });
});
