import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { headToTuple, type StreamHead } from './log-fold.ts';
import { headsFromJson, headsToJson } from './seal-heads.ts';

/** The seals, and apart (small, read whole) the keys they were signed with; category `log_seal`. */
export const LOG_SEAL_STREAM = 'log_seal-seals';
export const LOG_SEAL_KEYS_STREAM = 'log_seal-keys';
export const LOG_SEALED = 'LogSealed';
export const LOG_SEAL_KEY_ADOPTED = 'LogSealKeyAdopted';
export const LOG_SEAL_EVENT_SCHEMAS = [{ type: LOG_SEALED }, { type: LOG_SEAL_KEY_ADOPTED }];
export const SEAL_ALGORITHM = 'Ed25519';

/** The signed statement of the whole log up to `position`. */
export interface LogSeal {
  /** The last log position covered (inclusive), `<commit>:<prepare>`. */
  readonly position: string;
  readonly eventCount: number;
  /** RFC 9162 Merkle tree hash over the leaves of every event up to position, hex. */
  readonly rootHash: string;
  readonly sealedAt: string;
  readonly keyId: string;
  readonly algorithm: string;
  /** Where each stream that changed since the previous seal ended (in the order they first changed; earlier seals: by stream id). */
  readonly heads: readonly StreamHead[];
  /** base64url Ed25519 signature over `canonicalSeal`. */
  readonly signature: string;
}

export type UnsignedSeal = Omit<LogSeal, 'signature'>;

/**
 * The bytes that are signed: a scheme line, then the fields in a fixed order, the heads by their SHA-256. Anyone can
 * rebuild it from a seal (the export carries seals whole), so the signature is checked without this code.
 */
export function canonicalSeal(seal: UnsignedSeal): Buffer {
  const headsDigest = createHash('sha256')
    .update(JSON.stringify(seal.heads.map(headToTuple)))
    .digest('hex');
  return Buffer.from(
    [
      'governance-log-seal/v1',
      seal.position,
      String(seal.eventCount),
      seal.rootHash,
      seal.sealedAt,
      seal.keyId,
      seal.algorithm,
      headsDigest,
    ].join('\n'),
    'utf8',
  );
}

export function signSeal(seal: UnsignedSeal, privateKey: KeyObject): LogSeal {
  return { ...seal, signature: sign(null, canonicalSeal(seal), privateKey).toString('base64url') };
}

export function sealSignatureValid(seal: LogSeal, publicKey: KeyObject): boolean {
  try {
    return verify(null, canonicalSeal(seal), publicKey, Buffer.from(seal.signature, 'base64url'));
  } catch {
    return false;
  }
}

/** A seal as stored in a LogSealed event and written to witness files and exports (heads as seal-heads.ts writes them). */
export function sealToJson(seal: LogSeal): Record<string, unknown> {
  return {
    position: seal.position,
    eventCount: seal.eventCount,
    rootHash: seal.rootHash,
    sealedAt: seal.sealedAt,
    keyId: seal.keyId,
    algorithm: seal.algorithm,
    heads: headsToJson(seal.heads),
    signature: seal.signature,
  };
}

const POSITION = /^\d{1,20}:\d{1,20}$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** Reads a seal back; undefined when its shape is wrong (a verifier reports that as a bad seal). */
export function sealFromJson(value: unknown): LogSeal | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v['position'] !== 'string' || !POSITION.test(v['position'])) return undefined;
  if (!Number.isSafeInteger(v['eventCount']) || (v['eventCount'] as number) < 0) return undefined;
  if (typeof v['rootHash'] !== 'string' || !HEX64.test(v['rootHash'])) return undefined;
  if (typeof v['sealedAt'] !== 'string' || typeof v['keyId'] !== 'string' || typeof v['algorithm'] !== 'string') return undefined;
  if (typeof v['signature'] !== 'string') return undefined;
  const heads = headsFromJson(v['heads']);
  if (!heads) return undefined;
  return {
    position: v['position'],
    eventCount: v['eventCount'] as number,
    rootHash: v['rootHash'],
    sealedAt: v['sealedAt'],
    keyId: v['keyId'],
    algorithm: v['algorithm'],
    heads,
    signature: v['signature'],
  };
}

/** Log positions compared as pairs of integers. */
export function comparePositionText(a: string, b: string): number {
  const [ac, ap] = a.split(':').map(BigInt) as [bigint, bigint];
  const [bc, bp] = b.split(':').map(BigInt) as [bigint, bigint];
  if (ac !== bc) return ac < bc ? -1 : 1;
  if (ap !== bp) return ap < bp ? -1 : 1;
  return 0;
}
