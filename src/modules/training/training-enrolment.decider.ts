import type { Decider, EventSchemaDefinition } from '#event-store';
import type { MemberStatus } from '../members/index.ts';
import { badInput, conflict, DomainError, notFound } from '../../platform/shared/domain-error.ts';
import { optionalText, requireId } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

export const TRAINING_ENROLMENT_STREAM_CATEGORY = 'training_enrolment';

/**
 * Public: auditors pass it to `streamStateAt`. One stream per member and programme, so "enrolled once" and "completed
 * once" are kept by the stream itself.
 */
export function trainingEnrolmentStreamId(programmeId: string, memberId: string): string {
  return `${TRAINING_ENROLMENT_STREAM_CATEGORY}-${requireId(programmeId, 'programmeId')}-${requireId(memberId, 'memberId')}`;
}

export const TRAINING_EVIDENCE_MAX = 2000;

/** A module as the member enrolled in it: their enrolment keeps this list when the programme is redefined later. */
export interface EnrolledModule {
  readonly id: string;
  readonly required: boolean;
  readonly selfPaced: boolean;
}

export const ENROLMENT_STATUSES = ['ENROLLED', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'WITHDRAWN'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/** The statuses in which an enrolment has ended without completing: the member may enrol again and start over. */
export const ENDED_STATUSES: readonly EnrolmentStatus[] = ['FAILED', 'WITHDRAWN'];

export const TRAINING_END_REASON_MAX = 2000;

// ---------------------------------------------------------------- events (stored names never change)

export interface MemberEnrolledInTraining {
  readonly type: 'MemberEnrolledInTraining';
  readonly data: {
    readonly programmeId: string;
    readonly memberId: string;
    /** The revision of the programme's stream enrolled in. */
    readonly programmeRevision: number;
    readonly modules: readonly EnrolledModule[];
    readonly enrolledBy: string;
    readonly enrolledAt: string;
  };
}

export interface TrainingModuleCompleted {
  readonly type: 'TrainingModuleCompleted';
  readonly data: {
    readonly programmeId: string;
    readonly memberId: string;
    readonly moduleId: string;
    /** Personal data of the member: what they did to complete the module. */
    readonly evidence: string | null;
    readonly recordedBy: string;
    readonly completedAt: string;
  };
}

/** Recorded with the completion of the last required module, in the same decision. */
export interface TrainingEnrolmentCompleted {
  readonly type: 'TrainingEnrolmentCompleted';
  readonly data: {
    readonly programmeId: string;
    readonly memberId: string;
    readonly programmeRevision: number;
    readonly completedAt: string;
  };
}

/** The member (or a community manager for them) ended the enrolment before completing it. */
export interface MemberWithdrewFromTraining {
  readonly type: 'MemberWithdrewFromTraining';
  readonly data: {
    readonly programmeId: string;
    readonly memberId: string;
    /** Personal data of the member (why they stopped: time, health, ...). */
    readonly reason: string | null;
    readonly withdrawnBy: string;
    readonly withdrawnAt: string;
  };
}

/** A community manager recorded that the member did not pass (e.g. a failed assessment). */
export interface TrainingEnrolmentFailed {
  readonly type: 'TrainingEnrolmentFailed';
  readonly data: {
    readonly programmeId: string;
    readonly memberId: string;
    /** Personal data of the member (how they did). */
    readonly reason: string | null;
    readonly recordedBy: string;
    readonly failedAt: string;
  };
}

export type TrainingEnrolmentEvent =
  MemberEnrolledInTraining | TrainingModuleCompleted | TrainingEnrolmentCompleted | MemberWithdrewFromTraining | TrainingEnrolmentFailed;

export const TRAINING_ENROLMENT_EVENT_TYPES: readonly TrainingEnrolmentEvent['type'][] = [
  'MemberEnrolledInTraining',
  'TrainingModuleCompleted',
  'TrainingEnrolmentCompleted',
  'MemberWithdrewFromTraining',
  'TrainingEnrolmentFailed',
];

export function isTrainingEnrolmentEvent(event: { readonly type: string }): event is TrainingEnrolmentEvent {
  return (TRAINING_ENROLMENT_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * Evidence is the member's own record of their work, and the reason an enrolment ended says why they stopped or how
 * they did: both are encrypted with the member's key (and the reason is kept out of the unencrypted metadata).
 */
export const TRAINING_ENROLMENT_EVENT_SCHEMAS: EventSchemaDefinition[] = TRAINING_ENROLMENT_EVENT_TYPES.map((type) => {
  switch (type) {
    case 'TrainingModuleCompleted':
      return { type, personal: { fields: ['evidence'], subject: (data) => String(data['memberId']) } };
    case 'MemberWithdrewFromTraining':
    case 'TrainingEnrolmentFailed':
      return { type, personal: { fields: ['reason'], subject: (data) => String(data['memberId']) } };
    default:
      return { type };
  }
});

// ---------------------------------------------------------------- commands

/**
 * Why the actor may act on this enrolment, established by the handler from the actor's roles: community managers act
 * for anyone; anyone else only for themselves (and the decider says what they may do).
 */
export type TrainingAuthority = { readonly kind: 'community_manager' } | { readonly kind: 'self' };

/** The programme as its stream says now: its revision and modules. Null when it was never defined. */
export interface ProgrammeRevision {
  readonly revision: number;
  readonly modules: readonly EnrolledModule[];
}

export interface EnrolInTraining {
  readonly type: 'EnrolInTraining';
  readonly programmeId: string;
  readonly memberId: string;
  readonly programme: ProgrammeRevision | null;
  /** The member as their own stream says now. */
  readonly member: MemberStatus;
  readonly actorId: string;
  readonly authority: TrainingAuthority;
  readonly at: string;
}

export interface CompleteTrainingModule {
  readonly type: 'CompleteTrainingModule';
  readonly programmeId: string;
  readonly memberId: string;
  readonly moduleId: string;
  readonly evidence: string | null;
  readonly actorId: string;
  readonly authority: TrainingAuthority;
  readonly at: string;
}

/** The member themself or a community manager. */
export interface WithdrawFromTraining {
  readonly type: 'WithdrawFromTraining';
  readonly programmeId: string;
  readonly memberId: string;
  readonly reason: string | null;
  readonly actorId: string;
  readonly authority: TrainingAuthority;
  readonly at: string;
}

/** A community manager only: the handler checks the role before anything is read. */
export interface RecordTrainingFailed {
  readonly type: 'RecordTrainingFailed';
  readonly programmeId: string;
  readonly memberId: string;
  readonly reason: string | null;
  readonly actorId: string;
  readonly authority: TrainingAuthority;
  readonly at: string;
}

export type TrainingEnrolmentCommand = EnrolInTraining | CompleteTrainingModule | WithdrawFromTraining | RecordTrainingFailed;

// ---------------------------------------------------------------- state

export interface Enrolment {
  readonly status: EnrolmentStatus;
  readonly programmeId: string;
  readonly memberId: string;
  readonly programmeRevision: number;
  readonly modules: readonly EnrolledModule[];
  /** In completion order. */
  readonly completedModules: readonly string[];
  readonly enrolledAt: string;
  readonly completedAt: string | null;
  /** When it was withdrawn or failed; null while it runs or once completed. */
  readonly endedAt: string | null;
}

export type TrainingEnrolmentState = { readonly status: 'absent' } | Enrolment;

const initialState: TrainingEnrolmentState = { status: 'absent' };

function evolve(state: TrainingEnrolmentState, event: TrainingEnrolmentEvent): TrainingEnrolmentState {
  if (event.type === 'MemberEnrolledInTraining') {
    const d = event.data;
    return {
      status: 'ENROLLED',
      programmeId: d.programmeId,
      memberId: d.memberId,
      programmeRevision: d.programmeRevision,
      modules: d.modules,
      completedModules: [],
      enrolledAt: d.enrolledAt,
      completedAt: null,
      endedAt: null,
    };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'TrainingModuleCompleted':
      if (state.completedModules.includes(event.data.moduleId)) return state;
      return {
        ...state,
        status: state.status === 'ENROLLED' ? 'IN_PROGRESS' : state.status,
        completedModules: [...state.completedModules, event.data.moduleId],
      };
    case 'TrainingEnrolmentCompleted':
      return { ...state, status: 'COMPLETED', completedAt: event.data.completedAt };
    case 'MemberWithdrewFromTraining':
      return { ...state, status: 'WITHDRAWN', endedAt: event.data.withdrawnAt };
    case 'TrainingEnrolmentFailed':
      return { ...state, status: 'FAILED', endedAt: event.data.failedAt };
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: TrainingEnrolmentCommand, state: TrainingEnrolmentState): TrainingEnrolmentEvent[] {
  switch (command.type) {
    case 'EnrolInTraining':
      return enrol(command, state);
    case 'CompleteTrainingModule':
      return completeModule(command, state);
    case 'WithdrawFromTraining':
    case 'RecordTrainingFailed':
      return end(command, state);
    default:
      return unreachable('training enrolment command', command, 'type');
  }
}

export const trainingEnrolmentDecider: Decider<TrainingEnrolmentCommand, TrainingEnrolmentState, TrainingEnrolmentEvent> = {
  initialState,
  evolve,
  decide,
};

/** The required modules of the enrolled revision not completed yet, in the programme's order. */
export function remainingRequiredModules(enrolment: Pick<Enrolment, 'modules' | 'completedModules'>): string[] {
  return enrolment.modules
    .filter((module) => module.required && !enrolment.completedModules.includes(module.id))
    .map((module) => module.id);
}

// ---------------------------------------------------------------- enrol

function enrol(command: EnrolInTraining, state: TrainingEnrolmentState): TrainingEnrolmentEvent[] {
  const programmeId = requireId(command.programmeId, 'programmeId');
  const memberId = requireId(command.memberId, 'memberId');
  requireActingFor(command.authority, command.actorId, memberId, 'enrolling another member in a training programme');
  // Whoever enrols them and whenever: while an enrolment runs or once it is completed, the member keeps it (and the
  // revision it was decided on). Once it failed or was withdrawn they start over: a new enrolment in the programme as
  // it is now, with no module completed.
  if (state.status !== 'absent' && !ENDED_STATUSES.includes(state.status)) return [];
  if (command.programme === null) throw notFound(`training programme ${programmeId} does not exist`, { field: 'programmeId' });
  switch (command.member) {
    case 'active':
      break;
    case 'unregistered':
      throw conflict(`member ${memberId} is not registered: only registered members can be enrolled in training`, { field: 'memberId' });
    case 'left':
      throw conflict(`member ${memberId} has left the community: they can no longer be enrolled in training`, { field: 'memberId' });
    default:
      return unreachable('member status', command.member);
  }
  return [
    {
      type: 'MemberEnrolledInTraining',
      data: {
        programmeId,
        memberId,
        programmeRevision: command.programme.revision,
        modules: command.programme.modules.map(({ id, required, selfPaced }) => ({ id, required, selfPaced })),
        enrolledBy: command.actorId,
        enrolledAt: command.at,
      },
    },
  ];
}

// ---------------------------------------------------------------- complete a module

function completeModule(command: CompleteTrainingModule, state: TrainingEnrolmentState): TrainingEnrolmentEvent[] {
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

// ---------------------------------------------------------------- withdraw, or record a failure

/**
 * Ends a running enrolment. Ending it again the same way changes nothing (a retry); ending it the other way, or ending
 * a completed one, is a CONFLICT: a completion stands, and a withdrawal is not a failure.
 */
function end(command: WithdrawFromTraining | RecordTrainingFailed, state: TrainingEnrolmentState): TrainingEnrolmentEvent[] {
  const programmeId = requireId(command.programmeId, 'programmeId');
  const memberId = requireId(command.memberId, 'memberId');
  const reason = optionalText(command.reason, 'reason', TRAINING_END_REASON_MAX);
  const withdrawal = command.type === 'WithdrawFromTraining';
  if (withdrawal) requireActingFor(command.authority, command.actorId, memberId, "withdrawing another member's training enrolment");
  else if (command.authority.kind !== 'community_manager') {
    throw new DomainError('FORBIDDEN', 'recording that a member failed a training programme needs the role COMMUNITY_MANAGER');
  }
  if (state.status === 'absent') {
    throw notFound(`member ${memberId} is not enrolled in training programme ${programmeId}`, { field: 'memberId' });
  }
  const target: EnrolmentStatus = withdrawal ? 'WITHDRAWN' : 'FAILED';
  if (state.status === target) return [];
  if (state.status === 'COMPLETED') {
    throw conflict(`member ${memberId} has completed training programme ${programmeId}: a completed enrolment cannot be ${target}`, {
      field: 'memberId',
    });
  }
  if (ENDED_STATUSES.includes(state.status)) {
    throw conflict(`the enrolment of member ${memberId} in training programme ${programmeId} has already ended: it is ${state.status}`, {
      field: 'memberId',
    });
  }
  if (withdrawal) {
    return [
      {
        type: 'MemberWithdrewFromTraining',
        data: { programmeId, memberId, reason, withdrawnBy: command.actorId, withdrawnAt: command.at },
      },
    ];
  }
  return [{ type: 'TrainingEnrolmentFailed', data: { programmeId, memberId, reason, recordedBy: command.actorId, failedAt: command.at } }];
}

// ---------------------------------------------------------------- checks

function requireActingFor(authority: TrainingAuthority, actorId: string, memberId: string, action: string): void {
  switch (authority.kind) {
    case 'community_manager':
      return;
    case 'self':
      if (actorId === memberId) return;
      throw new DomainError('FORBIDDEN', `${action} needs the role COMMUNITY_MANAGER: members act only for themselves`);
    default:
      return unreachable('training authority', authority, 'kind');
  }
}
