import { badInput, conflict, DomainError, notFound } from '../../../platform/shared/domain-error.ts';
import { optionalText, requireId } from '../../../platform/shared/identifiers.ts';
import type { CompleteTrainingModule } from './commands.ts';
import type { TrainingEnrolmentEvent } from './events.ts';
import { requireActingFor } from './rules.ts';
import { ENDED_STATUSES, remainingRequiredModules, type TrainingEnrolmentState } from './state.ts';

// ---------------------------------------------------------------- complete a module

export const TRAINING_EVIDENCE_MAX = 2000;

export function completeModule(command: CompleteTrainingModule, state: TrainingEnrolmentState): TrainingEnrolmentEvent[] {
  const programmeId = requireId(command.programmeId, 'programmeId');
  const memberId = requireId(command.memberId, 'memberId');
  const moduleId = requireId(command.moduleId, 'moduleId');
  const evidence = optionalText(command.evidence, 'evidence', TRAINING_EVIDENCE_MAX);
  requireActingFor(command.authority, command.actorId, memberId, "recording another member's training");
  if (state.status === 'absent') {
    throw notFound(`member ${memberId} is not enrolled in training programme ${programmeId}`, { field: 'memberId' });
  }
  const module = state.modules.find((candidate) => candidate.id === moduleId);
  if (!module) {
    throw badInput(
      `module ${moduleId} is not part of training programme ${programmeId} as member ${memberId} enrolled in it (revision ${state.programmeRevision})`,
      { field: 'moduleId' },
    );
  }
  if (command.authority.kind === 'self' && !module.selfPaced) {
    throw new DomainError(
      'FORBIDDEN',
      `module ${moduleId} is not self-paced: a community manager records its completion, members record only self-paced modules`,
    );
  }
  if (state.completedModules.includes(moduleId)) return [];
  if (ENDED_STATUSES.includes(state.status)) {
    throw conflict(
      `the enrolment of member ${memberId} in training programme ${programmeId} is ${state.status}: enrol again to complete modules`,
      { field: 'memberId' },
    );
  }

  const events: TrainingEnrolmentEvent[] = [
    {
      type: 'TrainingModuleCompleted',
      data: { programmeId, memberId, moduleId, evidence, recordedBy: command.actorId, completedAt: command.at },
    },
  ];
  const completedModules = [...state.completedModules, moduleId];
  if (state.status !== 'COMPLETED' && remainingRequiredModules({ modules: state.modules, completedModules }).length === 0) {
    events.push({
      type: 'TrainingEnrolmentCompleted',
      data: { programmeId, memberId, programmeRevision: state.programmeRevision, completedAt: command.at },
    });
  }
  return events;
}
