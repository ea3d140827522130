import { createHash } from 'node:crypto';
import {
  comparePositions,
  positionToString,
  START,
  type EventStore,
  type GovernanceEventStore,
  type LogPosition,
  type ReadHistoryOptions,
  type StoredEvent,
} from '#event-store';
import { historyQuery } from '#event-store/postgres';
import type { ExportLineProof, ExportSummaryProof } from '../integrity/index.ts';
import type pg from 'pg';
import { badInput, DomainError } from '../../platform/shared/domain-error.ts';
import { parseDateTime } from '../../platform/graphql/date-time.scalar.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';
import { compileHistoryFilter, type CompiledHistoryFilter } from './history-filter.ts';

/** The export takes no event types (a category and dates only): nothing to check them against. */
const NO_EVENT_TYPES = new EventTypeCatalog([]);

export const EXPORT_PAGE_SIZE = 500;

/** The query string of GET /audit/export: `from`, `to` (ISO 8601, inclusive, on recordedAt) and `category`, each optional. */
export function exportFilter(query: Record<string, unknown>): CompiledHistoryFilter {
  for (const key of Object.keys(query)) {
    if (!['from', 'to', 'category'].includes(key)) throw badInput(`unknown parameter ${key}: use from, to and category`, { field: key });
  }
  const single = (key: string): string | null => {
    const value = query[key];
    if (value === undefined) return null;
    if (typeof value !== 'string') throw badInput(`${key} must be given once`, { field: key });
    return value;
  };
  const date = (key: string): Date | null => {
    const value = single(key);
    if (value === null) return null;
    // An ISO 8601 date-time with its offset, as GraphQL's DateTime takes it (parseDateTime: a real calendar date; Date
    // alone rolled 30 February over into March); a bare date would depend on the server's zone. Seconds may be left out.
    const withSeconds = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/.test(value) ? value.replace(/(T\d{2}:\d{2})/, '$1:00') : value;
    try {
      return parseDateTime(withSeconds);
    } catch {
      throw badInput(`${key} must be an ISO 8601 date-time with an offset, e.g. 2025-01-31T00:00:00Z`, { field: key });
    }
  };
  const from = date('from');
  const to = date('to');
  if (from && to && from.getTime() > to.getTime()) throw badInput('from must not be after to', { field: 'from' });
  try {
    return compileHistoryFilter({ from, to, category: single('category') }, NO_EVENT_TYPES);
  } catch (error) {
    // The checks are the history filter's; the export's parameters carry no `filter.` prefix.
    if (!(error instanceof DomainError) || typeof error.details?.['field'] !== 'string') throw error;
    const field = error.details['field'].replace(/^filter\./, '');
    throw badInput(error.message.replace(/^filter\./, ''), { ...error.details, field });
  }
}

/** One line of the export: the event as stored, personal fields decrypted or "[redacted]", with its metadata and hash. */
export function exportLine(event: StoredEvent, proof?: ExportLineProof): string {
  return `${JSON.stringify({
    position: positionToString(event.position),
    id: event.id,
    streamId: event.streamId,
    revision: event.revision,
    type: event.type,
    schemaVersion: event.schemaVersion,
    data: event.data,
    metadata: event.metadata,
    hash: event.hash,
    recordedAt: event.recordedAt.toISOString(),
    ...proof,
  })}\n`;
}

/** Counts the event lines and hashes their exact bytes (UTF-8, each with its '\n'), for the summary line. */
export class ExportDigest {
  private readonly hash = createHash('sha256');
  private lines = 0;

  add(chunk: string, lines: number): void {
    this.hash.update(chunk, 'utf8');
    this.lines += lines;
  }

  /** The last line: `{"count":<event lines>,"sha256":"<hex of the bytes before this line>","through":"<position>"}`. */
  summary(through: LogPosition, proof?: ExportSummaryProof): string {
    return `${JSON.stringify({ count: this.lines, sha256: this.hash.digest('hex'), through: positionToString(through), ...proof })}\n`;
  }
}

/** One event of a planned page: where it is and how many bytes it holds (stored data and metadata). */
export interface EventSize {
  readonly position: LogPosition;
  readonly bytes: number;
}

/**
 * The sizes of the events a history page would hold, read without their bodies: what lets a page be cut by bytes
 * before anything large is loaded. `readHistory`'s options and answer, with sizes instead of events.
 */
export type PageSizes = (options: ReadHistoryOptions) => Promise<{ readonly sizes: readonly EventSize[]; readonly hasMore: boolean }>;

export interface ExportOptions {
  /** Most events a page holds. */
  readonly pageSize?: number;
  /** Most bytes of events a page holds (when `sizes` is given); a single larger event is a page alone. */
  readonly pageBytes?: number;
  /** Lines are written in chunks of about this many bytes (a single larger line is a chunk alone). */
  readonly chunkBytes?: number;
  /** Without it (a store that cannot tell sizes), pages are cut by count only. */
  readonly sizes?: PageSizes;
  /** Told of each page once read: how many events and how many bytes of NDJSON the export holds for it. */
  readonly onPage?: (page: { readonly events: number; readonly bytes: number }) => void;
  /**
   * What makes the export checkable offline (src/modules/integrity): per line the stored bytes and the previous hash, and in
   * the summary the seals that cover it with the tree nodes of what a filter left out. Given the head the export
   * stops at, once it is known.
   */
  readonly proof?: (through: LogPosition) => Promise<ExportProofSource>;
}

export interface ExportProofSource {
  annotate(events: readonly StoredEvent[]): Promise<ExportLineProof[]>;
  summary(): Promise<ExportSummaryProof | undefined>;
}

/**
 * What one export holds at once is one page: at most EXPORT_PAGE_BYTES of events (and EXPORT_PAGE_SIZE of them),
 * written in chunks of EXPORT_CHUNK_BYTES. Found in a review: pages cut by count alone held 500 events whatever their
 * size, so one export of large events grew the service by ~125 MB. Concurrent exports each hold their own page.
 */
export const EXPORT_PAGE_BYTES = 1024 * 1024;
export const EXPORT_CHUNK_BYTES = 64 * 1024;

/** Per event, what a line adds to its data and metadata (position, id, stream, type, hashes, time, keys, tree nodes). */
const LINE_OVERHEAD_BYTES = 1200;
/** The readable copy, plus the stored one as a JSON string (escaping quotes adds up to a fifth). */
const STORED_TEXT_FACTOR = 2.25;

/**
 * PostgreSQL's sizes of a page: the same statement as readHistory (history-query.ts), selecting positions and the
 * lengths of the stored JSON texts rather than the texts.
 */
export function postgresPageSizes(pool: Pick<pg.Pool, 'query'>): PageSizes {
  const columns = `e.transaction_id::text AS transaction_id, e.global_position::text AS global_position,
    (octet_length(e.data::text) + octet_length(e.metadata::text))::text AS bytes`;
  return async (options) => {
    const { text, values } = historyQuery(options, columns);
    const { rows } = await pool.query<{ transaction_id: string; global_position: string; bytes: string }>(text, values);
    return {
      sizes: rows.slice(0, options.maxCount).map((row) => ({
        position: { commit: BigInt(row.transaction_id), prepare: BigInt(row.global_position) },
        // The stored texts travel twice in a line (read, and as JSON strings for the offline check): counted so.
        bytes: Math.ceil(Number(row.bytes) * STORED_TEXT_FACTOR) + LINE_OVERHEAD_BYTES,
      })),
      hasMore: rows.length > options.maxCount,
    };
  };
}

/**
 * The export as chunks of NDJSON, ending with the summary line. It covers the log up to its head when the export
 * starts (`through`), oldest first, so an export is one consistent cut however long it takes and however many events
 * arrive meanwhile. Memory stays that of one page, cut by bytes as well as by count (the sizes are read first, the
 * events then up to the last that fits), and the caller writes each chunk (waiting for the client to take it)
 * before the next is made and the next page read.
 */
export async function* exportChunks(
  store: Pick<EventStore, 'headPosition'>,
  events: Pick<GovernanceEventStore, 'readHistory'>,
  filter: CompiledHistoryFilter,
  options: ExportOptions = {},
): AsyncGenerator<string> {
  const pageSize = options.pageSize ?? EXPORT_PAGE_SIZE;
  const pageBytes = options.pageBytes ?? EXPORT_PAGE_BYTES;
  const chunkBytes = options.chunkBytes ?? EXPORT_CHUNK_BYTES;
  const through = await store.headPosition();
  const digest = new ExportDigest();
  const proof = options.proof ? await options.proof(through) : undefined;
  let after: LogPosition = START;
  for (let more = comparePositions(through, START) > 0; more;) {
    let until = through;
    let maxCount = pageSize;
    let sizedMore: boolean | null = null;
    if (options.sizes) {
      const planned = await options.sizes({ direction: 'forwards', maxCount: pageSize, filter: filter.history, after, until: through });
      if (planned.sizes.length === 0) break;
      const fits = fitting(planned.sizes, pageBytes);
      maxCount = fits;
      until = planned.sizes[fits - 1]!.position;
      sizedMore = fits < planned.sizes.length || planned.hasMore;
    }
    const page = await events.readHistory({ direction: 'forwards', maxCount, filter: filter.history, after, until });
    const proofs = proof ? await proof.annotate(page.events) : undefined;
    const lines = page.events.map((event, index) => exportLine(event, proofs?.[index]));
    options.onPage?.({ events: lines.length, bytes: lines.reduce((sum, line) => sum + Buffer.byteLength(line, 'utf8'), 0) });
    for (const chunk of chunksOf(lines, chunkBytes)) {
      digest.add(chunk.text, chunk.lines);
      yield chunk.text;
    }
    if (page.events.length > 0) after = page.events.at(-1)!.position;
    more = sizedMore ?? page.hasMore;
    if (page.events.length === 0) break;
  }
  yield digest.summary(through, proof ? await proof.summary() : undefined);
}

/** How many of the first events fit in `budget` bytes: at least one, so that an event larger than it is still exported. */
function fitting(sizes: readonly EventSize[], budget: number): number {
  let total = 0;
  let count = 0;
  for (const size of sizes) {
    if (count > 0 && total + size.bytes > budget) break;
    total += size.bytes;
    count += 1;
  }
  return count;
}

/** Lines joined into chunks of about `chunkBytes` (a line is never split). */
function* chunksOf(lines: string[], chunkBytes: number): Generator<{ text: string; lines: number }> {
  let start = 0;
  let bytes = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const size = Buffer.byteLength(lines[i]!, 'utf8');
    if (i > start && bytes + size > chunkBytes) {
      yield { text: lines.slice(start, i).join(''), lines: i - start };
      start = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (lines.length > start) yield { text: lines.slice(start).join(''), lines: lines.length - start };
}
