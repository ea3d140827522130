import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import {
  DEFAULT_PRIVACY,
  effectivePhotoVisibility,
  isPrivacyEvent,
  PRIVACY_EVENT_SCHEMAS,
  PRIVACY_EVENT_TYPES,
  privacyDecider,
  privacyStreamId,
  type CompleteErasure,
  type ConsentGiven,
  type ConsentWithdrawn,
  type ErasureCompleted,
  type ErasureRequested,
  type GiveConsent,
  type PrivacyEvent,
  type PrivacySettingsUpdated,
  type PrivacyState,
  type RequestErasure,
  type UpdatePrivacySettings,
  type Visibility,
  type WithdrawConsent,
} from './privacy.decider.ts';
import { domainError } from '../../../test/support/domain-error.ts';

const spec = DeciderSpecification.for(privacyDecider);

const MEMBER = 'm-7';
const GIVEN_AT = '2025-03-01T09:00:00.000Z';
const GIVEN_AGAIN_AT = '2025-03-02T09:00:00.000Z';
const WITHDRAWN_AT = '2025-03-03T09:00:00.000Z';
const REQUESTED_AT = '2025-03-04T09:00:00.000Z';
const COMPLETED_AT = '2025-03-04T09:00:01.000Z';

// ---------------------------------------------------------------- events

const settingsUpdated = (changes: Omit<PrivacySettingsUpdated['data'], 'memberId'>): PrivacyEvent => ({
  type: 'PrivacySettingsUpdated',
  data: { memberId: MEMBER, ...changes },
});

const consentGiven = (purpose: string, data: Partial<ConsentGiven['data']> = {}): PrivacyEvent => ({
  type: 'ConsentGiven',
  data: { memberId: MEMBER, purpose, noticeVersion: 'v1', givenAt: GIVEN_AT, ...data },
});

const consentWithdrawn = (purpose: string, data: Partial<ConsentWithdrawn['data']> = {}): PrivacyEvent => ({
  type: 'ConsentWithdrawn',
  data: { memberId: MEMBER, purpose, withdrawnAt: WITHDRAWN_AT, ...data },
});

const erasureRequested = (data: Partial<ErasureRequested['data']> = {}): PrivacyEvent => ({
  type: 'ErasureRequested',
  data: { memberId: MEMBER, reason: null, requestedAt: REQUESTED_AT, ...data },
});

const erasureCompleted = (data: Partial<ErasureCompleted['data']> = {}): PrivacyEvent => ({
  type: 'ErasureCompleted',
  data: { memberId: MEMBER, completedAt: COMPLETED_AT, ...data },
});

// ---------------------------------------------------------------- commands

const update = (command: Partial<UpdatePrivacySettings> = {}): UpdatePrivacySettings => ({
  type: 'UpdatePrivacySettings',
  memberId: MEMBER,
  ...command,
});

const give = (purpose: string, command: Partial<GiveConsent> = {}): GiveConsent => ({
  type: 'GiveConsent',
  memberId: MEMBER,
  purpose,
  noticeVersion: 'v1',
  at: GIVEN_AT,
  ...command,
});

const withdraw = (purpose: string, command: Partial<WithdrawConsent> = {}): WithdrawConsent => ({
  type: 'WithdrawConsent',
  memberId: MEMBER,
  purpose,
  at: WITHDRAWN_AT,
  ...command,
});

const requestErasure = (command: Partial<RequestErasure> = {}): RequestErasure => ({
  type: 'RequestErasure',
  memberId: MEMBER,
  reason: null,
  at: REQUESTED_AT,
  ...command,
});

const completeErasure = (command: Partial<CompleteErasure> = {}): CompleteErasure => ({
  type: 'CompleteErasure',
  memberId: MEMBER,
  at: COMPLETED_AT,
  ...command,
});

const PURPOSE_MESSAGE = 'purpose must be 1 to 50 lower-case letters, digits or underscores, starting with a letter (e.g. profile_photo)';

const stateAfter = (events: readonly PrivacyEvent[]): PrivacyState => foldState(privacyDecider, events);

// ---------------------------------------------------------------- the stream and its events

describe('privacy stream id', () => {
  test('is privacy-<member id>', () => expect(privacyStreamId(MEMBER)).toBe('privacy-m-7'));
  test('refuses an id that would not be a safe stream id', () => {
    let thrown: unknown;
    try {
      privacyStreamId('m 7');
    } catch (error) {
      thrown = error;
    }
    expect(domainError('BAD_USER_INPUT', /^memberId must be 1 to 100/, 'memberId')(thrown)).toBe(true);
  });
});

describe('privacy event schemas', () => {
  test('cover every event type, once each', () =>
    expect(PRIVACY_EVENT_SCHEMAS.map((schema) => schema.type)).toEqual([
      'PrivacySettingsUpdated',
      'ConsentGiven',
      'ConsentWithdrawn',
      'ErasureRequested',
      'ErasureCompleted',
    ]));

  test("only an erasure request's reason is personal, and it is the member's", () => {
    const personal = PRIVACY_EVENT_SCHEMAS.filter((schema) => schema.personal !== undefined);
    expect(personal.map((schema) => [schema.type, schema.personal?.fields])).toEqual([['ErasureRequested', ['reason']]]);
    expect(personal[0]?.personal?.subject({ memberId: MEMBER, reason: 'Leaving', requestedAt: REQUESTED_AT })).toBe(MEMBER);
  });

  test('isPrivacyEvent recognises the privacy events only', () => {
    for (const type of PRIVACY_EVENT_TYPES) expect(isPrivacyEvent({ type })).toBe(true);
    expect(isPrivacyEvent({ type: 'MemberRegistered' })).toBe(false);
    expect(isPrivacyEvent({ type: 'constructor' })).toBe(false);
  });
});

// ---------------------------------------------------------------- settings

describe('UpdatePrivacySettings', () => {
  test('records both settings when both change from the defaults', () =>
    spec
      .given([])
      .when(update({ profilePhotoVisibility: 'COLLEAGUES', directoryListed: true }))
      .then([settingsUpdated({ profilePhotoVisibility: 'COLLEAGUES', directoryListed: true })]));

  test('records only the visibility when the listing is left as it is', () =>
    spec
      .given([settingsUpdated({ directoryListed: true })])
      .when(update({ profilePhotoVisibility: 'EVERYONE', directoryListed: true }))
      .then([settingsUpdated({ profilePhotoVisibility: 'EVERYONE' })]));

  test('records only the listing when the visibility is absent', () =>
    spec
      .given([settingsUpdated({ profilePhotoVisibility: 'EVERYONE' })])
      .when(update({ directoryListed: true }))
      .then([settingsUpdated({ directoryListed: true })]));

  test('records only the listing when the visibility is null or unchanged', () =>
    spec
      .given([settingsUpdated({ profilePhotoVisibility: 'EVERYONE', directoryListed: true })])
      .when(update({ profilePhotoVisibility: null, directoryListed: false }))
      .then([settingsUpdated({ directoryListed: false })]));

  test('records false for the listing (not mistaken for "absent")', () =>
    spec
      .given([settingsUpdated({ directoryListed: true })])
      .when(update({ profilePhotoVisibility: 'EVERYONE', directoryListed: false }))
      .then([settingsUpdated({ profilePhotoVisibility: 'EVERYONE', directoryListed: false })]));

  test.each<[string, PrivacyEvent[], Partial<UpdatePrivacySettings>]>([
    ['nothing is given', [], {}],
    ['both are null', [], { profilePhotoVisibility: null, directoryListed: null }],
    ['the defaults are asked for again', [], { profilePhotoVisibility: 'NOBODY', directoryListed: false }],
    [
      'the current settings are asked for again',
      [settingsUpdated({ profilePhotoVisibility: 'COLLEAGUES', directoryListed: true })],
      { profilePhotoVisibility: 'COLLEAGUES', directoryListed: true },
    ],
    [
      'one setting is repeated and the other absent',
      [settingsUpdated({ profilePhotoVisibility: 'EVERYONE' })],
      { profilePhotoVisibility: 'EVERYONE' },
    ],
  ])('records nothing when %s', (_, history, command) => spec.given(history).when(update(command)).then([]));

  test.each<[string, unknown]>([
    ['a lower-case visibility', 'everyone'],
    ['an unknown visibility', 'FRIENDS'],
    ['an empty visibility', ''],
    ['a non-string visibility', 1],
  ])('refuses %s as bad input naming the field', (_, visibility) =>
    spec
      .given([])
      .when(update({ profilePhotoVisibility: visibility as Visibility }))
      .thenThrows(
        domainError('BAD_USER_INPUT', 'profilePhotoVisibility must be one of EVERYONE, COLLEAGUES, NOBODY', 'profilePhotoVisibility'),
      ),
  );

  test.each<[string, unknown]>([
    ['a string', 'true'],
    ['a number', 1],
    ['an object', {}],
  ])('refuses %s as directoryListed, naming the field', (_, listed) =>
    spec
      .given([])
      .when(update({ profilePhotoVisibility: 'EVERYONE', directoryListed: listed as boolean }))
      .thenThrows(domainError('BAD_USER_INPUT', 'directoryListed must be true or false', 'directoryListed')),
  );

  test('refuses a bad member id', () =>
    spec
      .given([])
      .when(update({ memberId: 'm/7', directoryListed: true }))
      .thenThrows(domainError('BAD_USER_INPUT', /^memberId must be 1 to 100/, 'memberId')));
});

// ---------------------------------------------------------------- consent

describe('GiveConsent', () => {
  test('records a new consent', () =>
    spec
      .given([])
      .when(give('profile_photo'))
      .then([consentGiven('profile_photo')]));

  test('records a consent without a notice version, and one with a trimmed version', () => {
    spec
      .given([])
      .when(give('newsletter', { noticeVersion: null }))
      .then([consentGiven('newsletter', { noticeVersion: null })]);
    spec
      .given([])
      .when(give('newsletter', { noticeVersion: '   ' }))
      .then([consentGiven('newsletter', { noticeVersion: null })]);
    spec
      .given([])
      .when(give('newsletter', { noticeVersion: ' 2025-03 ' }))
      .then([consentGiven('newsletter', { noticeVersion: '2025-03' })]);
  });

  test('giving the same consent under the same notice again records nothing', () => {
    spec
      .given([consentGiven('profile_photo')])
      .when(give('profile_photo', { at: GIVEN_AGAIN_AT }))
      .then([]);
    spec
      .given([consentGiven('profile_photo')])
      .when(give('profile_photo', { noticeVersion: ' v1 ', at: GIVEN_AGAIN_AT }))
      .then([]);
    spec
      .given([consentGiven('newsletter', { noticeVersion: null })])
      .when(give('newsletter', { noticeVersion: null, at: GIVEN_AGAIN_AT }))
      .then([]);
  });

  test('giving it under a new notice is a new consent, recorded', () =>
    spec
      .given([consentGiven('profile_photo')])
      .when(give('profile_photo', { noticeVersion: 'v2', at: GIVEN_AGAIN_AT }))
      .then([consentGiven('profile_photo', { noticeVersion: 'v2', givenAt: GIVEN_AGAIN_AT })]));

  test('giving it without a notice after one with a notice is recorded too', () =>
    spec
      .given([consentGiven('profile_photo')])
      .when(give('profile_photo', { noticeVersion: null, at: GIVEN_AGAIN_AT }))
      .then([consentGiven('profile_photo', { noticeVersion: null, givenAt: GIVEN_AGAIN_AT })]));

  test('giving it again after a withdrawal is recorded, even under the same notice', () =>
    spec
      .given([consentGiven('profile_photo'), consentWithdrawn('profile_photo')])
      .when(give('profile_photo', { at: GIVEN_AGAIN_AT }))
      .then([consentGiven('profile_photo', { givenAt: GIVEN_AGAIN_AT })]));

  test('a consent for one purpose says nothing about another', () =>
    spec
      .given([consentGiven('profile_photo')])
      .when(give('newsletter'))
      .then([consentGiven('newsletter')]));

  test.each(['a', 'newsletter', 'profile_photo', 'x2', 'a_1_b', 'p'.repeat(50)])('accepts the purpose %s', (purpose) =>
    spec
      .given([])
      .when(give(purpose))
      .then([consentGiven(purpose)]),
  );

  test.each<[string, unknown]>([
    ['upper case', 'Profile_photo'],
    ['all upper case', 'NEWSLETTER'],
    ['a space', 'profile photo'],
    ['a leading space', ' newsletter'],
    ['a dash', 'profile-photo'],
    ['over 50 characters', 'p'.repeat(51)],
    ['a leading digit', '1st_party'],
    ['a leading underscore', '_private'],
    ['the name __proto__', '__proto__'],
    ['nothing', ''],
    ['a non-string', 7],
  ])('refuses a purpose with %s as bad input naming the field', (_, purpose) =>
    spec
      .given([])
      .when(give(purpose as string))
      .thenThrows(domainError('BAD_USER_INPUT', PURPOSE_MESSAGE, 'purpose')),
  );

  test('accepts a 50-character notice version and refuses a longer one, naming the field', () => {
    spec
      .given([])
      .when(give('newsletter', { noticeVersion: 'v'.repeat(50) }))
      .then([consentGiven('newsletter', { noticeVersion: 'v'.repeat(50) })]);
    spec
      .given([])
      .when(give('newsletter', { noticeVersion: 'v'.repeat(51) }))
      .thenThrows(domainError('BAD_USER_INPUT', 'noticeVersion must be at most 50 characters', 'noticeVersion'));
  });

  test('refuses a notice version with a control character', () =>
    spec
      .given([])
      .when(give('newsletter', { noticeVersion: 'v1\u0007' }))
      .thenThrows(domainError('BAD_USER_INPUT', 'noticeVersion must not contain control characters', 'noticeVersion')));

  test('refuses a bad member id', () =>
    spec
      .given([])
      .when(give('newsletter', { memberId: '' }))
      .thenThrows(domainError('BAD_USER_INPUT', /^memberId must be 1 to 100/, 'memberId')));

  test('a purpose named like an Object.prototype property is an ordinary purpose', () => {
    for (const purpose of ['constructor', 'tostring', 'valueof', 'hasownproperty', 'proto']) {
      spec
        .given([])
        .when(give(purpose))
        .then([consentGiven(purpose)]);
    }
    spec
      .given([consentGiven('constructor')])
      .when(give('constructor', { at: GIVEN_AGAIN_AT }))
      .then([]);
  });
});

describe('WithdrawConsent', () => {
  test('withdraws a given consent', () =>
    spec
      .given([consentGiven('profile_photo')])
      .when(withdraw('profile_photo'))
      .then([consentWithdrawn('profile_photo')]));

  test('withdraws a consent given again under a new notice', () =>
    spec
      .given([consentGiven('profile_photo'), consentGiven('profile_photo', { noticeVersion: 'v2', givenAt: GIVEN_AGAIN_AT })])
      .when(withdraw('profile_photo'))
      .then([consentWithdrawn('profile_photo')]));

  test.each<[string, PrivacyEvent[]]>([
    ['never given', []],
    ['already withdrawn', [consentGiven('profile_photo'), consentWithdrawn('profile_photo')]],
    ['given for another purpose only', [consentGiven('newsletter')]],
  ])('records nothing for a consent %s', (_, history) => spec.given(history).when(withdraw('profile_photo')).then([]));

  test('a purpose named like an Object.prototype property is never given unless it was', () => {
    for (const purpose of ['constructor', 'tostring', 'valueof', 'hasownproperty']) {
      spec.given([]).when(withdraw(purpose)).then([]);
    }
    spec
      .given([consentGiven('constructor')])
      .when(withdraw('constructor'))
      .then([consentWithdrawn('constructor')]);
  });

  test.each<[string, unknown]>([
    ['upper case', 'PROFILE_PHOTO'],
    ['a space', 'profile photo'],
    ['over 50 characters', 'p'.repeat(51)],
    ['a leading digit', '9lives'],
    ['__proto__', '__proto__'],
  ])('refuses a purpose with %s as bad input naming the field', (_, purpose) =>
    spec
      .given([consentGiven('profile_photo')])
      .when(withdraw(purpose as string))
      .thenThrows(domainError('BAD_USER_INPUT', PURPOSE_MESSAGE, 'purpose')),
  );
});

describe('effectivePhotoVisibility', () => {
  const VISIBLE: Visibility[] = ['EVERYONE', 'COLLEAGUES', 'NOBODY'];

  test('is NOBODY by default', () => expect(effectivePhotoVisibility(stateAfter([]))).toBe('NOBODY'));

  test.each(VISIBLE)('is NOBODY without the profile_photo consent, whatever the setting (%s)', (visibility) => {
    expect(effectivePhotoVisibility(stateAfter([settingsUpdated({ profilePhotoVisibility: visibility })]))).toBe('NOBODY');
    // Another purpose's consent does not count.
    expect(
      effectivePhotoVisibility(stateAfter([settingsUpdated({ profilePhotoVisibility: visibility }), consentGiven('newsletter')])),
    ).toBe('NOBODY');
  });

  test.each(VISIBLE)('is the setting (%s) once the profile_photo consent is given', (visibility) => {
    expect(
      effectivePhotoVisibility(stateAfter([settingsUpdated({ profilePhotoVisibility: visibility }), consentGiven('profile_photo')])),
    ).toBe(visibility);
    // In either order.
    expect(
      effectivePhotoVisibility(stateAfter([consentGiven('profile_photo'), settingsUpdated({ profilePhotoVisibility: visibility })])),
    ).toBe(visibility);
  });

  test('is NOBODY again after the consent is withdrawn, and the setting again once it is given anew', () => {
    const history = [
      settingsUpdated({ profilePhotoVisibility: 'EVERYONE' }),
      consentGiven('profile_photo'),
      consentWithdrawn('profile_photo'),
    ];
    expect(effectivePhotoVisibility(stateAfter(history))).toBe('NOBODY');
    expect(stateAfter(history).profilePhotoVisibility).toBe('EVERYONE');
    expect(effectivePhotoVisibility(stateAfter([...history, consentGiven('profile_photo', { givenAt: GIVEN_AGAIN_AT })]))).toBe('EVERYONE');
  });

  test('does not mistake an inherited property for a consent', () =>
    expect(
      effectivePhotoVisibility({
        profilePhotoVisibility: 'EVERYONE',
        consents: Object.create({ profile_photo: { given: true, noticeVersion: null, changedAt: GIVEN_AT } }) as PrivacyState['consents'],
      }),
    ).toBe('NOBODY'));
});

// ---------------------------------------------------------------- erasure

describe('RequestErasure', () => {
  test('records the first request, with its trimmed reason', () =>
    spec
      .given([])
      .when(requestErasure({ reason: '  Leaving the community.\n' }))
      .then([erasureRequested({ reason: 'Leaving the community.' })]));

  test('records a request without a reason (absent, null or blank)', () => {
    spec.given([]).when(requestErasure()).then([erasureRequested()]);
    spec
      .given([])
      .when(requestErasure({ reason: ' \n ' }))
      .then([erasureRequested()]);
  });

  test('accepts a 2000-character reason', () =>
    spec
      .given([])
      .when(requestErasure({ reason: 'r'.repeat(2000) }))
      .then([erasureRequested({ reason: 'r'.repeat(2000) })]));

  test('refuses a reason over 2000 characters, naming the field', () =>
    spec
      .given([])
      .when(requestErasure({ reason: 'r'.repeat(2001) }))
      .thenThrows(domainError('BAD_USER_INPUT', 'reason must be at most 2000 characters', 'reason')));

  test('a second request records nothing', () =>
    spec
      .given([erasureRequested({ reason: 'Leaving' })])
      .when(requestErasure({ reason: 'Really leaving', at: COMPLETED_AT }))
      .then([]));

  test('a request after the completion records nothing', () =>
    spec
      .given([erasureRequested(), erasureCompleted()])
      .when(requestErasure({ at: '2025-04-01T09:00:00.000Z' }))
      .then([]));

  test('refuses a bad member id', () =>
    spec
      .given([])
      .when(requestErasure({ memberId: 'm 7' }))
      .thenThrows(domainError('BAD_USER_INPUT', /^memberId must be 1 to 100/, 'memberId')));
});

describe('CompleteErasure', () => {
  test('without a request is a conflict', () =>
    spec
      .given([settingsUpdated({ directoryListed: true }), consentGiven('profile_photo')])
      .when(completeErasure())
      .thenThrows(domainError('CONFLICT', 'no erasure was requested for member m-7')));

  test('completes a requested erasure', () =>
    spec
      .given([erasureRequested({ reason: 'Leaving' })])
      .when(completeErasure())
      .then([erasureCompleted()]));

  test('completing it again records nothing', () =>
    spec
      .given([erasureRequested(), erasureCompleted()])
      .when(completeErasure({ at: '2025-04-01T09:00:00.000Z' }))
      .then([]));

  test('refuses a bad member id', () =>
    spec
      .given([erasureRequested()])
      .when(completeErasure({ memberId: '' }))
      .thenThrows(domainError('BAD_USER_INPUT', /^memberId must be 1 to 100/, 'memberId')));
});

// ---------------------------------------------------------------- state

describe('privacy state', () => {
  test('starts most private', () => {
    expect(privacyDecider.initialState).toEqual<PrivacyState>({
      profilePhotoVisibility: 'NOBODY',
      directoryListed: false,
      consents: {},
      erasure: null,
    });
    expect(privacyDecider.initialState).toBe(DEFAULT_PRIVACY);
  });

  test('follows a member through every event, and does not touch the initial state', () => {
    const history: PrivacyEvent[] = [
      settingsUpdated({ profilePhotoVisibility: 'COLLEAGUES', directoryListed: true }),
      consentGiven('profile_photo'),
      consentGiven('newsletter', { noticeVersion: null }),
      consentGiven('profile_photo', { noticeVersion: 'v2', givenAt: GIVEN_AGAIN_AT }),
      consentWithdrawn('profile_photo'),
      settingsUpdated({ directoryListed: false }),
      erasureRequested({ reason: 'Leaving' }),
    ];
    const requested = stateAfter(history);
    expect(requested).toEqual<PrivacyState>({
      profilePhotoVisibility: 'COLLEAGUES',
      directoryListed: false,
      consents: {
        profile_photo: { given: false, noticeVersion: 'v2', changedAt: WITHDRAWN_AT },
        newsletter: { given: true, noticeVersion: null, changedAt: GIVEN_AT },
      },
      erasure: { status: 'REQUESTED', requestedAt: REQUESTED_AT, completedAt: null },
    });
    expect(stateAfter([...history, erasureCompleted()]).erasure).toEqual({
      status: 'COMPLETED',
      requestedAt: REQUESTED_AT,
      completedAt: COMPLETED_AT,
    });
    expect(DEFAULT_PRIVACY).toEqual({ profilePhotoVisibility: 'NOBODY', directoryListed: false, consents: {}, erasure: null });
  });

  test('a withdrawal without an earlier consent keeps no notice version', () =>
    expect(stateAfter([consentWithdrawn('newsletter')]).consents).toEqual({
      newsletter: { given: false, noticeVersion: null, changedAt: WITHDRAWN_AT },
    }));

  test('is JSON-serialisable: the consents are a plain object that survives a round trip', () => {
    const state = stateAfter([
      settingsUpdated({ profilePhotoVisibility: 'EVERYONE' }),
      consentGiven('profile_photo'),
      consentGiven('constructor'),
      consentWithdrawn('newsletter'),
      erasureRequested({ reason: 'Leaving' }),
    ]);
    expect(Object.getPrototypeOf(state.consents)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(JSON.stringify(state.consents)).toBe(
      JSON.stringify({
        profile_photo: { given: true, noticeVersion: 'v1', changedAt: GIVEN_AT },
        constructor: { given: true, noticeVersion: 'v1', changedAt: GIVEN_AT },
        newsletter: { given: false, noticeVersion: null, changedAt: WITHDRAWN_AT },
      }),
    );
  });

  test('folds a stored consent for "__proto__" as an ordinary own key, not as the prototype', () => {
    // Not a purpose the decider accepts, but evolve must still fold whatever the stream holds without harm.
    const state = stateAfter([consentGiven('__proto__'), consentGiven('profile_photo')]);
    expect(Object.getPrototypeOf(state.consents)).toBe(Object.prototype);
    expect(Object.keys(state.consents)).toEqual(['__proto__', 'profile_photo']);
    expect(Object.hasOwn(state.consents, '__proto__')).toBe(true);
    expect(JSON.stringify(state.consents)).toBe(
      '{"__proto__":{"given":true,"noticeVersion":"v1","changedAt":"2025-03-01T09:00:00.000Z"},' +
        '"profile_photo":{"given":true,"noticeVersion":"v1","changedAt":"2025-03-01T09:00:00.000Z"}}',
    );
    const withdrawn = stateAfter([consentGiven('__proto__'), consentWithdrawn('__proto__')]);
    expect(Object.getOwnPropertyDescriptor(withdrawn.consents, '__proto__')?.value).toEqual({
      given: false,
      noticeVersion: 'v1',
      changedAt: WITHDRAWN_AT,
    });
    expect(Object.getPrototypeOf(withdrawn.consents)).toBe(Object.prototype);
  });

  test('a consent purpose "constructor" is folded and read like any other', () => {
    const state = stateAfter([consentGiven('constructor'), consentWithdrawn('constructor')]);
    expect(Object.keys(state.consents)).toEqual(['constructor']);
    expect(state.consents['constructor']).toEqual({ given: false, noticeVersion: 'v1', changedAt: WITHDRAWN_AT });
    expect(Object.hasOwn(stateAfter([]).consents, 'constructor')).toBe(false);
  });

  test('ignores an event type it does not know', () =>
    expect(privacyDecider.evolve(DEFAULT_PRIVACY, { type: 'SomethingElse', data: {} } as unknown as PrivacyEvent)).toBe(DEFAULT_PRIVACY));

  test('refuses a command type it does not know', () =>
    expect(() => privacyDecider.decide({ type: 'Nonsense' } as unknown as UpdatePrivacySettings, DEFAULT_PRIVACY)).toThrow(
      'unknown privacy command Nonsense',
    ));
});
