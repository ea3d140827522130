import { loadState, type GovernanceEventStore } from '#event-store';
import { privacyDecider, privacyStreamId } from './privacy.decider.ts';

/**
 * Whether the member made a privacy request: what opens their member-keyed streams to a privacy officer (the audit's
 * rule). The one request the service records is erasure (`ErasureRequested`, by the member or a privacy officer for
 * them; it stays a request once completed). Consent and privacy settings are the member's own choices, not requests
 * to anyone: they open nothing. Read from the stream itself, never a read model, as authority is.
 */
export async function madePrivacyRequest(events: GovernanceEventStore, memberId: string): Promise<boolean> {
  return (await loadState(events, privacyStreamId(memberId), privacyDecider)).state.erasure !== null;
}
