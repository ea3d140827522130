import { loadState, type GovernanceEventStore } from '#event-store';
import { readMemberStatus, type MemberStatus } from '../members/index.ts';
import { isId } from '../../platform/shared/identifiers.ts';
import { trainingEnrolmentDecider, trainingEnrolmentStreamId, type Enrolment } from './training-enrolment.decider.ts';
import { trainingProgrammeDecider, trainingProgrammeStreamId, type DefinedProgramme } from './training-programme.decider.ts';

// What training decides from, read from the streams themselves (never a read model): a decision rests on what the log
// says at the moment it is taken.

/** A programme's current definition and the revision of its stream. */
export interface ProgrammeAtRevision extends DefinedProgramme {
  readonly revision: number;
}

/** A member's enrolment and the revision of its stream. */
export interface EnrolmentAtRevision extends Enrolment {
  readonly revision: number;
}

/** Null when the programme was never defined (or the id cannot be one). */
export async function readProgramme(events: GovernanceEventStore, programmeId: string): Promise<ProgrammeAtRevision | null> {
  if (!isId(programmeId)) return null;
  const { state, revision } = await loadState(events, trainingProgrammeStreamId(programmeId), trainingProgrammeDecider);
  if (state.status === 'absent') return null;
  return { ...state, revision };
}

export async function programmeExists(events: GovernanceEventStore, programmeId: string): Promise<boolean> {
  return (await readProgramme(events, programmeId)) !== null;
}

/** Null when the member is not enrolled in the programme. */
export async function readEnrolment(
  events: GovernanceEventStore,
  programmeId: string,
  memberId: string,
): Promise<EnrolmentAtRevision | null> {
  if (!isId(programmeId) || !isId(memberId)) return null;
  const { state, revision } = await loadState(events, trainingEnrolmentStreamId(programmeId, memberId), trainingEnrolmentDecider);
  if (state.status === 'absent') return null;
  return { ...state, revision };
}

/**
 * Which of `programmeIds` the member has completed (their enrolment is COMPLETED), from the enrolment streams. Ids that
 * cannot be programme ids are simply not completed.
 */
export async function completedProgrammes(
  events: GovernanceEventStore,
  memberId: string,
  programmeIds: readonly string[],
): Promise<Set<string>> {
  const unique = [...new Set(programmeIds)];
  const enrolments = await Promise.all(unique.map((programmeId) => readEnrolment(events, programmeId, memberId)));
  return new Set(unique.filter((_, i) => enrolments[i]?.status === 'COMPLETED'));
}

/** Whether the member is registered and active, from the member's own stream. */
export async function memberStatus(events: GovernanceEventStore, memberId: string): Promise<MemberStatus> {
  return isId(memberId) ? readMemberStatus(events, memberId) : 'unregistered';
}
