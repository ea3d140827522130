import { ignoreUnknownEvent } from '../../../platform/shared/exhaustive.ts';
import type { AmbassadorEvent } from './events.ts';

export const AMBASSADOR_STATUSES = ['NOMINATED', 'APPROVED', 'ACTIVE', 'INACTIVE', 'REJECTED', 'OFFBOARDED'] as const;
export type AmbassadorStatus = (typeof AMBASSADOR_STATUSES)[number];

/** An enrolment in one of these is still running: a member has at most one. */
export const LIVE_AMBASSADOR_STATUSES: readonly AmbassadorStatus[] = ['NOMINATED', 'APPROVED', 'ACTIVE', 'INACTIVE'];

/** The member's latest enrolment; earlier ones are in the stream (and the read model's history). */
export interface AmbassadorEnrolment {
  readonly status: AmbassadorStatus;
  readonly memberId: string;
  readonly enrolment: number;
  readonly department: string;
  readonly nominatedBy: string;
  readonly nominatedAt: string;
  /** When this enrolment first became ACTIVE. */
  readonly since: string | null;
  /** When it was rejected or offboarded. */
  readonly endedAt: string | null;
}

export type AmbassadorState = { readonly status: 'NONE' } | AmbassadorEnrolment;

export const initialState: AmbassadorState = { status: 'NONE' };

export function evolve(state: AmbassadorState, event: AmbassadorEvent): AmbassadorState {
  if (event.type === 'AmbassadorNominated') {
    const d = event.data;
    return {
      status: 'NOMINATED',
      memberId: d.memberId,
      enrolment: d.enrolment,
      department: d.department,
      nominatedBy: d.nominatedBy,
      nominatedAt: d.nominatedAt,
      since: null,
      endedAt: null,
    };
  }
  // A decision about another enrolment than the current one (impossible through decide) changes nothing.
  if (state.status === 'NONE' || state.enrolment !== event.data.enrolment) return state;
  switch (event.type) {
    case 'AmbassadorApproved':
      return { ...state, status: 'APPROVED' };
    case 'AmbassadorRejected':
      return { ...state, status: 'REJECTED', endedAt: event.data.decidedAt };
    case 'AmbassadorActivated':
      return { ...state, status: 'ACTIVE', since: state.since ?? event.data.decidedAt };
    case 'AmbassadorDeactivated':
      return { ...state, status: 'INACTIVE' };
    case 'AmbassadorReactivated':
      return { ...state, status: 'ACTIVE' };
    case 'AmbassadorOffboarded':
      return { ...state, status: 'OFFBOARDED', endedAt: event.data.decidedAt };
    default:
      return ignoreUnknownEvent(event, state);
  }
}

/** Whether the member's latest enrolment is still running (NOMINATED, APPROVED, ACTIVE or INACTIVE). */
export function isLiveEnrolment(state: AmbassadorState): boolean {
  return state.status !== 'NONE' && LIVE_AMBASSADOR_STATUSES.includes(state.status);
}
