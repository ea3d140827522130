import type { EventSchemaDefinition } from '#event-store';

/** A module as the member enrolled in it: their enrolment keeps this list when the programme is redefined later. */
export interface EnrolledModule {
  readonly id: string;
  readonly required: boolean;
  readonly selfPaced: boolean;
}

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
