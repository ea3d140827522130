import fc from 'fast-check';
import { leafBytes, type LeafFields } from './log-fold.ts';

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
