import { UnauthenticatedError, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { authorizeAuditRead, authorizeEventRead, authorizeWholeLog } from './audit-access.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';
import { streamDecidersOf } from './stream-deciders.ts';

const STREAM_DECIDERS = streamDecidersOf(GOVERNANCE_STREAMS);

const as = (...roles: Role[]): RequestContext => ({ actor: { id: 'u1', roles }, correlationId: 'c' });
const withRequests = new Set(['m-1']);
const read = (context: RequestContext, streamId: string | null) =>
  authorizeAuditRead(context, {
    action: 'reading the governance history',
    streamId,
    registry: STREAM_DECIDERS,
    madePrivacyRequest: (memberId) => Promise.resolve(withRequests.has(memberId)),
  });
const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'allowed',
    (error: unknown) =>
      error instanceof DomainError
        ? `${error.code}: ${error.message}`
        : error instanceof UnauthenticatedError
          ? 'UNAUTHENTICATED'
          : String(error),
  );

describe('who may read the audit', () => {
  test('AUDITOR and COMMUNITY_MANAGER read everything', async () => {
    for (const role of [Role.AUDITOR, Role.COMMUNITY_MANAGER]) {
      expect(await read(as(role), null)).toEqual({ actor: { id: 'u1', roles: [role] }, memberId: null });
      expect(await read(as(role, Role.MEMBER), 'moderation_case-c1')).toMatchObject({ memberId: null });
    }
  });

  test('MEMBER, GROUP_OWNER and no role are FORBIDDEN; no token is UNAUTHENTICATED', async () => {
    for (const roles of [[Role.MEMBER], [Role.GROUP_OWNER], []]) {
      expect(await refusal(read(as(...roles), 'member-m-1'))).toBe(
        'FORBIDDEN: reading the governance history needs the role AUDITOR or COMMUNITY_MANAGER',
      );
    }
    expect(await refusal(read({ actor: null, correlationId: 'c' }, null))).toBe('UNAUTHENTICATED');
  });

  test('a PRIVACY_OFFICER reads one member-keyed stream of a member who made a privacy request', async () => {
    const officer = as(Role.PRIVACY_OFFICER);
    for (const stream of ['member-m-1', 'privacy-m-1', 'moderator_notes-m-1']) {
      expect(await read(officer, stream)).toMatchObject({ memberId: 'm-1' });
    }
    const scope =
      'FORBIDDEN: reading the governance history: a privacy officer reads the streams of one member who made a privacy request ' +
      '(ambassador-<memberId>, certification-<memberId>, member-<memberId>, moderator_notes-<memberId>, notification_preferences-<memberId>, privacy-<memberId>)';
    expect(await refusal(read(officer, null))).toBe(`${scope}; name the stream in streamId`);
    expect(await refusal(read(officer, 'moderation_case-c1'))).toBe(`${scope}; moderation_case-c1 is not one of them`);
    expect(await refusal(read(officer, 'member-m 2'))).toBe(`${scope}; member-m 2 is not one of them`);
    expect(await refusal(read(officer, 'member-m-2'))).toBe(`${scope}; member m-2 has made no privacy request`);
  });

  describe('one event by its id (node): the same rules, applied to the stream of the event found', () => {
    const lookups: string[] = [];
    const events: Record<string, { streamId: string } | null> = {
      'of-m-1': { streamId: 'member-m-1' },
      'of-m-2': { streamId: 'member-m-2' },
      'of-a-case': { streamId: 'moderation_case-c1' },
      none: null,
    };
    const readEvent = (context: RequestContext, id: string) =>
      authorizeEventRead(context, {
        action: 'reading a governance event',
        find: () => {
          lookups.push(id);
          return id === 'malformed' ? Promise.reject(new DomainError('BAD_USER_INPUT', 'not an event id')) : Promise.resolve(events[id]!);
        },
        registry: STREAM_DECIDERS,
        madePrivacyRequest: (memberId) => Promise.resolve(withRequests.has(memberId)),
      });
    beforeEach(() => lookups.splice(0));

    test('AUDITOR and COMMUNITY_MANAGER get any event, null for none, and BAD_USER_INPUT for an ill-formed id', async () => {
      for (const role of [Role.AUDITOR, Role.COMMUNITY_MANAGER]) {
        expect(await readEvent(as(role), 'of-a-case')).toEqual({ streamId: 'moderation_case-c1' });
        expect(await readEvent(as(role), 'none')).toBeNull();
        expect(await refusal(readEvent(as(role), 'malformed'))).toBe('BAD_USER_INPUT: not an event id');
      }
    });

    test('MEMBER and GROUP_OWNER are FORBIDDEN before anything is looked up; no token is UNAUTHENTICATED', async () => {
      for (const roles of [[Role.MEMBER], [Role.GROUP_OWNER], []]) {
        for (const id of ['of-m-1', 'none', 'malformed']) {
          expect(await refusal(readEvent(as(...roles), id))).toBe(
            'FORBIDDEN: reading a governance event needs the role AUDITOR or COMMUNITY_MANAGER',
          );
        }
      }
      expect(await refusal(readEvent({ actor: null, correlationId: 'c' }, 'of-m-1'))).toBe('UNAUTHENTICATED');
      expect(lookups).toEqual([]);
    });

    test('a PRIVACY_OFFICER gets an event of their scope; any other id is one refusal that names nothing', async () => {
      const officer = as(Role.PRIVACY_OFFICER);
      expect(await readEvent(officer, 'of-m-1')).toEqual({ streamId: 'member-m-1' });
      const refusals = await Promise.all(['of-m-2', 'of-a-case', 'none', 'malformed'].map((id) => refusal(readEvent(officer, id))));
      expect(new Set(refusals)).toEqual(
        new Set([
          'FORBIDDEN: reading a governance event: a privacy officer reads the events of the streams of members who made a privacy request, and this id names none of them',
        ]),
      );
    });
  });

  test('the whole log (export, verifying all) is for AUDITOR and COMMUNITY_MANAGER only', () => {
    expect(authorizeWholeLog(as(Role.AUDITOR), 'exporting')).toEqual({ id: 'u1', roles: [Role.AUDITOR] });
    expect(() => authorizeWholeLog(as(Role.PRIVACY_OFFICER), 'exporting')).toThrow('exporting needs the role AUDITOR or COMMUNITY_MANAGER');
  });
});
