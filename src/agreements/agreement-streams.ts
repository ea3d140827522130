import { foldState, StreamNotFoundError, type GovernanceEventStore, type StoredEvent } from '#event-store';
import { isId } from '../shared/identifiers.ts';
import { agreementDecider, agreementStreamId, type AgreementState } from './agreement.decider.ts';

/** An agreement as its own stream says now: what other streams decide on, never a read model. */
export async function readAgreement(events: GovernanceEventStore, agreementId: string): Promise<AgreementState> {
  return foldState(agreementDecider, await readOrEmpty(events, agreementStreamId(agreementId)));
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

async function readOrEmpty(events: GovernanceEventStore, streamId: string): Promise<StoredEvent[]> {
  try {
    return await events.readStream(streamId);
  } catch (error) {
    if (error instanceof StreamNotFoundError) return [];
    throw error;
  }
}
