import type { Decider } from '#event-store';
import { LOG_SEAL_KEY_ADOPTED, LOG_SEALED, sealToJson, type LogSeal } from './log-seal.ts';
import { headCount } from './seal-heads.ts';

/**
 * The `log_seal` streams as an auditor folds them (streamStateAt): `log_seal-seals` (LogSealed) and `log_seal-keys`
 * (LogSealKeyAdopted) share the category, so one state covers both; each stream fills its own half. The sealer
 * writes these events (sealer.ts) with the builders below, so what is folded here is what it wrote.
 */
export const LOG_SEAL_STREAM_CATEGORY = 'log_seal';

export interface LogSealedEvent {
  readonly type: typeof LOG_SEALED;
  /** A seal as sealToJson writes it; read back as recorded, whatever its shape (the fold judges nothing). */
  readonly data: Readonly<Record<string, unknown>>;
}

export interface LogSealKeyAdoptedEvent {
  readonly type: typeof LOG_SEAL_KEY_ADOPTED;
  readonly data: { readonly keyId: string; readonly algorithm: string; readonly publicKeyJwk: Readonly<Record<string, unknown>> };
}

export type LogSealEvent = LogSealedEvent | LogSealKeyAdoptedEvent;

export interface AdoptSealKey {
  readonly type: 'AdoptSealKey';
  readonly keyId: string;
  readonly algorithm: string;
  readonly publicKeyJwk: Readonly<Record<string, unknown>>;
}

export interface RecordLogSeal {
  readonly type: 'RecordLogSeal';
  readonly seal: LogSeal;
}

export type LogSealCommand = AdoptSealKey | RecordLogSeal;

/** The newest seal as recorded: its fields as they are in the event, and how many stream heads it listed. */
export interface RecordedSeal {
  readonly position: unknown;
  readonly eventCount: unknown;
  readonly rootHash: unknown;
  readonly sealedAt: unknown;
  readonly keyId: unknown;
  readonly algorithm: unknown;
  readonly signature: unknown;
  /** Streams that changed since the previous seal (how many heads `heads` lists, in either form); null when neither. */
  readonly changedStreams: number | null;
}

export interface RecordedSealKey {
  readonly keyId: string;
  readonly algorithm: string;
  readonly publicKeyJwk: unknown;
}

export interface LogSealStreamState {
  /** LogSealed events folded. */
  readonly seals: number;
  readonly latestSeal: RecordedSeal | null;
  /** Every key adopted, in the order first adopted. */
  readonly keys: readonly RecordedSealKey[];
  /** The key adopted last: the one seals were being signed with. */
  readonly currentKeyId: string | null;
}

export function logSealedEvent(seal: LogSeal): LogSealedEvent {
  return { type: LOG_SEALED, data: sealToJson(seal) };
}

export function sealKeyAdoptedEvent(key: { keyId: string; algorithm: string; publicKeyJwk: object }): LogSealKeyAdoptedEvent {
  return { type: LOG_SEAL_KEY_ADOPTED, data: { keyId: key.keyId, algorithm: key.algorithm, publicKeyJwk: { ...key.publicKeyJwk } } };
}

function evolve(state: LogSealStreamState, event: LogSealEvent): LogSealStreamState {
  switch (event.type) {
    case LOG_SEALED:
      // As recorded, not checked: whether a seal holds is verifyHistory's answer; the state shows what the log says.
      return { ...state, seals: state.seals + 1, latestSeal: recordedSeal(event.data) };
    case LOG_SEAL_KEY_ADOPTED: {
      const { keyId, algorithm, publicKeyJwk } = event.data;
      const known = state.keys.some((key) => key.keyId === keyId);
      return {
        ...state,
        keys: known ? state.keys : [...state.keys, { keyId: String(keyId), algorithm: String(algorithm), publicKeyJwk }],
        currentKeyId: String(keyId),
      };
    }
    default:
      return unknownEvent((event satisfies never as { type: string }).type, state);
  }
}

function recordedSeal(data: Readonly<Record<string, unknown>>): RecordedSeal {
  return {
    position: data['position'],
    eventCount: data['eventCount'],
    rootHash: data['rootHash'],
    sealedAt: data['sealedAt'],
    keyId: data['keyId'],
    algorithm: data['algorithm'],
    signature: data['signature'],
    changedStreams: headCount(data['heads']),
  };
}

function decide(command: LogSealCommand, state: LogSealStreamState): LogSealEvent[] {
  switch (command.type) {
    // A key is adopted once; a seal signed with it later needs no new adoption (the sealer reads the keys first).
    case 'AdoptSealKey':
      return state.keys.some((key) => key.keyId === command.keyId) ? [] : [sealKeyAdoptedEvent(command)];
    case 'RecordLogSeal':
      return [logSealedEvent(command.seal)];
    default:
      throw new Error(`unknown log seal command ${(command satisfies never as { type: string }).type}`);
  }
}

function unknownEvent(type: string, state: LogSealStreamState): LogSealStreamState {
  // An event type this code does not know yet (written by a newer version) changes nothing it knows about.
  void type;
  return state;
}

export const logSealDecider: Decider<LogSealCommand, LogSealStreamState, LogSealEvent> = {
  initialState: { seals: 0, latestSeal: null, keys: [], currentKeyId: null },
  evolve,
  decide,
};
