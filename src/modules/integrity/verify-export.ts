import { createHash, type KeyObject } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
// The one file of the event store this needs (SHA-256 chain hashing, node:crypto only), not its index: the offline
// check runs with Node alone, without the database drivers the rest of the store loads.
import { computeEventHash, storedHash, ZERO_HASH } from '../../../libs/event-store/src/serialization/integrity.ts';
import { BreakList, SealCheck, type IntegrityBreak } from './integrity-check.ts';
import { sealFromJson, type LogSeal } from './log-seal.ts';
import { keyIdOf, publicKeyFromJwk, type PublicJwk } from './seal-keys.ts';

/**
 * The offline check of an export (GET /audit/export): needs the file and the public key(s), nothing else. Each line's
 * hash is recomputed from the stored bytes it carries and chained to its stream's previous line; what a person reads
 * (data, metadata) must agree with those bytes (personal fields excepted: they are encrypted there, and erased ones
 * read "[redacted]"); every seal's signature is checked, then its root over the lines (and over the tree nodes of what
 * a filter left out) and, for a complete export, where each stream ended.
 */
export interface ExportVerdict {
  readonly ok: boolean;
  readonly events: number;
  readonly breaks: readonly IntegrityBreak[];
  readonly totalBreaks: number;
  readonly seals: number;
  readonly latestSeal: LogSeal | undefined;
  readonly unsealedEvents: number;
  readonly complete: boolean;
}

interface ExportLine {
  position: string;
  id: string;
  streamId: string;
  revision: number;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: Record<string, unknown>;
  hash: string | null;
  recordedAt: string;
  previousHash?: string;
  stored?: { data: string; metadata: string } | null;
  skipped?: [number, string][];
}

const METADATA_FIELDS = [
  'actorId',
  'actorRoles',
  'authority',
  'reason',
  'source',
  'correlationId',
  'causationId',
  'commandId',
  'occurredAt',
];
const HASH_SUFFIX_LENGTH = ',"hash":"'.length + 64 + '"}'.length;

/** Reads public keys from a JWK file: one JWK, an array of them, or a JWK set ({"keys": [...]}), as sealKeys gives them. */
export async function readPublicKeys(path: string): Promise<Map<string, KeyObject>> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as unknown;
  const list = Array.isArray(parsed) ? parsed : ((parsed as { keys?: unknown[] }).keys ?? [parsed]);
  const keys = new Map<string, KeyObject>();
  for (const entry of list) {
    // sealKeys answers { keyId, publicKeyJwk: "<json>" }; a bare JWK works too.
    const jwk =
      typeof (entry as { publicKeyJwk?: unknown }).publicKeyJwk === 'string'
        ? JSON.parse((entry as { publicKeyJwk: string }).publicKeyJwk)
        : entry;
    keys.set(keyIdOf(jwk as PublicJwk), publicKeyFromJwk(jwk));
  }
  return keys;
}

async function* lines(path: string): AsyncGenerator<string> {
  const reader = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of reader) yield line;
}

export async function verifyExportFile(path: string, keys: ReadonlyMap<string, KeyObject>): Promise<ExportVerdict> {
  // First pass: the summary (last line), and whether the export left anything out.
  let last: string | undefined;
  let total = 0;
  let gaps = false;
  for await (const line of lines(path)) {
    if (line === '') continue;
    if (last !== undefined && last.includes('"skipped":[[')) gaps = true;
    last = line;
    total++;
  }
  const breaks = new BreakList();
  const add = (kind: IntegrityBreak['kind'], line: Partial<ExportLine> | null, detail: string) =>
    breaks.add({ kind, position: line?.position ?? null, streamId: line?.streamId ?? null, revision: line?.revision ?? null, detail });
  let summary: Record<string, unknown> = {};
  try {
    summary = JSON.parse(last ?? '{}') as Record<string, unknown>;
  } catch {
    add('MISSING_EVENT', null, 'the last line is not the summary line: the export was cut short');
  }
  const skippedAfter = Array.isArray(summary['skippedAfter']) ? (summary['skippedAfter'] as [number, string][]) : [];
  const complete = !gaps && skippedAfter.length === 0;
  const check = new SealCheck({ keys, breaks, byCount: !complete });
  const seals: LogSeal[] = [];
  for (const raw of Array.isArray(summary['seals']) ? summary['seals'] : []) {
    const seal = sealFromJson(raw);
    if (!seal) add('BAD_SEAL', null, 'a seal in the summary is not a well-formed seal');
    else {
      seals.push(seal);
      check.queue(seal);
    }
  }

  // Second pass: every event line.
  const digest = createHash('sha256');
  const streams = new Map<string, { revision: number; hash: string }>();
  let events = 0;
  let seen = 0;
  for await (const text of lines(path)) {
    if (text === '') continue;
    if (++seen === total) break; // the summary
    digest.update(`${text}\n`, 'utf8');
    events++;
    let line: ExportLine;
    try {
      line = JSON.parse(text) as ExportLine;
    } catch {
      add('HASH_MISMATCH', null, `line ${seen} is not JSON`);
      continue;
    }
    for (const [size, hex] of line.skipped ?? []) {
      try {
        check.skip(size, Buffer.from(hex, 'hex'));
      } catch (error) {
        add('BAD_SEAL', line, `the tree nodes before this event do not fit the log: ${(error as Error).message}`);
      }
    }
    checkLine(line, streams, complete, add);
    check.add({
      hash: line.hash ?? '',
      position: line.position,
      streamId: line.streamId,
      revision: line.revision,
      recordedAt: line.recordedAt,
    });
  }
  for (const [size, hex] of skippedAfter) {
    try {
      check.skip(size, Buffer.from(hex, 'hex'));
    } catch (error) {
      add('BAD_SEAL', null, `the tree nodes after the last event do not fit the log: ${(error as Error).message}`);
    }
  }
  const sealed = check.finish();
  if (summary['count'] !== events)
    add('MISSING_EVENT', null, `the summary counts ${String(summary['count'])} events; the file holds ${events}`);
  if (summary['sha256'] !== digest.digest('hex'))
    add('HASH_MISMATCH', null, 'the SHA-256 of the event lines differs from the summary: lines were changed, added or removed');
  return {
    ok: breaks.total === 0,
    events,
    breaks: breaks.items,
    totalBreaks: breaks.total,
    seals: seals.length,
    latestSeal: sealed.latestSeal,
    unsealedEvents: events - (sealed.latestSeal && complete ? sealed.latestSeal.eventCount : 0),
    complete,
  };
}

function checkLine(
  line: ExportLine,
  streams: Map<string, { revision: number; hash: string }>,
  complete: boolean,
  add: (kind: IntegrityBreak['kind'], line: Partial<ExportLine> | null, detail: string) => void,
): void {
  const at = `revision ${line.revision} of ${line.streamId}`;
  const previous = streams.get(line.streamId);
  streams.set(line.streamId, { revision: line.revision, hash: line.hash ?? '' });
  if (previous && previous.revision >= line.revision) {
    return add('REORDERED', line, `${at} comes after revision ${previous.revision} of the same stream`);
  }
  const expected = previous ? previous.revision + 1 : 0;
  if (complete && line.revision !== expected) {
    return add(
      'MISSING_EVENT',
      line,
      `${line.streamId} goes from revision ${expected - 1} to ${line.revision}: revision ${expected} is missing`,
    );
  }
  if (previous && line.revision === expected && line.previousHash !== previous.hash) {
    return add('HASH_MISMATCH', line, `${at} does not chain to the line before it in its stream`);
  }
  if (complete && !previous && line.previousHash !== ZERO_HASH) {
    return add('HASH_MISMATCH', line, `${at} starts its stream but chains to a previous hash`);
  }
  const stored = line.stored;
  if (!stored || typeof stored.data !== 'string' || typeof stored.metadata !== 'string' || typeof line.previousHash !== 'string') {
    return add('HASH_MISMATCH', line, `${at} carries no stored bytes to check its hash against`);
  }
  const hash = storedHash(stored.metadata);
  const recomputed =
    hash === undefined
      ? undefined
      : computeEventHash(
          line.previousHash,
          { id: line.id, streamId: line.streamId, revision: line.revision, type: line.type, data: stored.data },
          stored.metadata.slice(0, -HASH_SUFFIX_LENGTH) + `,"hash":"${ZERO_HASH}"}`,
        );
  if (hash === undefined || recomputed !== hash || line.hash !== hash) {
    return add('HASH_MISMATCH', line, `${at}: its stored bytes do not match its hash`);
  }
  const storedMetadata = JSON.parse(stored.metadata) as Record<string, unknown>;
  for (const field of METADATA_FIELDS) {
    if (JSON.stringify(storedMetadata[field]) !== JSON.stringify(line.metadata?.[field])) {
      return add('HASH_MISMATCH', line, `${at}: the metadata shown (${field}) differs from the stored bytes`);
    }
  }
  // Upcast data (a newer schema version than stored) is the stored data transformed: only the same version compares.
  if (storedMetadata['schemaVersion'] !== line.schemaVersion) return;
  const storedData = JSON.parse(stored.data) as unknown;
  if (!sameReadable(storedData, line.data)) add('HASH_MISMATCH', line, `${at}: the data shown differs from the stored bytes`);
}

/** Equal, except that an encrypted personal field may read as anything (decrypted, or "[redacted]" after erasure). */
function sameReadable(stored: unknown, shown: unknown): boolean {
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return JSON.stringify(stored) === JSON.stringify(shown);
  if (shown === null || typeof shown !== 'object' || Array.isArray(shown)) return false;
  const a = stored as Record<string, unknown>;
  const b = shown as Record<string, unknown>;
  if (Object.keys(a).sort().join('\n') !== Object.keys(b).sort().join('\n')) return false;
  return Object.keys(a).every((key) => isEnvelope(a[key]) || canonical(a[key]) === canonical(b[key]));
}

function isEnvelope(value: unknown): boolean {
  return value !== null && typeof value === 'object' && Object.hasOwn(value, '$pd');
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
    .join(',')}}`;
}

/** The one-line verdict, then one line per break. */
export function describeVerdict(verdict: ExportVerdict): string[] {
  const seal = verdict.latestSeal;
  const sealed = seal
    ? `sealed up to ${seal.position} (${seal.eventCount} events in the log) by key ${seal.keyId} at ${seal.sealedAt}; ${verdict.unsealedEvents} exported events are after that seal (hash chains only)`
    : 'no seal covers it (hash chains only)';
  const head = verdict.ok
    ? `OK: ${verdict.events} events, unaltered; ${verdict.complete ? 'complete' : 'filtered'} export, ${sealed}`
    : `BROKEN: ${verdict.totalBreaks} break${verdict.totalBreaks === 1 ? '' : 's'} in ${verdict.events} events (${verdict.seals} seals in the export)`;
  return [
    head,
    ...verdict.breaks.map(
      (b) => `${b.kind} position=${b.position ?? '-'} stream=${b.streamId ?? '-'} revision=${b.revision ?? '-'}: ${b.detail}`,
    ),
  ];
}
