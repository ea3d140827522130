import { NOTIFICATION_LANGUAGES, notificationLanguage, renderNotification } from './notification-messages.ts';
import { NOTIFICATION_KINDS, type NotificationIntent, type NotificationKind } from './notification-rules.ts';

const DECISION: NotificationIntent = {
  kind: 'MODERATION_DECISION',
  recipientId: 'm-author',
  params: {
    caseId: 'case-1',
    outcome: 'REMOVE_CONTENT',
    reason: 'Personal attack on another member',
    guideline: 'coc',
    guidelineVersion: 3,
    guidelineSection: '2.1',
    decidedAt: '2026-03-10T09:15:00.000Z',
    appealDeadline: '2026-04-09T09:15:00.000Z',
  },
};

const EXAMPLES: Record<NotificationKind, NotificationIntent> = {
  MODERATION_DECISION: DECISION,
  CERTIFICATION_DUE_FOR_RENEWAL: {
    kind: 'CERTIFICATION_DUE_FOR_RENEWAL',
    recipientId: 'm-owner',
    params: { level: 2, expiresAt: '2026-06-01T00:00:00.000Z' },
  },
  CERTIFICATION_EXPIRED: {
    kind: 'CERTIFICATION_EXPIRED',
    recipientId: 'm-owner',
    params: { level: 1, expiredAt: '2026-05-31T22:00:00.000Z' },
  },
  WEBHOOK_DISABLED: {
    kind: 'WEBHOOK_DISABLED',
    recipientId: 'm-cm',
    params: {
      webhookId: 'wh-1',
      failingSince: '2026-05-30T08:00:00.000Z',
      lastError: 'the receiver answered HTTP 503',
      disabledAt: '2026-05-31T08:00:01.000Z',
    },
  },
  APPEAL_DECIDED: {
    kind: 'APPEAL_DECIDED',
    recipientId: 'm-author',
    params: {
      caseId: 'case-1',
      outcome: 'OVERTURNED',
      reason: 'The post quoted the attack in order to report it',
      decidedAt: '2026-03-20T14:00:00.000Z',
      contentStatus: 'VISIBLE',
    },
  },
  REPORT_HANDLED: {
    kind: 'REPORT_HANDLED',
    recipientId: 'm-reporter',
    params: { caseId: 'case-1', actionTaken: true, decidedAt: '2026-03-10T09:15:00.000Z' },
  },
  AMBASSADOR_APPROVED: {
    kind: 'AMBASSADOR_APPROVED',
    recipientId: 'm-amb',
    params: { enrolment: 2, approvedAt: '2026-02-01T10:00:00.000Z' },
  },
  AMBASSADOR_OFFBOARDED: {
    kind: 'AMBASSADOR_OFFBOARDED',
    recipientId: 'm-amb',
    params: { enrolment: 2, offboardedAt: '2026-09-30T16:00:00.000Z' },
  },
  CERTIFICATION_SUSPENDED: {
    kind: 'CERTIFICATION_SUSPENDED',
    recipientId: 'm-owner',
    params: { level: 2, suspendedAt: '2026-04-15T23:30:00.000Z', reason: 'Evidence under review' },
  },
  AGREEMENT_REACCEPTANCE_REQUIRED: {
    kind: 'AGREEMENT_REACCEPTANCE_REQUIRED',
    recipientId: 'm-1',
    params: { agreementId: 'coc', version: 3, title: 'Code of conduct', publishedAt: '2026-05-04T08:30:00.000Z' },
  },
  ERASURE_COMPLETED: {
    kind: 'ERASURE_COMPLETED',
    recipientId: 'm-erased',
    params: { completedAt: '2026-06-30T23:59:00.000Z' },
  },
  // Its wording in detail: community-manager-digest.unit.spec.ts.
  COMMUNITY_MANAGER_DIGEST: {
    kind: 'COMMUNITY_MANAGER_DIGEST',
    recipientId: 'm-cm',
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
  },
};

describe('notificationLanguage', () => {
  it.each(['nl', 'NL', 'nl-NL', 'nl-BE', 'NL-be', 'nl_NL', ' nl-NL '])('writes Dutch for %j', (preferred) => {
    expect(notificationLanguage(preferred)).toBe('nl');
  });

  it.each([null, undefined, '', 'en', 'en-GB', 'de-DE', 'fr-BE', 'nn-NO', 'x-nl'])('writes English for %j', (preferred) => {
    expect(notificationLanguage(preferred)).toBe('en');
  });
});

describe('renderNotification', () => {
  describe.each(NOTIFICATION_KINDS.flatMap((kind) => NOTIFICATION_LANGUAGES.map((language) => [kind, language] as const)))(
    '%s in %s',
    (kind, language) => {
      const rendered = renderNotification(EXAMPLES[kind], language);

      it('has a short subject, a text and an HTML body in that language', () => {
        expect(rendered.subject.length).toBeGreaterThan(0);
        expect(rendered.subject.length).toBeLessThanOrEqual(80);
        expect(rendered.subject).not.toMatch(/[\r\n]/);
        expect(rendered.text).toContain(language === 'nl' ? 'Hallo,' : 'Hello,');
        expect(rendered.html).toContain(`<html lang="${language}">`);
      });

      it('shows dates as YYYY-MM-DD, never as timestamps', () => {
        expect(rendered.text).toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
        expect(rendered.text).not.toMatch(/T\d{2}:\d{2}/);
        expect(rendered.html).not.toMatch(/T\d{2}:\d{2}/);
      });

      it("does not name the recipient (the message holds only the intent's params)", () => {
        expect(rendered.text).not.toContain(EXAMPLES[kind].recipientId);
        expect(rendered.html).not.toContain(EXAMPLES[kind].recipientId);
      });
    },
  );

  it('renders every kind in every language differently (no language falls back to another)', () => {
    for (const kind of NOTIFICATION_KINDS) {
      const [en, nl] = NOTIFICATION_LANGUAGES.map((language) => renderNotification(EXAMPLES[kind], language));
      expect(en!.subject).not.toBe(nl!.subject);
      expect(en!.text).not.toBe(nl!.text);
    }
  });

  it('tells the author what happened, why, under which guideline and until when to appeal', () => {
    const en = renderNotification(DECISION, 'en');
    expect(en.subject).toBe('Moderation decision: your content was removed');
    expect(en.text).toContain('On 2026-03-10 a moderator removed your content (case case-1).');
    expect(en.text).toContain('Reason: Personal attack on another member');
    expect(en.text).toContain('Guideline: agreement coc, version 3, section 2.1');
    expect(en.text).toContain('you can appeal until 2026-04-09');
    const nl = renderNotification(DECISION, 'nl');
    expect(nl.subject).toBe('Moderatiebesluit: je bijdrage is verwijderd');
    expect(nl.text).toContain('Op 2026-03-10 heeft een moderator je bijdrage verwijderd (zaak case-1).');
    expect(nl.text).toContain('Reden: Personal attack on another member');
    expect(nl.text).toContain('Richtlijn: overeenkomst coc, versie 3, artikel 2.1');
    expect(nl.text).toContain('tot en met 2026-04-09 in beroep');
  });

  it('leaves the guideline out when none was cited', () => {
    const intent = { ...DECISION, params: { ...DECISION.params, guideline: null, guidelineVersion: null, guidelineSection: null } };
    expect(renderNotification(intent, 'en').text).not.toContain('Guideline');
    expect(renderNotification(intent, 'nl').text).not.toContain('Richtlijn');
  });

  it.each([
    ['HIDE_CONTENT', 'your content was hidden', 'je bijdrage is verborgen'],
    ['WARN_MEMBER', 'you received a warning', 'je hebt een waarschuwing gekregen'],
    ['SUSPEND_MEMBER', 'you were suspended', 'je bent geschorst'],
  ])('names the outcome %s in the subject', (outcome, english, dutch) => {
    const intent = { ...DECISION, params: { ...DECISION.params, outcome } };
    expect(renderNotification(intent, 'en').subject).toBe(`Moderation decision: ${english}`);
    expect(renderNotification(intent, 'nl').subject).toBe(`Moderatiebesluit: ${dutch}`);
  });

  it("states a suspension's end, or that it lasts until further notice", () => {
    const suspended = { ...DECISION, params: { ...DECISION.params, outcome: 'SUSPEND_MEMBER', suspendUntil: '2026-04-01T00:00:00.000Z' } };
    expect(renderNotification(suspended, 'en').text).toContain('suspended you until 2026-04-01');
    expect(renderNotification(suspended, 'nl').text).toContain('je geschorst tot 2026-04-01');
    const open = { ...DECISION, params: { ...DECISION.params, outcome: 'SUSPEND_MEMBER' } };
    expect(renderNotification(open, 'en').text).toContain('suspended you until further notice');
    expect(renderNotification(open, 'nl').text).toContain('je geschorst tot nader order');
  });

  it('states the certification level and dates (in UTC)', () => {
    expect(renderNotification(EXAMPLES.CERTIFICATION_DUE_FOR_RENEWAL, 'en').text).toContain(
      'Your level 2 certification expires on 2026-06-01.',
    );
    expect(renderNotification(EXAMPLES.CERTIFICATION_EXPIRED, 'nl').text).toContain('niveau 1 is verlopen op 2026-05-31.');
  });

  it('tells the author the appeal was decided: overturned, with where their content stands, or upheld', () => {
    const overturned = EXAMPLES.APPEAL_DECIDED;
    const en = renderNotification(overturned, 'en');
    expect(en.subject).toBe('Your appeal was decided: the decision was overturned');
    expect(en.text).toContain('On 2026-03-20 your appeal in case case-1 was decided: the moderation decision was overturned.');
    expect(en.text).toContain('your content is visible as it was before the decision');
    expect(en.text).toContain('Reason: The post quoted the attack in order to report it');
    expect(en.text).toContain('This decision on your appeal is final.');
    const nl = renderNotification(overturned, 'nl');
    expect(nl.subject).toBe('Je beroep is beoordeeld: het besluit is herroepen');
    expect(nl.text).toContain('Op 2026-03-20 is je beroep in zaak case-1 beoordeeld: het moderatiebesluit is herroepen.');
    expect(nl.text).toContain('je bijdrage is zichtbaar, zoals vóór het besluit');
    expect(nl.text).toContain('Reden: The post quoted the attack in order to report it');

    const upheld = { ...overturned, params: { ...overturned.params, outcome: 'UPHELD', contentStatus: 'REMOVED' } };
    expect(renderNotification(upheld, 'en').subject).toBe('Your appeal was decided: the decision stands');
    expect(renderNotification(upheld, 'en').text).toContain('was decided: the moderation decision stands.');
    expect(renderNotification(upheld, 'en').text).not.toContain('lifted');
    expect(renderNotification(upheld, 'nl').subject).toBe('Je beroep is beoordeeld: het besluit blijft staan');
    expect(renderNotification(upheld, 'nl').text).toContain('het moderatiebesluit blijft staan.');
  });

  it('refuses an appeal outcome or content status it does not know, rather than guessing', () => {
    const appeal = EXAMPLES.APPEAL_DECIDED;
    expect(() => renderNotification({ ...appeal, params: { ...appeal.params, outcome: 'MAYBE' } }, 'en')).toThrow();
    expect(() => renderNotification({ ...appeal, params: { ...appeal.params, contentStatus: 'GONE' } }, 'nl')).toThrow();
  });

  it('tells a reporter their report was handled and whether action was taken, and nothing of the decision', () => {
    const taken = EXAMPLES.REPORT_HANDLED;
    expect(renderNotification(taken, 'en').subject).toBe('Your report was handled');
    expect(renderNotification(taken, 'en').text).toContain(
      'On 2026-03-10 a moderator handled the report you made (case case-1): action was taken.',
    );
    expect(renderNotification(taken, 'en').text).toContain('we do not share what was decided');
    expect(renderNotification(taken, 'nl').subject).toBe('Je melding is afgehandeld');
    expect(renderNotification(taken, 'nl').text).toContain(
      'Op 2026-03-10 heeft een moderator je melding afgehandeld (zaak case-1): er is actie ondernomen.',
    );
    const dismissed = { ...taken, params: { ...taken.params, actionTaken: false } };
    expect(renderNotification(dismissed, 'en').text).toContain('(case case-1): no action was taken.');
    expect(renderNotification(dismissed, 'nl').text).toContain('(zaak case-1): er is geen actie ondernomen.');
    for (const language of NOTIFICATION_LANGUAGES) {
      expect(renderNotification(taken, language).text).not.toMatch(/remov|verwijder|suspend|geschorst|warn|waarschuw|Reason|Reden/i);
    }
    expect(() => renderNotification({ ...taken, params: { ...taken.params, actionTaken: 'yes' } }, 'en')).toThrow(
      'notification REPORT_HANDLED needs the param actionTaken (true or false)',
    );
  });

  it("tells an ambassador their nomination was approved, or their enrolment ended (without the offboarding's reason)", () => {
    expect(renderNotification(EXAMPLES.AMBASSADOR_APPROVED, 'en').text).toContain(
      'On 2026-02-01 your nomination as ambassador was approved (enrolment 2).',
    );
    expect(renderNotification(EXAMPLES.AMBASSADOR_APPROVED, 'nl').text).toContain(
      'Op 2026-02-01 is je nominatie als ambassadeur goedgekeurd (inschrijving 2).',
    );
    expect(renderNotification(EXAMPLES.AMBASSADOR_OFFBOARDED, 'en').text).toContain(
      'On 2026-09-30 your enrolment as ambassador ended (enrolment 2).',
    );
    expect(renderNotification(EXAMPLES.AMBASSADOR_OFFBOARDED, 'nl').text).toContain(
      'Op 2026-09-30 is je inschrijving als ambassadeur beëindigd (inschrijving 2).',
    );
  });

  it('tells the owner their certification was suspended, on which day (UTC) and why', () => {
    const en = renderNotification(EXAMPLES.CERTIFICATION_SUSPENDED, 'en');
    expect(en.subject).toBe('Your certification was suspended');
    expect(en.text).toContain('On 2026-04-15 your level 2 certification was suspended.');
    expect(en.text).toContain('Reason: Evidence under review');
    const nl = renderNotification(EXAMPLES.CERTIFICATION_SUSPENDED, 'nl');
    expect(nl.subject).toBe('Je certificering is geschorst');
    expect(nl.text).toContain('Op 2026-04-15 is je certificering op niveau 2 geschorst.');
    expect(nl.text).toContain('Reden: Evidence under review');
  });

  it('asks a member to accept an agreement version, naming it by title, id and version, with its title escaped in HTML', () => {
    expect(renderNotification(EXAMPLES.AGREEMENT_REACCEPTANCE_REQUIRED, 'en').text).toContain(
      'Version 3 of "Code of conduct" (agreement coc) was published on 2026-05-04 and needs your acceptance.',
    );
    expect(renderNotification(EXAMPLES.AGREEMENT_REACCEPTANCE_REQUIRED, 'nl').text).toContain(
      'Versie 3 van "Code of conduct" (overeenkomst coc) is op 2026-05-04 gepubliceerd en vraagt je akkoord.',
    );
    const marked = {
      ...EXAMPLES.AGREEMENT_REACCEPTANCE_REQUIRED,
      params: { ...EXAMPLES.AGREEMENT_REACCEPTANCE_REQUIRED.params, title: 'Rules <b>&</b> you' },
    };
    const html = renderNotification(marked, 'en').html;
    expect(html).toContain('Rules &lt;b&gt;&amp;&lt;/b&gt; you');
    expect(html).not.toContain('<b>');
  });

  it('tells an erased member their erasure was completed, on which day (UTC), what that means, and that the address goes too', () => {
    const en = renderNotification(EXAMPLES.ERASURE_COMPLETED, 'en');
    expect(en.subject).toBe('Your personal data has been erased');
    expect(en.text).toContain('On 2026-06-30 the erasure of your personal data was completed, as requested.');
    expect(en.text).toContain('can no longer be read by anyone');
    expect(en.text).toContain('We kept this e-mail address only to send you this message; it is deleted once the message is sent.');
    const nl = renderNotification(EXAMPLES.ERASURE_COMPLETED, 'nl');
    expect(nl.subject).toBe('Je persoonsgegevens zijn gewist');
    expect(nl.text).toContain('Op 2026-06-30 is het wissen van je persoonsgegevens voltooid, zoals gevraagd.');
    expect(nl.text).toContain('het wordt gewist zodra het bericht is verzonden');
    expect(() => renderNotification({ ...EXAMPLES.ERASURE_COMPLETED, params: {} }, 'en')).toThrow(
      'notification ERASURE_COMPLETED needs the param completedAt (text)',
    );
  });

  it.each(NOTIFICATION_LANGUAGES)(
    'escapes a reason holding markup and ampersands in the HTML (%s), and keeps it as written in the text',
    (language) => {
      const reason = 'Posted <script>alert("x")</script> & said \'hi\' >_<';
      const rendered = renderNotification({ ...DECISION, params: { ...DECISION.params, reason } }, language);
      expect(rendered.html).not.toContain('<script>');
      expect(rendered.html).toContain('Posted &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; said &#39;hi&#39; &gt;_&lt;');
      expect(rendered.html).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
      expect(rendered.text).toContain(reason);
    },
  );

  it('escapes every value in the HTML, not only the reason', () => {
    const params = { ...DECISION.params, caseId: 'a&b', guideline: '<i>coc</i>', guidelineSection: '"2"' };
    const html = renderNotification({ ...DECISION, params }, 'en').html;
    expect(html).toContain('a&amp;b');
    expect(html).toContain('&lt;i&gt;coc&lt;/i&gt;');
    expect(html).toContain('&quot;2&quot;');
    expect(html).not.toContain('<i>');
  });

  it('refuses an intent missing a param it needs, rather than sending a message with a hole in it', () => {
    const { reason: _reason, ...params } = DECISION.params;
    expect(() => renderNotification({ ...DECISION, params }, 'en')).toThrow(
      'notification MODERATION_DECISION needs the param reason (text)',
    );
    expect(() => renderNotification({ ...EXAMPLES.CERTIFICATION_EXPIRED, params: { level: 1, expiredAt: 'soon' } }, 'nl')).toThrow(
      'needs the param expiredAt (a date)',
    );
  });
});
