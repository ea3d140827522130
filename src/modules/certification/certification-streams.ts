import { loadState, type GovernanceEventStore } from '#event-store';
import { isId } from '../../platform/shared/identifiers.ts';
import {
  CERTIFICATION_LEVEL_MAX,
  certificationLevelDecider,
  certificationLevelStreamId,
  type CertificationLevelDefinition,
} from './certification-level.decider.ts';
import { certificationDecider, certificationStatusAt, certificationStreamId, type CertificationStatus } from './certification.decider.ts';

// What certification decides from, read from the streams themselves (never a read model): a decision rests on what
// the log says at the moment it is taken.

/** The level's definition as its stream has it now; null when it was never defined. */
export async function readCertificationLevel(events: GovernanceEventStore, level: number): Promise<CertificationLevelDefinition | null> {
  if (!Number.isSafeInteger(level) || level < 1 || level > CERTIFICATION_LEVEL_MAX) return null;
  const { state } = await loadState(events, certificationLevelStreamId(level), certificationLevelDecider);
  if (state.status === 'undefined') return null;
  const { status: _status, ...definition } = state;
  return definition;
}

/**
 * Levels 1, 2, ... as defined now, up to `upTo` (every level when absent). Levels are defined in order, so the walk
 * stops at the first one that is not defined.
 */
export async function readCertificationLevels(
  events: GovernanceEventStore,
  upTo = CERTIFICATION_LEVEL_MAX,
): Promise<CertificationLevelDefinition[]> {
  const levels: CertificationLevelDefinition[] = [];
  for (let level = 1; level <= Math.min(upTo, CERTIFICATION_LEVEL_MAX); level++) {
    const definition = await readCertificationLevel(events, level);
    if (!definition) break;
    levels.push(definition);
  }
  return levels;
}

export interface CertificationStatusAnswer {
  readonly status: CertificationStatus;
  /** The current award's level (also once expired or revoked); null when never certified. */
  readonly level: number | null;
  readonly expiresAt: string | null;
}

/**
 * A member's certification status at `at`, from their certification stream (for decisions: the moderation gate). An
 * award whose expiry has passed is EXPIRED even when the scheduler has not recorded it yet. A member never certified
 * (or an id that cannot be a member's) is NOT_CERTIFIED.
 */
export async function readCertificationStatus(
  events: GovernanceEventStore,
  memberId: string,
  at: Date,
): Promise<CertificationStatusAnswer> {
  if (!isId(memberId)) return { status: 'NOT_CERTIFIED', level: null, expiresAt: null };
  const { state } = await loadState(events, certificationStreamId(memberId), certificationDecider);
  if (state.status === 'NOT_CERTIFIED') return { status: 'NOT_CERTIFIED', level: null, expiresAt: null };
  return { status: certificationStatusAt(state, at), level: state.current.level, expiresAt: state.current.expiresAt };
}
