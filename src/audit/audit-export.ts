import { createHash } from 'node:crypto';
import {
  comparePositions,
  positionToString,
  START,
  type EventStore,
  type GovernanceEventStore,
  type LogPosition,
  type StoredEvent,
} from '#event-store';
import { badInput } from '../shared/domain-error.ts';
import { compileHistoryFilter, type CompiledHistoryFilter } from './history-filter.ts';

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
    // An ISO 8601 date-time with its offset, as GraphQL's DateTime takes it; a bare date would depend on the server's zone.
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value) || Number.isNaN(Date.parse(value))) {
      throw badInput(`${key} must be an ISO 8601 date-time with an offset, e.g. 2025-01-31T00:00:00Z`, { field: key });
    }
    return new Date(value);
  };
  const from = date('from');
  const to = date('to');
  if (from && to && from.getTime() > to.getTime()) throw badInput('from must not be after to', { field: 'from' });
  return compileHistoryFilter({ from, to, category: single('category') });
}

/** One line of the export: the event as stored, personal fields decrypted or "[redacted]", with its metadata and hash. */
export function exportLine(event: StoredEvent): string {
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
  summary(through: LogPosition): string {
    return `${JSON.stringify({ count: this.lines, sha256: this.hash.digest('hex'), through: positionToString(through) })}\n`;
  }
}

/**
 * The export as chunks of NDJSON, one chunk per page of the log, ending with the summary line. It covers the log up
 * to its head when the export starts (`through`), oldest first, so an export is one consistent cut however long
 * it takes and however many events arrive meanwhile. Memory stays that of one page: the caller writes each chunk
 * (waiting for the client to take it) before the next page is read.
 */
export async function* exportChunks(
  store: Pick<EventStore, 'headPosition'>,
  events: Pick<GovernanceEventStore, 'readHistory'>,
  filter: CompiledHistoryFilter,
  pageSize = EXPORT_PAGE_SIZE,
): AsyncGenerator<string> {
  const through = await store.headPosition();
  const digest = new ExportDigest();
  let after: LogPosition = START;
  for (let more = comparePositions(through, START) > 0; more;) {
    const page = await events.readHistory({ direction: 'forwards', maxCount: pageSize, filter: filter.history, after, until: through });
    if (page.events.length > 0) {
      const chunk = page.events.map(exportLine).join('');
      digest.add(chunk, page.events.length);
      yield chunk;
      after = page.events.at(-1)!.position;
    }
    more = page.hasMore;
  }
  yield digest.summary(through);
}
