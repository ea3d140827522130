import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError } from '../../platform/shared/domain-error.ts';
import {
  acceptsFlags,
  CaseClosedForFlagsError,
  caseIdFor,
  isModerationCaseEvent,
  MODERATION_CASE_EVENT_SCHEMAS,
  MODERATION_CASE_EVENT_TYPES,
  moderationCaseDecider,
  moderationCaseStreamId,
  RELEASE_REASON_MAX,
  type AppealDecided,
  type AppealFiled,
  type AppealOutcome,
  type ClaimCase,
  type ContentFlagged,
  type ContentStatus,
  type DecideAppeal,
  type DecideCase,
  type ExpireSanction,
  type FileAppeal,
  type FlagReason,
  type ModerationCaseClaimed,
  type ModerationCaseDecided,
  type ModerationCaseEvent,
  type ModerationCaseOpened,
  type ModerationCaseReleased,
  type ModerationCaseState,
  type ModerationOutcome,
  type ModeratorAuthority,
  type ReleaseCase,
  type ReportContent,
  type SanctionImposed,
} from './moderation-case.decider.ts';
import { domainError } from '../../../test/support/domain-error.ts';

const spec = DeciderSpecification.for(moderationCaseDecider);

// ---------------------------------------------------------------- cast and calendar

const CASE = 'post-7:1';
const CONTENT = 'post-7';
const GROUP = 'g-42';
const AUTHOR = 'm-author';
const REPORTER = 'm-rep-1';
const REPORTER_2 = 'm-rep-2';
/** Owners of GROUP. */
const OWNER = 'm-owner';
const OWNER_2 = 'm-owner-2';
/** Community managers. */
const CM = 'm-cm-1';
const CM_2 = 'm-cm-2';
/** Neither reported the content nor holds any authority over it. */
const BYSTANDER = 'm-bystander';

const COMMUNITY_MANAGER: ModeratorAuthority = { kind: 'community_manager' };
/** An owner of GROUP moderating the case of an ordinary member (neither a co-owner nor a community manager). */
const GROUP_OWNER: ModeratorAuthority = { kind: 'group_owner', groupId: GROUP, author: 'ordinary' };
const OTHER_GROUP_OWNER: ModeratorAuthority = { kind: 'group_owner', groupId: 'g-7', author: 'ordinary' };
const NO_AUTHORITY: ModeratorAuthority = { kind: 'none' };

const OPENED_AT = '2025-03-01T09:00:00.000Z';
const FLAGGED_AGAIN_AT = '2025-03-01T10:00:00.000Z';
const CLAIMED_AT = '2025-03-02T09:00:00.000Z';
const DECIDED_AT = '2025-03-03T09:00:00.000Z';
const SUSPENDED_UNTIL = '2025-04-03T09:00:00.000Z';
const APPEALED_AT = '2025-03-10T09:00:00.000Z';
/** DECIDED_AT plus the default 30-day window. */
const APPEAL_DEADLINE = '2025-04-02T09:00:00.000Z';
const APPEAL_DECIDED_AT = '2025-03-12T09:00:00.000Z';
const RELEASED_AT = '2025-03-02T15:00:00.000Z';
const RELEASE_REASON = 'The assignee left the organisation.';

const SANCTION_ID = `${CASE}:sanction`;

// ---------------------------------------------------------------- events

const opened = (data: Partial<ModerationCaseOpened['data']> = {}): ModerationCaseEvent => ({
  type: 'ModerationCaseOpened',
  data: {
    caseId: CASE,
    caseNumber: 1,
    contentId: CONTENT,
    contentType: 'post',
    authorId: AUTHOR,
    groupId: GROUP,
    contentStatus: 'VISIBLE',
    openedAt: OPENED_AT,
    ...data,
  },
});

const flagged = (reporterId: string, data: Partial<ContentFlagged['data']> = {}): ModerationCaseEvent => ({
  type: 'ContentFlagged',
  data: { caseId: CASE, reporterId, reason: 'HARASSMENT', note: null, flaggedAt: OPENED_AT, ...data },
});

const claimed = (moderatorId: string, data: Partial<ModerationCaseClaimed['data']> = {}): ModerationCaseEvent => ({
  type: 'ModerationCaseClaimed',
  data: { caseId: CASE, moderatorId, previousAssignee: null, claimedAt: CLAIMED_AT, ...data },
});

const suspension = (until: string | null = SUSPENDED_UNTIL): SanctionImposed => ({
  sanctionId: SANCTION_ID,
  memberId: AUTHOR,
  kind: 'SUSPENSION',
  until,
});
const warning: SanctionImposed = { sanctionId: SANCTION_ID, memberId: AUTHOR, kind: 'WARNING', until: null };

/** By default: CM removed the content. */
const decided = (data: Partial<ModerationCaseDecided['data']> = {}): ModerationCaseEvent => ({
  type: 'ModerationCaseDecided',
  data: {
    caseId: CASE,
    outcome: 'REMOVE_CONTENT',
    reason: 'Targets a colleague by name.',
    guideline: null,
    decidedBy: CM,
    decidedAt: DECIDED_AT,
    contentStatus: 'REMOVED',
    sanction: null,
    ...data,
  },
});
const suspended = (until: string | null = SUSPENDED_UNTIL): ModerationCaseEvent =>
  decided({ outcome: 'SUSPEND_MEMBER', contentStatus: 'VISIBLE', sanction: suspension(until) });
const warned: ModerationCaseEvent = decided({ outcome: 'WARN_MEMBER', contentStatus: 'VISIBLE', sanction: warning });

const appealFiled = (data: Partial<AppealFiled['data']> = {}): ModerationCaseEvent => ({
  type: 'AppealFiled',
  data: { caseId: CASE, appellantId: AUTHOR, statement: 'It was a joke between friends.', filedAt: APPEALED_AT, ...data },
});

const appealDecided = (data: Partial<AppealDecided['data']> = {}): ModerationCaseEvent => ({
  type: 'AppealDecided',
  data: {
    caseId: CASE,
    outcome: 'UPHELD',
    reason: 'The post names a colleague.',
    decidedBy: CM_2,
    decidedAt: APPEAL_DECIDED_AT,
    contentStatus: 'REMOVED',
    ...data,
  },
});

const sanctionLifted = (liftedAt = APPEAL_DECIDED_AT): ModerationCaseEvent => ({
  type: 'SanctionLifted',
  data: { caseId: CASE, sanctionId: SANCTION_ID, memberId: AUTHOR, liftedAt, cause: 'APPEAL_OVERTURNED' },
});

const sanctionExpired = (expiredAt = SUSPENDED_UNTIL): ModerationCaseEvent => ({
  type: 'SanctionExpired',
  data: { caseId: CASE, sanctionId: SANCTION_ID, memberId: AUTHOR, expiredAt },
});

const released = (moderatorId: string, data: Partial<ModerationCaseReleased['data']> = {}): ModerationCaseEvent => ({
  type: 'ModerationCaseReleased',
  data: { caseId: CASE, moderatorId, reason: RELEASE_REASON, releasedAt: RELEASED_AT, ...data },
});

// ---------------------------------------------------------------- histories

const reported: ModerationCaseEvent[] = [opened(), flagged(REPORTER)];
const inReviewBy = (moderatorId: string): ModerationCaseEvent[] => [...reported, claimed(moderatorId)];
const removedByCm: ModerationCaseEvent[] = [...inReviewBy(CM), decided()];
const appealedRemoval: ModerationCaseEvent[] = [...removedByCm, appealFiled()];
const closedRemoval: ModerationCaseEvent[] = [...appealedRemoval, appealDecided()];

/** A case in each status, for the refusals that do not depend on anything else. */
const byStatus = {
  OPEN: reported,
  IN_REVIEW: inReviewBy(CM),
  DECIDED: removedByCm,
  APPEALED: appealedRemoval,
  CLOSED: closedRemoval,
} as const;

// ---------------------------------------------------------------- commands

const report = (command: Partial<ReportContent> = {}): ReportContent => ({
  type: 'ReportContent',
  caseId: CASE,
  caseNumber: 1,
  contentId: CONTENT,
  contentType: 'post',
  authorId: AUTHOR,
  groupId: GROUP,
  contentStatus: 'VISIBLE',
  reporterId: REPORTER,
  reason: 'HARASSMENT',
  note: null,
  at: OPENED_AT,
  ...command,
});

const claim = (actorId: string, authority: ModeratorAuthority, command: Partial<ClaimCase> = {}): ClaimCase => ({
  type: 'ClaimCase',
  caseId: CASE,
  actorId,
  authority,
  at: CLAIMED_AT,
  ...command,
});

/** By default: CM removes the content. */
const decide = (command: Partial<DecideCase> = {}): DecideCase => ({
  type: 'DecideCase',
  caseId: CASE,
  actorId: CM,
  authority: COMMUNITY_MANAGER,
  outcome: 'REMOVE_CONTENT',
  reason: 'Targets a colleague by name.',
  guideline: null,
  suspendUntil: null,
  at: DECIDED_AT,
  ...command,
});

const fileAppeal = (command: Partial<FileAppeal> = {}): FileAppeal => ({
  type: 'FileAppeal',
  caseId: CASE,
  actorId: AUTHOR,
  statement: 'It was a joke between friends.',
  appealWindowDays: 30,
  at: APPEALED_AT,
  ...command,
});

const decideAppeal = (outcome: AppealOutcome, command: Partial<DecideAppeal> = {}): DecideAppeal => ({
  type: 'DecideAppeal',
  caseId: CASE,
  actorId: CM_2,
  outcome,
  reason: 'The post names a colleague.',
  at: APPEAL_DECIDED_AT,
  ...command,
});

const expire = (at: string, command: Partial<ExpireSanction> = {}): ExpireSanction => ({
  type: 'ExpireSanction',
  caseId: CASE,
  sanctionId: SANCTION_ID,
  at,
  ...command,
});

const release = (command: Partial<ReleaseCase> = {}): ReleaseCase => ({
  type: 'ReleaseCase',
  caseId: CASE,
  reason: RELEASE_REASON,
  at: RELEASED_AT,
  ...command,
});

const notFoundCase = domainError('NOT_FOUND', `moderation case ${CASE} does not exist`);
const needsManagerOrOwner = domainError(
  'FORBIDDEN',
  `moderating case ${CASE} needs the role COMMUNITY_MANAGER or ownership of group ${GROUP}`,
);
const needsManager = domainError('FORBIDDEN', `moderating case ${CASE} needs the role COMMUNITY_MANAGER`);

// ---------------------------------------------------------------- ids and schemas

describe('moderation case ids', () => {
  test('the stream id is moderation_case-<case id>', () => expect(moderationCaseStreamId(CASE)).toBe('moderation_case-post-7:1'));

  test('the stream id refuses a case id that would not be a safe stream id', () =>
    expect(() => moderationCaseStreamId('post 7:1')).toThrow(DomainError));

  test('the n-th case about a content item is <content id>:<n>', () => {
    expect(caseIdFor(CONTENT, 1)).toBe('post-7:1');
    expect(caseIdFor(CONTENT, 12)).toBe('post-7:12');
  });

  test('a longest content id still leaves room for the case number in the stream id', () =>
    expect(moderationCaseStreamId(caseIdFor('c'.repeat(80), 123_456))).toBe(`moderation_case-${'c'.repeat(80)}:123456`));
});

describe('moderation case event schemas', () => {
  const byType = Object.fromEntries(MODERATION_CASE_EVENT_SCHEMAS.map((s) => [s.type, s]));

  test('cover every event type', () => expect(Object.keys(byType).sort()).toEqual([...MODERATION_CASE_EVENT_TYPES].sort()));

  test("a reporter's note is the reporter's personal data", () => {
    expect(byType['ContentFlagged']?.personal?.fields).toEqual(['note']);
    expect(byType['ContentFlagged']?.personal?.subject({ caseId: CASE, reporterId: REPORTER, note: 'x' })).toBe(REPORTER);
  });

  test("an appellant's statement is the appellant's personal data", () => {
    expect(byType['AppealFiled']?.personal?.fields).toEqual(['statement']);
    expect(byType['AppealFiled']?.personal?.subject({ caseId: CASE, appellantId: AUTHOR, statement: 'x' })).toBe(AUTHOR);
  });

  test('no other event holds personal data (decision reasons stay readable for auditors)', () => {
    const personal = MODERATION_CASE_EVENT_SCHEMAS.filter((s) => s.personal !== undefined).map((s) => s.type);
    expect(personal.sort()).toEqual(['AppealFiled', 'ContentFlagged']);
  });

  test('isModerationCaseEvent recognises the case events only', () => {
    for (const type of MODERATION_CASE_EVENT_TYPES) expect(isModerationCaseEvent({ type })).toBe(true);
    expect(isModerationCaseEvent({ type: 'ModeratorNoteAdded' })).toBe(false);
  });
});

// ---------------------------------------------------------------- report

describe('ReportContent', () => {
  test('the first report opens the case and records the flag', () =>
    spec
      .given([])
      .when(report({ note: '  Names a colleague.  ' }))
      .then([opened(), flagged(REPORTER, { note: 'Names a colleague.' })]));

  test("the case opens with the content status the previous case left, and the report's case number", () =>
    spec
      .given([])
      .when(report({ caseId: 'post-7:3', caseNumber: 3, contentStatus: 'HIDDEN' }))
      .then([opened({ caseId: 'post-7:3', caseNumber: 3, contentStatus: 'HIDDEN' }), flagged(REPORTER, { caseId: 'post-7:3' })]));

  test('content outside any group opens a case without a group', () =>
    spec
      .given([])
      .when(report({ groupId: null }))
      .then([opened({ groupId: null }), flagged(REPORTER)]));

  test('a blank note is recorded as no note', () =>
    spec
      .given([])
      .when(report({ note: '   ' }))
      .then([opened(), flagged(REPORTER)]));

  test('a second reporter adds a flag to the open case', () =>
    spec
      .given(reported)
      .when(report({ reporterId: REPORTER_2, reason: 'SPAM', note: 'Again.', at: FLAGGED_AGAIN_AT }))
      .then([flagged(REPORTER_2, { reason: 'SPAM', note: 'Again.', flaggedAt: FLAGGED_AGAIN_AT })]));

  test('a case in review still takes flags', () =>
    spec
      .given(inReviewBy(CM))
      .when(report({ reporterId: REPORTER_2, at: FLAGGED_AGAIN_AT }))
      .then([flagged(REPORTER_2, { flaggedAt: FLAGGED_AGAIN_AT })]));

  test('the same reporter reporting again adds nothing, whatever the reason', () =>
    spec
      .given([...reported, flagged(REPORTER_2)])
      .when(report({ reason: 'SPAM', note: 'Once more.', at: FLAGGED_AGAIN_AT }))
      .then([]));

  test('the author cannot report their own content', () =>
    spec
      .given([])
      .when(report({ reporterId: AUTHOR }))
      .thenThrows(domainError('FORBIDDEN', 'you cannot report your own content')));

  test('the author cannot flag their own content on an open case either', () =>
    spec
      .given(reported)
      .when(report({ reporterId: AUTHOR }))
      .thenThrows(domainError('FORBIDDEN', 'you cannot report your own content')));

  test('a report naming another author than the first report is a conflict', () =>
    spec
      .given(reported)
      .when(report({ authorId: 'm-other', reporterId: REPORTER_2 }))
      .thenThrows(domainError('CONFLICT', `content ${CONTENT} was reported with author ${AUTHOR}, not m-other`, 'authorId')));

  test.each([
    ['another group', GROUP, 'g-7', `content ${CONTENT} was reported in group ${GROUP}`],
    ['no group', GROUP, null, `content ${CONTENT} was reported in group ${GROUP}`],
    ['a group, for content reported outside any group', null, GROUP, `content ${CONTENT} was reported in no group`],
  ])('a report naming %s is a conflict', (_, firstGroup, groupId, message) =>
    spec
      .given([opened({ groupId: firstGroup }), flagged(REPORTER)])
      .when(report({ groupId, reporterId: REPORTER_2 }))
      .thenThrows(domainError('CONFLICT', message, 'groupId')),
  );

  test('a report about other content in this case is a programming error, not a domain error', () =>
    spec
      .given(reported)
      .when(report({ contentId: 'post-8', reporterId: REPORTER_2 }))
      .thenThrows(
        (error) => !(error instanceof DomainError) && error instanceof Error && /is about post-7, not post-8/.test(error.message),
      ));

  test.each(['DECIDED', 'APPEALED', 'CLOSED'] as const)('a report to a %s case is refused, so that it opens the next case', (status) =>
    spec
      .given(byStatus[status])
      .when(report({ reporterId: REPORTER_2, at: APPEAL_DECIDED_AT }))
      .thenThrows((error) => {
        expect(error).toBeInstanceOf(CaseClosedForFlagsError);
        expect(error).toMatchObject({ code: 'CONFLICT', message: `case ${CASE} is already decided: a new report opens a new case` });
        return true;
      }),
  );

  test.each([
    ['an empty case id', { caseId: '' }, 'caseId', /^caseId must be 1 to 100/],
    ['a case id with a space', { caseId: 'post 7:1' }, 'caseId', /^caseId must be 1 to 100/],
    ['an empty content id', { contentId: '' }, 'contentId', /^contentId must be 1 to 100/],
    ['a content id with a slash', { contentId: 'post/7' }, 'contentId', /^contentId must be 1 to 100/],
    ['a content id over 80 characters', { contentId: 'c'.repeat(81) }, 'contentId', 'contentId must be at most 80 characters'],
    ['an empty content type', { contentType: '' }, 'contentType', 'contentType must not be empty'],
    ['a blank content type', { contentType: '  ' }, 'contentType', 'contentType must not be empty'],
    ['a content type over 50 characters', { contentType: 't'.repeat(51) }, 'contentType', 'contentType must be at most 50 characters'],
    [
      'a content type with a control character',
      { contentType: 'po\u0007st' },
      'contentType',
      'contentType must not contain control characters',
    ],
    ['a bad author id', { authorId: 'm author' }, 'authorId', /^authorId must be 1 to 100/],
    ['a bad group id', { groupId: 'g/42' }, 'groupId', /^groupId must be 1 to 100/],
    ['an empty reporter id', { reporterId: '' }, 'reporterId', /^reporterId must be 1 to 100/],
    [
      'an unknown reason',
      { reason: 'RUDE' as FlagReason },
      'reason',
      'reason must be one of SPAM, HARASSMENT, INAPPROPRIATE, PRIVACY, MISINFORMATION, OTHER',
    ],
    ['a note over 2000 characters', { note: 'n'.repeat(2001) }, 'note', 'note must be at most 2000 characters'],
    ['a note with a control character', { note: 'bad\u0000note' }, 'note', 'note must not contain control characters'],
  ])('refuses %s as bad input naming the field', (_, override: Partial<ReportContent>, field, message) =>
    spec
      .given([])
      .when(report(override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field)),
  );

  test('accepts the longest content id, content type and note', () =>
    spec
      .given([])
      .when(report({ caseId: `${'c'.repeat(80)}:1`, contentId: 'c'.repeat(80), contentType: 't'.repeat(50), note: 'n'.repeat(2000) }))
      .then([
        opened({ caseId: `${'c'.repeat(80)}:1`, contentId: 'c'.repeat(80), contentType: 't'.repeat(50) }),
        flagged(REPORTER, { caseId: `${'c'.repeat(80)}:1`, note: 'n'.repeat(2000) }),
      ]));

  test('bad input is refused before the case is looked at', () =>
    spec
      .given(removedByCm)
      .when(report({ reporterId: REPORTER_2, reason: 'RUDE' as FlagReason }))
      .thenThrows(domainError('BAD_USER_INPUT', undefined, 'reason')));
});

// ---------------------------------------------------------------- claim

describe('guideline citations', () => {
  const guideline = { agreementId: 'code-of-conduct', version: 3, section: '2.1' };

  test('a decision citing an unpublished agreement version is bad input', () =>
    spec
      .given(reported)
      .when(decide({ guideline, guidelinePublished: false }))
      .thenThrows(domainError('BAD_USER_INPUT', 'guideline: agreement code-of-conduct has no published version 3', 'guideline')));

  test('a decision citing a published version records the reference', () =>
    spec
      .given(reported)
      .when(decide({ guideline, guidelinePublished: true }))
      .then([claimed(CM, { claimedAt: DECIDED_AT }), decided({ guideline })]));
});

describe('certification gate', () => {
  test.each(['EXPIRED', 'SUSPENDED', 'REVOKED'] as const)(
    'an owner whose certification is %s can neither claim nor decide',
    (certification) => {
      const barred: ModeratorAuthority = { kind: 'uncertified_owner', groupId: GROUP, certification };
      const refusal = domainError(
        'FORBIDDEN',
        `your certification is ${certification.toLowerCase()}: owners of group ${GROUP} moderate its cases only while certified`,
      );
      spec.given(reported).when(claim(OWNER, barred)).thenThrows(refusal);
      spec
        .given(reported)
        .when(decide({ actorId: OWNER, authority: barred }))
        .thenThrows(refusal);
    },
  );

  test('an owner without a certification is barred (when the group requires one) with the reason', () =>
    spec
      .given(reported)
      .when(claim(OWNER, { kind: 'uncertified_owner', groupId: GROUP, certification: 'NOT_CERTIFIED' }))
      .thenThrows(domainError('FORBIDDEN', `group ${GROUP} requires certified owners to moderate its cases, and you are not certified`)));

  test('an uncertified owner of another group gets the ordinary refusal', () =>
    spec
      .given(reported)
      .when(claim(OWNER, { kind: 'uncertified_owner', groupId: 'g-7', certification: 'EXPIRED' }))
      .thenThrows(domainError('FORBIDDEN', `moderating case ${CASE} needs the role COMMUNITY_MANAGER or ownership of group ${GROUP}`)));
});

describe('ClaimCase', () => {
  test.each([
    ['a community manager', COMMUNITY_MANAGER],
    ['an owner of the group', GROUP_OWNER],
  ])('%s who wrote the content cannot claim or decide its case', (_, authority) => {
    const refusal = domainError('FORBIDDEN', `you cannot moderate case ${CASE}: it is about your own content`);
    spec.given(reported).when(claim(AUTHOR, authority)).thenThrows(refusal);
    spec
      .given(reported)
      .when(decide({ actorId: AUTHOR, authority }))
      .thenThrows(refusal);
  });

  test.each([
    ['a community manager', CM, COMMUNITY_MANAGER],
    ['an owner of the group', OWNER, GROUP_OWNER],
  ])('%s who reported the content can neither claim nor decide its case', (_, actorId, authority) => {
    const refusal = domainError('FORBIDDEN', `you cannot moderate case ${CASE}: you reported it`);
    const reportedByThem = [opened(), flagged(REPORTER), flagged(actorId)];
    spec.given(reportedByThem).when(claim(actorId, authority)).thenThrows(refusal);
    spec
      .given(reportedByThem)
      .when(decide({ actorId, authority, outcome: 'WARN_MEMBER' }))
      .thenThrows(refusal);
  });

  test('a community manager who reported a case cannot take it over either', () =>
    spec
      .given([...inReviewBy(OWNER), flagged(CM)])
      .when(claim(CM, COMMUNITY_MANAGER))
      .thenThrows(domainError('FORBIDDEN', `you cannot moderate case ${CASE}: you reported it`)));

  test('an assignee who then reports the content no longer decides it; a community manager takes it over', () => {
    const claimedThenReported = [...inReviewBy(CM), flagged(CM)];
    spec
      .given(claimedThenReported)
      .when(decide())
      .thenThrows(domainError('FORBIDDEN', `you cannot moderate case ${CASE}: you reported it`));
    spec
      .given(claimedThenReported)
      .when(claim(CM_2, COMMUNITY_MANAGER))
      .then([claimed(CM_2, { previousAssignee: CM })]);
  });

  test('an owner may claim the case of a community manager or a co-owner (the content is theirs to act on)', () => {
    for (const author of ['community_manager', 'co_owner'] as const) {
      spec
        .given(reported)
        .when(claim(OWNER, { kind: 'group_owner', groupId: GROUP, author }))
        .then([claimed(OWNER)]);
    }
  });

  test('a community manager claims an open case', () =>
    spec
      .given(reported)
      .when(claim(CM, COMMUNITY_MANAGER))
      .then([claimed(CM)]));

  test("an owner of the case's group claims an open case", () =>
    spec
      .given(reported)
      .when(claim(OWNER, GROUP_OWNER))
      .then([claimed(OWNER)]));

  test('claiming a case one already holds records nothing', () =>
    spec
      .given(inReviewBy(OWNER))
      .when(claim(OWNER, GROUP_OWNER, { at: APPEALED_AT }))
      .then([]));

  test('another owner of the group cannot take a claimed case', () =>
    spec
      .given(inReviewBy(OWNER))
      .when(claim(OWNER_2, GROUP_OWNER))
      .thenThrows(domainError('CONFLICT', `case ${CASE} is claimed by ${OWNER}`)));

  test('a group owner cannot take a case from a community manager', () =>
    spec
      .given(inReviewBy(CM))
      .when(claim(OWNER, GROUP_OWNER))
      .thenThrows(domainError('CONFLICT', `case ${CASE} is claimed by ${CM}`)));

  test('a community manager takes over a claimed case, recording the previous assignee', () =>
    spec
      .given(inReviewBy(OWNER))
      .when(claim(CM, COMMUNITY_MANAGER, { at: FLAGGED_AGAIN_AT }))
      .then([claimed(CM, { previousAssignee: OWNER, claimedAt: FLAGGED_AGAIN_AT })]));

  test('a community manager takes over from another community manager', () =>
    spec
      .given(inReviewBy(CM))
      .when(claim(CM_2, COMMUNITY_MANAGER))
      .then([claimed(CM_2, { previousAssignee: CM })]));

  test.each(['DECIDED', 'APPEALED', 'CLOSED'] as const)('claiming a %s case is a conflict', (status) =>
    spec
      .given(byStatus[status])
      .when(claim(CM_2, COMMUNITY_MANAGER))
      .thenThrows(domainError('CONFLICT', `case ${CASE} is already decided`)),
  );

  test('claiming a case that does not exist is not found', () =>
    spec.given([]).when(claim(CM, COMMUNITY_MANAGER)).thenThrows(notFoundCase));

  test('an owner of another group may not claim', () =>
    spec.given(reported).when(claim('m-elsewhere', OTHER_GROUP_OWNER)).thenThrows(needsManagerOrOwner));

  test('a member without authority may not claim', () =>
    spec.given(reported).when(claim(BYSTANDER, NO_AUTHORITY)).thenThrows(needsManagerOrOwner));

  test('only a community manager may claim a case about content outside any group', () =>
    spec
      .given([opened({ groupId: null }), flagged(REPORTER)])
      .when(claim(OWNER, GROUP_OWNER))
      .thenThrows(needsManager));

  test('the authority is checked before the status', () =>
    spec.given(removedByCm).when(claim(BYSTANDER, NO_AUTHORITY)).thenThrows(needsManagerOrOwner));

  test('refuses a bad case id as bad input', () =>
    spec
      .given(reported)
      .when(claim(CM, COMMUNITY_MANAGER, { caseId: 'post 7' }))
      .thenThrows(domainError('BAD_USER_INPUT', undefined, 'caseId')));
});

// ---------------------------------------------------------------- decide

describe('DecideCase', () => {
  test('deciding an open case claims it on the way', () =>
    spec
      .given(reported)
      .when(decide({ actorId: OWNER, authority: GROUP_OWNER, outcome: 'HIDE_CONTENT', reason: 'Off topic.' }))
      .then([
        claimed(OWNER, { claimedAt: DECIDED_AT }),
        decided({ outcome: 'HIDE_CONTENT', reason: 'Off topic.', decidedBy: OWNER, contentStatus: 'HIDDEN' }),
      ]));

  test('the assignee decides a case in review', () =>
    spec
      .given(inReviewBy(CM))
      .when(decide({ reason: '  Targets a colleague by name.  ' }))
      .then([decided()]));

  test.each([
    ['the group owner who claimed it', OWNER, CM, COMMUNITY_MANAGER],
    ['another group owner', OWNER, OWNER_2, GROUP_OWNER],
    ['the community manager who claimed it', CM, CM_2, COMMUNITY_MANAGER],
  ])('a case claimed by %s cannot be decided by someone else, even a community manager', (_, assignee, actorId, authority) =>
    spec
      .given(inReviewBy(assignee))
      .when(decide({ actorId, authority }))
      .thenThrows(domainError('CONFLICT', `case ${CASE} is claimed by ${assignee}`)),
  );

  test.each<[ModerationOutcome, ContentStatus, ContentStatus, SanctionImposed | null]>([
    ['NO_ACTION', 'VISIBLE', 'VISIBLE', null],
    ['NO_ACTION', 'REMOVED', 'REMOVED', null],
    ['HIDE_CONTENT', 'VISIBLE', 'HIDDEN', null],
    ['HIDE_CONTENT', 'HIDDEN', 'HIDDEN', null],
    ['HIDE_CONTENT', 'REMOVED', 'REMOVED', null],
    ['REMOVE_CONTENT', 'VISIBLE', 'REMOVED', null],
    ['REMOVE_CONTENT', 'HIDDEN', 'REMOVED', null],
    ['WARN_MEMBER', 'HIDDEN', 'HIDDEN', warning],
    ['SUSPEND_MEMBER', 'VISIBLE', 'VISIBLE', suspension()],
  ])('%s on %s content leaves it %s', (outcome, before, after, sanction) =>
    spec
      .given([opened({ contentStatus: before }), flagged(REPORTER), claimed(CM)])
      .when(decide({ outcome, suspendUntil: outcome === 'SUSPEND_MEMBER' ? SUSPENDED_UNTIL : null }))
      .then([decided({ outcome, contentStatus: after, sanction })]),
  );

  test('a suspension without an end date is permanent', () =>
    spec
      .given(inReviewBy(CM))
      .when(decide({ outcome: 'SUSPEND_MEMBER' }))
      .then([suspended(null)]));

  test('the end of a suspension is normalised to an ISO instant in UTC', () =>
    spec
      .given(inReviewBy(CM))
      .when(decide({ outcome: 'SUSPEND_MEMBER', suspendUntil: '2025-04-03T11:00:00+02:00' }))
      .then([suspended(SUSPENDED_UNTIL)]));

  test('a group owner may warn the author', () =>
    spec
      .given(inReviewBy(OWNER))
      .when(decide({ actorId: OWNER, authority: GROUP_OWNER, outcome: 'WARN_MEMBER' }))
      .then([decided({ outcome: 'WARN_MEMBER', decidedBy: OWNER, contentStatus: 'VISIBLE', sanction: warning })]));

  describe.each([
    ['a community manager', 'community_manager', "a group owner's authority never covers a sanction against a community manager"],
    ['another owner of the group', 'co_owner', `a group owner's authority never covers a sanction against another owner of group ${GROUP}`],
  ] as const)('against %s', (_, author, rule) => {
    test.each(['WARN_MEMBER', 'HIDE_CONTENT', 'REMOVE_CONTENT'] as const)(
      'a group owner may not %s: a community manager decides it',
      (outcome) =>
        spec
          .given(inReviewBy(OWNER))
          .when(decide({ actorId: OWNER, authority: { kind: 'group_owner', groupId: GROUP, author }, outcome }))
          .thenThrows(domainError('FORBIDDEN', `${rule}: ${outcome} on case ${CASE} is for a community manager to decide`)),
    );

    test('a group owner may dismiss the report (NO_ACTION)', () =>
      spec
        .given(inReviewBy(OWNER))
        .when(decide({ actorId: OWNER, authority: { kind: 'group_owner', groupId: GROUP, author }, outcome: 'NO_ACTION' }))
        .then([decided({ outcome: 'NO_ACTION', decidedBy: OWNER, contentStatus: 'VISIBLE' })]));
  });

  test('a community manager may warn a community manager', () =>
    spec
      .given(inReviewBy(CM))
      .when(decide({ outcome: 'WARN_MEMBER' }))
      .then([warned]));

  test('a group owner may not suspend a member', () =>
    spec
      .given(inReviewBy(OWNER))
      .when(decide({ actorId: OWNER, authority: GROUP_OWNER, outcome: 'SUSPEND_MEMBER', suspendUntil: SUSPENDED_UNTIL }))
      .thenThrows(domainError('FORBIDDEN', 'suspending a member is reserved to community managers')));

  test('records the guideline applied, trimmed, a blank section as none', () =>
    spec
      .given(inReviewBy(CM))
      .when(decide({ guideline: { agreementId: 'code-of-conduct', version: 3, section: '  ' } }))
      .then([decided({ guideline: { agreementId: 'code-of-conduct', version: 3, section: null } })]));

  test('accepts a 2000-character reason and a 200-character guideline section', () =>
    spec
      .given(inReviewBy(CM))
      .when(decide({ reason: 'r'.repeat(2000), guideline: { agreementId: 'coc', version: 1, section: 's'.repeat(200) } }))
      .then([decided({ reason: 'r'.repeat(2000), guideline: { agreementId: 'coc', version: 1, section: 's'.repeat(200) } })]));

  test.each([
    [
      'a suspension ending in the past',
      { outcome: 'SUSPEND_MEMBER', suspendUntil: CLAIMED_AT },
      'suspendUntil',
      'suspendUntil must be in the future',
    ],
    [
      'a suspension ending now',
      { outcome: 'SUSPEND_MEMBER', suspendUntil: DECIDED_AT },
      'suspendUntil',
      'suspendUntil must be in the future',
    ],
    [
      'an end date for another outcome',
      { outcome: 'WARN_MEMBER', suspendUntil: SUSPENDED_UNTIL },
      'suspendUntil',
      'suspendUntil applies only to the outcome SUSPEND_MEMBER',
    ],
    [
      'an unparsable end date',
      { outcome: 'SUSPEND_MEMBER', suspendUntil: 'next tuesday' },
      'suspendUntil',
      'suspendUntil must be a date and time',
    ],
    ['an empty reason', { reason: '' }, 'reason', 'reason must not be empty'],
    ['a blank reason', { reason: ' \n ' }, 'reason', 'reason must not be empty'],
    ['a reason over 2000 characters', { reason: 'r'.repeat(2001) }, 'reason', 'reason must be at most 2000 characters'],
    [
      'an unknown outcome',
      { outcome: 'BAN' },
      'outcome',
      'outcome must be one of NO_ACTION, HIDE_CONTENT, REMOVE_CONTENT, WARN_MEMBER, SUSPEND_MEMBER',
    ],
    [
      'guideline version 0',
      { guideline: { agreementId: 'coc', version: 0, section: null } },
      'guideline.version',
      'guideline.version must be a whole number from 1',
    ],
    [
      'a fractional guideline version',
      { guideline: { agreementId: 'coc', version: 1.5, section: null } },
      'guideline.version',
      'guideline.version must be a whole number from 1',
    ],
    [
      'a guideline section over 200 characters',
      { guideline: { agreementId: 'coc', version: 1, section: 's'.repeat(201) } },
      'guideline.section',
      'guideline.section must be at most 200 characters',
    ],
    [
      'a bad guideline agreement id',
      { guideline: { agreementId: 'c o c', version: 1, section: null } },
      'guideline.agreementId',
      /^guideline\.agreementId /,
    ],
    ['a bad case id', { caseId: '' }, 'caseId', /^caseId /],
  ] as [string, Partial<DecideCase>, string, string | RegExp][])(
    'refuses %s as bad input naming the field',
    (_, override, field, message) =>
      spec
        .given(inReviewBy(CM))
        .when(decide(override))
        .thenThrows(domainError('BAD_USER_INPUT', message, field)),
  );

  test.each(['DECIDED', 'APPEALED', 'CLOSED'] as const)('deciding a %s case is a conflict', (status) =>
    spec
      .given(byStatus[status])
      .when(decide({ actorId: CM_2, at: APPEAL_DECIDED_AT }))
      .thenThrows(domainError('CONFLICT', `case ${CASE} is already decided`)),
  );

  test('deciding a case that does not exist is not found', () => spec.given([]).when(decide()).thenThrows(notFoundCase));

  test('an owner of another group may not decide', () =>
    spec
      .given(reported)
      .when(decide({ actorId: 'm-elsewhere', authority: OTHER_GROUP_OWNER }))
      .thenThrows(needsManagerOrOwner));

  test('a member without authority may not decide', () =>
    spec
      .given(reported)
      .when(decide({ actorId: BYSTANDER, authority: NO_AUTHORITY }))
      .thenThrows(needsManagerOrOwner));

  test('a group owner may not decide a case about content outside any group', () =>
    spec
      .given([opened({ groupId: null }), flagged(REPORTER)])
      .when(decide({ actorId: OWNER, authority: GROUP_OWNER }))
      .thenThrows(needsManager));
});

// ---------------------------------------------------------------- appeal

describe('FileAppeal', () => {
  test('the author appeals a decision, trimmed', () =>
    spec
      .given(removedByCm)
      .when(fileAppeal({ statement: '  It was a joke between friends. ' }))
      .then([appealFiled()]));

  test('the author appeals a warning', () =>
    spec
      .given([...inReviewBy(CM), warned])
      .when(fileAppeal())
      .then([appealFiled()]));

  test('the author appeals a suspension that has already expired', () =>
    spec
      .given([...inReviewBy(CM), suspended('2025-03-05T09:00:00.000Z'), sanctionExpired('2025-03-05T09:00:00.000Z')])
      .when(fileAppeal())
      .then([appealFiled()]));

  test('only the author may appeal', () =>
    spec
      .given(removedByCm)
      .when(fileAppeal({ actorId: REPORTER }))
      .thenThrows(domainError('FORBIDDEN', 'only the author of the content may appeal its decision')));

  test.each(['OPEN', 'IN_REVIEW'] as const)('appealing a %s case is a conflict', (status) =>
    spec
      .given(byStatus[status])
      .when(fileAppeal())
      .thenThrows(domainError('CONFLICT', `case ${CASE} is not decided yet: there is nothing to appeal`)),
  );

  test('a decision with no action cannot be appealed', () =>
    spec
      .given([...inReviewBy(CM), decided({ outcome: 'NO_ACTION', contentStatus: 'VISIBLE' })])
      .when(fileAppeal())
      .thenThrows(domainError('CONFLICT', `case ${CASE} was decided with no action: there is nothing to appeal`)));

  test('an appeal exactly at the end of the window is accepted', () =>
    spec
      .given(removedByCm)
      .when(fileAppeal({ at: APPEAL_DEADLINE }))
      .then([appealFiled({ filedAt: APPEAL_DEADLINE })]));

  test('an appeal one millisecond after the window is refused', () =>
    spec
      .given(removedByCm)
      .when(fileAppeal({ at: '2025-04-02T09:00:00.001Z' }))
      .thenThrows(domainError('CONFLICT', `the appeal window of case ${CASE} closed on ${APPEAL_DEADLINE} (30 days after the decision)`)));

  test('the window follows the configured number of days', () => {
    spec
      .given(removedByCm)
      .when(fileAppeal({ appealWindowDays: 7, at: '2025-03-10T09:00:00.000Z' }))
      .then([appealFiled({ filedAt: '2025-03-10T09:00:00.000Z' })]);
    spec
      .given(removedByCm)
      .when(fileAppeal({ appealWindowDays: 7, at: '2025-03-10T09:00:00.001Z' }))
      .thenThrows(
        domainError('CONFLICT', `the appeal window of case ${CASE} closed on 2025-03-10T09:00:00.000Z (7 days after the decision)`),
      );
  });

  test.each(['APPEALED', 'CLOSED'] as const)('appealing a %s case again is a conflict', (status) =>
    spec
      .given(byStatus[status])
      .when(fileAppeal())
      .thenThrows(domainError('CONFLICT', `case ${CASE} was already appealed: a decision can be appealed once`)),
  );

  test('appealing a case that does not exist is not found', () => spec.given([]).when(fileAppeal()).thenThrows(notFoundCase));

  test.each([
    ['an empty statement', { statement: '' }, 'statement', 'statement must not be empty'],
    ['a blank statement', { statement: '   ' }, 'statement', 'statement must not be empty'],
    ['a statement over 4000 characters', { statement: 's'.repeat(4001) }, 'statement', 'statement must be at most 4000 characters'],
    ['a statement with a control character', { statement: 'no\u001bway' }, 'statement', 'statement must not contain control characters'],
    ['a bad case id', { caseId: 'post 7' }, 'caseId', /^caseId /],
  ])('refuses %s as bad input naming the field', (_, override: Partial<FileAppeal>, field, message) =>
    spec
      .given(removedByCm)
      .when(fileAppeal(override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field)),
  );

  test('accepts a 4000-character statement', () =>
    spec
      .given(removedByCm)
      .when(fileAppeal({ statement: 's'.repeat(4000) }))
      .then([appealFiled({ statement: 's'.repeat(4000) })]));
});

describe('DecideAppeal', () => {
  test.each(['OPEN', 'IN_REVIEW', 'DECIDED'] as const)('deciding the appeal of a %s case is a conflict: there is none', (status) =>
    spec
      .given(byStatus[status])
      .when(decideAppeal('UPHELD'))
      .thenThrows(domainError('CONFLICT', `case ${CASE} has no appeal to decide`)),
  );

  test('deciding an appeal twice is a conflict', () =>
    spec
      .given(closedRemoval)
      .when(decideAppeal('OVERTURNED'))
      .thenThrows(domainError('CONFLICT', `the appeal of case ${CASE} is already decided`)));

  test('four eyes: who made the decision may not decide its appeal', () =>
    spec
      .given(appealedRemoval)
      .when(decideAppeal('OVERTURNED', { actorId: CM }))
      .thenThrows(domainError('FORBIDDEN', 'four eyes: the appeal must be decided by someone other than who made the decision')));

  test('the appellant may not decide their own appeal', () =>
    spec
      .given(appealedRemoval)
      .when(decideAppeal('OVERTURNED', { actorId: AUTHOR }))
      .thenThrows(domainError('FORBIDDEN', 'you cannot decide your own appeal')));

  test('a community manager who reported the case may not decide its appeal: the complainant is a party', () =>
    spec
      .given([opened(), flagged(REPORTER), flagged(CM_2), claimed(CM), decided(), appealFiled()])
      .when(decideAppeal('UPHELD'))
      .thenThrows(domainError('FORBIDDEN', `you cannot decide the appeal of case ${CASE}: you reported it`)));

  test('a community manager who only claimed the case (another decided it) may decide its appeal', () =>
    spec
      .given([...reported, claimed(CM_2), claimed(CM, { previousAssignee: CM_2 }), decided(), appealFiled()])
      .when(decideAppeal('UPHELD'))
      .then([appealDecided()]));

  test('deciding the appeal of a case that does not exist is not found', () =>
    spec.given([]).when(decideAppeal('UPHELD')).thenThrows(notFoundCase));

  test('upholding closes the case, the content staying as decided', () =>
    spec
      .given(appealedRemoval)
      .when(decideAppeal('UPHELD', { reason: ' The post names a colleague. ' }))
      .then([appealDecided()]));

  test('upholding a suspension leaves it in force', () =>
    spec
      .given([...inReviewBy(CM), suspended(), appealFiled()])
      .when(decideAppeal('UPHELD'))
      .then([appealDecided({ contentStatus: 'VISIBLE' })]));

  test('overturning restores the content status from before the decision', () =>
    spec
      .given(appealedRemoval)
      .when(decideAppeal('OVERTURNED'))
      .then([appealDecided({ outcome: 'OVERTURNED', contentStatus: 'VISIBLE' })]));

  test('overturning restores a status the previous case had left, not VISIBLE', () =>
    spec
      .given([opened({ contentStatus: 'HIDDEN' }), flagged(REPORTER), claimed(CM), decided(), appealFiled()])
      .when(decideAppeal('OVERTURNED'))
      .then([appealDecided({ outcome: 'OVERTURNED', contentStatus: 'HIDDEN' })]));

  test('overturning lifts an active suspension', () =>
    spec
      .given([...inReviewBy(CM), suspended(), appealFiled()])
      .when(decideAppeal('OVERTURNED'))
      .then([appealDecided({ outcome: 'OVERTURNED', contentStatus: 'VISIBLE' }), sanctionLifted()]));

  test('overturning lifts a warning', () =>
    spec
      .given([...inReviewBy(CM), warned, appealFiled()])
      .when(decideAppeal('OVERTURNED'))
      .then([appealDecided({ outcome: 'OVERTURNED', contentStatus: 'VISIBLE' }), sanctionLifted()]));

  test('overturning after the suspension expired lifts nothing', () =>
    spec
      .given([...inReviewBy(CM), suspended('2025-03-05T09:00:00.000Z'), sanctionExpired('2025-03-05T09:00:00.000Z'), appealFiled()])
      .when(decideAppeal('OVERTURNED'))
      .then([appealDecided({ outcome: 'OVERTURNED', contentStatus: 'VISIBLE' })]));

  test.each([
    ['an unknown outcome', { outcome: 'REVERSED' as AppealOutcome }, 'outcome', 'outcome must be one of UPHELD, OVERTURNED'],
    ['an empty reason', { reason: '' }, 'reason', 'reason must not be empty'],
    ['a reason over 2000 characters', { reason: 'r'.repeat(2001) }, 'reason', 'reason must be at most 2000 characters'],
    ['a bad case id', { caseId: 'post 7' }, 'caseId', /^caseId /],
  ])('refuses %s as bad input naming the field', (_, override: Partial<DecideAppeal>, field, message) =>
    spec
      .given(appealedRemoval)
      .when(decideAppeal('UPHELD', override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field)),
  );
});

// ---------------------------------------------------------------- sanction expiry

describe('ExpireSanction', () => {
  const suspendedCase = [...inReviewBy(CM), suspended()];

  test('a suspension past its end date expires, at its end date', () =>
    spec
      .given(suspendedCase)
      .when(expire('2025-04-03T09:05:00.000Z'))
      .then([sanctionExpired(SUSPENDED_UNTIL)]));

  test('a suspension expires exactly at its end date', () =>
    spec
      .given(suspendedCase)
      .when(expire(SUSPENDED_UNTIL))
      .then([sanctionExpired(SUSPENDED_UNTIL)]));

  test('a suspension under appeal still expires', () =>
    spec
      .given([...suspendedCase, appealFiled()])
      .when(expire(SUSPENDED_UNTIL))
      .then([sanctionExpired(SUSPENDED_UNTIL)]));

  test('a suspension not yet due records nothing', () => spec.given(suspendedCase).when(expire('2025-04-03T08:59:59.999Z')).then([]));

  test('an expired suspension records nothing more', () =>
    spec
      .given([...suspendedCase, sanctionExpired()])
      .when(expire('2025-04-04T00:00:00.000Z'))
      .then([]));

  test('a lifted suspension records nothing', () =>
    spec
      .given([...suspendedCase, appealFiled(), appealDecided({ outcome: 'OVERTURNED', contentStatus: 'VISIBLE' }), sanctionLifted()])
      .when(expire('2025-04-04T00:00:00.000Z'))
      .then([]));

  test('a permanent suspension never expires', () =>
    spec
      .given([...inReviewBy(CM), suspended(null)])
      .when(expire('2099-01-01T00:00:00.000Z'))
      .then([]));

  test('a warning never expires', () =>
    spec
      .given([...inReviewBy(CM), warned])
      .when(expire('2099-01-01T00:00:00.000Z'))
      .then([]));

  test('an unknown sanction is not found', () =>
    spec
      .given(suspendedCase)
      .when(expire(SUSPENDED_UNTIL, { sanctionId: 'post-7:2:sanction' }))
      .thenThrows(domainError('NOT_FOUND', `case ${CASE} has no sanction post-7:2:sanction`)));

  test('a case decided without a sanction has none to expire', () =>
    spec
      .given(removedByCm)
      .when(expire(SUSPENDED_UNTIL))
      .thenThrows(domainError('NOT_FOUND', `case ${CASE} has no sanction ${SANCTION_ID}`)));

  test('expiring a sanction of a case that does not exist is not found', () =>
    spec.given([]).when(expire(SUSPENDED_UNTIL)).thenThrows(notFoundCase));
});

// ---------------------------------------------------------------- release

describe('ReleaseCase', () => {
  test('a claimed case goes back to the queue, naming the moderator it was taken from', () =>
    spec
      .given(inReviewBy(OWNER))
      .when(release())
      .then([released(OWNER)]));

  test('the reason is trimmed', () =>
    spec
      .given(inReviewBy(CM))
      .when(release({ reason: `  ${RELEASE_REASON}  ` }))
      .then([released(CM)]));

  test('a case taken over is released from its current assignee', () =>
    spec
      .given([...inReviewBy(OWNER), claimed(CM, { previousAssignee: OWNER })])
      .when(release())
      .then([released(CM)]));

  test('naming the assignee the sender expects: released while the case is still theirs', () =>
    spec
      .given(inReviewBy(OWNER))
      .when(release({ moderatorId: OWNER }))
      .then([released(OWNER)]));

  test('naming an assignee the case no longer has records nothing: whoever took it over keeps it', () =>
    spec
      .given([...inReviewBy(OWNER), claimed(CM, { previousAssignee: OWNER })])
      .when(release({ moderatorId: OWNER }))
      .then([]));

  test.each(['OPEN', 'DECIDED', 'APPEALED', 'CLOSED'] as const)(
    'releasing a %s case records nothing (a late or repeated release)',
    (status) => spec.given(byStatus[status]).when(release()).then([]),
  );

  test('releasing twice records the release once', () =>
    spec
      .given([...inReviewBy(OWNER), released(OWNER)])
      .when(release({ at: APPEALED_AT }))
      .then([]));

  test('releasing a case that does not exist is not found', () => spec.given([]).when(release()).thenThrows(notFoundCase));

  test.each([
    ['an empty reason', { reason: '' }, 'reason', 'reason must not be empty'],
    ['a blank reason', { reason: '   ' }, 'reason', 'reason must not be empty'],
    [
      `a reason over ${RELEASE_REASON_MAX} characters`,
      { reason: 'r'.repeat(RELEASE_REASON_MAX + 1) },
      'reason',
      `reason must be at most ${RELEASE_REASON_MAX} characters`,
    ],
    ['a reason with a control character', { reason: 'left\u0000early' }, 'reason', 'reason must not contain control characters'],
    ['a bad case id', { caseId: 'post 7' }, 'caseId', /^caseId /],
    ['a bad moderator id', { moderatorId: 'm owner' }, 'moderatorId', /^moderatorId /],
  ])('refuses %s as bad input naming the field', (_, override: Partial<ReleaseCase>, field, message) =>
    spec
      .given(inReviewBy(OWNER))
      .when(release(override))
      .thenThrows(domainError('BAD_USER_INPUT', message, field)),
  );

  test('a reason is required even when there is nothing to release', () =>
    spec
      .given(reported)
      .when(release({ reason: '' }))
      .thenThrows(domainError('BAD_USER_INPUT', 'reason must not be empty', 'reason')));

  test(`accepts a ${RELEASE_REASON_MAX}-character reason`, () =>
    spec
      .given(inReviewBy(OWNER))
      .when(release({ reason: 'r'.repeat(RELEASE_REASON_MAX) }))
      .then([released(OWNER, { reason: 'r'.repeat(RELEASE_REASON_MAX) })]));

  test('a released case is open and unassigned again', () =>
    expect(foldState(moderationCaseDecider, [...inReviewBy(OWNER), released(OWNER)])).toMatchObject({ status: 'OPEN', assignee: null }));

  test('another owner of the group may claim a released case (they could not take it while it was claimed)', () =>
    spec
      .given([...inReviewBy(OWNER), released(OWNER)])
      .when(claim(OWNER_2, GROUP_OWNER, { at: DECIDED_AT }))
      .then([claimed(OWNER_2, { claimedAt: DECIDED_AT })]));

  test('a released case is decided by whoever claims it next, not by the moderator it was released from', () =>
    spec
      .given([...inReviewBy(OWNER), released(OWNER)])
      .when(decide({ actorId: CM_2 }))
      .then([claimed(CM_2, { claimedAt: DECIDED_AT }), decided({ decidedBy: CM_2 })]));
});

// ---------------------------------------------------------------- state

describe('moderation case state', () => {
  /** Runs commands through the decider as the handler would, each on the state its predecessors left. */
  function live(commands: readonly Parameters<typeof moderationCaseDecider.decide>[0][]): ModerationCaseEvent[] {
    const history: ModerationCaseEvent[] = [];
    for (const command of commands) history.push(...moderationCaseDecider.decide(command, foldState(moderationCaseDecider, history)));
    return history;
  }

  test('a suspension overturned on appeal: the case is closed and the sanction lifted', () => {
    const history = live([
      report(),
      report({ reporterId: REPORTER_2, at: FLAGGED_AGAIN_AT }),
      claim(OWNER, GROUP_OWNER),
      claim(CM, COMMUNITY_MANAGER, { at: '2025-03-02T12:00:00.000Z' }),
      decide({ outcome: 'SUSPEND_MEMBER', suspendUntil: SUSPENDED_UNTIL }),
      fileAppeal(),
      decideAppeal('OVERTURNED'),
      expire('2025-05-01T00:00:00.000Z'),
    ]);
    expect(history.map((e) => e.type)).toEqual([
      'ModerationCaseOpened',
      'ContentFlagged',
      'ContentFlagged',
      'ModerationCaseClaimed',
      'ModerationCaseClaimed',
      'ModerationCaseDecided',
      'AppealFiled',
      'AppealDecided',
      'SanctionLifted',
    ]);
    expect(foldState(moderationCaseDecider, history)).toEqual<ModerationCaseState>({
      status: 'CLOSED',
      caseId: CASE,
      caseNumber: 1,
      contentId: CONTENT,
      contentType: 'post',
      authorId: AUTHOR,
      groupId: GROUP,
      contentStatus: 'VISIBLE',
      reporters: [REPORTER, REPORTER_2],
      assignee: CM,
      decision: { outcome: 'SUSPEND_MEMBER', decidedBy: CM, decidedAt: DECIDED_AT, contentStatusBefore: 'VISIBLE' },
      sanction: { ...suspension(), state: 'lifted' },
      appeal: { appellantId: AUTHOR, filedAt: APPEALED_AT, outcome: 'OVERTURNED' },
    });
  });

  test('a removal overturned on appeal: the content is restored', () => {
    expect(
      foldState(moderationCaseDecider, [...appealedRemoval, appealDecided({ outcome: 'OVERTURNED', contentStatus: 'VISIBLE' })]),
    ).toMatchObject({
      status: 'CLOSED',
      contentStatus: 'VISIBLE',
      decision: { outcome: 'REMOVE_CONTENT', contentStatusBefore: 'VISIBLE' },
      sanction: null,
      appeal: { outcome: 'OVERTURNED' },
    });
  });

  test('folds each step to its status', () => {
    const steps: [ModerationCaseEvent[], ModerationCaseState['status']][] = [
      [[], 'absent'],
      [reported, 'OPEN'],
      [inReviewBy(OWNER), 'IN_REVIEW'],
      [removedByCm, 'DECIDED'],
      [appealedRemoval, 'APPEALED'],
      [closedRemoval, 'CLOSED'],
    ];
    for (const [history, status] of steps) expect(foldState(moderationCaseDecider, history).status).toBe(status);
  });

  test('a sanction expires in the state', () => {
    expect(foldState(moderationCaseDecider, [...inReviewBy(CM), suspended(), sanctionExpired()])).toMatchObject({
      status: 'DECIDED',
      sanction: { ...suspension(), state: 'expired' },
    });
  });

  test('a repeated flag does not list its reporter twice', () => {
    expect(foldState(moderationCaseDecider, [...reported, flagged(REPORTER), flagged(REPORTER_2)])).toMatchObject({
      reporters: [REPORTER, REPORTER_2],
    });
  });

  test('only open and in-review cases accept flags', () => {
    expect(acceptsFlags(foldState(moderationCaseDecider, []))).toBe(false);
    expect(acceptsFlags(foldState(moderationCaseDecider, byStatus.OPEN))).toBe(true);
    expect(acceptsFlags(foldState(moderationCaseDecider, byStatus.IN_REVIEW))).toBe(true);
    expect(acceptsFlags(foldState(moderationCaseDecider, byStatus.DECIDED))).toBe(false);
    expect(acceptsFlags(foldState(moderationCaseDecider, byStatus.APPEALED))).toBe(false);
    expect(acceptsFlags(foldState(moderationCaseDecider, byStatus.CLOSED))).toBe(false);
  });

  test('an event type this code does not know leaves the state alone', () => {
    const before = foldState(moderationCaseDecider, reported);
    expect(foldState(moderationCaseDecider, [...reported, { type: 'ModerationCaseEscalated', data: {} }])).toEqual(before);
  });

  test('events before the case was opened leave it absent', () => {
    expect(foldState(moderationCaseDecider, [flagged(REPORTER), claimed(CM)])).toEqual({ status: 'absent' });
  });

  test('the state is JSON-serialisable as it is', () => {
    const state = foldState(moderationCaseDecider, [...inReviewBy(CM), suspended(), appealFiled()]);
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
  });
});
