// The words of a notification, in the member's language: pure, so the same intent always renders the same message
// (a retried delivery sends what the first attempt would have sent).
import { unreachable } from '../../platform/shared/exhaustive.ts';
import type { AppealOutcome, ContentStatus, ModerationOutcome } from '../moderation/index.ts';
import { DUTCH_DIGEST, ENGLISH_DIGEST, type DigestFacts, type DigestWording } from './community-manager-digest.messages.ts';
import type { NotificationIntent } from './notification-rules.ts';

export const NOTIFICATION_LANGUAGES = ['en', 'nl'] as const;
export type NotificationLanguage = (typeof NOTIFICATION_LANGUAGES)[number];

export interface RenderedNotification {
  subject: string;
  text: string;
  html: string;
}

/** 'nl' for a preferred language starting with nl (nl, nl-NL, nl-BE, case-insensitive), else 'en'. */
export function notificationLanguage(preferredLanguage: string | null | undefined): NotificationLanguage {
  return /^nl(?:[-_]|$)/i.test(preferredLanguage?.trim() ?? '') ? 'nl' : 'en';
}

export function renderNotification(intent: NotificationIntent, language: NotificationLanguage): RenderedNotification {
  const message = compose(intent, WORDING[language]);
  return { subject: message.subject, text: textOf(message), html: htmlOf(message, language) };
}

interface Message {
  readonly subject: string;
  readonly paragraphs: readonly string[];
}

function compose(intent: NotificationIntent, words: Wording): Message {
  const params = new Params(intent);
  switch (intent.kind) {
    case 'MODERATION_DECISION': {
      const outcome = params.text('outcome') as ModerationOutcome;
      const guideline = params.optionalText('guideline');
      const suspendUntil = params.optionalText('suspendUntil');
      return {
        subject: words.decisionSubject(outcome),
        paragraphs: [
          words.greeting,
          words.decision(outcome, {
            caseId: params.text('caseId'),
            decidedOn: params.date('decidedAt'),
            suspendedUntil: suspendUntil === null ? null : day(suspendUntil, 'suspendUntil', intent),
          }),
          words.reason(params.text('reason')),
          ...(guideline === null
            ? []
            : [words.guideline(guideline, params.optionalNumber('guidelineVersion'), params.optionalText('guidelineSection'))]),
          words.appeal(params.date('appealDeadline')),
          words.footer,
        ],
      };
    }
    case 'CERTIFICATION_DUE_FOR_RENEWAL':
      return {
        subject: words.dueSubject,
        paragraphs: [words.greeting, words.due(params.number('level'), params.date('expiresAt')), words.footer],
      };
    case 'CERTIFICATION_EXPIRED':
      return {
        subject: words.expiredSubject,
        paragraphs: [words.greeting, words.expired(params.number('level'), params.date('expiredAt')), words.footer],
      };
    case 'WEBHOOK_DISABLED':
      return {
        subject: words.webhookSubject,
        paragraphs: [
          words.greeting,
          words.webhook(params.text('webhookId'), params.date('failingSince'), params.optionalText('lastError') ?? '?'),
          words.footer,
        ],
      };
    case 'APPEAL_DECIDED': {
      const outcome = params.text('outcome') as AppealOutcome;
      return {
        subject: words.appealSubject(outcome),
        paragraphs: [
          words.greeting,
          words.appealDecided(outcome, {
            caseId: params.text('caseId'),
            decidedOn: params.date('decidedAt'),
            contentStatus: params.text('contentStatus') as ContentStatus,
          }),
          words.reason(params.text('reason')),
          words.appealFinal,
          words.footer,
        ],
      };
    }
    case 'REPORT_HANDLED':
      return {
        subject: words.reportSubject,
        paragraphs: [
          words.greeting,
          words.report(params.text('caseId'), params.date('decidedAt'), params.boolean('actionTaken')),
          words.reportPrivacy,
          words.footer,
        ],
      };
    case 'AMBASSADOR_APPROVED':
      return {
        subject: words.ambassadorApprovedSubject,
        paragraphs: [words.greeting, words.ambassadorApproved(params.number('enrolment'), params.date('approvedAt')), words.footer],
      };
    case 'AMBASSADOR_OFFBOARDED':
      return {
        subject: words.ambassadorOffboardedSubject,
        paragraphs: [words.greeting, words.ambassadorOffboarded(params.number('enrolment'), params.date('offboardedAt')), words.footer],
      };
    case 'CERTIFICATION_SUSPENDED':
      return {
        subject: words.suspendedSubject,
        paragraphs: [
          words.greeting,
          words.suspended(params.number('level'), params.date('suspendedAt')),
          words.reason(params.text('reason')),
          words.suspendedNext,
          words.footer,
        ],
      };
    case 'AGREEMENT_REACCEPTANCE_REQUIRED':
      return {
        subject: words.agreementSubject,
        paragraphs: [
          words.greeting,
          words.agreement(params.text('agreementId'), params.number('version'), params.text('title'), params.date('publishedAt')),
          words.footer,
        ],
      };
    case 'ERASURE_COMPLETED':
      return {
        subject: words.erasureSubject,
        paragraphs: [words.greeting, words.erasure(params.date('completedAt')), words.erasureRemains, words.erasureAddress, words.footer],
      };
    case 'COMMUNITY_MANAGER_DIGEST': {
      const facts: DigestFacts = {
        day: params.date('day'),
        open: params.number('open'),
        inReview: params.number('inReview'),
        backlog: params.number('backlog'),
        appealed: params.number('appealed'),
        backlogTarget: params.optionalNumber('backlogTarget'),
        waitingTargetDays: params.optionalNumber('waitingTargetDays'),
        overTarget: params.optionalNumber('overTarget'),
        oldestWaitingDays: params.optionalNumber('oldestWaitingDays'),
      };
      return { subject: words.digest.subject(facts), paragraphs: [words.greeting, ...words.digest.paragraphs(facts), words.footer] };
    }
    default:
      return unreachable('notification kind', intent.kind);
  }
}

// ---------------------------------------------------------------- wording

interface DecisionFacts {
  readonly caseId: string;
  readonly decidedOn: string;
  /** Null: a suspension until it is lifted. */
  readonly suspendedUntil: string | null;
}

interface AppealFacts {
  readonly caseId: string;
  readonly decidedOn: string;
  /** Where the content stands after the appeal (restored to its status before the decision when overturned). */
  readonly contentStatus: ContentStatus;
}

interface Wording {
  readonly greeting: string;
  readonly footer: string;
  /** The community managers' digest (community-manager-digest.messages.ts). */
  readonly digest: DigestWording;
  decisionSubject(outcome: ModerationOutcome): string;
  decision(outcome: ModerationOutcome, facts: DecisionFacts): string;
  reason(reason: string): string;
  guideline(agreementId: string, version: number | null, section: string | null): string;
  appeal(deadline: string): string;
  readonly dueSubject: string;
  due(level: number, expiresOn: string): string;
  readonly expiredSubject: string;
  expired(level: number, expiredOn: string): string;
  readonly webhookSubject: string;
  webhook(webhookId: string, failingSince: string, lastError: string): string;
  appealSubject(outcome: AppealOutcome): string;
  appealDecided(outcome: AppealOutcome, facts: AppealFacts): string;
  readonly appealFinal: string;
  readonly reportSubject: string;
  report(caseId: string, decidedOn: string, actionTaken: boolean): string;
  readonly reportPrivacy: string;
  readonly ambassadorApprovedSubject: string;
  ambassadorApproved(enrolment: number, approvedOn: string): string;
  readonly ambassadorOffboardedSubject: string;
  ambassadorOffboarded(enrolment: number, offboardedOn: string): string;
  readonly suspendedSubject: string;
  suspended(level: number, suspendedOn: string): string;
  readonly suspendedNext: string;
  readonly agreementSubject: string;
  agreement(agreementId: string, version: number, title: string, publishedOn: string): string;
  readonly erasureSubject: string;
  erasure(completedOn: string): string;
  readonly erasureRemains: string;
  readonly erasureAddress: string;
}

const ENGLISH: Wording = {
  greeting: 'Hello,',
  digest: ENGLISH_DIGEST,
  footer: 'This is an automatic message from the community platform.',
  decisionSubject: (outcome) => `Moderation decision: ${englishOutcome(outcome, null).subject}`,
  decision: (outcome, facts) =>
    `On ${facts.decidedOn} a moderator ${englishOutcome(outcome, facts.suspendedUntil).sentence} (case ${facts.caseId}).`,
  reason: (reason) => `Reason: ${reason}`,
  guideline: (agreementId, version, section) =>
    `Guideline: agreement ${agreementId}${version === null ? '' : `, version ${version}`}${section === null ? '' : `, section ${section}`}`,
  appeal: (deadline) =>
    `If you disagree, you can appeal until ${deadline}: use the appeal option in the platform or reply to your community manager.`,
  dueSubject: 'Your certification is due for renewal',
  due: (level, expiresOn) =>
    `Your level ${level} certification expires on ${expiresOn}. Renew it before then to stay certified; your community manager can tell you how.`,
  expiredSubject: 'Your certification has expired',
  expired: (level, expiredOn) =>
    `Your level ${level} certification expired on ${expiredOn}. To be certified again, ask your community manager about renewal.`,
  webhookSubject: 'A webhook you registered was disabled',
  webhook: (webhookId, failingSince, lastError) =>
    `Webhook ${webhookId} was disabled: every delivery has failed since ${failingSince} (last error: ${lastError}). ` +
    'Nothing is lost: once the receiver works again, enable the webhook in the console and the events recorded meanwhile are delivered.',
  appealSubject: (outcome) => `Your appeal was decided: ${englishAppeal(outcome).subject}`,
  appealDecided: (outcome, facts) =>
    `On ${facts.decidedOn} your appeal in case ${facts.caseId} was decided: ${englishAppeal(outcome).sentence(facts.contentStatus)}`,
  appealFinal: 'This decision on your appeal is final.',
  reportSubject: 'Your report was handled',
  report: (caseId, decidedOn, actionTaken) =>
    `On ${decidedOn} a moderator handled the report you made (case ${caseId}): ${actionTaken ? 'action was taken' : 'no action was taken'}.`,
  reportPrivacy: 'To protect the privacy of everyone involved, we do not share what was decided. Thank you for reporting.',
  ambassadorApprovedSubject: 'Your ambassador nomination was approved',
  ambassadorApproved: (enrolment, approvedOn) =>
    `On ${approvedOn} your nomination as ambassador was approved (enrolment ${enrolment}). Your community manager will tell you how onboarding works.`,
  ambassadorOffboardedSubject: 'Your ambassador enrolment has ended',
  ambassadorOffboarded: (enrolment, offboardedOn) =>
    `On ${offboardedOn} your enrolment as ambassador ended (enrolment ${enrolment}). Thank you for your work; your community manager can answer any questions.`,
  suspendedSubject: 'Your certification was suspended',
  suspended: (level, suspendedOn) =>
    `On ${suspendedOn} your level ${level} certification was suspended. While it is suspended you do not count as certified; its expiry date does not change.`,
  suspendedNext: 'Your community manager can tell you what is needed to have it reinstated.',
  agreementSubject: 'An agreement needs your acceptance',
  agreement: (agreementId, version, title, publishedOn) =>
    `Version ${version} of "${title}" (agreement ${agreementId}) was published on ${publishedOn} and needs your acceptance. Please read and accept it in the platform.`,
  erasureSubject: 'Your personal data has been erased',
  erasure: (completedOn) =>
    `On ${completedOn} the erasure of your personal data was completed, as requested. Your name, e-mail addresses, ` +
    'directory details and everything recorded about you as personal data (such as texts and reasons you gave) can no longer be read by anyone, in the platform or in its records.',
  erasureRemains:
    'What remains is the record that things happened (for example that a decision was taken), under an internal member number, without your personal data.',
  erasureAddress:
    'We kept this e-mail address only to send you this message; it is deleted once the message is sent. You will not hear from us again.',
};

/** The sentence names where the content stands when that changed (an overturned decision restores it). */
function englishAppeal(outcome: AppealOutcome): { subject: string; sentence: (contentStatus: ContentStatus) => string } {
  switch (outcome) {
    case 'UPHELD':
      return { subject: 'the decision stands', sentence: () => 'the moderation decision stands.' };
    case 'OVERTURNED':
      return {
        subject: 'the decision was overturned',
        sentence: (contentStatus) =>
          'the moderation decision was overturned. Any warning or suspension it imposed is lifted, and your content is ' +
          `${englishContentStatus(contentStatus)} as it was before the decision.`,
      };
    default:
      return unreachable('appeal outcome', outcome);
  }
}

function englishContentStatus(status: ContentStatus): string {
  switch (status) {
    case 'VISIBLE':
      return 'visible';
    case 'HIDDEN':
      return 'hidden';
    case 'REMOVED':
      return 'removed';
    default:
      return unreachable('content status', status);
  }
}

function englishOutcome(outcome: ModerationOutcome, suspendedUntil: string | null): { subject: string; sentence: string } {
  switch (outcome) {
    case 'NO_ACTION':
      return { subject: 'no action taken', sentence: 'closed a report about your content without action' };
    case 'HIDE_CONTENT':
      return { subject: 'your content was hidden', sentence: 'hid your content' };
    case 'REMOVE_CONTENT':
      return { subject: 'your content was removed', sentence: 'removed your content' };
    case 'WARN_MEMBER':
      return { subject: 'you received a warning', sentence: 'gave you a warning about your content' };
    case 'SUSPEND_MEMBER':
      return {
        subject: 'you were suspended',
        sentence: `suspended you ${suspendedUntil === null ? 'until further notice' : `until ${suspendedUntil}`}`,
      };
    default:
      return unreachable('moderation outcome', outcome);
  }
}

const DUTCH: Wording = {
  greeting: 'Hallo,',
  digest: DUTCH_DIGEST,
  footer: 'Dit is een automatisch bericht van het communityplatform.',
  decisionSubject: (outcome) => `Moderatiebesluit: ${dutchOutcome(outcome, null).subject}`,
  decision: (outcome, facts) =>
    `Op ${facts.decidedOn} heeft een moderator ${dutchOutcome(outcome, facts.suspendedUntil).sentence} (zaak ${facts.caseId}).`,
  reason: (reason) => `Reden: ${reason}`,
  guideline: (agreementId, version, section) =>
    `Richtlijn: overeenkomst ${agreementId}${version === null ? '' : `, versie ${version}`}${section === null ? '' : `, artikel ${section}`}`,
  appeal: (deadline) =>
    `Ben je het er niet mee eens? Je kunt tot en met ${deadline} in beroep gaan: gebruik de beroepsmogelijkheid in het platform of reageer aan je communitymanager.`,
  dueSubject: 'Je certificering moet worden verlengd',
  due: (level, expiresOn) =>
    `Je certificering op niveau ${level} verloopt op ${expiresOn}. Verleng haar voor die datum om gecertificeerd te blijven; je communitymanager vertelt je hoe.`,
  expiredSubject: 'Je certificering is verlopen',
  expired: (level, expiredOn) =>
    `Je certificering op niveau ${level} is verlopen op ${expiredOn}. Wil je weer gecertificeerd worden? Vraag je communitymanager naar verlenging.`,
  webhookSubject: 'Een webhook die je hebt geregistreerd is uitgeschakeld',
  webhook: (webhookId, failingSince, lastError) =>
    `Webhook ${webhookId} is uitgeschakeld: elke aflevering mislukt sinds ${failingSince} (laatste fout: ${lastError}). ` +
    'Er gaat niets verloren: schakel de webhook in de console weer in zodra de ontvanger werkt, dan worden de gebeurtenissen van de tussentijd alsnog afgeleverd.',
  appealSubject: (outcome) => `Je beroep is beoordeeld: ${dutchAppeal(outcome).subject}`,
  appealDecided: (outcome, facts) =>
    `Op ${facts.decidedOn} is je beroep in zaak ${facts.caseId} beoordeeld: ${dutchAppeal(outcome).sentence(facts.contentStatus)}`,
  appealFinal: 'Dit besluit over je beroep is definitief.',
  reportSubject: 'Je melding is afgehandeld',
  report: (caseId, decidedOn, actionTaken) =>
    `Op ${decidedOn} heeft een moderator je melding afgehandeld (zaak ${caseId}): ${actionTaken ? 'er is actie ondernomen' : 'er is geen actie ondernomen'}.`,
  reportPrivacy: 'Om de privacy van alle betrokkenen te beschermen, delen we niet wat er is besloten. Bedankt voor je melding.',
  ambassadorApprovedSubject: 'Je nominatie als ambassadeur is goedgekeurd',
  ambassadorApproved: (enrolment, approvedOn) =>
    `Op ${approvedOn} is je nominatie als ambassadeur goedgekeurd (inschrijving ${enrolment}). Je communitymanager vertelt je hoe de onboarding verloopt.`,
  ambassadorOffboardedSubject: 'Je inschrijving als ambassadeur is beëindigd',
  ambassadorOffboarded: (enrolment, offboardedOn) =>
    `Op ${offboardedOn} is je inschrijving als ambassadeur beëindigd (inschrijving ${enrolment}). Bedankt voor je inzet; met vragen kun je terecht bij je communitymanager.`,
  suspendedSubject: 'Je certificering is geschorst',
  suspended: (level, suspendedOn) =>
    `Op ${suspendedOn} is je certificering op niveau ${level} geschorst. Zolang de schorsing duurt, tel je niet als gecertificeerd; de vervaldatum verandert niet.`,
  suspendedNext: 'Je communitymanager vertelt je wat er nodig is om haar te laten herstellen.',
  agreementSubject: 'Een overeenkomst vraagt je akkoord',
  agreement: (agreementId, version, title, publishedOn) =>
    `Versie ${version} van "${title}" (overeenkomst ${agreementId}) is op ${publishedOn} gepubliceerd en vraagt je akkoord. Lees en accepteer haar in het platform.`,
  erasureSubject: 'Je persoonsgegevens zijn gewist',
  erasure: (completedOn) =>
    `Op ${completedOn} is het wissen van je persoonsgegevens voltooid, zoals gevraagd. Je naam, e-mailadressen, ` +
    'gegevens uit de directory en alles wat als persoonsgegeven over je is vastgelegd (zoals teksten en redenen die je gaf) kan door niemand meer worden gelezen, in het platform noch in zijn registratie.',
  erasureRemains:
    'Wat overblijft is de registratie dat dingen gebeurd zijn (bijvoorbeeld dat er een besluit is genomen), onder een intern lidnummer, zonder je persoonsgegevens.',
  erasureAddress:
    'We hebben dit e-mailadres alleen bewaard om je dit bericht te sturen; het wordt gewist zodra het bericht is verzonden. Je hoort verder niets meer van ons.',
};

function dutchAppeal(outcome: AppealOutcome): { subject: string; sentence: (contentStatus: ContentStatus) => string } {
  switch (outcome) {
    case 'UPHELD':
      return { subject: 'het besluit blijft staan', sentence: () => 'het moderatiebesluit blijft staan.' };
    case 'OVERTURNED':
      return {
        subject: 'het besluit is herroepen',
        sentence: (contentStatus) =>
          'het moderatiebesluit is herroepen. Een waarschuwing of schorsing die het oplegde is opgeheven, en je bijdrage is ' +
          `${dutchContentStatus(contentStatus)}, zoals vóór het besluit.`,
      };
    default:
      return unreachable('appeal outcome', outcome);
  }
}

function dutchContentStatus(status: ContentStatus): string {
  switch (status) {
    case 'VISIBLE':
      return 'zichtbaar';
    case 'HIDDEN':
      return 'verborgen';
    case 'REMOVED':
      return 'verwijderd';
    default:
      return unreachable('content status', status);
  }
}

function dutchOutcome(outcome: ModerationOutcome, suspendedUntil: string | null): { subject: string; sentence: string } {
  switch (outcome) {
    case 'NO_ACTION':
      return { subject: 'geen maatregel', sentence: 'een melding over je bijdrage afgehandeld zonder maatregel' };
    case 'HIDE_CONTENT':
      return { subject: 'je bijdrage is verborgen', sentence: 'je bijdrage verborgen' };
    case 'REMOVE_CONTENT':
      return { subject: 'je bijdrage is verwijderd', sentence: 'je bijdrage verwijderd' };
    case 'WARN_MEMBER':
      return { subject: 'je hebt een waarschuwing gekregen', sentence: 'je een waarschuwing gegeven over je bijdrage' };
    case 'SUSPEND_MEMBER':
      return {
        subject: 'je bent geschorst',
        sentence: `je geschorst ${suspendedUntil === null ? 'tot nader order' : `tot ${suspendedUntil}`}`,
      };
    default:
      return unreachable('moderation outcome', outcome);
  }
}

const WORDING: Readonly<Record<NotificationLanguage, Wording>> = { en: ENGLISH, nl: DUTCH };

// ---------------------------------------------------------------- params and formats

/**
 * Reads an intent's params; a missing or mistyped one is a bug in a rule, so rendering refuses (the delivery fails
 * where it can be seen) rather than sending a message with a hole in it.
 */
class Params {
  constructor(private readonly intent: NotificationIntent) {}

  text(name: string): string {
    const value = this.optionalText(name);
    if (value === null) throw this.missing(name, 'text');
    return value;
  }

  optionalText(name: string): string | null {
    const value = this.intent.params[name];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'string') throw this.missing(name, 'text');
    return value;
  }

  number(name: string): number {
    const value = this.optionalNumber(name);
    if (value === null) throw this.missing(name, 'number');
    return value;
  }

  optionalNumber(name: string): number | null {
    const value = this.intent.params[name];
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number') throw this.missing(name, 'number');
    return value;
  }

  boolean(name: string): boolean {
    const value = this.intent.params[name];
    if (typeof value !== 'boolean') throw this.missing(name, 'true or false');
    return value;
  }

  date(name: string): string {
    return day(this.text(name), name, this.intent);
  }

  private missing(name: string, what: string): Error {
    return new Error(`notification ${this.intent.kind} needs the param ${name} (${what})`);
  }
}

/** YYYY-MM-DD in UTC: the day the platform's own records show. */
function day(iso: string, name: string, intent: NotificationIntent): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) throw new Error(`notification ${intent.kind} needs the param ${name} (a date), not ${JSON.stringify(iso)}`);
  return new Date(time).toISOString().slice(0, 10);
}

function textOf(message: Message): string {
  return `${message.paragraphs.join('\n\n')}\n`;
}

function htmlOf(message: Message, language: NotificationLanguage): string {
  const body = message.paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\r?\n/g, '<br>')}</p>`).join('\n');
  return `<!DOCTYPE html>\n<html lang="${language}">\n<head><meta charset="utf-8"><title>${escapeHtml(message.subject)}</title></head>\n<body>\n${body}\n</body>\n</html>\n`;
}

// Whole paragraphs are escaped, so every value in them is, whatever a reason contains.
function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

const HTML_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
