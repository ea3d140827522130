import { DeciderSpecification } from '#testing';
import { domainError } from '../../../test/support/domain-error.ts';
import {
  MANDATORY_NOTIFICATION_KINDS,
  missingSubscriptionRoles,
  notificationPreferencesDecider,
  notificationPreferencesStreamId,
  OPT_IN_NOTIFICATION_KINDS,
  OPTIONAL_NOTIFICATION_KINDS,
  type NotificationPreferencesChanged,
  type NotificationSubscriptionsChanged,
  type SetNotificationPreferences,
} from './notification-preferences.decider.ts';
import { NOTIFICATION_KINDS } from './notification-rules.ts';

const spec = DeciderSpecification.for(notificationPreferencesDecider);
const AT = '2026-12-05T10:00:00.000Z';
const set = (optedOut: string[], optedIn: string[] | null = null): SetNotificationPreferences => ({
  type: 'SetNotificationPreferences',
  memberId: 'm-1',
  optedOut,
  optedIn,
  at: AT,
});
const subscribed = (optedIn: NotificationSubscriptionsChanged['data']['optedIn']): NotificationSubscriptionsChanged => ({
  type: 'NotificationSubscriptionsChanged',
  data: { memberId: 'm-1', optedIn, changedAt: AT },
});
const changed = (optedOut: NotificationPreferencesChanged['data']['optedOut']): NotificationPreferencesChanged => ({
  type: 'NotificationPreferencesChanged',
  data: { memberId: 'm-1', optedOut, changedAt: AT },
});

describe('notification preferences', () => {
  test("one stream per member, keyed by the member's id", () =>
    expect(notificationPreferencesStreamId('m-1')).toBe('notification_preferences-m-1'));

  test('a moderation decision about their own content is mandatory; every other kind is optional', () => {
    expect(MANDATORY_NOTIFICATION_KINDS).toContain('MODERATION_DECISION');
    expect([...MANDATORY_NOTIFICATION_KINDS, ...OPTIONAL_NOTIFICATION_KINDS, ...OPT_IN_NOTIFICATION_KINDS].sort()).toEqual(
      [...NOTIFICATION_KINDS].sort(),
    );
    expect(OPT_IN_NOTIFICATION_KINDS).toEqual(['COMMUNITY_MANAGER_DIGEST']);
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

  test('refuses turning off the answer to an erasure request (mandatory: it is how the request is answered)', () => {
    expect(MANDATORY_NOTIFICATION_KINDS).toContain('ERASURE_COMPLETED');
    return spec
      .given([])
      .when(set(['ERASURE_COMPLETED']))
      .thenThrows(domainError('BAD_USER_INPUT', /ERASURE_COMPLETED cannot be turned off/, 'optedOut'));
  });

  test('refuses a kind that does not exist', () =>
    spec
      .given([])
      .when(set(['NEWSLETTER']))
      .thenThrows(domainError('BAD_USER_INPUT', 'optedOut: NEWSLETTER is no notification kind', 'optedOut')));
});

describe("subscribing to an opt-in kind (the community managers' digest)", () => {
  test('records the subscriptions, and only them, when the opted-out set is unchanged', () =>
    spec
      .given([])
      .when(set([], ['COMMUNITY_MANAGER_DIGEST', 'COMMUNITY_MANAGER_DIGEST']))
      .then([subscribed(['COMMUNITY_MANAGER_DIGEST'])]));

  test('both sets changed at once: both recorded, each as a whole set', () =>
    spec
      .given([])
      .when(set(['CERTIFICATION_EXPIRED'], ['COMMUNITY_MANAGER_DIGEST']))
      .then([changed(['CERTIFICATION_EXPIRED']), subscribed(['COMMUNITY_MANAGER_DIGEST'])]));

  test('optedIn left out keeps the subscriptions; an empty list unsubscribes', () => {
    spec
      .given([subscribed(['COMMUNITY_MANAGER_DIGEST'])])
      .when(set(['CERTIFICATION_EXPIRED']))
      .then([changed(['CERTIFICATION_EXPIRED'])]);
    spec
      .given([subscribed(['COMMUNITY_MANAGER_DIGEST'])])
      .when(set([], []))
      .then([subscribed([])]);
    return spec
      .given([subscribed(['COMMUNITY_MANAGER_DIGEST'])])
      .when(set([], ['COMMUNITY_MANAGER_DIGEST']))
      .then([]);
  });

  test('refuses subscribing to a kind that is sent anyway, and turning off one that is only sent on subscription', () => {
    spec
      .given([])
      .when(set([], ['CERTIFICATION_EXPIRED']))
      .thenThrows(domainError('BAD_USER_INPUT', /optedIn: CERTIFICATION_EXPIRED is sent without subscribing/, 'optedIn'));
    spec
      .given([])
      .when(set([], ['DAILY_GOSSIP']))
      .thenThrows(domainError('BAD_USER_INPUT', 'optedIn: DAILY_GOSSIP is no notification kind', 'optedIn'));
    return spec
      .given([])
      .when(set(['COMMUNITY_MANAGER_DIGEST']))
      .thenThrows(domainError('BAD_USER_INPUT', /optedOut: COMMUNITY_MANAGER_DIGEST is only sent once subscribed to/, 'optedOut'));
  });

  test("subscribing to the digest needs a community manager's token; keeping or dropping it does not", () => {
    const none = { optedOut: [], optedIn: [] };
    const holding = { optedOut: [], optedIn: ['COMMUNITY_MANAGER_DIGEST' as const] };
    expect(missingSubscriptionRoles(['COMMUNITY_MANAGER_DIGEST'], none, ['MEMBER'])).toEqual([
      { kind: 'COMMUNITY_MANAGER_DIGEST', role: 'COMMUNITY_MANAGER' },
    ]);
    expect(missingSubscriptionRoles(['COMMUNITY_MANAGER_DIGEST'], none, ['MEMBER', 'COMMUNITY_MANAGER'])).toEqual([]);
    // Already subscribed (the role since lost): kept, and may be dropped.
    expect(missingSubscriptionRoles(['COMMUNITY_MANAGER_DIGEST'], holding, ['MEMBER'])).toEqual([]);
    expect(missingSubscriptionRoles([], holding, ['MEMBER'])).toEqual([]);
    expect(missingSubscriptionRoles(null, none, [])).toEqual([]);
    // A kind that is not opt-in needs no role here (the decider refuses it as input).
    expect(missingSubscriptionRoles(['CERTIFICATION_EXPIRED', 'constructor'], none, [])).toEqual([]);
  });
});
