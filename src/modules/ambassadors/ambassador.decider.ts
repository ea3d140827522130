import type { Decider, EventSchemaDefinition } from '#event-store';
import type { DEPARTMENT_MAX, MemberStreamStatus } from '../members/index.ts';
import { conflict, notFound } from '../../platform/shared/domain-error.ts';
import { optionalText, requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

/** All ambassador enrolments of one member, one after the other: `ambassador-<memberId>`. */
export const AMBASSADOR_STREAM_CATEGORY = 'ambassador';

/** Public: auditors pass it to `streamStateAt`. */
export function ambassadorStreamId(memberId: string): string {
  return `${AMBASSADOR_STREAM_CATEGORY}-${requireId(memberId, 'memberId')}`;
}

/**
 * As long as a department of the member directory. Written out rather than imported: members/index.ts loads the
 * module's read side (TypeORM), which a decider must not; the type keeps the two equal at compile time.
 */
export const AMBASSADOR_DEPARTMENT_MAX: typeof DEPARTMENT_MAX = 100;
export const MOTIVATION_MAX = 4000;
export const OFFBOARD_REASON_MAX = 2000;

export const AMBASSADOR_STATUSES = ['NOMINATED', 'APPROVED', 'ACTIVE', 'INACTIVE', 'REJECTED', 'OFFBOARDED'] as const;
export type AmbassadorStatus = (typeof AMBASSADOR_STATUSES)[number];

/** An enrolment in one of these is still running: a member has at most one. */
export const LIVE_AMBASSADOR_STATUSES: readonly AmbassadorStatus[] = ['NOMINATED', 'APPROVED', 'ACTIVE', 'INACTIVE'];

// ---------------------------------------------------------------- events (stored names never change)

/** Opens an enrolment: the first, or the next one after a rejection or an offboarding. */
export interface AmbassadorNominated {
  readonly type: 'AmbassadorNominated';
  readonly data: {
    readonly memberId: string;
    /** 1 for the member's first enrolment, then 2, ... */
    readonly enrolment: number;
    readonly department: string;
    /** Personal data of the nominee. */
    readonly motivation: string | null;
    readonly nominatedBy: string;
    readonly nominatedAt: string;
  };
}

/** What every decision on an enrolment records; why (when given) is in the event's metadata. */
interface AmbassadorDecisionData {
  readonly memberId: string;
  readonly enrolment: number;
  readonly decidedBy: string;
  readonly decidedAt: string;
}

export interface AmbassadorApproved {
  readonly type: 'AmbassadorApproved';
  readonly data: AmbassadorDecisionData;
}

export interface AmbassadorRejected {
  readonly type: 'AmbassadorRejected';
  readonly data: AmbassadorDecisionData;
}

/** Onboarding is done: the ambassador is active from now on. */
export interface AmbassadorActivated {
  readonly type: 'AmbassadorActivated';
  readonly data: AmbassadorDecisionData;
}

/** A pause (leave, a busy quarter): the enrolment goes on, the ambassador does not count as active meanwhile. */
export interface AmbassadorDeactivated {
  readonly type: 'AmbassadorDeactivated';
  readonly data: AmbassadorDecisionData;
}

export interface AmbassadorReactivated {
  readonly type: 'AmbassadorReactivated';
  readonly data: AmbassadorDecisionData;
}

export interface AmbassadorOffboarded {
  readonly type: 'AmbassadorOffboarded';
  readonly data: AmbassadorDecisionData & {
    /** Why the enrolment ended: personal data of the ambassador (it is about them), so it is here, encrypted. */
    readonly reason: string;
  };
}

export type AmbassadorEvent =
  | AmbassadorNominated
  | AmbassadorApproved
  | AmbassadorRejected
  | AmbassadorActivated
  | AmbassadorDeactivated
  | AmbassadorReactivated
  | AmbassadorOffboarded;

export const AMBASSADOR_EVENT_TYPES: readonly AmbassadorEvent['type'][] = [
  'AmbassadorNominated',
  'AmbassadorApproved',
  'AmbassadorRejected',
  'AmbassadorActivated',
  'AmbassadorDeactivated',
  'AmbassadorReactivated',
  'AmbassadorOffboarded',
];

export function isAmbassadorEvent(event: { readonly type: string }): event is AmbassadorEvent {
  return (AMBASSADOR_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * The motivation of a nomination and the reason an ambassador was offboarded are words about the member: encrypted
 * with the member's key (whoever wrote them). The reasons of the other decisions are about the programme and stay
 * readable in the metadata.
 */
export const AMBASSADOR_EVENT_SCHEMAS: EventSchemaDefinition[] = AMBASSADOR_EVENT_TYPES.map((type) => {
  switch (type) {
    case 'AmbassadorNominated':
      return { type, personal: { fields: ['motivation'], subject: (data) => String(data['memberId']) } };
    case 'AmbassadorOffboarded':
      return { type, personal: { fields: ['reason'], subject: (data) => String(data['memberId']) } };
    default:
      return { type };
  }
});

// ---------------------------------------------------------------- commands

/** Anyone signed in nominates anyone (themselves included); the nominee's status is read from their member stream. */
export interface NominateAmbassador {
  readonly type: 'NominateAmbassador';
  readonly memberId: string;
  readonly department: string;
  readonly motivation: string | null;
  readonly nominee: MemberStreamStatus;
  readonly actorId: string;
  readonly at: string;
}

/** The decisions are community managers' (the handler checks the role). */
export interface ApproveAmbassador {
  readonly type: 'ApproveAmbassador';
  readonly memberId: string;
  /** The member's status now: someone who left is not approved. */
  readonly member: MemberStreamStatus;
  readonly actorId: string;
  readonly at: string;
}

export interface RejectAmbassador {
  readonly type: 'RejectAmbassador';
  readonly memberId: string;
  readonly actorId: string;
  readonly at: string;
}

export interface ActivateAmbassador {
  readonly type: 'ActivateAmbassador';
  readonly memberId: string;
  readonly member: MemberStreamStatus;
  readonly actorId: string;
  readonly at: string;
}

export interface DeactivateAmbassador {
  readonly type: 'DeactivateAmbassador';
  readonly memberId: string;
  readonly actorId: string;
  readonly at: string;
}

export interface ReactivateAmbassador {
  readonly type: 'ReactivateAmbassador';
  readonly memberId: string;
  readonly member: MemberStreamStatus;
  readonly actorId: string;
  readonly at: string;
}

export interface OffboardAmbassador {
  readonly type: 'OffboardAmbassador';
  readonly memberId: string;
  readonly reason: string | null;
  readonly actorId: string;
  readonly at: string;
}

export type AmbassadorCommand =
  | NominateAmbassador
  | ApproveAmbassador
  | RejectAmbassador
  | ActivateAmbassador
  | DeactivateAmbassador
  | ReactivateAmbassador
  | OffboardAmbassador;

// ---------------------------------------------------------------- state

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

const initialState: AmbassadorState = { status: 'NONE' };

function evolve(state: AmbassadorState, event: AmbassadorEvent): AmbassadorState {
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

function decide(command: AmbassadorCommand, state: AmbassadorState): AmbassadorEvent[] {
  switch (command.type) {
    case 'NominateAmbassador':
      return nominate(command, state);
    case 'ApproveAmbassador': {
      const enrolment = requireEnrolment(command.memberId, state, ['NOMINATED'], 'approve');
      requireStillMember(command.memberId, command.member);
      return [{ type: 'AmbassadorApproved', data: decision(enrolment, command) }];
    }
    case 'RejectAmbassador': {
      const enrolment = requireEnrolment(command.memberId, state, ['NOMINATED'], 'reject');
      return [{ type: 'AmbassadorRejected', data: decision(enrolment, command) }];
    }
    case 'ActivateAmbassador': {
      const enrolment = requireEnrolment(command.memberId, state, ['APPROVED'], 'activate');
      requireStillMember(command.memberId, command.member);
      return [{ type: 'AmbassadorActivated', data: decision(enrolment, command) }];
    }
    case 'DeactivateAmbassador': {
      const enrolment = requireEnrolment(command.memberId, state, ['ACTIVE'], 'deactivate');
      return [{ type: 'AmbassadorDeactivated', data: decision(enrolment, command) }];
    }
    case 'ReactivateAmbassador': {
      const enrolment = requireEnrolment(command.memberId, state, ['INACTIVE'], 'reactivate');
      requireStillMember(command.memberId, command.member);
      return [{ type: 'AmbassadorReactivated', data: decision(enrolment, command) }];
    }
    case 'OffboardAmbassador': {
      requireId(command.memberId, 'memberId');
      const reason = requireText(command.reason ?? '', 'reason', OFFBOARD_REASON_MAX);
      const enrolment = requireEnrolment(command.memberId, state, ['APPROVED', 'ACTIVE', 'INACTIVE'], 'offboard');
      return [{ type: 'AmbassadorOffboarded', data: { ...decision(enrolment, command), reason } }];
    }
    default:
      return unreachable('ambassador command', command, 'type');
  }
}

export const ambassadorDecider: Decider<AmbassadorCommand, AmbassadorState, AmbassadorEvent> = { initialState, evolve, decide };

/** Whether the member's latest enrolment is still running (NOMINATED, APPROVED, ACTIVE or INACTIVE). */
export function isLiveEnrolment(state: AmbassadorState): boolean {
  return state.status !== 'NONE' && LIVE_AMBASSADOR_STATUSES.includes(state.status);
}

function nominate(command: NominateAmbassador, state: AmbassadorState): AmbassadorEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const department = requireText(command.department, 'department', AMBASSADOR_DEPARTMENT_MAX);
  const motivation = optionalText(command.motivation, 'motivation', MOTIVATION_MAX);
  switch (command.nominee) {
    case 'unregistered':
      throw notFound(`member ${memberId} is not registered`, { field: 'memberId' });
    case 'left':
      throw conflict(`member ${memberId} has left: only active members can be nominated`, { field: 'memberId' });
    case 'active':
      break;
    default:
      return unreachable('member status', command.nominee);
  }
  if (isLiveEnrolment(state)) {
    throw conflict(
      `member ${memberId} already has an ambassador enrolment (${state.status}): a new nomination waits until it is rejected or offboarded`,
    );
  }
  const enrolment = state.status === 'NONE' ? 1 : state.enrolment + 1;
  return [
    {
      type: 'AmbassadorNominated',
      data: { memberId, enrolment, department, motivation, nominatedBy: command.actorId, nominatedAt: command.at },
    },
  ];
}

function decision(enrolment: AmbassadorEnrolment, command: { actorId: string; at: string }): AmbassadorDecisionData {
  return { memberId: enrolment.memberId, enrolment: enrolment.enrolment, decidedBy: command.actorId, decidedAt: command.at };
}

const WHAT_MAY_BE_DONE: Readonly<Record<AmbassadorStatus, string>> = {
  NOMINATED: 'a nomination is approved or rejected',
  APPROVED: 'an approved ambassador is activated or offboarded',
  ACTIVE: 'an active ambassador is deactivated or offboarded',
  INACTIVE: 'an inactive ambassador is reactivated or offboarded',
  REJECTED: 'a rejected nomination is closed: nominate the member again',
  OFFBOARDED: 'an offboarded ambassador is done: nominate the member again',
};

function requireEnrolment(
  memberId: string,
  state: AmbassadorState,
  allowed: readonly AmbassadorStatus[],
  action: string,
): AmbassadorEnrolment {
  requireId(memberId, 'memberId');
  if (state.status === 'NONE') throw notFound(`member ${memberId} was never nominated as an ambassador`, { field: 'memberId' });
  if (!allowed.includes(state.status)) {
    throw conflict(`cannot ${action} the ambassador ${memberId}: they are ${state.status} (${WHAT_MAY_BE_DONE[state.status]})`);
  }
  return state;
}

function requireStillMember(memberId: string, status: MemberStreamStatus): void {
  switch (status) {
    case 'active':
      return;
    case 'left':
      throw conflict(`member ${memberId} has left: offboard or reject them instead`);
    case 'unregistered':
      throw notFound(`member ${memberId} is not registered`, { field: 'memberId' });
    default:
      return unreachable('member status', status);
  }
}
