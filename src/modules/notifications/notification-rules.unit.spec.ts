import type { ModerationCaseDecided } from '../moderation/index.ts';
import { NOTIFICATION_KINDS, NOTIFYING_EVENT_TYPES, notificationsFor, type NotificationIntent } from './notification-rules.ts';

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

describe('notificationsFor: everything else', () => {
  it.each(['CertificationAwarded', 'ModerationCaseOpened', 'AppealDecided', 'SomethingNew', 'constructor', 'toString', '__proto__'])(
    'tells nobody about %s',
    (type) => {
      expect(
        notificationsFor({ type, data: { memberId: 'm-1', authorId: 'm-1' }, metadata: at('2026-01-01T00:00:00.000Z') }, OPTIONS),
      ).toEqual([]);
    },
  );

  it('lists exactly the event types a rule reads', () => {
    expect([...NOTIFYING_EVENT_TYPES].sort()).toEqual([
      'CertificationDueForRenewal',
      'CertificationExpired',
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
      ].flatMap((event) => notificationsFor(event, OPTIONS).map((intent) => intent.kind)),
    );
    for (const kind of NOTIFICATION_KINDS) expect(produced).toContain(kind);
  });
});
