import { memberDecider } from '../members/index.ts';
import { privacyStreamId } from '../privacy/index.ts';
import { STREAM_DECIDERS, StreamDeciderRegistry, streamDecider } from './stream-deciders.ts';

describe('the stream decider registry', () => {
  test('every module category of the service so far', () => {
    expect(STREAM_DECIDERS.categories).toEqual([
      'acceptance',
      'agreement',
      'ambassador',
      'certification',
      'certification_level',
      'group',
      'kpi_target',
      'member',
      'moderation_case',
      'moderator_notes',
      'privacy',
      'training_enrolment',
      'training_programme',
    ]);
    expect(STREAM_DECIDERS.memberKeyedCategories).toEqual(['ambassador', 'certification', 'member', 'moderator_notes', 'privacy']);
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

  test('a category twice, or one with a dash, is a programming error', () => {
    expect(() => new StreamDeciderRegistry([streamDecider('member', memberDecider), streamDecider('member', memberDecider)])).toThrow(
      'stream category "member" has two deciders',
    );
    expect(() => new StreamDeciderRegistry([streamDecider('a-b', memberDecider)])).toThrow("must be non-empty and hold no '-'");
  });
});
