import { headFromTuple, headToTuple, type StreamHead } from './log-fold.ts';

/**
 * How a seal's stream heads are stored (in LogSealed events, witness files and exports). The signature covers the
 * heads only through the SHA-256 of their tuples' JSON (canonicalSeal), so the stored form is free to change as long
 * as every reader decodes it back to the same heads.
 *
 * Written as one string, a line per head: `<streamId> <revision> <hash> <order> <time>`. A seal lists a head per
 * stream changed since the previous one (with streams of 5 events, one per 5 events), and as an array of 5-tuples it
 * was most of the seal: six JSON tokens a head for PostgreSQL to validate and the event store to copy. One string is
 * 10 % fewer bytes and one token; measured (4,000 heads), appending the seal cost about the same either way, 1 to 2.5
 * µs of Node's and PostgreSQL's CPU per event sealed, within the noise of a loaded 2-core machine.
 *
 * Seals written before (and any head whose fields hold a space or a line break, which the string form cannot
 * delimit) keep the array of `[streamId, revision, hash, order, time]`: readers take both forms.
 */
const FIELD = ' ';
const LINE = '\n';
const REVISION = /^(0|-?[1-9]\d*)$/;

/** The stored form of `heads`: the string form when every head fits it, else the array of tuples. */
export function headsToJson(heads: readonly StreamHead[]): string | StreamHeadTuples {
  let text = '';
  for (const [index, head] of heads.entries()) {
    if (!fitsLine(head.streamId) || !fitsLine(head.hash) || !fitsLine(head.order) || !fitsLine(head.time)) {
      return heads.map(headToTuple);
    }
    text += `${index === 0 ? '' : LINE}${head.streamId}${FIELD}${head.revision}${FIELD}${head.hash}${FIELD}${head.order}${FIELD}${head.time}`;
  }
  return text;
}

type StreamHeadTuples = ReturnType<typeof headToTuple>[];

/** The heads of a stored seal, in either form; undefined when the value is neither form, well made. */
export function headsFromJson(value: unknown): StreamHead[] | undefined {
  if (typeof value === 'string') return headsFromText(value);
  if (!Array.isArray(value)) return undefined;
  const heads: StreamHead[] = [];
  for (const tuple of value as unknown[]) {
    const head = headFromTuple(tuple);
    if (!head) return undefined;
    heads.push(head);
  }
  return heads;
}

/**
 * How many heads a stored seal lists (the log_seal stream state shows it): the array's length, as before, or the
 * lines of a well-made string; null for anything else (a tampered seal is folded as recorded, not judged).
 */
export function headCount(value: unknown): number | null {
  if (Array.isArray(value)) return value.length;
  return typeof value === 'string' ? (headsFromText(value)?.length ?? null) : null;
}

function headsFromText(text: string): StreamHead[] | undefined {
  if (text === '') return [];
  const heads: StreamHead[] = [];
  for (const line of text.split(LINE)) {
    const fields = line.split(FIELD);
    if (fields.length !== 5) return undefined;
    const [streamId, revisionText, hash, order, time] = fields as [string, string, string, string, string];
    // Only the digits String(revision) writes: the heads read back are the heads that were signed, or none.
    if (!REVISION.test(revisionText)) return undefined;
    const revision = Number(revisionText);
    if (!Number.isSafeInteger(revision)) return undefined;
    heads.push({ streamId, revision, hash, order, time });
  }
  return heads;
}

function fitsLine(field: string): boolean {
  return !field.includes(FIELD) && !field.includes(LINE);
}
