// Which certification steps a community manager is offered for a member, from the status the page shows: the rules of
// the certification decider (src/modules/certification/certification/), so that no step is offered only to be
// refused with CONFLICT.

import type { CertificationStatus } from './access.ts';

/** The changes that take a reason (CERTIFICATION_CHANGES). */
export type CertificationChange = 'renew' | 'suspend' | 'reinstate' | 'revoke';

export interface CertificationSteps {
  /** The levels that may be awarded now (empty: no award). */
  readonly awardLevels: readonly number[];
  /** The changes that may be made now, in the order the form lists them. */
  readonly changes: readonly CertificationChange[];
}

/**
 * - none, expired or revoked: any defined level may be awarded; an expired one may also be renewed;
 * - certified or due for renewal: only a higher level is awarded; it may be renewed (early renewal costs nothing),
 *   suspended or revoked;
 * - suspended: reinstated or revoked, nothing else (the API reports a suspension past its expiry as EXPIRED).
 */
export function certificationSteps(
  certification: { readonly status: CertificationStatus; readonly level: number | null },
  definedLevels: readonly number[],
): CertificationSteps {
  const all = [...definedLevels].sort((a, b) => a - b);
  switch (certification.status) {
    case 'NOT_CERTIFIED':
    case 'REVOKED':
      return { awardLevels: all, changes: [] };
    case 'EXPIRED':
      return { awardLevels: all, changes: ['renew'] };
    case 'CERTIFIED':
    case 'DUE_FOR_RENEWAL': {
      const held = certification.level ?? 0;
      return { awardLevels: all.filter((level) => level > held), changes: ['renew', 'suspend', 'revoke'] };
    }
    case 'SUSPENDED':
      return { awardLevels: [], changes: ['reinstate', 'revoke'] };
  }
}
