import { Role } from '../../src/platform/auth/role.ts';
import type { GraphQLResponse, TestService } from '../support/test-service.ts';

/** Who calls in the hostile-input and authorization suites: every role, an owner of another group, and nobody. */
export const CALLERS = [
  'ANONYMOUS',
  'COMMUNITY_MANAGER',
  'GROUP_OWNER',
  'OTHER_GROUP_OWNER',
  'MEMBER',
  'AUDITOR',
  'PRIVACY_OFFICER',
] as const;
export type Caller = (typeof CALLERS)[number];

/**
 * A small governance world, made through the API by a community manager: every caller is a registered member, the
 * group owners own their groups in governance state (the token role alone grants nothing), and there is one of each
 * thing an operation may be about (a member, a group, an open case, a programme, a level, an agreement, a note).
 */
export interface World {
  readonly tag: string;
  readonly ids: {
    readonly callers: Readonly<Record<Exclude<Caller, 'ANONYMOUS'>, string>>;
    /** The member things are about: author of the case's content, listed in the directory. */
    readonly subject: string;
    readonly reporter: string;
    /** Spare members for the operations that change a member for good (leaving, erasure, ownership). */
    readonly leaver: string;
    /** Made a privacy request (erasure) while the world was built: a privacy officer reads their streams. */
    readonly erasee: string;
    readonly spare: string;
    readonly group: string;
    readonly otherGroup: string;
    readonly spareGroup: string;
    readonly caseId: string;
    readonly contentId: string;
    readonly programme: string;
    readonly requiredModule: string;
    readonly selfPacedModule: string;
    readonly agreement: string;
    readonly level: number;
    readonly noteId: string;
  };
  readonly tokens: Readonly<Record<Caller, string | null>>;
}

const ROLE_OF: Record<Exclude<Caller, 'ANONYMOUS'>, Role> = {
  COMMUNITY_MANAGER: Role.COMMUNITY_MANAGER,
  GROUP_OWNER: Role.GROUP_OWNER,
  OTHER_GROUP_OWNER: Role.GROUP_OWNER,
  MEMBER: Role.MEMBER,
  AUDITOR: Role.AUDITOR,
  PRIVACY_OFFICER: Role.PRIVACY_OFFICER,
};

/** Runs a fixture mutation and fails loudly when it does not succeed. */
export async function must<T = Record<string, unknown>>(
  t: TestService,
  what: string,
  query: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<T> {
  const response: GraphQLResponse<T> = await t.graphql<T>(query, variables, { token });
  if (response.errors?.length || !response.data) throw new Error(`fixture "${what}" failed: ${JSON.stringify(response)}`);
  return response.data;
}

export async function buildWorld(t: TestService, tag: string): Promise<World> {
  const id = (name: string) => `${tag}-${name}`;
  const callers = {
    COMMUNITY_MANAGER: id('cm'),
    GROUP_OWNER: id('owner'),
    OTHER_GROUP_OWNER: id('other-owner'),
    MEMBER: id('member'),
    AUDITOR: id('auditor'),
    PRIVACY_OFFICER: id('po'),
  };
  const tokens = { ANONYMOUS: null } as Record<Caller, string | null>;
  for (const [caller, memberId] of Object.entries(callers) as [Exclude<Caller, 'ANONYMOUS'>, string][]) {
    tokens[caller] = await t.token(memberId, ROLE_OF[caller]);
  }
  const cm = tokens.COMMUNITY_MANAGER!;
  const subject = id('subject');
  const reporter = id('reporter');
  const ids = {
    callers,
    subject,
    reporter,
    leaver: id('leaver'),
    erasee: id('erasee'),
    spare: id('spare'),
    group: id('group'),
    otherGroup: id('other-group'),
    spareGroup: id('spare-group'),
    contentId: id('post-1'),
    programme: id('programme'),
    requiredModule: 'basics',
    selfPacedModule: 'reading',
    agreement: id('guidelines'),
    level: 1,
  };

  for (const memberId of [...Object.values(callers), subject, reporter, ids.leaver, ids.erasee, ids.spare]) {
    await must(
      t,
      `register ${memberId}`,
      `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
      { input: { memberId, displayName: `Member ${memberId}`, department: 'Operations' } },
      cm,
    );
  }
  for (const [groupId, owner] of [
    [ids.group, callers.GROUP_OWNER],
    [ids.otherGroup, callers.OTHER_GROUP_OWNER],
    [ids.spareGroup, null],
  ] as const) {
    await must(
      t,
      `create ${groupId}`,
      `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
      { input: { groupId, name: `Group ${groupId}` } },
      cm,
    );
    if (owner) {
      await must(
        t,
        `owner of ${groupId}`,
        `mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { id } }`,
        { input: { groupId, memberId: owner } },
        cm,
      );
    }
  }
  await must(
    t,
    'agreement',
    `mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { id } }`,
    { input: { agreementId: ids.agreement, title: 'Community guidelines', body: 'Be kind.', requiresReacceptance: true } },
    cm,
  );
  await must(
    t,
    'programme',
    `mutation($input: DefineTrainingProgrammeInput!) { defineTrainingProgramme(input: $input) { id } }`,
    {
      input: {
        programmeId: ids.programme,
        title: 'Moderation basics',
        modules: [
          { id: ids.requiredModule, title: 'Basics', required: true },
          { id: ids.selfPacedModule, title: 'Reading', required: false, selfPaced: true },
        ],
      },
    },
    cm,
  );
  await must(
    t,
    'level',
    `mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { level } }`,
    { input: { level: ids.level, name: 'Moderator', requiredProgrammes: [], validityMonths: 24 } },
    cm,
  );
  const reported = await must<{ reportContent: { id: string } }>(
    t,
    'case',
    `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
    { input: { contentId: ids.contentId, contentType: 'post', authorId: subject, groupId: ids.group, reason: 'SPAM' } },
    await t.token(reporter, Role.MEMBER),
  );
  const standing = await must<{ addModeratorNote: { notes: { id: string }[] } }>(
    t,
    'note',
    `mutation($input: AddModeratorNoteInput!) { addModeratorNote(input: $input) { notes { id } } }`,
    { input: { memberId: subject, text: 'Asked to keep threads on topic.' } },
    cm,
  );
  // The subject is listed in the directory: any signed-in member finds them with member(id).
  await must(
    t,
    'privacy settings',
    `mutation($input: UpdatePrivacySettingsInput!) { updatePrivacySettings(input: $input) { memberId } }`,
    { input: { memberId: subject, directoryListed: true } },
    await t.token(subject, Role.MEMBER),
  );
  // A privacy request (erasure) of the erasee: what lets a privacy officer read the erasee's history.
  await must(
    t,
    'privacy request',
    `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { status } }`,
    { input: { memberId: ids.erasee } },
    await t.token(ids.erasee, Role.MEMBER),
  );
  return {
    tag,
    ids: { ...ids, caseId: reported.reportContent.id, noteId: standing.addModeratorNote.notes[0]!.id },
    tokens,
  };
}
