import {
  ANY,
  ErrorType,
  NO_STREAM,
  START as CLIENT_START,
  STREAM_EXISTS,
  convertToCommandError,
  isCommandError,
  type AppendExpectedRevision,
  type Position as ClientPosition,
  type ReadPosition,
} from '@eventstore/db-client';
import {
  EventStoreError,
  EventStoreFailureError,
  EventStoreUnavailableError,
  InvalidAppendError,
  StreamNotFoundError,
  WrongExpectedRevisionError,
} from '../errors.ts';
import { streamCategory, type EventToAppend, type ExpectedRevision, type LogFilter, type RecordedEvent } from '../event-store.port.ts';
import { START, comparePositions, type LogPosition } from '../position.ts';

/*
 * Pure translations between the port and @eventstore/db-client 6.x, kept apart from the adapter so they can be
 * specified without a server.
 */

export function toClientExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
}

export function fromClientPosition(position: ClientPosition): LogPosition {
  return { commit: position.commit, prepare: position.prepare };
}

/** Where to start a client read or subscription for a reader positioned at `after` (START reads from the very beginning). */
export function toClientReadPosition(after: LogPosition | undefined): ReadPosition {
  if (after === undefined || comparePositions(after, START) === 0) return CLIENT_START;
  return { commit: after.commit, prepare: after.prepare };
}

/**
 * Whether a record at `position` lies strictly after `after`. The client's readAll starts *at* a position
 * (inclusive), the port reads *after* it (exclusive), so the record at exactly `after` is dropped here.
 */
export function isAfter(position: LogPosition, after: LogPosition | undefined): boolean {
  return after === undefined || comparePositions(position, after) > 0;
}

/** EventStoreDB's own records ($stats, $metadata, $> links, $$ stream metadata...) are never events of the port. */
export function isSystemRecord(streamId: string, type: string): boolean {
  return streamId.startsWith('$') || type.startsWith('$');
}

/** The port's filter: categories AND event types; an absent list does not filter, an empty list matches nothing. */
export function matchesFilter(streamId: string, type: string, filter: LogFilter | undefined): boolean {
  if (filter?.categories && !filter.categories.includes(streamCategory(streamId))) return false;
  if (filter?.eventTypes && !filter.eventTypes.includes(type)) return false;
  return true;
}

/** A record of $all that a reader of the port sees. */
export function isVisible(streamId: string, type: string, filter: LogFilter | undefined): boolean {
  return !isSystemRecord(streamId, type) && matchesFilter(streamId, type, filter);
}

/**
 * A regex the server can use to narrow a subscription. It may let through more than the port's filter (the
 * adapter filters every record again), never less. Every character outside [A-Za-z0-9_] is written as \uXXXX,
 * which .NET (the server) and JavaScript read the same way.
 */
export interface ServerFilterSpec {
  readonly filterOn: 'streamName' | 'eventType';
  readonly regex: string;
}

const MATCH_NOTHING = '(?!)';
const NOT_A_SYSTEM_TYPE = '^[^$]';

export function serverFilterSpec(filter: LogFilter | undefined): ServerFilterSpec {
  if (filter?.categories) {
    // A category never contains '-' (it ends at the first one), so such an entry can match no stream.
    const categories = filter.categories.filter((c) => !c.includes('-'));
    if (categories.length === 0) return { filterOn: 'streamName', regex: MATCH_NOTHING };
    return { filterOn: 'streamName', regex: `^(?:${categories.map(escapeRegex).join('|')})(?:-|$)` };
  }
  if (filter?.eventTypes) {
    if (filter.eventTypes.length === 0) return { filterOn: 'eventType', regex: MATCH_NOTHING };
    return { filterOn: 'eventType', regex: `^(?:${filter.eventTypes.map(escapeRegex).join('|')})$` };
  }
  return { filterOn: 'eventType', regex: NOT_A_SYSTEM_TYPE };
}

export function escapeRegex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    out += /[A-Za-z0-9_]/.test(ch) ? ch : `\\u${text.charCodeAt(i).toString(16).padStart(4, '0')}`;
  }
  return out;
}

// ----- payloads ---------------------------------------------------------------------------------------------

const UTF8 = new TextEncoder();
// ignoreBOM keeps a leading U+FEFF in the text instead of silently dropping it: the bytes stay exact.
const UTF8_DECODER = new TextDecoder('utf-8', { ignoreBOM: true });
const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);

/**
 * What the adapter sends for one event. Data goes as application/octet-stream: the client JSON-stringifies
 * `application/json` data on write and JSON-parses it on read, which would not keep the bytes.
 *
 * Metadata has no content type of its own, and the client JSON-parses custom metadata on every read, whatever
 * the event's content type. Metadata that is exactly `JSON.stringify(JSON.parse(text))` survives that round
 * trip and is sent as is (readable JSON for other EventStoreDB tools); any other text is sent behind a UTF-8
 * byte order mark, which makes the client's JSON.parse fail so it hands back the raw bytes, and the mark is
 * stripped again on read.
 */
export interface EncodedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
}

export function encodeEvent(event: EventToAppend): EncodedEvent {
  return { id: event.id.toLowerCase(), type: event.type, data: UTF8.encode(event.data), metadata: encodeMetadata(event.metadata) };
}

export function encodeMetadata(text: string): Uint8Array {
  if (isCanonicalJson(text)) return UTF8.encode(text);
  const body = UTF8.encode(text);
  const out = new Uint8Array(BOM.length + body.length);
  out.set(BOM, 0);
  out.set(body, BOM.length);
  return out;
}

function isCanonicalJson(text: string): boolean {
  try {
    return JSON.stringify(JSON.parse(text)) === text;
  } catch {
    return false;
  }
}

/** Inverse of encodeMetadata, given what the client's reader produced (parsed JSON, raw bytes or nothing). */
export function decodeMetadata(metadata: unknown): string {
  if (metadata === undefined) return '';
  if (metadata instanceof Uint8Array) {
    const hasBom = metadata.length >= 3 && metadata[0] === 0xef && metadata[1] === 0xbb && metadata[2] === 0xbf;
    return UTF8_DECODER.decode(hasBom ? metadata.subarray(3) : metadata);
  }
  return JSON.stringify(metadata);
}

/** Data of events written by this adapter is raw bytes; `application/json` events written by other tools come back parsed. */
export function decodeData(data: unknown, isJson: boolean): string {
  if (data instanceof Uint8Array) return UTF8_DECODER.decode(data);
  if (isJson) return JSON.stringify(data);
  return typeof data === 'string' ? data : JSON.stringify(data);
}

/** The client's recorded event, reduced to the fields the adapter reads. */
export interface ClientRecordedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: bigint;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: unknown;
  readonly metadata: unknown;
  readonly created: Date;
  readonly position?: ClientPosition | undefined;
}

export function toRecordedEvent(event: ClientRecordedEvent): RecordedEvent {
  if (!event.position) {
    // Stream reads carry positions from EventStoreDB 22.6 on; the port cannot do without them.
    throw new EventStoreFailureError(
      `event ${event.id} of stream ${event.streamId} came without a log position (EventStoreDB >= 22.6 is required)`,
    );
  }
  return {
    id: event.id,
    streamId: event.streamId,
    revision: Number(event.revision),
    type: event.type,
    data: decodeData(event.data, event.isJson),
    metadata: decodeMetadata(event.metadata),
    position: fromClientPosition(event.position),
    recordedAt: event.created,
  };
}

// ----- appends ----------------------------------------------------------------------------------------------

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The same checks as the PostgreSQL adapter, so both refuse the same input the same way. */
export function validateAppend(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision): void {
  if (typeof streamId !== 'string' || streamId.length === 0) throw new InvalidAppendError('stream id must be a non-empty string');
  if (streamId.startsWith('$')) throw new InvalidAppendError(`stream ${streamId}: names starting with '$' are reserved by EventStoreDB`);
  if (events.length === 0) throw new InvalidAppendError(`stream ${streamId}: nothing to append`);
  if (typeof expected === 'number' && (!Number.isSafeInteger(expected) || expected < 0)) {
    throw new InvalidAppendError(
      `stream ${streamId}: expected revision must be a whole number >= 0, 'no_stream', 'stream_exists' or 'any'`,
    );
  }
  const ids = new Set<string>();
  for (const event of events) {
    if (!UUID.test(event.id)) throw new InvalidAppendError(`stream ${streamId}: event id "${event.id}" is not a UUID`);
    if (ids.has(event.id.toLowerCase()))
      throw new InvalidAppendError(`stream ${streamId}: event id ${event.id} appears twice in one append`);
    ids.add(event.id.toLowerCase());
    if (!event.type) throw new InvalidAppendError(`stream ${streamId}: event type must be a non-empty string`);
  }
}

export type PriorAppend =
  /** None of the ids is in the stream: the refusal was a real revision conflict. */
  | { readonly kind: 'absent' }
  /** All ids are in the stream as one contiguous run in the same order: a retry of an append that succeeded. */
  | { readonly kind: 'same'; readonly lastRevision: number }
  /** Some ids are in the stream, but not as that run. */
  | { readonly kind: 'conflict'; readonly eventId: string };

/**
 * Classifies an append EventStoreDB refused, given the ids stored in the stream (index = revision). The server
 * detects plain retries itself; this covers the cases it reports as a wrong expected version (a retry with
 * an expected revision the stream has moved past, or ids reused in a different append).
 */
export function classifyPriorAppend(storedIds: readonly string[], appendedIds: readonly string[]): PriorAppend {
  const wanted = appendedIds.map((id) => id.toLowerCase());
  const first = storedIds.indexOf(wanted[0]!);
  if (first !== -1 && wanted.every((id, i) => storedIds[first + i] === id)) {
    return { kind: 'same', lastRevision: first + wanted.length - 1 };
  }
  const stored = new Set(storedIds);
  const reused = wanted.find((id) => stored.has(id));
  return reused === undefined ? { kind: 'absent' } : { kind: 'conflict', eventId: reused };
}

// ----- errors -----------------------------------------------------------------------------------------------

export interface ErrorContext {
  readonly streamId?: string;
  readonly expected?: ExpectedRevision;
}

const GRPC_UNAVAILABLE_CODES = new Set([
  1 /* CANCELLED */, 4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 10 /* ABORTED */, 14 /* UNAVAILABLE */,
]);

const SERVER_NOT_SERVING = /server is (not ready|busy|too busy)/i;

/** Turns anything the client throws into an error of the port; no raw client error leaves the adapter. */
export function mapClientError(error: unknown, context: ErrorContext = {}): EventStoreError {
  if (error instanceof EventStoreError) return error;
  if (!(error instanceof Error)) return new EventStoreFailureError(`EventStoreDB failed: ${String(error)}`, { cause: error });
  const converted = convertToCommandError(error);
  const message = converted.message || error.message || converted.constructor.name;
  if (isCommandError(converted)) {
    switch (converted.type) {
      case ErrorType.WRONG_EXPECTED_VERSION:
        if (context.streamId !== undefined && context.expected !== undefined) {
          const actual = converted.actualVersion === NO_STREAM ? undefined : Number(converted.actualVersion);
          return new WrongExpectedRevisionError(context.streamId, context.expected, actual);
        }
        break;
      case ErrorType.STREAM_NOT_FOUND:
      case ErrorType.STREAM_DELETED:
        if (context.streamId !== undefined && context.expected === undefined) return new StreamNotFoundError(context.streamId);
        break;
      case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
        return new InvalidAppendError(
          `stream ${context.streamId ?? '?'}: the append exceeds EventStoreDB's maximum append size (${converted.maxAppendSize} bytes)`,
        );
      case ErrorType.UNKNOWN:
        // A batch append the server did not handle (NotHandled: NotReady, TooBusy) comes back with an empty
        // details payload the client does not recognise: "Could not recognize Server Is Not Ready" (EventStore
        // v24.10.x src/EventStore.Core/Services/Transport/Grpc/Streams.BatchAppend.cs ConvertMessage; client
        // dist/streams/appendToStream/unpackError.js). Both pass: the request can be made again.
        if (SERVER_NOT_SERVING.test(message)) return new EventStoreUnavailableError(`EventStoreDB: ${message}`, { cause: error });
        break;
      case ErrorType.TIMEOUT:
      case ErrorType.DEADLINE_EXCEEDED:
      case ErrorType.UNAVAILABLE:
      case ErrorType.CANCELLED:
      case ErrorType.NOT_LEADER:
        return new EventStoreUnavailableError(`EventStoreDB: ${message}`, { cause: error });
      default:
        break;
    }
    return new EventStoreFailureError(`EventStoreDB refused the request (${converted.type}): ${message}`, { cause: error });
  }
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'number' && GRPC_UNAVAILABLE_CODES.has(code))
    return new EventStoreUnavailableError(`EventStoreDB: ${message}`, { cause: error });
  // Node's socket errors, and the client's own "Failed to discover after N attempts".
  if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|EPIPE)$/.test(code)) {
    return new EventStoreUnavailableError(`EventStoreDB: ${message}`, { cause: error });
  }
  if (/failed to discover/i.test(message)) return new EventStoreUnavailableError(`EventStoreDB: ${message}`, { cause: error });
  return new EventStoreFailureError(`EventStoreDB failed: ${message}`, { cause: error });
}

// ----- reading $all -----------------------------------------------------------------------------------------

/**
 * Collects one page of readAll from a forward scan of $all. Every record scanned moves the checkpoint, even a
 * system record or one the filter drops, so a filtered reader resumes past what it has already looked at.
 */
export class ReadAllPageCollector {
  readonly events: RecordedEvent[] = [];
  private lastScanned: LogPosition | undefined;

  constructor(
    private readonly after: LogPosition | undefined,
    private readonly maxCount: number,
    private readonly filter: LogFilter | undefined,
  ) {}

  get isFull(): boolean {
    return this.events.length >= this.maxCount;
  }

  /** Where the next scan starts (inclusive, as the client reads); the record there is dropped as already seen. */
  get resumeFrom(): LogPosition | undefined {
    return this.lastScanned ?? this.after;
  }

  /** Offers one scanned record; `toEvent` is only called for records that are returned. */
  offer(position: LogPosition, streamId: string, type: string, toEvent: () => RecordedEvent): void {
    if (this.isFull || !isAfter(position, this.resumeFrom)) return;
    this.lastScanned = position;
    if (isVisible(streamId, type, this.filter)) this.events.push(toEvent());
  }

  page(): { events: RecordedEvent[]; checkpoint: LogPosition; isEnd: boolean } {
    return { events: this.events, checkpoint: this.lastScanned ?? this.after ?? START, isEnd: this.events.length < this.maxCount };
  }
}
