import { DeciderSpecification } from '#testing';
import { domainError } from '../../../test/support/domain-error.ts';
import {
  MANDATORY_NOTIFICATION_KINDS,
  notificationPreferencesDecider,
  notificationPreferencesStreamId,
  OPTIONAL_NOTIFICATION_KINDS,
  type NotificationPreferencesChanged,
  type SetNotificationPreferences,
} from './notification-preferences.decider.ts';
import { NOTIFICATION_KINDS } from './notification-rules.ts';

const spec = DeciderSpecification.for(notificationPreferencesDecider);
const AT = '2026-12-05T10:00:00.000Z';
const set = (optedOut: string[]): SetNotificationPreferences => ({ type: 'SetNotificationPreferences', memberId: 'm-1', optedOut, at: AT });
const changed = (optedOut: NotificationPreferencesChanged['data']['optedOut']): NotificationPreferencesChanged => ({
  type: 'NotificationPreferencesChanged',
  data: { memberId: 'm-1', optedOut, changedAt: AT },
});

describe('notification preferences', () => {
  test("one stream per member, keyed by the member's id", () =>
    expect(notificationPreferencesStreamId('m-1')).toBe('notification_preferences-m-1'));

  test('a moderation decision about their own content is mandatory; every other kind is optional', () => {
    expect(MANDATORY_NOTIFICATION_KINDS).toContain('MODERATION_DECISION');
    expect([...MANDATORY_NOTIFICATION_KINDS, ...OPTIONAL_NOTIFICATION_KINDS].sort()).toEqual([...NOTIFICATION_KINDS].sort());
    expect(OPTIONAL_NOTIFICATION_KINDS).toContain('CERTIFICATION_DUE_FOR_RENEWAL');
  });

  test('given nothing, records the whole opted-out set, deduplicated and sorted', () =>
    spec
      .given([])
      .when(set(['CERTIFICATION_EXPIRED', 'CERTIFICATION_DUE_FOR_RENEWAL', 'CERTIFICATION_EXPIRED']))
      .then([changed(['CERTIFICATION_DUE_FOR_RENEWAL', 'CERTIFICATION_EXPIRED'])]));

  test('given the same set, records nothing', () =>
    spec
      .given([changed(['CERTIFICATION_EXPIRED'])])
      .when(set(['CERTIFICATION_EXPIRED']))
      .then([]));

  test('an empty set turns everything back on', () =>
    spec
      .given([changed(['CERTIFICATION_EXPIRED'])])
      .when(set([]))
      .then([changed([])]));

  test('refuses turning off a decision about their own content', () =>
    spec
      .given([])
      .when(set(['CERTIFICATION_EXPIRED', 'MODERATION_DECISION']))
      .thenThrows(domainError('BAD_USER_INPUT', /MODERATION_DECISION cannot be turned off/, 'optedOut')));

  test('refuses a kind that does not exist', () =>
    spec
      .given([])
      .when(set(['NEWSLETTER']))
      .thenThrows(domainError('BAD_USER_INPUT', 'optedOut: NEWSLETTER is no notification kind', 'optedOut')));
});
