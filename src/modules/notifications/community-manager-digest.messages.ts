// The words of the community managers' digest, in English and Dutch (notification-messages.ts adds the greeting and the
// footer, and escapes every paragraph for the HTML part).
import type { CommunityManagerDigestFigures } from './community-manager-digest.ts';

/**
 * The digest's figures as the message shows them (from the intent's params, checked by the caller): those the day's
 * event recorded, and its day (YYYY-MM-DD).
 */
export type DigestFacts = CommunityManagerDigestFigures & { readonly day: string };

export interface DigestWording {
  subject(facts: DigestFacts): string;
  /** The body's paragraphs, between the greeting and the footer. */
  paragraphs(facts: DigestFacts): string[];
}

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

export const ENGLISH_DIGEST: DigestWording = {
  subject: (f) =>
    `Moderation digest of ${f.day}: ${plural(f.backlog, 'case', 'cases')} waiting` +
    (f.overTarget ? `, ${f.overTarget} over the target` : ''),
  paragraphs: (f) => [
    `On ${f.day}, ${f.backlog === 1 ? '1 moderation case is' : `${f.backlog} moderation cases are`} waiting for a moderator: ` +
      `${f.open} open and ${f.inReview} in review${f.backlogTarget === null ? '' : ` (target: at most ${f.backlogTarget})`}.`,
    f.oldestWaitingDays === null
      ? 'No case is waiting.'
      : (f.waitingTargetDays === null || f.overTarget === null
          ? 'No target is set for how long a case may wait (MODERATION_OLDEST_OPEN_CASE_DAYS)'
          : `${f.overTarget === 1 ? '1 of them has' : `${f.overTarget} of them have`} waited longer than the target of ` +
            plural(f.waitingTargetDays, 'day', 'days')) +
        `; the oldest has waited ${plural(f.oldestWaitingDays, 'day', 'days')} since it was first reported.`,
    `${f.appealed === 1 ? '1 appeal is' : `${f.appealed} appeals are`} waiting for a decision.`,
    'The cases themselves are in the moderation queue of the console. You receive this digest because you subscribed to it; you can unsubscribe in your notification preferences.',
  ],
};

/** Dutch writes a decimal comma: 2,5 dagen. */
const dutchNumber = (value: number) => String(value).replace('.', ',');
const dutchDays = (days: number) => `${dutchNumber(days)} ${days === 1 ? 'dag' : 'dagen'}`;

export const DUTCH_DIGEST: DigestWording = {
  subject: (f) =>
    `Moderatieoverzicht van ${f.day}: ${f.backlog === 1 ? '1 zaak wacht' : `${f.backlog} zaken wachten`}` +
    (f.overTarget ? `, ${f.overTarget} langer dan het doel` : ''),
  paragraphs: (f) => [
    `Op ${f.day} ${f.backlog === 1 ? 'wacht 1 moderatiezaak' : `wachten ${f.backlog} moderatiezaken`} op een moderator: ` +
      `${f.open} open en ${f.inReview} in behandeling${f.backlogTarget === null ? '' : ` (doel: hoogstens ${dutchNumber(f.backlogTarget)})`}.`,
    f.oldestWaitingDays === null
      ? 'Er wacht geen enkele zaak.'
      : (f.waitingTargetDays === null || f.overTarget === null
          ? 'Er is geen doel ingesteld voor hoe lang een zaak mag wachten (MODERATION_OLDEST_OPEN_CASE_DAYS)'
          : `${f.overTarget === 1 ? 'Daarvan wacht er 1' : `Daarvan wachten er ${f.overTarget}`} langer dan het doel van ` +
            dutchDays(f.waitingTargetDays)) + `; de oudste wacht al ${dutchDays(f.oldestWaitingDays)} sinds de eerste melding.`,
    `${f.appealed === 1 ? '1 beroep wacht' : `${f.appealed} beroepen wachten`} op een beslissing.`,
    'De zaken zelf vind je in de moderatiewachtrij van de console. Je krijgt dit overzicht omdat je je erop hebt geabonneerd; je kunt je afmelden in je meldingsvoorkeuren.',
  ],
};
