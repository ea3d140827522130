import type { CertificationStatus, RecordStatus } from '../certification.decider.ts';

/** What the certification read models answer, shaped like the GraphQL types (dates as Date). */

export interface CertificationLevelView {
  readonly level: number;
  readonly name: string;
  readonly requiredProgrammes: string[];
  readonly validityMonths: number;
  /** The revision of the level's stream. */
  readonly revision: number;
}

export interface CertificationRecordView {
  readonly id: string;
  readonly level: number;
  /** As of the moment asked about: a live award past its expiry is EXPIRED (ended at its expiry). */
  readonly status: RecordStatus;
  readonly awardedAt: Date;
  readonly expiresAt: Date | null;
  readonly endedAt: Date | null;
  /** The reason given with the latest change a community manager made to it. */
  readonly reason: string | null;
  /** Set when a higher award replaced it (it then keeps the status it had). */
  readonly replacedByLevel: number | null;
}

export interface CertificationView {
  readonly memberId: string;
  readonly status: CertificationStatus;
  /** The current award's level (also once it expired or was revoked); null when never certified. */
  readonly level: number | null;
  readonly expiresAt: Date | null;
  /** Every award, newest first. */
  readonly history: CertificationRecordView[];
  /** The lowest defined level above the live one (above 0 when none is live); null when there is none. */
  readonly nextLevel: number | null;
  /** The programmes of levels 1..nextLevel the member has not completed. */
  readonly missingForNextLevel: string[];
  /** The revision of the member's certification stream; -1 when there is none. */
  readonly revision: number;
}

/** A certification as the read model alone knows it: without what the member's training says. */
export type CertificationSummary = Omit<CertificationView, 'nextLevel' | 'missingForNextLevel'>;

/** Work for the renewal scheduler: one kind per item, so that the two are recorded independently. */
export interface DueCertification {
  readonly kind: 'renewal' | 'expiry';
  readonly memberId: string;
  readonly recordId: string;
  readonly expiresAt: Date;
}
