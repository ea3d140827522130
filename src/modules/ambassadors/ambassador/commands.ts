import type { MemberStreamStatus } from '../../members/index.ts';

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
