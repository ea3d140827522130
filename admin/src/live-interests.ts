// Which events make which page read its data again (live.ts): the stream categories its read models are projected
// from (src/modules/*/read-models/*.projection.ts, their `filter`). test/admin/live.unit.spec.ts holds these against
// the service's own constants.
import type { LiveInterest } from './live.ts';
import { caseStreamId } from './moderation.ts';

/** The events the e-mail outbox turns into deliveries (the service's NOTIFYING_EVENT_TYPES). */
export const NOTIFYING_EVENT_TYPES: readonly string[] = [
  'ModerationCaseDecided',
  'AppealDecided',
  'CertificationDueForRenewal',
  'CertificationExpired',
  'CertificationSuspended',
  'AmbassadorApproved',
  'AmbassadorOffboarded',
  'AgreementVersionPublished',
  'WebhookDisabled',
  'ErasureCompleted',
  'CommunityManagerDigestCompiled',
];

export const LIVE_INTERESTS = {
  /** The queue and its counts: the moderation read model's cases (and erasures, which hide a name). */
  moderationQueue: { categories: ['moderation_case', 'privacy'] },
  /** The member list: the members read model. */
  members: { categories: ['member', 'privacy'] },
  /** The groups, the ownerless ones, one group's owners and settings. */
  groups: { categories: ['group'] },
  /** Levels, and the groups with uncertified owners: certifications, and groups' owners and requirements. */
  certification: { categories: ['certification_level', 'certification', 'group'] },
  /**
   * The delivery log: a notifying event adds deliveries (as soon as the outbox has read it). A delivery's later
   * sending or failure is no event, and shows on Refresh only.
   */
  notifications: { eventTypes: NOTIFYING_EVENT_TYPES },
} as const satisfies Record<string, LiveInterest>;

/** One case: its own stream (claims, flags, the decision, an appeal, a sanction lifted). */
export function caseInterest(caseId: string): LiveInterest {
  return { streamIds: [caseStreamId(caseId)] };
}

/** One group's page: its stream. */
export function groupInterest(groupId: string): LiveInterest {
  return { streamIds: [`group-${groupId}`] };
}

/** One member's certification (the certification page's lookup): their certification stream. */
export function certificationInterest(memberId: string): LiveInterest {
  return { streamIds: [`certification-${memberId}`] };
}
