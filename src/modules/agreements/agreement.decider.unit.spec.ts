import { createHash } from 'node:crypto';
import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError } from '../../platform/shared/domain-error.ts';
import {
  AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS,
  acceptanceStreamId,
  agreementAcceptanceDecider,
  type AcceptAgreement,
  type AgreementAccepted,
} from './agreement-acceptance.decider.ts';
import {
  AGREEMENT_EVENT_SCHEMAS,
  agreementBodyHash,
  agreementDecider,
  agreementStreamId,
  type AgreementVersionPublished,
  type PublishAgreementVersion,
} from './agreement.decider.ts';
import { domainError } from '../../../test/support/domain-error.ts';

const AGREEMENT = 'code-of-conduct';
const MEMBER = 'm-ada';
const CM = 'm-cm-1';
const V1_AT = '2025-03-01T09:00:00.000Z';
const V2_AT = '2025-04-01T09:00:00.000Z';
const V3_AT = '2025-05-01T09:00:00.000Z';
const ACCEPTED_AT = '2025-03-02T09:00:00.000Z';

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('stream ids', () => {
  test('agreement-<agreementId> and acceptance-<agreementId>-<memberId>', () => {
    expect(agreementStreamId(AGREEMENT)).toBe('agreement-code-of-conduct');
    expect(acceptanceStreamId(AGREEMENT, MEMBER)).toBe('acceptance-code-of-conduct-m-ada');
  });
  test('refuse ids that would not be safe stream ids', () => {
    expect(() => agreementStreamId('a b')).toThrow(DomainError);
    expect(() => acceptanceStreamId(AGREEMENT, 'm/1')).toThrow(DomainError);
  });
  test('no agreement event holds personal data', () => {
    expect([...AGREEMENT_EVENT_SCHEMAS, ...AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS]).toEqual([
      { type: 'AgreementVersionPublished' },
      { type: 'AgreementAccepted' },
    ]);
  });
});

// ---------------------------------------------------------------- publishing

describe('PublishAgreementVersion', () => {
  const spec = DeciderSpecification.for(agreementDecider);
  const publish = (overrides: Partial<PublishAgreementVersion> = {}): PublishAgreementVersion => ({
    type: 'PublishAgreementVersion',
    agreementId: AGREEMENT,
    title: 'Code of conduct',
    body: 'Be kind.',
    requiresReacceptance: false,
    actorId: CM,
    at: V1_AT,
    ...overrides,
  });
  const published = (version: number, at: string, data: Partial<AgreementVersionPublished['data']> = {}): AgreementVersionPublished => {
    const body = data.body ?? 'Be kind.';
    return {
      type: 'AgreementVersionPublished',
      data: {
        agreementId: AGREEMENT,
        version,
        title: 'Code of conduct',
        body,
        bodySha256: sha256(body),
        requiresReacceptance: false,
        publishedBy: CM,
        publishedAt: at,
        ...data,
      },
    };
  };

  test('the first publication is version 1, with the SHA-256 of the (trimmed) body', () =>
    spec
      .given([])
      .when(publish({ title: ' Code of conduct ', body: '\nBe kind.\n' }))
      .then([published(1, V1_AT)]));

  test('the next ones are 2, 3, ... and record whether they require re-acceptance', () => {
    spec
      .given([published(1, V1_AT)])
      .when(publish({ body: 'Be kind. Be on time.', requiresReacceptance: true, at: V2_AT }))
      .then([published(2, V2_AT, { body: 'Be kind. Be on time.', requiresReacceptance: true })]);
    spec
      .given([published(1, V1_AT), published(2, V2_AT, { requiresReacceptance: true })])
      .when(publish({ title: 'Code of conduct (typos fixed)', at: V3_AT }))
      .then([published(3, V3_AT, { title: 'Code of conduct (typos fixed)' })]);
  });

  test('the hash is of the UTF-8 bytes', () => {
    expect(agreementBodyHash('Größe')).toBe(sha256('Größe'));
    expect(agreementBodyHash('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  test.each([
    ['an invalid agreement id', { agreementId: 'code of conduct' }, 'agreementId'],
    ['an empty title', { title: ' ' }, 'title'],
    ['a title over 200 characters', { title: 't'.repeat(201) }, 'title'],
    ['an empty body', { body: '\n\n' }, 'body'],
    ['a body over 100,000 characters', { body: 'b'.repeat(100_001) }, 'body'],
    ['a body with control characters', { body: 'nul\u0000' }, 'body'],
  ])('refuses %s as BAD_USER_INPUT', (_name, overrides, field) =>
    spec
      .given([published(1, V1_AT)])
      .when(publish(overrides))
      .thenThrows(domainError('BAD_USER_INPUT', undefined, field)),
  );

  test('a body of exactly 100,000 characters and a title of 200 are fine', () =>
    spec
      .given([])
      .when(publish({ title: 't'.repeat(200), body: 'b'.repeat(100_000) }))
      .then([published(1, V1_AT, { title: 't'.repeat(200), body: 'b'.repeat(100_000) })]));

  test('the binding version is the latest that required re-acceptance, or 1', () => {
    const v1 = published(1, V1_AT);
    expect(foldState(agreementDecider, [v1])).toMatchObject({ currentVersion: 1, bindingVersion: 1 });
    const v2 = published(2, V2_AT, { requiresReacceptance: true });
    expect(foldState(agreementDecider, [v1, v2])).toMatchObject({ currentVersion: 2, bindingVersion: 2 });
    const v3 = published(3, V3_AT);
    expect(foldState(agreementDecider, [v1, v2, v3])).toEqual({
      status: 'published',
      agreementId: AGREEMENT,
      currentVersion: 3,
      bindingVersion: 2,
      versions: [
        { version: 1, bodySha256: sha256('Be kind.'), requiresReacceptance: false, publishedAt: V1_AT },
        { version: 2, bodySha256: sha256('Be kind.'), requiresReacceptance: true, publishedAt: V2_AT },
        { version: 3, bodySha256: sha256('Be kind.'), requiresReacceptance: false, publishedAt: V3_AT },
      ],
    });
    // Version 1 binds everyone, whatever it says about re-acceptance.
    expect(foldState(agreementDecider, [published(1, V1_AT, { requiresReacceptance: true })])).toMatchObject({ bindingVersion: 1 });
  });
});

// ---------------------------------------------------------------- accepting

describe('AcceptAgreement', () => {
  const spec = DeciderSpecification.for(agreementAcceptanceDecider);
  const CURRENT = { currentVersion: 2, currentBodySha256: sha256('v2') };
  const accept = (overrides: Partial<AcceptAgreement> = {}): AcceptAgreement => ({
    type: 'AcceptAgreement',
    agreementId: AGREEMENT,
    memberId: MEMBER,
    version: 2,
    agreement: CURRENT,
    acceptor: 'active',
    at: ACCEPTED_AT,
    ...overrides,
  });
  const accepted = (version: number, bodySha256: string, acceptedAt = ACCEPTED_AT): AgreementAccepted => ({
    type: 'AgreementAccepted',
    data: { agreementId: AGREEMENT, memberId: MEMBER, version, bodySha256, acceptedAt },
  });

  test('an active member accepts the current version, with the hash of its text', () =>
    spec
      .given([])
      .when(accept())
      .then([accepted(2, sha256('v2'))]));

  test('accepting a newer version after an older one is recorded', () =>
    spec
      .given([accepted(1, sha256('v1'), V1_AT)])
      .when(accept())
      .then([accepted(2, sha256('v2'))]));

  test('accepting the same version twice adds nothing', () =>
    spec
      .given([accepted(2, sha256('v2'))])
      .when(accept({ at: V3_AT }))
      .then([]));

  test('an older version is a conflict that names the current one', () =>
    spec
      .given([])
      .when(accept({ version: 1 }))
      .thenThrows((error) => {
        domainError('CONFLICT', 'version 1 of agreement code-of-conduct is no longer current: read and accept version 2', 'version')(error);
        expect((error as DomainError).details).toEqual({ field: 'version', currentVersion: 2 });
        return true;
      }));

  test('a version not published (yet) is a conflict too', () =>
    spec
      .given([])
      .when(accept({ version: 3 }))
      .thenThrows(domainError('CONFLICT', 'agreement code-of-conduct has no version 3: the current version is 2', 'version')));

  test('an unknown agreement is NOT_FOUND', () =>
    spec
      .given([])
      .when(accept({ agreement: null }))
      .thenThrows(domainError('NOT_FOUND', 'agreement code-of-conduct does not exist', 'agreementId')));

  test.each([
    ['unregistered', 'accepting an agreement is for registered members: m-ada is not in the member directory'],
    ['left', 'accepting an agreement is for active members: m-ada has left'],
  ] as const)('a member who is %s may not accept', (acceptor, message) =>
    spec.given([]).when(accept({ acceptor })).thenThrows(domainError('FORBIDDEN', message)),
  );

  test.each([
    ['version 0', { version: 0 }, 'version'],
    ['a fractional version', { version: 1.5 }, 'version'],
    ['an invalid agreement id', { agreementId: 'a b' }, 'agreementId'],
    ['an invalid member id', { memberId: '' }, 'memberId'],
  ])('refuses %s as BAD_USER_INPUT', (_name, overrides, field) =>
    spec
      .given([])
      .when(accept({ ...overrides, agreement: null }))
      .thenThrows(domainError('BAD_USER_INPUT', undefined, field)),
  );

  test('the state keeps every acceptance, oldest first', () => {
    const state = foldState(agreementAcceptanceDecider, [accepted(1, sha256('v1'), V1_AT), accepted(2, sha256('v2'))]);
    expect(state).toEqual({
      accepted: [
        { version: 1, acceptedAt: V1_AT },
        { version: 2, acceptedAt: ACCEPTED_AT },
      ],
    });
  });
});
