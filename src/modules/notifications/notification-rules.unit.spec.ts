import type { AgreementVersionPublished } from '../agreements/index.ts';
import type { AppealDecided, ModerationCaseDecided } from '../moderation/index.ts';
import {
  bindsEveryMember,
  NOTIFICATION_KINDS,
  NOTIFYING_EVENT_TYPES,
  notificationsFor,
  type NotificationIntent,
} from './notification-rules.ts';

const OPTIONS = { appealWindowDays: 30 };
const at = (occurredAt: string) => ({ occurredAt });

function decided(overrides: Partial<ModerationCaseDecided['data']> & { authorId?: string } = {}) {
  const data: ModerationCaseDecided['data'] & { authorId?: string } = {
    caseId: 'case-1',
    outcome: 'REMOVE_CONTENT',
    reason: 'Personal attack on another member',
    guideline: { agreementId: 'coc', version: 3, section: '2.1' },
    decidedBy: 'm-moderator',
    decidedAt: '2026-03-10T09:15:00.000Z',
    contentStatus: 'REMOVED',
    sanction: null,
    authorId: 'm-author',
    ...overrides,
  };
  return { type: 'ModerationCaseDecided', data: data as unknown as Record<string, unknown>, metadata: at(data.decidedAt) };
}

describe('notificationsFor: a moderation decision', () => {
  it('tells the author what was decided, why, and until when to appeal', () => {
    expect(notificationsFor(decided(), OPTIONS)).toEqual<NotificationIntent[]>([
      {
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
      },
    ]);
  });

  it.each(['HIDE_CONTENT', 'REMOVE_CONTENT', 'WARN_MEMBER', 'SUSPEND_MEMBER'] as const)('notifies for %s', (outcome) => {
    expect(notificationsFor(decided({ outcome }), OPTIONS).map((intent) => intent.params['outcome'])).toEqual([outcome]);
  });

  it('tells nobody when no action was taken (the reporter hears through another rule)', () => {
    expect(notificationsFor(decided({ outcome: 'NO_ACTION', contentStatus: 'VISIBLE' }), OPTIONS)).toEqual([]);
  });

  it('gives a null guideline when none was cited', () => {
    const [intent] = notificationsFor(decided({ guideline: null }), OPTIONS);
    expect(intent!.params).toMatchObject({ guideline: null, guidelineVersion: null, guidelineSection: null });
  });

  it('counts the appeal window across a month end (and a leap day) to the instant the appeal rule enforces', () => {
    const [intent] = notificationsFor(decided({ decidedAt: '2028-01-31T23:30:00.000Z' }), OPTIONS);
    expect(intent!.params['appealDeadline']).toBe('2028-03-01T23:30:00.000Z');
    const [short] = notificationsFor(decided({ decidedAt: '2026-04-29T12:00:00.000Z' }), { appealWindowDays: 3 });
    expect(short!.params['appealDeadline']).toBe('2026-05-02T12:00:00.000Z');
  });

  it("gives a suspension's end date, and none for a suspension until lifted", () => {
    const sanction = {
      sanctionId: 'case-1:sanction',
      memberId: 'm-author',
      kind: 'SUSPENSION' as const,
      until: '2026-04-01T00:00:00.000Z',
    };
    const [until] = notificationsFor(decided({ outcome: 'SUSPEND_MEMBER', contentStatus: 'VISIBLE', sanction }), OPTIONS);
    expect(until!.params['suspendUntil']).toBe('2026-04-01T00:00:00.000Z');
    const [open] = notificationsFor(decided({ outcome: 'SUSPEND_MEMBER', sanction: { ...sanction, until: null } }), OPTIONS);
    expect(open!.params).not.toHaveProperty('suspendUntil');
  });

  it("finds the author in the sanction when the event does not name them (as ModerationCaseDecided doesn't)", () => {
    const sanction = { sanctionId: 'case-1:sanction', memberId: 'm-warned', kind: 'WARNING' as const, until: null };
    const event = decided({ outcome: 'WARN_MEMBER', contentStatus: 'VISIBLE', sanction });
    delete (event.data as { authorId?: string }).authorId;
    expect(notificationsFor(event, OPTIONS).map((intent) => intent.recipientId)).toEqual(['m-warned']);
  });

  it('can tell nobody about hidden or removed content when the event names no author', () => {
    const event = decided({ outcome: 'HIDE_CONTENT', contentStatus: 'HIDDEN' });
    delete (event.data as { authorId?: string }).authorId;
    expect(notificationsFor(event, OPTIONS)).toEqual([]);
  });
});

describe('notificationsFor: certifications', () => {
  it('tells the member their certification is due for renewal', () => {
    const event = {
      type: 'CertificationDueForRenewal',
      data: { memberId: 'm-owner', recordId: 'r-1', level: 2, expiresAt: '2026-06-01T00:00:00.000Z', dueFrom: '2026-04-02T00:00:00.000Z' },
      metadata: at('2026-04-02T01:00:00.000Z'),
    };
    expect(notificationsFor(event, OPTIONS)).toEqual<NotificationIntent[]>([
      { kind: 'CERTIFICATION_DUE_FOR_RENEWAL', recipientId: 'm-owner', params: { level: 2, expiresAt: '2026-06-01T00:00:00.000Z' } },
    ]);
  });

  it('tells the member their certification expired', () => {
    const event = {
      type: 'CertificationExpired',
      data: { memberId: 'm-owner', recordId: 'r-1', level: 1, expiredAt: '2026-06-01T00:00:00.000Z' },
      metadata: at('2026-06-01T00:05:00.000Z'),
    };
    expect(notificationsFor(event, OPTIONS)).toEqual<NotificationIntent[]>([
      { kind: 'CERTIFICATION_EXPIRED', recipientId: 'm-owner', params: { level: 1, expiredAt: '2026-06-01T00:00:00.000Z' } },
    ]);
  });

  it('tells the owner their certification was suspended, when and why', () => {
    const event = {
      type: 'CertificationSuspended',
      data: {
        memberId: 'm-owner',
        recordId: 'r-1',
        level: 2,
        suspendedBy: 'm-cm',
        suspendedAt: '2026-04-15T11:00:00.000Z',
        reason: 'Evidence under review',
      },
      metadata: at('2026-04-15T11:00:00.000Z'),
    };
    expect(notificationsFor(event, OPTIONS)).toEqual<NotificationIntent[]>([
      {
        kind: 'CERTIFICATION_SUSPENDED',
        recipientId: 'm-owner',
        params: { level: 2, suspendedAt: '2026-04-15T11:00:00.000Z', reason: 'Evidence under review' },
      },
    ]);
  });
});

describe('notificationsFor: the reporters of a decided case', () => {
  const reporters = { audience: ['m-reporter-1', 'm-reporter-2'] };

  it('tells each reporter the outbox kept that their report was handled and that action was taken, nothing more', () => {
    const intents = notificationsFor(decided(), OPTIONS, reporters).filter((intent) => intent.kind === 'REPORT_HANDLED');
    expect(intents).toEqual<NotificationIntent[]>([
      {
        kind: 'REPORT_HANDLED',
        recipientId: 'm-reporter-1',
        params: { caseId: 'case-1', actionTaken: true, decidedAt: '2026-03-10T09:15:00.000Z' },
      },
      {
        kind: 'REPORT_HANDLED',
        recipientId: 'm-reporter-2',
        params: { caseId: 'case-1', actionTaken: true, decidedAt: '2026-03-10T09:15:00.000Z' },
      },
    ]);
  });

  it('says no action was taken when the report was dismissed (and tells the author nothing)', () => {
    expect(notificationsFor(decided({ outcome: 'NO_ACTION', contentStatus: 'VISIBLE' }), OPTIONS, { audience: ['m-reporter-1'] })).toEqual([
      {
        kind: 'REPORT_HANDLED',
        recipientId: 'm-reporter-1',
        params: { caseId: 'case-1', actionTaken: false, decidedAt: '2026-03-10T09:15:00.000Z' },
      },
    ]);
  });

  it("never passes on the sanction, the outcome, the reason or the guideline (those are the author's)", () => {
    const sanction = {
      sanctionId: 'case-1:sanction',
      memberId: 'm-author',
      kind: 'SUSPENSION' as const,
      until: '2026-04-01T00:00:00.000Z',
    };
    const event = decided({ outcome: 'SUSPEND_MEMBER', contentStatus: 'VISIBLE', sanction });
    const [intent] = notificationsFor(event, OPTIONS, { audience: ['m-reporter-1'] }).filter((i) => i.kind === 'REPORT_HANDLED');
    expect(Object.keys(intent!.params).sort()).toEqual(['actionTaken', 'caseId', 'decidedAt']);
    expect(JSON.stringify(intent)).not.toMatch(/SUSPEN|2026-04-01|Personal attack|coc|m-author/);
  });

  it('tells the author and the reporters from the same decision, the author first', () => {
    expect(notificationsFor(decided(), OPTIONS, { audience: ['m-reporter-1'] }).map((i) => [i.kind, i.recipientId])).toEqual([
      ['MODERATION_DECISION', 'm-author'],
      ['REPORT_HANDLED', 'm-reporter-1'],
    ]);
  });

  it('does not tell a reporter who decided the case themselves', () => {
    const intents = notificationsFor(decided({ decidedBy: 'm-reporter-1' }), OPTIONS, reporters);
    expect(intents.filter((i) => i.kind === 'REPORT_HANDLED').map((i) => i.recipientId)).toEqual(['m-reporter-2']);
  });

  it('tells no reporter when the outbox kept none (the facts default to none)', () => {
    expect(notificationsFor(decided(), OPTIONS).map((intent) => intent.kind)).toEqual(['MODERATION_DECISION']);
  });
});

function appealDecided(overrides: Partial<AppealDecided['data']> & { authorId?: string } = {}) {
  const data: AppealDecided['data'] & { authorId?: string } = {
    caseId: 'case-1',
    outcome: 'OVERTURNED',
    reason: 'The post quoted the attack in order to report it',
    decidedBy: 'm-cm',
    decidedAt: '2026-03-20T14:00:00.000Z',
    contentStatus: 'VISIBLE',
    authorId: 'm-author',
    ...overrides,
  };
  return { type: 'AppealDecided', data: data as unknown as Record<string, unknown>, metadata: at(data.decidedAt) };
}

describe('notificationsFor: an appeal decided', () => {
  it('tells the author (the only one who may appeal) the outcome, why, and where their content stands', () => {
    expect(notificationsFor(appealDecided(), OPTIONS)).toEqual<NotificationIntent[]>([
      {
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
    ]);
  });

  it('tells them when the decision stands too', () => {
    const [intent] = notificationsFor(appealDecided({ outcome: 'UPHELD', contentStatus: 'REMOVED' }), OPTIONS);
    expect(intent!.params).toMatchObject({ outcome: 'UPHELD', contentStatus: 'REMOVED' });
  });

  it('tells nobody when the outbox found no author for the case', () => {
    const event = appealDecided();
    delete (event.data as { authorId?: string }).authorId;
    expect(notificationsFor(event, OPTIONS)).toEqual([]);
  });

  it('does not tell the reporters (their notice was the decision)', () => {
    expect(notificationsFor(appealDecided(), OPTIONS, { audience: ['m-reporter-1'] }).map((i) => i.recipientId)).toEqual(['m-author']);
  });
});

describe('notificationsFor: ambassadors', () => {
  const decision = { memberId: 'm-amb', enrolment: 2, decidedBy: 'm-cm', decidedAt: '2026-02-01T10:00:00.000Z' };

  it('tells the member their nomination was approved', () => {
    expect(notificationsFor({ type: 'AmbassadorApproved', data: decision, metadata: at(decision.decidedAt) }, OPTIONS)).toEqual<
      NotificationIntent[]
    >([{ kind: 'AMBASSADOR_APPROVED', recipientId: 'm-amb', params: { enrolment: 2, approvedAt: '2026-02-01T10:00:00.000Z' } }]);
  });

  it('tells the ambassador their enrolment ended, without the reason (personal data)', () => {
    const event = {
      type: 'AmbassadorOffboarded',
      data: { ...decision, reason: 'Moved to another role' },
      metadata: at(decision.decidedAt),
    };
    expect(notificationsFor(event, OPTIONS)).toEqual<NotificationIntent[]>([
      { kind: 'AMBASSADOR_OFFBOARDED', recipientId: 'm-amb', params: { enrolment: 2, offboardedAt: '2026-02-01T10:00:00.000Z' } },
    ]);
  });

  it.each(['AmbassadorNominated', 'AmbassadorRejected', 'AmbassadorActivated', 'AmbassadorDeactivated', 'AmbassadorReactivated'])(
    'tells nobody about %s',
    (type) => {
      expect(notificationsFor({ type, data: decision, metadata: at(decision.decidedAt) }, OPTIONS)).toEqual([]);
    },
  );
});

function published(overrides: Partial<AgreementVersionPublished['data']> = {}) {
  const data = {
    agreementId: 'coc',
    version: 3,
    title: 'Code of conduct',
    bodySha256: 'ab'.repeat(32),
    requiresReacceptance: true,
    publishedBy: 'm-cm',
    publishedAt: '2026-05-04T08:30:00.000Z',
    ...overrides,
  };
  return { type: 'AgreementVersionPublished', data: data as unknown as Record<string, unknown>, metadata: at(data.publishedAt) };
}

describe('notificationsFor: an agreement version to accept', () => {
  const bound = { audience: ['m-1', 'm-2', 'm-cm'] };

  it('asks every member the outbox fixed as bound by it to accept it', () => {
    expect(notificationsFor(published(), OPTIONS, bound)).toEqual<NotificationIntent[]>(
      ['m-1', 'm-2', 'm-cm'].map((recipientId) => ({
        kind: 'AGREEMENT_REACCEPTANCE_REQUIRED',
        recipientId,
        params: { agreementId: 'coc', version: 3, title: 'Code of conduct', publishedAt: '2026-05-04T08:30:00.000Z' },
      })),
    );
  });

  it('asks for the first version, which binds everyone whatever the flag says', () => {
    expect(notificationsFor(published({ version: 1, requiresReacceptance: false }), OPTIONS, bound)).toHaveLength(3);
  });

  it('asks nobody for a later version that does not require re-acceptance (an earlier acceptance still holds)', () => {
    expect(notificationsFor(published({ version: 4, requiresReacceptance: false }), OPTIONS, bound)).toEqual([]);
    expect(bindsEveryMember({ version: 4, requiresReacceptance: false })).toBe(false);
    expect(bindsEveryMember({ version: 4, requiresReacceptance: true })).toBe(true);
    expect(bindsEveryMember({ version: 1, requiresReacceptance: false })).toBe(true);
  });

  it('decides the same recipients again from the same facts (a retry after a crash)', () => {
    expect(notificationsFor(published(), OPTIONS, bound)).toEqual(notificationsFor(published(), OPTIONS, bound));
  });

  it('asks nobody when nobody was bound when it was published', () => {
    expect(notificationsFor(published(), OPTIONS)).toEqual([]);
  });
});

function webhookDisabled(reason: 'FAILING' | 'BY_COMMUNITY_MANAGER', registeredBy = 'm-cm') {
  return {
    type: 'WebhookDisabled',
    data: {
      webhookId: 'wh-1',
      reason,
      disabledBy: reason === 'FAILING' ? 'system' : 'm-other-cm',
      disabledAt: '2026-05-31T08:00:01.000Z',
      registeredBy,
      failingSince: reason === 'FAILING' ? '2026-05-30T08:00:00.000Z' : null,
      lastError: reason === 'FAILING' ? 'the receiver answered HTTP 503' : null,
    },
    metadata: at('2026-05-31T08:00:01.000Z'),
  };
}

describe('notificationsFor: webhooks', () => {
  it('tells the manager who registered a webhook that the delivery gave up on it, since when and why', () => {
    expect(notificationsFor(webhookDisabled('FAILING'), OPTIONS)).toEqual<NotificationIntent[]>([
      {
        kind: 'WEBHOOK_DISABLED',
        recipientId: 'm-cm',
        params: {
          webhookId: 'wh-1',
          failingSince: '2026-05-30T08:00:00.000Z',
          lastError: 'the receiver answered HTTP 503',
          disabledAt: '2026-05-31T08:00:01.000Z',
        },
      },
    ]);
  });

  it('tells nobody when a manager disabled it, or when no member registered it', () => {
    expect(notificationsFor(webhookDisabled('BY_COMMUNITY_MANAGER'), OPTIONS)).toEqual([]);
    expect(notificationsFor(webhookDisabled('FAILING', 'system'), OPTIONS)).toEqual([]);
  });
});

const erasureCompleted = (memberId = 'm-erased') => ({
  type: 'ErasureCompleted',
  data: { memberId, completedAt: '2026-06-30T23:59:00.000Z' },
  metadata: at('2026-06-30T23:59:00.000Z'),
});

describe('notificationsFor: an erasure completed', () => {
  it('tells the erased member it is done, and when, and nothing else', () => {
    expect(notificationsFor(erasureCompleted(), OPTIONS)).toEqual<NotificationIntent[]>([
      { kind: 'ERASURE_COMPLETED', recipientId: 'm-erased', params: { completedAt: '2026-06-30T23:59:00.000Z' } },
    ]);
  });

  it('tells only that member, whatever audience the outbox fixed', () => {
    expect(notificationsFor(erasureCompleted('m-2'), OPTIONS, { audience: ['m-other'] }).map((intent) => intent.recipientId)).toEqual([
      'm-2',
    ]);
  });

  it('tells nobody when the erasure is only requested (the member is told once, when it is done)', () => {
    expect(
      notificationsFor(
        {
          type: 'ErasureRequested',
          data: { memberId: 'm-1', reason: null, requestedAt: '2026-06-30T23:58:00.000Z' },
          metadata: at('2026-06-30'),
        },
        OPTIONS,
      ),
    ).toEqual([]);
  });
});

describe('notificationsFor: everything else', () => {
  it.each([
    'CertificationAwarded',
    'CertificationReinstated',
    'ModerationCaseOpened',
    'ContentFlagged',
    'AppealFiled',
    'MemberRegistered',
    'SomethingNew',
    'constructor',
    'toString',
    '__proto__',
  ])('tells nobody about %s', (type) => {
    expect(
      notificationsFor({ type, data: { memberId: 'm-1', authorId: 'm-1' }, metadata: at('2026-01-01T00:00:00.000Z') }, OPTIONS),
    ).toEqual([]);
  });

  it('lists exactly the event types a rule reads', () => {
    expect([...NOTIFYING_EVENT_TYPES].sort()).toEqual([
      'AgreementVersionPublished',
      'AmbassadorApproved',
      'AmbassadorOffboarded',
      'AppealDecided',
      'CertificationDueForRenewal',
      'CertificationExpired',
      'CertificationSuspended',
      'CommunityManagerDigestCompiled',
      'ErasureCompleted',
      'ModerationCaseDecided',
      'WebhookDisabled',
    ]);
  });

  it('has a rule producing every notification kind', () => {
    const produced = new Set(
      [
        decided(),
        {
          type: 'CertificationDueForRenewal',
          data: { memberId: 'm', level: 1, expiresAt: '2026-01-01T00:00:00.000Z' },
          metadata: at('2026-01-01'),
        },
        {
          type: 'CertificationExpired',
          data: { memberId: 'm', level: 1, expiredAt: '2026-01-01T00:00:00.000Z' },
          metadata: at('2026-01-01'),
        },
        webhookDisabled('FAILING'),
        appealDecided(),
        { type: 'AmbassadorApproved', data: { memberId: 'm', enrolment: 1, decidedAt: '2026-01-01' }, metadata: at('2026-01-01') },
        { type: 'AmbassadorOffboarded', data: { memberId: 'm', enrolment: 1, decidedAt: '2026-01-01' }, metadata: at('2026-01-01') },
        {
          type: 'CertificationSuspended',
          data: { memberId: 'm', level: 1, suspendedAt: '2026-01-01', reason: 'r' },
          metadata: at('2026-01-01'),
        },
        published(),
        erasureCompleted(),
        // Its rule in detail: community-manager-digest.unit.spec.ts.
        {
          type: 'CommunityManagerDigestCompiled',
          data: { day: '2026-01-01', open: 0, inReview: 0, backlog: 0, appealed: 0, compiledAt: '2026-01-01T07:00:00.000Z' },
          metadata: at('2026-01-01'),
        },
      ].flatMap((event) => notificationsFor(event, OPTIONS, { audience: ['m-reporter'] }).map((intent) => intent.kind)),
    );
    for (const kind of NOTIFICATION_KINDS) expect(produced).toContain(kind);
  });
});
