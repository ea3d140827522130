// Who is told what, decided from one event (and the facts the outbox fixed with it): pure, so the outbox can decide
// again after a crash and get the same intents (same recipients, same params), and each rule is a unit spec away from proof.
import type { AgreementVersionPublished } from '../agreements/index.ts';
import type { AmbassadorApproved, AmbassadorOffboarded } from '../ambassadors/index.ts';
import type { CertificationDueForRenewal, CertificationExpired, CertificationSuspended } from '../certification/index.ts';
import type { AppealDecided, ModerationCaseDecided } from '../moderation/index.ts';
import type { ErasureCompleted } from '../privacy/index.ts';
import type { WebhookDisabled } from '../webhooks/index.ts';
import type { CommunityManagerDigestCompiled } from './community-manager-digest.ts';

export const NOTIFICATION_KINDS = [
  'MODERATION_DECISION',
  'CERTIFICATION_DUE_FOR_RENEWAL',
  'CERTIFICATION_EXPIRED',
  'WEBHOOK_DISABLED',
  'APPEAL_DECIDED',
  'REPORT_HANDLED',
  'AMBASSADOR_APPROVED',
  'AMBASSADOR_OFFBOARDED',
  'CERTIFICATION_SUSPENDED',
  'AGREEMENT_REACCEPTANCE_REQUIRED',
  'ERASURE_COMPLETED',
  'COMMUNITY_MANAGER_DIGEST',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Whom to tell what; params hold no personal data (ids, dates, codes, the decision's own reason text). */
export interface NotificationIntent {
  readonly kind: NotificationKind;
  readonly recipientId: string;
  readonly params: Readonly<Record<string, string | number | boolean | null>>;
}

export interface NotifyingEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
  readonly metadata: { readonly occurredAt: string };
}

export interface NotificationOptions {
  readonly appealWindowDays: number;
}

/**
 * What an event alone does not say, fixed by the outbox when it recorded the event (so a retry after a crash, or
 * another instance, decides for the same members): the reporters of a decided case, the members bound by a published
 * agreement version. Read by the delivery and handed in, so the rules stay pure.
 */
export interface NotificationFacts {
  readonly audience: readonly string[];
}

const NO_FACTS: NotificationFacts = { audience: [] };

type Rule = (event: NotifyingEvent, options: NotificationOptions, facts: NotificationFacts) => NotificationIntent[];

const DAY_MS = 86_400_000;

/** A decision about a member's own content, appealable: the author hears what, why and until when to appeal. */
function moderationDecision(event: NotifyingEvent, options: NotificationOptions): NotificationIntent[] {
  const data = event.data as unknown as ModerationCaseDecided['data'] & { readonly authorId?: unknown };
  // Dismissing the report changes nothing for the author; the reporter's notice is another rule.
  if (data.outcome === 'NO_ACTION') return [];
  const recipientId = authorOf(data);
  if (recipientId === null) return [];
  // Only a suspension with an end has one: a permanent suspension or a warning lasts until lifted.
  const suspendUntil: Record<string, string> =
    data.sanction?.kind === 'SUSPENSION' && data.sanction.until !== null ? { suspendUntil: data.sanction.until } : {};
  return [
    {
      kind: 'MODERATION_DECISION',
      recipientId,
      params: {
        caseId: data.caseId,
        outcome: data.outcome,
        reason: data.reason,
        guideline: data.guideline?.agreementId ?? null,
        guidelineVersion: data.guideline?.version ?? null,
        guidelineSection: data.guideline?.section ?? null,
        decidedAt: data.decidedAt,
        appealDeadline: appealDeadline(data.decidedAt, options.appealWindowDays),
        ...suspendUntil,
      },
    },
  ];
}

/**
 * ModerationCaseDecided names no author (ModerationCaseOpened does): a caller that knows it may add `authorId` to the
 * data; a warning or suspension names its member, who is the author. A hidden or removed post without either has
 * nobody to tell from the event alone.
 */
function authorOf(data: ModerationCaseDecided['data'] & { readonly authorId?: unknown }): string | null {
  if (typeof data.authorId === 'string' && data.authorId !== '') return data.authorId;
  return data.sanction?.memberId ?? null;
}

/** The same instant the appeal rule enforces (decidedAt + the window in whole days), so the message never promises more. */
function appealDeadline(decidedAt: string, appealWindowDays: number): string {
  return new Date(Date.parse(decidedAt) + appealWindowDays * DAY_MS).toISOString();
}

function certificationDueForRenewal(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as CertificationDueForRenewal['data'];
  return [{ kind: 'CERTIFICATION_DUE_FOR_RENEWAL', recipientId: data.memberId, params: { level: data.level, expiresAt: data.expiresAt } }];
}

function certificationExpired(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as CertificationExpired['data'];
  return [{ kind: 'CERTIFICATION_EXPIRED', recipientId: data.memberId, params: { level: data.level, expiredAt: data.expiredAt } }];
}

/**
 * A webhook the delivery gave up on (a day of failures): the community manager who registered it hears which one,
 * since when it failed and why, so the team channel is not silently dark. One disabled by a manager tells nobody.
 */
function webhookDisabled(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as WebhookDisabled['data'];
  if (data.reason !== 'FAILING' || data.registeredBy === 'system' || data.registeredBy === '') return [];
  return [
    {
      kind: 'WEBHOOK_DISABLED',
      recipientId: data.registeredBy,
      params: { webhookId: data.webhookId, failingSince: data.failingSince, lastError: data.lastError, disabledAt: data.disabledAt },
    },
  ];
}

/**
 * Whoever reported the content hears that their report was handled and whether action was taken, never which action,
 * why, nor any sanction (those concern the author alone). Whether action was taken is the answer to the report
 * itself, and a hidden or removed post is visible to the reporter anyway; a moderator who reported and decided the
 * case needs no notice.
 */
function reportHandled(event: NotifyingEvent, facts: NotificationFacts): NotificationIntent[] {
  const data = event.data as unknown as ModerationCaseDecided['data'];
  return facts.audience
    .filter((reporterId) => reporterId !== data.decidedBy)
    .map((recipientId) => ({
      kind: 'REPORT_HANDLED' as const,
      recipientId,
      params: { caseId: data.caseId, actionTaken: data.outcome !== 'NO_ACTION', decidedAt: data.decidedAt },
    }));
}

/**
 * The appeal decided: only the content's author may appeal, so the author (kept by the outbox, as for the decision)
 * hears whether the decision stands, why, and where their content stands now.
 */
function appealDecided(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as AppealDecided['data'] & { readonly authorId?: unknown };
  if (typeof data.authorId !== 'string' || data.authorId === '') return [];
  return [
    {
      kind: 'APPEAL_DECIDED',
      recipientId: data.authorId,
      params: {
        caseId: data.caseId,
        outcome: data.outcome,
        reason: data.reason,
        decidedAt: data.decidedAt,
        contentStatus: data.contentStatus,
      },
    },
  ];
}

function ambassadorApproved(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as AmbassadorApproved['data'];
  return [{ kind: 'AMBASSADOR_APPROVED', recipientId: data.memberId, params: { enrolment: data.enrolment, approvedAt: data.decidedAt } }];
}

/** The reason an ambassador was offboarded is personal data (encrypted in the log): the message does without it. */
function ambassadorOffboarded(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as AmbassadorOffboarded['data'];
  return [
    { kind: 'AMBASSADOR_OFFBOARDED', recipientId: data.memberId, params: { enrolment: data.enrolment, offboardedAt: data.decidedAt } },
  ];
}

/** The suspension's reason is the staff's record of why they acted (readable in the log, like a decision's reason). */
function certificationSuspended(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as CertificationSuspended['data'];
  return [
    {
      kind: 'CERTIFICATION_SUSPENDED',
      recipientId: data.memberId,
      params: { level: data.level, suspendedAt: data.suspendedAt, reason: data.reason },
    },
  ];
}

/**
 * Whether a published version binds every active member (the agreements module's binding version): the first version
 * does, a later one only when it requires re-acceptance. The outbox fixes the audience of those alone.
 */
export function bindsEveryMember(data: Pick<AgreementVersionPublished['data'], 'version' | 'requiresReacceptance'>): boolean {
  return data.version === 1 || data.requiresReacceptance;
}

/** Every member bound by the version when it was published (the audience) is asked to accept it. */
function agreementReacceptanceRequired(
  event: NotifyingEvent,
  _options: NotificationOptions,
  facts: NotificationFacts,
): NotificationIntent[] {
  const data = event.data as unknown as AgreementVersionPublished['data'];
  if (!bindsEveryMember(data)) return [];
  return facts.audience.map((recipientId) => ({
    kind: 'AGREEMENT_REACCEPTANCE_REQUIRED' as const,
    recipientId,
    params: { agreementId: data.agreementId, version: data.version, title: data.title, publishedAt: data.publishedAt },
  }));
}

/**
 * The member whose erasure is complete hears that it is done, and when: the answer to their request (GDPR art. 12(3)).
 * The event holds nothing personal and neither does the message; the address it goes to is the one kept aside for it
 * before the key was destroyed (erasure-notices.ts), the deliberate exception to an erased member not being written to.
 */
function erasureCompleted(event: NotifyingEvent): NotificationIntent[] {
  const data = event.data as unknown as ErasureCompleted['data'];
  return [{ kind: 'ERASURE_COMPLETED', recipientId: data.memberId, params: { completedAt: data.completedAt } }];
}

/**
 * The day's digest goes to every community manager who subscribed to it (the audience the outbox fixed when it
 * recorded the digest), with its figures as compiled: counts and targets, nothing about any one case or member.
 */
function communityManagerDigest(event: NotifyingEvent, _options: NotificationOptions, facts: NotificationFacts): NotificationIntent[] {
  const data = event.data as unknown as CommunityManagerDigestCompiled['data'];
  return facts.audience.map((recipientId) => ({
    kind: 'COMMUNITY_MANAGER_DIGEST' as const,
    recipientId,
    params: {
      day: data.day,
      open: data.open,
      inReview: data.inReview,
      backlog: data.backlog,
      appealed: data.appealed,
      backlogTarget: data.backlogTarget,
      waitingTargetDays: data.waitingTargetDays,
      overTarget: data.overTarget,
      oldestWaitingDays: data.oldestWaitingDays,
    },
  }));
}

// Keyed by the stored event names, so a renamed or misspelt type fails to compile.
type NotifyingEventType =
  | ModerationCaseDecided['type']
  | AppealDecided['type']
  | CertificationDueForRenewal['type']
  | CertificationExpired['type']
  | CertificationSuspended['type']
  | AmbassadorApproved['type']
  | AmbassadorOffboarded['type']
  | AgreementVersionPublished['type']
  | WebhookDisabled['type']
  | ErasureCompleted['type']
  | CommunityManagerDigestCompiled['type'];

const RULES: Readonly<Record<NotifyingEventType, Rule>> = {
  // One decision tells its author (what, why, how to appeal) and its reporters (handled, no details).
  ModerationCaseDecided: (event, options, facts) => [...moderationDecision(event, options), ...reportHandled(event, facts)],
  AppealDecided: appealDecided,
  CertificationDueForRenewal: certificationDueForRenewal,
  CertificationExpired: certificationExpired,
  CertificationSuspended: certificationSuspended,
  AmbassadorApproved: ambassadorApproved,
  AmbassadorOffboarded: ambassadorOffboarded,
  AgreementVersionPublished: agreementReacceptanceRequired,
  WebhookDisabled: webhookDisabled,
  ErasureCompleted: erasureCompleted,
  CommunityManagerDigestCompiled: communityManagerDigest,
};

/** The event types some rule reads (the outbox reads only these from the log). */
export const NOTIFYING_EVENT_TYPES: readonly string[] = Object.freeze(Object.keys(RULES));

export function notificationsFor(
  event: NotifyingEvent,
  options: NotificationOptions,
  facts: NotificationFacts = NO_FACTS,
): NotificationIntent[] {
  // Own properties only: an event type such as `constructor` must not find Object's.
  const rule = Object.hasOwn(RULES, event.type) ? RULES[event.type as NotifyingEventType] : undefined;
  return rule === undefined ? [] : rule(event, options, facts);
}
