import type { EventSchemaDefinition } from '#event-store';

// ---------------------------------------------------------------- events (stored names never change)

export interface CertificationAwarded {
  readonly type: 'CertificationAwarded';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly awardNumber: number;
    readonly level: number;
    /** The level's validity when awarded: expiresAt = awardedAt + validityMonths. */
    readonly validityMonths: number;
    readonly awardedAt: string;
    readonly expiresAt: string;
    /** Personal data of the member: what shows they earned it. */
    readonly evidence: string | null;
    readonly awardedBy: string;
    /** The live lower-level award this one replaces (it ends now, kept in the history). */
    readonly replacedRecordId: string | null;
  };
}

/** Recorded by the scheduler (actor `system`) once the renewal window opens. */
export interface CertificationDueForRenewal {
  readonly type: 'CertificationDueForRenewal';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    readonly expiresAt: string;
    /** When the window opened (expiresAt minus the window), not the moment the scheduler noticed it. */
    readonly dueFrom: string;
  };
}

/** Recorded by the scheduler (actor `system`), or on the way by a command that finds the expiry passed. */
export interface CertificationExpired {
  readonly type: 'CertificationExpired';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    /** The expiry date, not the moment it was noticed. */
    readonly expiredAt: string;
  };
}

export interface CertificationRenewed {
  readonly type: 'CertificationRenewed';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    readonly validityMonths: number;
    readonly previousExpiresAt: string;
    readonly expiresAt: string;
    readonly renewedBy: string;
    readonly renewedAt: string;
    readonly reason: string;
  };
}

export interface CertificationSuspended {
  readonly type: 'CertificationSuspended';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    readonly suspendedBy: string;
    readonly suspendedAt: string;
    readonly reason: string;
  };
}

export interface CertificationReinstated {
  readonly type: 'CertificationReinstated';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    /** What the suspension interrupted: DUE_FOR_RENEWAL when the renewal window had already been recorded. */
    readonly status: 'CERTIFIED' | 'DUE_FOR_RENEWAL';
    readonly reinstatedBy: string;
    readonly reinstatedAt: string;
    readonly reason: string;
  };
}

export interface CertificationRevoked {
  readonly type: 'CertificationRevoked';
  readonly data: {
    readonly memberId: string;
    readonly recordId: string;
    readonly level: number;
    readonly revokedBy: string;
    readonly revokedAt: string;
    readonly reason: string;
  };
}

export type CertificationEvent =
  | CertificationAwarded
  | CertificationDueForRenewal
  | CertificationExpired
  | CertificationRenewed
  | CertificationSuspended
  | CertificationReinstated
  | CertificationRevoked;

export const CERTIFICATION_EVENT_TYPES: readonly CertificationEvent['type'][] = [
  'CertificationAwarded',
  'CertificationDueForRenewal',
  'CertificationExpired',
  'CertificationRenewed',
  'CertificationSuspended',
  'CertificationReinstated',
  'CertificationRevoked',
];

export function isCertificationEvent(event: { readonly type: string }): event is CertificationEvent {
  return (CERTIFICATION_EVENT_TYPES as readonly string[]).includes(event.type);
}

/**
 * The evidence of an award is the member's own record of their work: encrypted with the member's key. The reasons of
 * renewals, suspensions, reinstatements and revocations are the staff's record of why they acted and stay readable
 * for auditors (as moderation decisions' reasons do).
 */
export const CERTIFICATION_EVENT_SCHEMAS: EventSchemaDefinition[] = CERTIFICATION_EVENT_TYPES.map((type) => {
  switch (type) {
    case 'CertificationAwarded':
      return { type, personal: { fields: ['evidence'], subject: (data) => String(data['memberId']) } };
    default:
      return { type };
  }
});
