import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import type { GroupOwnership } from '../groups/index.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { caseForViewer, caseRefused, moderatorAuthority, requireStandingReader, WITHHELD } from './moderation-access.ts';
import type { ModerationCase } from './moderation.graphql.ts';

const GROUP = 'g-42';
const OWNER: Actor = { id: 'm-owner', roles: [Role.GROUP_OWNER] };
const file = (authorId: string) => ({ groupId: GROUP, authorId });
const ownership: GroupOwnership = {
  groupId: GROUP,
  ownerSince: new Map([
    ['m-owner', 1],
    ['m-co-owner', 3],
  ]),
  requiresCertification: false,
};

describe("moderatorAuthority: who the author is to an owner of the case's group", () => {
  test('a co-owner, from the group stream, whatever the log says of their roles', () => {
    for (const actedAsManager of [false, true]) {
      expect(moderatorAuthority(OWNER, file('m-co-owner'), ownership, null, actedAsManager).authority).toEqual({
        kind: 'group_owner',
        groupId: GROUP,
        author: 'co_owner',
      });
    }
  });

  test('a community manager, when the log shows them acting with the role', () =>
    expect(moderatorAuthority(OWNER, file('m-cm'), ownership, null, true).authority).toMatchObject({ author: 'community_manager' }));

  test('an ordinary member otherwise', () =>
    expect(moderatorAuthority(OWNER, file('m-author'), ownership, null, false).authority).toMatchObject({ author: 'ordinary' }));

  test('the authority recorded on the events stays the ownership, whoever the author is', () => {
    for (const authorId of ['m-co-owner', 'm-author']) {
      expect(moderatorAuthority(OWNER, file(authorId), ownership, null, true).recorded).toBe(`owner of group ${GROUP} since revision 1`);
    }
  });

  test("a community manager's authority does not depend on the author", () =>
    expect(moderatorAuthority({ id: 'm-cm-1', roles: [Role.COMMUNITY_MANAGER] }, file('m-co-owner'), ownership, null, true)).toEqual({
      authority: { kind: 'community_manager' },
      recorded: 'role:COMMUNITY_MANAGER',
    }));
});

describe('caseForViewer: the appeal statement', () => {
  const statement = 'I was going through a hard time.';
  const view: ModerationCase = {
    id: 'post-7:1',
    contentId: 'post-7',
    contentType: 'post',
    contentStatus: 'REMOVED',
    groupId: GROUP,
    authorId: 'm-author',
    status: 'CLOSED',
    flags: [
      { reporterId: 'm-rep-1', reason: 'HARASSMENT', note: 'mine', flaggedAt: new Date('2025-03-01T09:00:00Z') },
      { reporterId: 'm-rep-2', reason: 'SPAM', note: null, flaggedAt: new Date('2025-03-01T10:00:00Z') },
    ],
    assignedTo: 'm-cm-1',
    decision: null,
    sanction: null,
    appeal: {
      statement,
      filedAt: new Date('2025-03-10T09:00:00Z'),
      outcome: 'UPHELD',
      reason: 'The post names a colleague.',
      decidedBy: 'm-cm-2',
      decidedAt: new Date('2025-03-12T09:00:00Z'),
    },
    openedAt: new Date('2025-03-01T09:00:00Z'),
    revision: 6,
  };

  test('a reporter sees their own flag and the appeal with its outcome and dates, the statement withheld', () => {
    const seen = caseForViewer(view, { id: 'm-rep-1', roles: [Role.MEMBER] }, false);
    expect(seen.flags.map((flag) => flag.reporterId)).toEqual(['m-rep-1']);
    expect(seen.appeal).toEqual({ ...view.appeal, statement: WITHHELD });
    expect(WITHHELD).toBe('[withheld]');
  });

  test.each<[string, Actor, boolean]>([
    ['the author', { id: 'm-author', roles: [Role.MEMBER] }, false],
    ['a community manager', { id: 'm-cm-3', roles: [Role.COMMUNITY_MANAGER] }, false],
    ['an auditor', { id: 'm-aud', roles: [Role.AUDITOR] }, false],
    ["an owner of the case's group", { id: 'm-owner', roles: [Role.MEMBER] }, true],
  ])('%s reads the statement', (_, actor, ownsCaseGroup) =>
    expect(caseForViewer(view, actor, ownsCaseGroup).appeal?.statement).toBe(statement),
  );

  test('anyone else is refused the case', () =>
    expect(() => caseForViewer(view, { id: 'm-stranger', roles: [Role.MEMBER] }, false)).toThrow(
      new DomainError('FORBIDDEN', 'case post-7:1 is visible to its moderators, its author and its reporters'),
    ));

  test('the refusal for an id that cannot be a case does not repeat it', () =>
    expect(caseRefused('bad id!').message).toBe('a case is visible to its moderators, its author and its reporters'));
});

describe('requireStandingReader', () => {
  test('staff and the member themself, whatever the id looks like; anyone else is refused before the id is checked', () => {
    expect(requireStandingReader({ id: 'm-aud', roles: [Role.AUDITOR] }, 'bad id!')).toBe('staff');
    expect(requireStandingReader({ id: 'm-1', roles: [Role.MEMBER] }, 'm-1')).toBe('self');
    expect(() => requireStandingReader({ id: 'm-1', roles: [Role.GROUP_OWNER, Role.PRIVACY_OFFICER] }, 'bad id!')).toThrow(
      expect.objectContaining({ code: 'FORBIDDEN' }),
    );
  });
});
