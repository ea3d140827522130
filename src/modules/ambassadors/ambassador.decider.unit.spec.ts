import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import {
  AMBASSADOR_EVENT_SCHEMAS,
  AMBASSADOR_EVENT_TYPES,
  ambassadorDecider,
  ambassadorStreamId,
  isAmbassadorEvent,
  isLiveEnrolment,
  type AmbassadorCommand,
  type AmbassadorEvent,
  type AmbassadorStatus,
} from './ambassador.decider.ts';
import { domainError } from '../../../test/support/domain-error.ts';

const spec = DeciderSpecification.for(ambassadorDecider);

const MEMBER = 'm-ada';
const NOMINATOR = 'm-bob';
const CM = 'm-cm-1';

const NOMINATED_AT = '2025-03-01T09:00:00.000Z';
const APPROVED_AT = '2025-03-02T09:00:00.000Z';
const ACTIVATED_AT = '2025-03-03T09:00:00.000Z';
const DEACTIVATED_AT = '2025-03-04T09:00:00.000Z';
const REACTIVATED_AT = '2025-03-05T09:00:00.000Z';
const OFFBOARDED_AT = '2025-03-06T09:00:00.000Z';
const RENOMINATED_AT = '2025-04-01T09:00:00.000Z';

// ---------------------------------------------------------------- events

const nominated = (
  enrolment = 1,
  at = NOMINATED_AT,
  data: Partial<Extract<AmbassadorEvent, { type: 'AmbassadorNominated' }>['data']> = {},
) =>
  ({
    type: 'AmbassadorNominated',
    data: {
      memberId: MEMBER,
      enrolment,
      department: 'Research',
      motivation: 'Runs the lunch talks',
      nominatedBy: NOMINATOR,
      nominatedAt: at,
      ...data,
    },
  }) satisfies AmbassadorEvent;
const decided = <T extends Exclude<AmbassadorEvent['type'], 'AmbassadorNominated' | 'AmbassadorOffboarded'>>(
  type: T,
  decidedAt: string,
  enrolment = 1,
) => ({ type, data: { memberId: MEMBER, enrolment, decidedBy: CM, decidedAt } }) as AmbassadorEvent;
const approved = (enrolment = 1) => decided('AmbassadorApproved', APPROVED_AT, enrolment);
const rejected = (enrolment = 1) => decided('AmbassadorRejected', APPROVED_AT, enrolment);
const activated = (enrolment = 1) => decided('AmbassadorActivated', ACTIVATED_AT, enrolment);
const deactivated = (enrolment = 1) => decided('AmbassadorDeactivated', DEACTIVATED_AT, enrolment);
const reactivated = (enrolment = 1) => decided('AmbassadorReactivated', REACTIVATED_AT, enrolment);
const offboarded = (enrolment = 1, reason = 'Moved to another role'): AmbassadorEvent => ({
  type: 'AmbassadorOffboarded',
  data: { memberId: MEMBER, enrolment, decidedBy: CM, decidedAt: OFFBOARDED_AT, reason },
});

/** The histories that leave the member's (first) enrolment in each status. */
const HISTORIES: Record<AmbassadorStatus, AmbassadorEvent[]> = {
  NOMINATED: [nominated()],
  APPROVED: [nominated(), approved()],
  ACTIVE: [nominated(), approved(), activated()],
  INACTIVE: [nominated(), approved(), activated(), deactivated()],
  REJECTED: [nominated(), rejected()],
  OFFBOARDED: [nominated(), approved(), activated(), offboarded()],
};

// ---------------------------------------------------------------- commands

const nominate = (overrides: Partial<Extract<AmbassadorCommand, { type: 'NominateAmbassador' }>> = {}): AmbassadorCommand => ({
  type: 'NominateAmbassador',
  memberId: MEMBER,
  department: 'Research',
  motivation: 'Runs the lunch talks',
  nominee: 'active',
  actorId: NOMINATOR,
  at: NOMINATED_AT,
  ...overrides,
});
const approve = (at = APPROVED_AT, member: 'active' | 'left' | 'unregistered' = 'active'): AmbassadorCommand => ({
  type: 'ApproveAmbassador',
  memberId: MEMBER,
  member,
  actorId: CM,
  at,
});
const reject = (at = APPROVED_AT): AmbassadorCommand => ({ type: 'RejectAmbassador', memberId: MEMBER, actorId: CM, at });
const activate = (at = ACTIVATED_AT, member: 'active' | 'left' | 'unregistered' = 'active'): AmbassadorCommand => ({
  type: 'ActivateAmbassador',
  memberId: MEMBER,
  member,
  actorId: CM,
  at,
});
const deactivate = (at = DEACTIVATED_AT): AmbassadorCommand => ({ type: 'DeactivateAmbassador', memberId: MEMBER, actorId: CM, at });
const reactivate = (at = REACTIVATED_AT, member: 'active' | 'left' | 'unregistered' = 'active'): AmbassadorCommand => ({
  type: 'ReactivateAmbassador',
  memberId: MEMBER,
  member,
  actorId: CM,
  at,
});
const offboard = (reason: string | null = 'Moved to another role', at = OFFBOARDED_AT): AmbassadorCommand => ({
  type: 'OffboardAmbassador',
  memberId: MEMBER,
  reason,
  actorId: CM,
  at,
});

describe('ambassador stream id', () => {
  test('is ambassador-<memberId>', () => expect(ambassadorStreamId('m-1')).toBe('ambassador-m-1'));
  test('refuses an id that would not be a safe stream id', () =>
    expect(() => ambassadorStreamId('m 1')).toThrow(expect.objectContaining({ code: 'BAD_USER_INPUT' }) as Error));
});

describe('event schemas', () => {
  test('every event type has a schema; the motivation and the offboard reason are the member’s personal data', () => {
    expect(AMBASSADOR_EVENT_SCHEMAS.map((schema) => schema.type)).toEqual(AMBASSADOR_EVENT_TYPES);
    const personal = AMBASSADOR_EVENT_SCHEMAS.filter((schema) => schema.personal).map((schema) => [
      schema.type,
      schema.personal!.fields,
      schema.personal!.subject({ memberId: MEMBER, nominatedBy: NOMINATOR, decidedBy: CM }),
    ]);
    expect(personal).toEqual([
      ['AmbassadorNominated', ['motivation'], MEMBER],
      ['AmbassadorOffboarded', ['reason'], MEMBER],
    ]);
  });

  test('isAmbassadorEvent knows its own types only', () => {
    expect(AMBASSADOR_EVENT_TYPES.every((type) => isAmbassadorEvent({ type }))).toBe(true);
    expect(isAmbassadorEvent({ type: 'MemberRegistered' })).toBe(false);
  });
});

describe('NominateAmbassador', () => {
  test('a colleague nominates an active member: enrolment 1, trimmed', () =>
    spec
      .given([])
      .when(nominate({ department: ' Research ', motivation: '  Runs the lunch talks ' }))
      .then([nominated()]));

  test('a member nominates themself, without a motivation', () =>
    spec
      .given([])
      .when(nominate({ actorId: MEMBER, motivation: '   ' }))
      .then([nominated(1, NOMINATED_AT, { nominatedBy: MEMBER, motivation: null })]));

  test('the nominee must be registered', () =>
    spec
      .given([])
      .when(nominate({ nominee: 'unregistered' }))
      .thenThrows(domainError('NOT_FOUND', 'member m-ada is not registered', 'memberId')));

  test('the nominee must still be a member', () =>
    spec
      .given([])
      .when(nominate({ nominee: 'left' }))
      .thenThrows(domainError('CONFLICT', 'member m-ada has left: only active members can be nominated', 'memberId')));

  test.each(['NOMINATED', 'APPROVED', 'ACTIVE', 'INACTIVE'] as const)('nominating a member whose enrolment is %s is a conflict', (status) =>
    spec
      .given(HISTORIES[status])
      .when(nominate({ at: RENOMINATED_AT }))
      .thenThrows(
        domainError(
          'CONFLICT',
          `member m-ada already has an ambassador enrolment (${status}): a new nomination waits until it is rejected or offboarded`,
        ),
      ),
  );

  test.each(['REJECTED', 'OFFBOARDED'] as const)('after %s, a new nomination opens enrolment 2 in the same stream', (status) =>
    spec
      .given(HISTORIES[status])
      .when(nominate({ at: RENOMINATED_AT, department: 'Sales', motivation: null }))
      .then([nominated(2, RENOMINATED_AT, { department: 'Sales', motivation: null })]),
  );

  test('a third enrolment after two ended ones is number 3', () =>
    spec
      .given([...HISTORIES.OFFBOARDED, nominated(2, RENOMINATED_AT), rejected(2)])
      .when(nominate({ at: '2025-05-01T09:00:00.000Z' }))
      .then([nominated(3, '2025-05-01T09:00:00.000Z')]));

  test.each([
    ['an invalid member id', { memberId: 'm ada' }, 'memberId'],
    ['an empty department', { department: '  ' }, 'department'],
    ['a department over 100 characters', { department: 'd'.repeat(101) }, 'department'],
    ['a motivation over 4000 characters', { motivation: 'm'.repeat(4001) }, 'motivation'],
    ['a motivation with control characters', { motivation: 'bell\u0007' }, 'motivation'],
  ])('refuses %s as BAD_USER_INPUT before anything else', (_name, overrides, field) =>
    spec
      .given(HISTORIES.ACTIVE)
      .when(nominate({ ...overrides, nominee: 'unregistered' }))
      .thenThrows(domainError('BAD_USER_INPUT', undefined, field)),
  );
});

describe('the lifecycle of an enrolment', () => {
  test('NOMINATED → APPROVED', () => spec.given(HISTORIES.NOMINATED).when(approve()).then([approved()]));
  test('NOMINATED → REJECTED', () => spec.given(HISTORIES.NOMINATED).when(reject()).then([rejected()]));
  test('APPROVED → ACTIVE', () => spec.given(HISTORIES.APPROVED).when(activate()).then([activated()]));
  test('ACTIVE → INACTIVE', () => spec.given(HISTORIES.ACTIVE).when(deactivate()).then([deactivated()]));
  test('INACTIVE → ACTIVE', () => spec.given(HISTORIES.INACTIVE).when(reactivate()).then([reactivated()]));
  test.each(['APPROVED', 'ACTIVE', 'INACTIVE'] as const)('%s → OFFBOARDED, with the reason trimmed', (status) =>
    spec.given(HISTORIES[status]).when(offboard('  Moved to another role  ')).then([offboarded()]),
  );

  test('decisions apply to the current enrolment after a re-nomination', () =>
    spec
      .given([...HISTORIES.REJECTED, nominated(2, RENOMINATED_AT)])
      .when(approve('2025-04-02T09:00:00.000Z'))
      .then([
        { type: 'AmbassadorApproved', data: { memberId: MEMBER, enrolment: 2, decidedBy: CM, decidedAt: '2025-04-02T09:00:00.000Z' } },
      ]));
});

describe('refused transitions', () => {
  const transitions: [string, AmbassadorCommand, readonly AmbassadorStatus[]][] = [
    ['approve', approve(), ['NOMINATED']],
    ['reject', reject(), ['NOMINATED']],
    ['activate', activate(), ['APPROVED']],
    ['deactivate', deactivate(), ['ACTIVE']],
    ['reactivate', reactivate(), ['INACTIVE']],
    ['offboard', offboard(), ['APPROVED', 'ACTIVE', 'INACTIVE']],
  ];
  const statuses = Object.keys(HISTORIES) as AmbassadorStatus[];
  const refusals = transitions.flatMap(([action, command, allowed]) =>
    statuses.filter((status) => !allowed.includes(status)).map((status) => [action, status, command] as const),
  );

  test.each(refusals)('%s from %s is a conflict that says what can be done', (action, status, command) =>
    spec
      .given(HISTORIES[status])
      .when(command)
      .thenThrows(domainError('CONFLICT', new RegExp(`^cannot ${action} the ambassador m-ada: they are ${status} \\(.+\\)$`))),
  );

  test('the messages say what may be done instead', () => {
    spec
      .given(HISTORIES.NOMINATED)
      .when(offboard())
      .thenThrows(
        domainError('CONFLICT', 'cannot offboard the ambassador m-ada: they are NOMINATED (a nomination is approved or rejected)'),
      );
    spec
      .given(HISTORIES.OFFBOARDED)
      .when(reactivate())
      .thenThrows(
        domainError(
          'CONFLICT',
          'cannot reactivate the ambassador m-ada: they are OFFBOARDED (an offboarded ambassador is done: nominate the member again)',
        ),
      );
  });

  test.each(transitions.map(([action, command]) => [action, command] as const))(
    '%s a member never nominated is NOT_FOUND',
    (_action, command) =>
      spec
        .given([])
        .when(command)
        .thenThrows(domainError('NOT_FOUND', 'member m-ada was never nominated as an ambassador', 'memberId')),
  );

  test.each([
    ['approve', approve(APPROVED_AT, 'left'), HISTORIES.NOMINATED],
    ['activate', activate(ACTIVATED_AT, 'left'), HISTORIES.APPROVED],
    ['reactivate', reactivate(REACTIVATED_AT, 'left'), HISTORIES.INACTIVE],
  ] as const)('%s a member who has left is a conflict', (_action, command, history) =>
    spec.given(history).when(command).thenThrows(domainError('CONFLICT', 'member m-ada has left: offboard or reject them instead')),
  );

  test('rejecting and deactivating do not depend on whether the member is still one', () => {
    spec.given(HISTORIES.NOMINATED).when(reject()).then([rejected()]);
    spec.given(HISTORIES.ACTIVE).when(deactivate()).then([deactivated()]);
  });

  test.each([
    ['no reason', null],
    ['an empty reason', '   '],
    ['a reason over 2000 characters', 'r'.repeat(2001)],
  ])('offboarding with %s is BAD_USER_INPUT on reason', (_name, reason) =>
    spec
      .given(HISTORIES.ACTIVE)
      .when(offboard(reason))
      .thenThrows(domainError('BAD_USER_INPUT', undefined, 'reason')),
  );

  test('an invalid member id is BAD_USER_INPUT for every decision', () => {
    for (const [, command] of transitions) {
      spec
        .given(HISTORIES.NOMINATED)
        .when({ ...command, memberId: 'not/an id' })
        .thenThrows(domainError('BAD_USER_INPUT', undefined, 'memberId'));
    }
  });
});

describe('state', () => {
  test('folds the whole story: since is the first activation, endedAt the offboarding, and a new enrolment starts clean', () => {
    const history = [...HISTORIES.INACTIVE, reactivated(), offboarded()];
    expect(foldState(ambassadorDecider, history)).toEqual({
      status: 'OFFBOARDED',
      memberId: MEMBER,
      enrolment: 1,
      department: 'Research',
      nominatedBy: NOMINATOR,
      nominatedAt: NOMINATED_AT,
      since: ACTIVATED_AT,
      endedAt: OFFBOARDED_AT,
    });
    expect(foldState(ambassadorDecider, [...history, nominated(2, RENOMINATED_AT, { department: 'Sales' })])).toEqual({
      status: 'NOMINATED',
      memberId: MEMBER,
      enrolment: 2,
      department: 'Sales',
      nominatedBy: NOMINATOR,
      nominatedAt: RENOMINATED_AT,
      since: null,
      endedAt: null,
    });
  });

  test('a decision about another enrolment than the current one changes nothing', () => {
    const state = foldState(ambassadorDecider, [...HISTORIES.REJECTED, nominated(2, RENOMINATED_AT)]);
    expect(foldState(ambassadorDecider, [approved(1)], state)).toEqual(state);
    expect(foldState(ambassadorDecider, [approved(1)])).toEqual({ status: 'NONE' });
  });

  test('an event type from a newer version leaves the state alone', () => {
    const state = foldState(ambassadorDecider, HISTORIES.ACTIVE);
    expect(foldState(ambassadorDecider, [{ type: 'AmbassadorPromoted', data: { memberId: MEMBER, enrolment: 1 } }], state)).toEqual(state);
  });

  test('live enrolments are the running ones', () => {
    const live = (Object.keys(HISTORIES) as AmbassadorStatus[]).filter((status) =>
      isLiveEnrolment(foldState(ambassadorDecider, HISTORIES[status])),
    );
    expect(live).toEqual(['NOMINATED', 'APPROVED', 'ACTIVE', 'INACTIVE']);
    expect(isLiveEnrolment({ status: 'NONE' })).toBe(false);
  });

  test('an unknown command is a programming error', () =>
    expect(() => ambassadorDecider.decide({ type: 'PromoteAmbassador' } as unknown as AmbassadorCommand, { status: 'NONE' })).toThrow(
      'unknown ambassador command PromoteAmbassador',
    ));
});
