import { loadState, type GovernanceEventStore } from '#event-store';
import { isId } from '../../platform/shared/identifiers.ts';
import { agreementDecider, agreementStreamId, type AgreementState } from './agreement.decider.ts';

/** An agreement as its own stream says now: what other streams decide on, never a read model. */
export async function readAgreement(events: GovernanceEventStore, agreementId: string): Promise<AgreementState> {
  return (await loadState(events, agreementStreamId(agreementId), agreementDecider)).state;
}

/**
 * Whether `version` of the agreement was published (it is then published for good: versions are never withdrawn).
 * False for an unknown agreement, a version not published yet, or anything that cannot be an id or a version.
 * Moderation decisions citing a guideline check it with this.
 */
export async function publishedAgreementVersion(events: GovernanceEventStore, agreementId: string, version: number): Promise<boolean> {
  if (!isId(agreementId) || !Number.isSafeInteger(version) || version < 1) return false;
  const state = await readAgreement(events, agreementId);
  return state.status === 'published' && version <= state.currentVersion;
}
