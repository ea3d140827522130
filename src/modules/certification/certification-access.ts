import type { DataSource } from 'typeorm';
import type { GovernanceEventStore } from '#event-store';
import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { completedProgrammes } from '../training/index.ts';
import { missingProgrammes } from './certification.decider.ts';
import type { Certification } from './certification.graphql.ts';
import { findCertification, listCertificationLevels, liveLevel, nextLevelAbove } from './read-models/certification.queries.ts';

/** Community managers and auditors read anyone's certification; a member reads their own. */
const STAFF_READERS = [Role.COMMUNITY_MANAGER, Role.AUDITOR];

export function requireCertificationReader(actor: Actor, memberId: string): void {
  if (actor.id === memberId || STAFF_READERS.some((role) => actor.roles.includes(role))) return;
  throw new DomainError('FORBIDDEN', "a member's certification is visible to community managers, auditors and the member");
}

/**
 * A member's certification as of `at`, with what the next level still needs: the read model for the certification and
 * the levels, the member's enrolment streams for the training completed.
 */
export async function certificationView(
  db: DataSource,
  events: GovernanceEventStore,
  memberId: string,
  at: Date,
): Promise<Omit<Certification, 'id'>> {
  const summary = await findCertification(db, memberId, at);
  const levels = await listCertificationLevels(db);
  const nextLevel = nextLevelAbove(levels, liveLevel(summary));
  if (nextLevel === null) return { ...summary, nextLevel, missingForNextLevel: [] };
  const required = levels.filter((definition) => definition.level <= nextLevel).flatMap((definition) => definition.requiredProgrammes);
  const completed = await completedProgrammes(events, memberId, required);
  return { ...summary, nextLevel, missingForNextLevel: missingProgrammes(levels, nextLevel, completed) };
}
