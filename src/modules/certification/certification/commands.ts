import type { MemberStatus } from '../../members/index.ts';
import type { CertificationLevelDefinition } from '../certification-level.decider.ts';

// ---------------------------------------------------------------- commands

/** Community managers only: the use case checks the role; the decider the rules. */
export interface AwardCertification {
  readonly type: 'AwardCertification';
  readonly memberId: string;
  readonly level: number;
  readonly evidence: string | null;
  /** The member as their own stream says now. */
  readonly member: MemberStatus;
  /** Levels 1..level as their streams define them now (shorter when `level` is not defined). */
  readonly levels: readonly CertificationLevelDefinition[];
  /** Of the programmes those levels require, the ones the member has completed. */
  readonly completedProgrammes: readonly string[];
  readonly actorId: string;
  readonly at: string;
}

export interface RenewCertification {
  readonly type: 'RenewCertification';
  readonly memberId: string;
  readonly reason: string;
  /** Every defined level: the renewal takes the current validity of the award's level. */
  readonly levels: readonly CertificationLevelDefinition[];
  readonly actorId: string;
  readonly at: string;
}

export interface SuspendCertification {
  readonly type: 'SuspendCertification';
  readonly memberId: string;
  readonly reason: string;
  readonly actorId: string;
  readonly at: string;
}

export interface ReinstateCertification {
  readonly type: 'ReinstateCertification';
  readonly memberId: string;
  readonly reason: string;
  readonly actorId: string;
  readonly at: string;
}

export interface RevokeCertification {
  readonly type: 'RevokeCertification';
  readonly memberId: string;
  readonly reason: string;
  readonly actorId: string;
  readonly at: string;
}

/** The scheduler's: `at` is its clock, and nothing is recorded before the window opens, whatever the read model said. */
export interface MarkCertificationDueForRenewal {
  readonly type: 'MarkCertificationDueForRenewal';
  readonly memberId: string;
  readonly recordId: string;
  /** The expiry the scheduler saw: a renewal since then makes the item stale. */
  readonly expiresAt: string;
  readonly renewalWindowDays: number;
  readonly at: string;
}

/** The scheduler's: nothing expires before its date. */
export interface ExpireCertification {
  readonly type: 'ExpireCertification';
  readonly memberId: string;
  readonly recordId: string;
  readonly expiresAt: string;
  readonly at: string;
}

export type CertificationCommand =
  | AwardCertification
  | RenewCertification
  | SuspendCertification
  | ReinstateCertification
  | RevokeCertification
  | MarkCertificationDueForRenewal
  | ExpireCertification;
