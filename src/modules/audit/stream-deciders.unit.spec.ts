import { memberDecider } from '../members/index.ts';
import { privacyStreamId } from '../privacy/index.ts';
import { StreamDeciderRegistry, streamDecider, streamDecidersOf } from './stream-deciders.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';

const STREAM_DECIDERS = streamDecidersOf(GOVERNANCE_STREAMS);

describe('the stream decider registry', () => {
  test('every module category of the service so far', () => {
    expect(STREAM_DECIDERS.categories).toEqual([
      'acceptance',
      'agreement',
      'ambassador',
      'certification',
      'certification_level',
      'group',
      'group_activity',
      'group_mapping',
      'kpi_target',
      'log_seal',
      'member',
      'moderation_case',
      'moderator_notes',
      'notification_digest',
      'notification_preferences',
      'operator',
      'privacy',
      'read_model',
      'training_enrolment',
      'training_programme',
      'webhook',
    ]);
    expect(STREAM_DECIDERS.memberKeyedCategories).toEqual([
      'ambassador',
      'certification',
      'member',
      'moderator_notes',
      'notification_preferences',
      'privacy',
    ]);
  });

  test('finds the decider by the part of the stream id before the first dash', () => {
    expect(STREAM_DECIDERS.forStream('training_enrolment-p-1-m-1')?.category).toBe('training_enrolment');
    expect(STREAM_DECIDERS.forStream('widget-1')).toBeUndefined();
    expect(STREAM_DECIDERS.forStream('member')).toBeDefined();
  });

  test('the member of a member-keyed stream, whatever dashes the member id holds', () => {
    expect(STREAM_DECIDERS.memberOf(privacyStreamId('m-1-x'))).toBe('m-1-x');
    expect(STREAM_DECIDERS.memberOf('moderator_notes-m2')).toBe('m2');
    expect(STREAM_DECIDERS.memberOf('member-')).toBeUndefined();
    expect(STREAM_DECIDERS.memberOf('group-g1')).toBeUndefined();
    expect(STREAM_DECIDERS.memberOf('training_enrolment-p-m')).toBeUndefined();
  });

  test('folds with the decider it was given', () => {
    const member = STREAM_DECIDERS.forStream('member-m1')!;
    expect(member.fold([])).toEqual({ status: 'unregistered' });
    expect(member.fold([{ type: 'MemberRegistered', data: { memberId: 'm1', displayName: 'Ada', department: 'Ops' } }])).toEqual({
      status: 'active',
      memberId: 'm1',
      displayName: 'Ada',
      department: 'Ops',
    });
  });

  // Issue 17: an auditor asking for the state of a seal, key or read-model stream got BAD_USER_INPUT ("none of ...").
  test("the seal, key and read-model streams fold with the integrity module's deciders", () => {
    const seals = STREAM_DECIDERS.forStream('log_seal-seals')!;
    expect(seals.memberKeyed).toBe(false);
    expect(
      seals.fold([
        { type: 'LogSealKeyAdopted', data: { keyId: 'k1', algorithm: 'Ed25519', publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x: 'AA' } } },
        {
          type: 'LogSealed',
          data: {
            position: '7:3',
            eventCount: 4,
            rootHash: 'ab',
            sealedAt: 't',
            keyId: 'k1',
            algorithm: 'Ed25519',
            heads: [['s', 0, '7:3']],
            signature: 'sig',
          },
        },
      ]),
    ).toMatchObject({ seals: 1, currentKeyId: 'k1', latestSeal: { position: '7:3', eventCount: 4, changedStreams: 1 } });
    expect(STREAM_DECIDERS.forStream('log_seal-keys')).toBe(seals);
    const readModel = STREAM_DECIDERS.forStream('read_model-members')!;
    expect(
      readModel.fold([
        {
          type: 'ReadModelRebuildRequested',
          data: { readModel: 'members', generation: 1, requestedBy: 'cm-1', requestedAt: '2026-03-01T10:00:00.000Z' },
        },
      ]),
    ).toEqual({ status: 'rebuilt', rebuildRequests: 1, lastRequestedAt: '2026-03-01T10:00:00.000Z', lastRequestedBy: 'cm-1' });
  });

  test('a category twice, or one with a dash, is a programming error', () => {
    expect(() => new StreamDeciderRegistry([streamDecider('member', memberDecider), streamDecider('member', memberDecider)])).toThrow(
      'stream category "member" has two deciders',
    );
    expect(() => new StreamDeciderRegistry([streamDecider('a-b', memberDecider)])).toThrow("must be non-empty and hold no '-'");
  });
});
