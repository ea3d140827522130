import { DeciderSpecification } from '#testing';
import { domainError } from '../../../test/support/domain-error.ts';
import {
  compileDigestFigures,
  notificationDigestDecider,
  notificationDigestStreamId,
  type CommunityManagerDigestCompiled,
  type CommunityManagerDigestFigures,
  type DigestCase,
} from './community-manager-digest.ts';
import { digestDayDue } from './community-manager-digest.scheduler.ts';
import { renderNotification } from './notification-messages.ts';
import { notificationsFor, type NotificationIntent } from './notification-rules.ts';

const NOW = new Date('2026-12-05T07:00:00.000Z');
const HOUR_MS = 3_600_000;
const waiting = (status: DigestCase['status'], hoursAgo: number): DigestCase => ({
  status,
  waitingSince: new Date(NOW.getTime() - hoursAgo * HOUR_MS),
});

describe('compileDigestFigures', () => {
  test('counts the backlog by status, the appeals apart, the cases over the waiting target and the oldest wait', () => {
    const cases = [
      waiting('OPEN', 1),
      waiting('OPEN', 49), // over a 2-day target
      waiting('IN_REVIEW', 47),
      waiting('IN_REVIEW', 132), // 5.5 days: the oldest, over the target
      // An appeal waits for another decision: counted apart, never as backlog nor as the oldest case (30 days).
      waiting('APPEALED', 720),
    ];
    expect(compileDigestFigures(cases, { backlog: 10, waitingDays: 2 }, NOW)).toEqual<CommunityManagerDigestFigures>({
      open: 2,
      inReview: 2,
      backlog: 4,
      appealed: 1,
      backlogTarget: 10,
      waitingTargetDays: 2,
      overTarget: 2,
      oldestWaitingDays: 5.5,
    });
  });

  test('a case waiting exactly the target is within it (the KPI is met at most at the target)', () => {
    const figures = compileDigestFigures([waiting('OPEN', 48), waiting('OPEN', 48.1)], { backlog: null, waitingDays: 2 }, NOW);
    expect(figures.overTarget).toBe(1);
  });

  test('rounds the oldest wait up to a tenth of a day, so a case just over the target never shows as within it', () => {
    // 2 days and 1 minute: over a 2-day target, shown as 2.1 (not 2.0).
    const figures = compileDigestFigures(
      [{ status: 'OPEN', waitingSince: new Date(NOW.getTime() - 2 * 24 * HOUR_MS - 60_000) }],
      {
        backlog: null,
        waitingDays: 2,
      },
      NOW,
    );
    expect(figures).toMatchObject({ overTarget: 1, oldestWaitingDays: 2.1 });
    expect(compileDigestFigures([waiting('OPEN', 36)], { backlog: null, waitingDays: null }, NOW).oldestWaitingDays).toBe(1.5);
  });

  test('without a waiting target there is nothing to be over: null, not 0', () => {
    expect(compileDigestFigures([waiting('OPEN', 500)], { backlog: null, waitingDays: null }, NOW)).toMatchObject({
      backlog: 1,
      backlogTarget: null,
      waitingTargetDays: null,
      overTarget: null,
    });
  });

  test('an empty backlog: zeros, no oldest wait, and 0 over the target when one is set', () => {
    expect(compileDigestFigures([waiting('APPEALED', 3)], { backlog: 5, waitingDays: 1 }, NOW)).toEqual({
      open: 0,
      inReview: 0,
      backlog: 0,
      appealed: 1,
      backlogTarget: 5,
      waitingTargetDays: 1,
      overTarget: 0,
      oldestWaitingDays: null,
    });
  });

  test('a first flag stamped after the moment compiled (a clock a little ahead) waits 0 days, never less', () => {
    expect(compileDigestFigures([waiting('OPEN', -1)], { backlog: null, waitingDays: 0 }, NOW)).toMatchObject({
      overTarget: 0,
      oldestWaitingDays: 0,
    });
  });
});

const FIGURES: CommunityManagerDigestFigures = {
  open: 4,
  inReview: 2,
  backlog: 6,
  appealed: 1,
  backlogTarget: 10,
  waitingTargetDays: 2,
  overTarget: 3,
  oldestWaitingDays: 5.5,
};
const compiled = (day: string, at: string): CommunityManagerDigestCompiled => ({
  type: 'CommunityManagerDigestCompiled',
  data: { day, ...FIGURES, compiledAt: at },
});

describe('the digest stream: one a day', () => {
  const spec = DeciderSpecification.for(notificationDigestDecider);
  const compile = { type: 'CompileCommunityManagerDigest' as const, day: '2026-12-05', figures: FIGURES, at: NOW.toISOString() };

  test('records the day’s digest once: a second compilation (another instance, a restart) records nothing', () => {
    spec
      .given([])
      .when(compile)
      .then([compiled('2026-12-05', NOW.toISOString())]);
    spec
      .given([compiled('2026-12-05', NOW.toISOString())])
      .when({ ...compile, figures: { ...FIGURES, open: 99 }, at: '2026-12-05T09:00:00.000Z' })
      .then([]);
  });

  test('a stream per UTC day; anything but a real YYYY-MM-DD day is refused', () => {
    expect(notificationDigestStreamId('2026-12-05')).toBe('notification_digest-2026-12-05');
    const refused = domainError('BAD_USER_INPUT', /day must be a date as YYYY-MM-DD/, 'day');
    for (const day of ['2026-13-01', '2026-02-30', '5 December', '2026-12-05-x']) {
      let error: unknown;
      try {
        notificationDigestStreamId(day);
      } catch (e) {
        error = e;
      }
      expect(refused(error)).toBe(true);
    }
  });

  test('is due from the digest hour (UTC) until the end of that day, not before', () => {
    expect(digestDayDue(new Date('2026-12-05T06:59:59.999Z'), 7)).toBeNull();
    expect(digestDayDue(new Date('2026-12-05T07:00:00.000Z'), 7)).toBe('2026-12-05');
    expect(digestDayDue(new Date('2026-12-05T23:59:59.999Z'), 7)).toBe('2026-12-05');
    expect(digestDayDue(new Date('2026-12-06T00:00:00.000Z'), 0)).toBe('2026-12-06');
    expect(digestDayDue(new Date('2026-12-06T22:00:00.000Z'), 23)).toBeNull();
  });
});

describe('the rule: the digest goes to its subscribers', () => {
  const event = (audience: string[]) =>
    notificationsFor(
      {
        type: 'CommunityManagerDigestCompiled',
        data: compiled('2026-12-05', NOW.toISOString()).data as unknown as Record<string, unknown>,
        metadata: { occurredAt: NOW.toISOString() },
      },
      { appealWindowDays: 30 },
      { audience },
    );

  test('tells each member of the audience the outbox fixed, with the figures and the day', () => {
    expect(event(['m-cm-1', 'm-cm-2'])).toEqual<NotificationIntent[]>(
      ['m-cm-1', 'm-cm-2'].map((recipientId) => ({
        kind: 'COMMUNITY_MANAGER_DIGEST',
        recipientId,
        params: {
          day: '2026-12-05',
          open: 4,
          inReview: 2,
          backlog: 6,
          appealed: 1,
          backlogTarget: 10,
          waitingTargetDays: 2,
          overTarget: 3,
          oldestWaitingDays: 5.5,
        },
      })),
    );
  });

  test('tells nobody when nobody subscribed', () => expect(event([])).toEqual([]));
});

describe('the digest message', () => {
  const intent = (params: Partial<Record<keyof CommunityManagerDigestFigures, number | null>> = {}): NotificationIntent => ({
    kind: 'COMMUNITY_MANAGER_DIGEST',
    recipientId: 'm-cm',
    params: { day: '2026-12-05', ...FIGURES, ...params },
  });

  test('in English: the backlog by status against its target, the cases over the waiting target, the oldest, the appeals', () => {
    const en = renderNotification(intent(), 'en');
    expect(en.subject).toBe('Moderation digest of 2026-12-05: 6 cases waiting, 3 over the target');
    expect(en.text).toContain(
      'On 2026-12-05, 6 moderation cases are waiting for a moderator: 4 open and 2 in review (target: at most 10).',
    );
    expect(en.text).toContain(
      '3 of them have waited longer than the target of 2 days; the oldest has waited 5.5 days since it was first reported.',
    );
    expect(en.text).toContain('1 appeal is waiting for a decision.');
    expect(en.text).toContain('you can unsubscribe in your notification preferences');
  });

  test('in Dutch, with a decimal comma', () => {
    const nl = renderNotification(intent(), 'nl');
    expect(nl.subject).toBe('Moderatieoverzicht van 2026-12-05: 6 zaken wachten, 3 langer dan het doel');
    expect(nl.text).toContain('Op 2026-12-05 wachten 6 moderatiezaken op een moderator: 4 open en 2 in behandeling (doel: hoogstens 10).');
    expect(nl.text).toContain(
      'Daarvan wachten er 3 langer dan het doel van 2 dagen; de oudste wacht al 5,5 dagen sinds de eerste melding.',
    );
    expect(nl.text).toContain('1 beroep wacht op een beslissing.');
  });

  test('one case, no targets: singular words, and says no waiting target is set', () => {
    const one = intent({
      open: 1,
      inReview: 0,
      backlog: 1,
      appealed: 2,
      backlogTarget: null,
      waitingTargetDays: null,
      overTarget: null,
      oldestWaitingDays: 1,
    });
    const en = renderNotification(one, 'en');
    expect(en.subject).toBe('Moderation digest of 2026-12-05: 1 case waiting');
    expect(en.text).toContain('On 2026-12-05, 1 moderation case is waiting for a moderator: 1 open and 0 in review.');
    expect(en.text).toContain(
      'No target is set for how long a case may wait (MODERATION_OLDEST_OPEN_CASE_DAYS); the oldest has waited 1 day',
    );
    expect(en.text).toContain('2 appeals are waiting');
    const nl = renderNotification(one, 'nl');
    expect(nl.subject).toBe('Moderatieoverzicht van 2026-12-05: 1 zaak wacht');
    expect(nl.text).toContain('Op 2026-12-05 wacht 1 moderatiezaak op een moderator');
    expect(nl.text).toContain('de oudste wacht al 1 dag sinds');
  });

  test('an empty backlog says no case is waiting', () => {
    const none = intent({ open: 0, inReview: 0, backlog: 0, overTarget: 0, oldestWaitingDays: null });
    expect(renderNotification(none, 'en').subject).toBe('Moderation digest of 2026-12-05: 0 cases waiting');
    expect(renderNotification(none, 'en').text).toContain('No case is waiting.');
    expect(renderNotification(none, 'nl').text).toContain('Er wacht geen enkele zaak.');
  });

  test('refuses a digest missing a figure rather than sending one with a hole in it', () => {
    const { backlog: _backlog, ...params } = intent().params;
    expect(() => renderNotification({ ...intent(), params }, 'en')).toThrow(
      'notification COMMUNITY_MANAGER_DIGEST needs the param backlog (number)',
    );
  });
});
