import type { EventSchemaDefinition } from '#event-store';

// The ambassador stream's events: their stored names never change.

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
export interface AmbassadorDecisionData {
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
