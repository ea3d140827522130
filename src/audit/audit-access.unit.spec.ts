import { UnauthenticatedError, type RequestContext } from '../auth/request-context.ts';
import { Role } from '../auth/role.ts';
import { DomainError } from '../shared/domain-error.ts';
import { authorizeAuditRead, authorizeWholeLog } from './audit-access.ts';
import { STREAM_DECIDERS } from './stream-deciders.ts';

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
      '(ambassador-<memberId>, certification-<memberId>, member-<memberId>, moderator_notes-<memberId>, privacy-<memberId>)';
    expect(await refusal(read(officer, null))).toBe(`${scope}; name the stream in streamId`);
    expect(await refusal(read(officer, 'moderation_case-c1'))).toBe(`${scope}; moderation_case-c1 is not one of them`);
    expect(await refusal(read(officer, 'member-m 2'))).toBe(`${scope}; member-m 2 is not one of them`);
    expect(await refusal(read(officer, 'member-m-2'))).toBe(`${scope}; member m-2 has made no privacy request`);
  });

  test('the whole log (export, verifying all) is for AUDITOR and COMMUNITY_MANAGER only', () => {
    expect(authorizeWholeLog(as(Role.AUDITOR), 'exporting')).toEqual({ id: 'u1', roles: [Role.AUDITOR] });
    expect(() => authorizeWholeLog(as(Role.PRIVACY_OFFICER), 'exporting')).toThrow('exporting needs the role AUDITOR or COMMUNITY_MANAGER');
  });
});
