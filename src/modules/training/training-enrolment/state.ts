import { ignoreUnknownEvent } from '../../../platform/shared/exhaustive.ts';
import type { EnrolledModule, TrainingEnrolmentEvent } from './events.ts';

// ---------------------------------------------------------------- state

export const ENROLMENT_STATUSES = ['ENROLLED', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'WITHDRAWN'] as const;
export type EnrolmentStatus = (typeof ENROLMENT_STATUSES)[number];

/** The statuses in which an enrolment has ended without completing: the member may enrol again and start over. */
export const ENDED_STATUSES: readonly EnrolmentStatus[] = ['FAILED', 'WITHDRAWN'];

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

export const initialState: TrainingEnrolmentState = { status: 'absent' };

export function evolve(state: TrainingEnrolmentState, event: TrainingEnrolmentEvent): TrainingEnrolmentState {
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

/** The required modules of the enrolled revision not completed yet, in the programme's order. */
export function remainingRequiredModules(enrolment: Pick<Enrolment, 'modules' | 'completedModules'>): string[] {
  return enrolment.modules
    .filter((module) => module.required && !enrolment.completedModules.includes(module.id))
    .map((module) => module.id);
}
