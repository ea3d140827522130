// What the governance log says in the service's own terms (event types, stream categories, the recorded authority,
// a read model's state, who acted) in the console's language. A value the console has no words for yet (a type the
// service adds later) shows as the service wrote it, marked as English, rather than not at all.
import { MESSAGES, enumLabel, formatDateTime, translate, type Language, type MessageKey } from './i18n.ts';

/** A text to show, and whether it is the service's own English (for `lang="en"`). */
export interface Label {
  readonly text: string;
  readonly english: boolean;
}

function keyOf(prefix: string, value: string): MessageKey | null {
  const key = `${prefix}${value}`;
  return Object.hasOwn(MESSAGES.en, key) ? (key as MessageKey) : null;
}

function labelled(language: Language, prefix: string, value: string): Label {
  const key = keyOf(prefix, value);
  return key ? { text: translate(language, key), english: false } : { text: value, english: true };
}

/** An event type (MemberRegistered) in words. */
export function eventTypeLabel(language: Language, type: string): Label {
  return labelled(language, 'eventType_', type);
}

/** A stream category (moderation_case) in words. */
export function eventCategoryLabel(language: Language, category: string): Label {
  return labelled(language, 'eventCategory_', category);
}

/** A read model's state as the API answers it (RUNNING, REBUILDING, CATCHING_UP, FAILED, STANDBY, STOPPED) in words. */
export function projectionStateLabel(language: Language, state: string): Label {
  return labelled(language, 'projectionState_', state);
}

/** Who acted: a member id as it is, or the service itself for what nobody did by hand (actorId null). */
export function actorLabel(language: Language, actorId: string | null | undefined): string {
  return actorId ?? translate(language, 'actorSystem');
}

/**
 * The fixed authorities the service records, by their exact text (src/: request-context.ts, sanction-expiry.ts,
 * certification-renewal.ts, leaver-consequences.ts, community-manager-digest.scheduler.ts, sealer.ts, and the
 * use cases' `authorize`).
 */
const FIXED_AUTHORITIES: Readonly<Record<string, MessageKey>> = {
  self: 'authority_self',
  none: 'authority_none',
  'automation: sanction end date reached': 'authority_sanctionExpiry',
  'automation: certification renewal window reached': 'authority_certificationDue',
  'automation: certification expiry date reached': 'authority_certificationExpiry',
  'automation: the member left the organisation': 'authority_leaver',
  'automation: daily digest hour reached': 'authority_digest',
  'the log sealer': 'authority_logSealer',
  'any signed-in member may nominate': 'authority_anyoneNominates',
  'any signed-in member may report content': 'authority_anyoneReports',
  'author of the content': 'authority_author',
  'the member enrolling themselves': 'authority_memberEnrols',
  'the member, for a self-paced module': 'authority_memberSelfPaced',
  'the member withdrawing themselves': 'authority_memberWithdraws',
};

/** The fixed authorities the console has words for, as the service writes them (its spec checks src/ still does). */
export const FIXED_AUTHORITY_TEXTS: readonly string[] = Object.keys(FIXED_AUTHORITIES);

/** The authorities with a value in them, as the service formats them. */
const PATTERNS: readonly { readonly pattern: RegExp; readonly label: (language: Language, match: RegExpExecArray) => string }[] = [
  { pattern: /^role:([A-Z_]+)$/, label: (language, m) => translate(language, 'authority_role', { role: enumLabel(language, m[1]) }) },
  {
    pattern: /^owner of group (.+) since revision (\d+)$/,
    label: (language, m) => translate(language, 'authority_owner', { group: m[1]!, revision: m[2]! }),
  },
  {
    pattern: /^automation: personal data erased (\d+) days after the member left \(LEAVER_ERASURE_AFTER_DAYS\)$/,
    label: (language, m) => translate(language, 'authority_leaverErasure', { days: m[1]! }),
  },
  {
    pattern: /^webhook delivery: every attempt failed since (.+)$/,
    label: (language, m) => translate(language, 'authority_webhookFailing', { since: formatDateTime(language, m[1]) }),
  },
];

/** What allowed a change (an event's metadata.authority) in words; one the console does not know, as it was recorded. */
export function authorityLabel(language: Language, authority: string): Label {
  const fixed = Object.hasOwn(FIXED_AUTHORITIES, authority) ? FIXED_AUTHORITIES[authority] : undefined;
  if (fixed) return { text: translate(language, fixed), english: false };
  for (const { pattern, label } of PATTERNS) {
    const match = pattern.exec(authority);
    if (match) return { text: label(language, match), english: false };
  }
  return { text: authority, english: true };
}

/** A sanction's end in one phrase: "until 31 Dec 2099" or "until lifted", never both. */
export function sanctionEnd(language: Language, until: string | null | undefined): string {
  return until ? translate(language, 'untilDate', { date: formatDateTime(language, until) }) : translate(language, 'untilLifted');
}
