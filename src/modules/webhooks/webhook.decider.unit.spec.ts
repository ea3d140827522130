import { DeciderSpecification } from '#testing';
import { domainError } from '../../../test/support/domain-error.ts';
import {
  checkedFilter,
  webhookDecider,
  webhookHears,
  webhookStreamId,
  webhookUrlSubject,
  WEBHOOK_EVENT_SCHEMAS,
  type RegisterWebhook,
  type WebhookDisabled,
  type WebhookRegistered,
} from './webhook.decider.ts';

const spec = DeciderSpecification.for(webhookDecider);
const AT = '2026-12-01T09:00:00.000Z';
const LATER = '2026-12-02T09:00:00.000Z';

const register = (override: Partial<RegisterWebhook> = {}): RegisterWebhook => ({
  type: 'RegisterWebhook',
  webhookId: 'wh-1',
  url: 'https://hooks.example.org/governance/abcd',
  urlHint: 'https://hooks.example.org/…abcd',
  description: 'Team channel',
  eventTypes: ['ModerationCaseDecided', ' GroupCreated', 'GroupCreated'],
  categories: [],
  actorId: 'cm-1',
  at: AT,
  ...override,
});
const registered: WebhookRegistered = {
  type: 'WebhookRegistered',
  data: {
    webhookId: 'wh-1',
    url: 'https://hooks.example.org/governance/abcd',
    urlHint: 'https://hooks.example.org/…abcd',
    description: 'Team channel',
    eventTypes: ['GroupCreated', 'ModerationCaseDecided'],
    categories: [],
    secretVersion: 1,
    registeredBy: 'cm-1',
    registeredAt: AT,
  },
};
const disabledFailing: WebhookDisabled = {
  type: 'WebhookDisabled',
  data: {
    webhookId: 'wh-1',
    reason: 'FAILING',
    disabledBy: 'system',
    disabledAt: LATER,
    registeredBy: 'cm-1',
    failingSince: AT,
    lastError: 'the receiver answered HTTP 503',
  },
};

describe('webhook streams', () => {
  test('one stream per webhook; its URL is encrypted under a key no member id can name', () => {
    expect(webhookStreamId('wh-1')).toBe('webhook-wh-1');
    expect(webhookUrlSubject('wh-1')).toBe('webhook/wh-1');
    expect(WEBHOOK_EVENT_SCHEMAS.find((schema) => schema.type === 'WebhookRegistered')?.personal?.fields).toEqual(['url']);
  });
});

describe('RegisterWebhook', () => {
  test('given nothing, registers it with its filters trimmed, deduplicated and sorted, at secret version 1', () =>
    spec.given([]).when(register()).then([registered]));

  test('given the same registration, records nothing (a retry)', () => spec.given([registered]).when(register()).then([]));

  test('given another registration under the same id, refuses it', () =>
    spec
      .given([registered])
      .when(register({ url: 'https://elsewhere.example.org/x' }))
      .thenThrows(domainError('CONFLICT', 'webhook wh-1 is registered already', 'webhookId')));

  test('refuses a filter entry that names no event type', () =>
    spec
      .given([])
      .when(register({ eventTypes: ['Group Created'] }))
      .thenThrows(domainError('BAD_USER_INPUT', /names no event type/, 'eventTypes')));

  test('refuses more than 100 categories', () =>
    expect(() =>
      checkedFilter(
        Array.from({ length: 101 }, (_, i) => `c${i}`),
        'categories',
      ),
    ).toThrow(/at most 100/));
});

describe('RotateWebhookSecret', () => {
  test('given a webhook, records the next secret version', () =>
    spec
      .given([registered])
      .when({ type: 'RotateWebhookSecret', webhookId: 'wh-1', actorId: 'cm-2', at: LATER })
      .then([{ type: 'WebhookSecretRotated', data: { webhookId: 'wh-1', secretVersion: 2, rotatedBy: 'cm-2', rotatedAt: LATER } }]));

  test('given no webhook, refuses it as NOT_FOUND', () =>
    spec
      .given([])
      .when({ type: 'RotateWebhookSecret', webhookId: 'wh-9', actorId: 'cm-2', at: LATER })
      .thenThrows(domainError('NOT_FOUND', 'webhook wh-9 does not exist', 'webhookId')));
});

describe('DisableWebhook and EnableWebhook', () => {
  test('the delivery disables a failing webhook, naming who registered it (to be told) and why', () =>
    spec
      .given([registered])
      .when({
        type: 'DisableWebhook',
        webhookId: 'wh-1',
        actorId: 'system',
        at: LATER,
        failing: { since: AT, lastError: 'the receiver answered HTTP 503' },
      })
      .then([disabledFailing]));

  test('a manager disables it', () =>
    spec
      .given([registered])
      .when({ type: 'DisableWebhook', webhookId: 'wh-1', actorId: 'cm-2', at: LATER, failing: null })
      .then([
        {
          type: 'WebhookDisabled',
          data: {
            webhookId: 'wh-1',
            reason: 'BY_COMMUNITY_MANAGER',
            disabledBy: 'cm-2',
            disabledAt: LATER,
            registeredBy: 'cm-1',
            failingSince: null,
            lastError: null,
          },
        },
      ]));

  test('disabling a disabled webhook records nothing (another instance was first)', () =>
    spec
      .given([registered, disabledFailing])
      .when({ type: 'DisableWebhook', webhookId: 'wh-1', actorId: 'system', at: LATER, failing: { since: AT, lastError: 'x' } })
      .then([]));

  test('enabling records WebhookEnabled once', () => {
    spec
      .given([registered, disabledFailing])
      .when({ type: 'EnableWebhook', webhookId: 'wh-1', actorId: 'cm-1', at: LATER })
      .then([{ type: 'WebhookEnabled', data: { webhookId: 'wh-1', enabledBy: 'cm-1', enabledAt: LATER } }]);
    spec.given([registered]).when({ type: 'EnableWebhook', webhookId: 'wh-1', actorId: 'cm-1', at: LATER }).then([]);
  });
});

describe('webhookHears', () => {
  const event = (type: string, streamId: string) => ({ type, streamId });

  test('with no filter, every event', () =>
    expect(webhookHears({ eventTypes: [], categories: [] }, event('GroupCreated', 'group-g1'))).toBe(true));

  test('an event of a listed type, or of a listed category, and nothing else', () => {
    const filter = { eventTypes: ['GroupCreated'], categories: ['moderation_case'] };
    expect(webhookHears(filter, event('GroupCreated', 'group-g1'))).toBe(true);
    expect(webhookHears(filter, event('ModerationCaseOpened', 'moderation_case-c1'))).toBe(true);
    expect(webhookHears(filter, event('GroupOwnerAssigned', 'group-g1'))).toBe(false);
    expect(webhookHears(filter, event('MemberRegistered', 'member-moderation_case'))).toBe(false);
  });
});
