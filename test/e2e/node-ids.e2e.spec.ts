import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

// Relay Global Object Identification: every cacheable object has an id a normalised cache (Apollo, urql) can key on,
// and node(id) fetches it again with the authorization of the type's own query.

interface Identified {
  __typename: string;
  id: string;
}

const NODE = `query($id: ID!) { node(id: $id) { __typename id } }`;

describe('global object identification over HTTP', () => {
  let t: TestService;
  let cm: string;
  let dataDir: string;
  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

  function ok<T>(response: GraphQLResponse<T>): T {
    expect(response.errors).toBeUndefined();
    return response.data!;
  }
  function refused(response: GraphQLResponse, code: string) {
    expect(response.errors?.[0]?.extensions?.code).toBe(code);
    expect(response.data?.node ?? null).toBeNull();
  }
  const node = (id: string, token: string) => t.graphql<{ node: Identified | null }>(NODE, { id }, { token });
  const mutate = async <T>(mutation: string, input: Record<string, unknown>, token = cm) =>
    ok(await t.graphql<Record<string, T>>(mutation, { input }, { token }));

  const register = (memberId: string) =>
    mutate(`mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`, {
      memberId,
      displayName: `Member ${memberId}`,
      department: 'Support',
    });
  const defineProgramme = async (programmeId: string, modules: { id: string; title: string; required: boolean }[]) =>
    (
      await mutate<{ id: string; modules: (Identified & { programmeId: string; moduleId: string })[] }>(
        `mutation($input: DefineTrainingProgrammeInput!) {
          defineTrainingProgramme(input: $input) { id modules { __typename id programmeId moduleId } }
        }`,
        { programmeId, title: `Programme ${programmeId}`, modules },
      )
    ).defineTrainingProgramme!;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'node-ids-'));
    // Sealing on, so that there are seals and seal keys to fetch again.
    t = await startTestService({ env: { LOG_SEALING: 'on', LOG_SEAL_INTERVAL_MS: '200', LOG_SEAL_EVERY_EVENTS: '1', DATA_DIR: dataDir } });
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('two programmes with the same module ids, and two revisions of one, never share a TrainingModule id', async () => {
    const modules = [
      { id: 'intro', title: 'Intro', required: true },
      { id: 'quiz', title: 'Quiz', required: false },
    ];
    const first = await defineProgramme(uid('prog'), modules);
    const second = await defineProgramme(uid('prog'), modules);
    expect(first.modules.map((module) => module.moduleId)).toEqual(['intro', 'quiz']);
    expect(second.modules.map((module) => module.moduleId)).toEqual(['intro', 'quiz']);
    expect(first.modules.map((module) => module.programmeId)).toEqual([first.id, first.id]);
    const ids = [...first.modules, ...second.modules].map((module) => module.id);
    expect(new Set(ids).size).toBe(4);

    const redefined = await defineProgramme(first.id, [{ ...modules[0]!, title: 'Intro, revised' }, modules[1]!]);
    expect(redefined.modules.map((module) => module.id)).not.toContain(first.modules[0]!.id);
    // The current definition's modules resolve; the replaced definition's no longer name anything.
    expect(ok(await node(redefined.modules[0]!.id, cm)).node).toEqual({ __typename: 'TrainingModule', id: redefined.modules[0]!.id });
    expect(ok(await node(first.modules[0]!.id, cm)).node).toBeNull();
  });

  test('the certification an award answers is the object certification(memberId) reads: same id, stable across reads', async () => {
    const memberId = uid('m');
    await register(memberId);
    const programmeId = uid('prog');
    await defineProgramme(programmeId, [{ id: 'core', title: 'Core', required: true }]);
    await mutate(`mutation($input: EnrolInTrainingInput!) { enrolInTraining(input: $input) { id } }`, { programmeId, memberId });
    await mutate(`mutation($input: CompleteTrainingModuleInput!) { completeTrainingModule(input: $input) { id } }`, {
      programmeId,
      memberId,
      moduleId: 'core',
    });
    const read = `query($memberId: ID!) { certification(memberId: $memberId) { id status } }`;
    const before = ok(await t.graphql<{ certification: { id: string; status: string } }>(read, { memberId }, { token: cm })).certification;
    expect(before.status).toBe('NOT_CERTIFIED');
    await mutate(`mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { id } }`, {
      level: 1,
      name: 'Moderator',
      requiredProgrammes: [programmeId],
      validityMonths: 12,
    });
    const awarded = (
      await mutate<{ id: string; status: string }>(
        `mutation($input: AwardCertificationInput!) { awardCertification(input: $input) { id status } }`,
        { memberId, level: 1 },
      )
    ).awardCertification!;
    expect(awarded).toEqual({ id: before.id, status: 'CERTIFIED' });
    const after = ok(await t.graphql<{ certification: { id: string; status: string } }>(read, { memberId }, { token: cm })).certification;
    expect(after).toEqual(awarded);
  });

  test('node(id) fetches every kind of object again, by the id its own query answered', async () => {
    const memberId = uid('m');
    const member = await t.token(memberId, Role.MEMBER);
    await register(memberId);
    const groupId = uid('g');
    await mutate(`mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`, { groupId, name: 'Cyclists' });
    const programmeId = uid('prog');
    await defineProgramme(programmeId, [{ id: 'core', title: 'Core', required: true }]);
    await mutate(`mutation($input: EnrolInTrainingInput!) { enrolInTraining(input: $input) { id } }`, { programmeId, memberId });
    const agreementId = uid('coc');
    await mutate(`mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { id } }`, {
      agreementId,
      title: 'Code of conduct',
      body: 'Be kind.',
      requiresReacceptance: false,
    });
    await mutate(`mutation($input: AcceptAgreementInput!) { acceptAgreement(input: $input) { id } }`, { agreementId, version: 1 }, member);
    await mutate(
      `mutation($input: ConsentInput!) { giveConsent(input: $input) { id } }`,
      { memberId, purpose: 'newsletter', noticeVersion: 'v1' },
      member,
    );
    await mutate(`mutation($input: NominateAmbassadorInput!) { nominateAmbassador(input: $input) { id } }`, {
      memberId,
      department: 'Support',
    });
    // A case about the member's post, decided with a warning (a sanction), and a staff note on their standing.
    const reporter = await t.token(uid('reporter'), Role.MEMBER);
    const caseId = (
      await mutate<{ id: string }>(
        `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
        { contentId: uid('post'), contentType: 'post', authorId: memberId, reason: 'SPAM' },
        reporter,
      )
    ).reportContent!.id;
    await mutate(`mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id } }`, {
      caseId,
      outcome: 'WARN_MEMBER',
      reason: 'spam',
    });
    await mutate(`mutation($input: AddModeratorNoteInput!) { addModeratorNote(input: $input) { id } }`, {
      memberId,
      text: 'Spoke to them.',
    });
    await mutate(`mutation($input: SetKpiTargetInput!) { setKpiTarget(input: $input) { id } }`, {
      kpi: 'TRAINING_COMPLETION_RATE',
      value: 0.5,
    });
    const privacyOfficer = await t.token(uid('po'), Role.PRIVACY_OFFICER);
    const erasedId = uid('m');
    await register(erasedId);
    await mutate(`mutation($input: RequestErasureInput!) { requestErasure(input: $input) { id } }`, { memberId: erasedId }, privacyOfficer);
    // The sealer runs every 200 ms: wait for the first seal.
    for (let tries = 0; tries < 100; tries++) {
      if (ok(await t.graphql<{ latestLogSeal: unknown }>(`{ latestLogSeal { id } }`, {}, { token: cm })).latestLogSeal) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }

    const objects = ok(
      await t.graphql<Record<string, unknown>>(
        `query($memberId: ID!, $groupId: ID!, $programmeId: ID!, $agreementId: ID!, $caseId: ID!) {
          member(id: $memberId) { __typename id }
          moderationCase(id: $caseId) { __typename id sanction { __typename id } }
          standing: memberStanding(memberId: $memberId) { notes { __typename id } }
          kpiDefinitions { __typename id }
          kpiTargets { __typename id }
          latestLogSeal { __typename id }
          sealKeys { __typename id }
          projections { __typename id }
          group(id: $groupId) { __typename id }
          memberStanding(memberId: $memberId) { __typename id }
          trainingProgramme(id: $programmeId) { __typename id modules { __typename id } }
          trainingEnrolment(programmeId: $programmeId, memberId: $memberId) { __typename id }
          certification(memberId: $memberId) { __typename id }
          certificationLevels { __typename id }
          ambassadors(first: 100) { edges { node { __typename id } } }
          agreement(id: $agreementId) { __typename id versions { __typename id } }
          agreementAcceptance(agreementId: $agreementId, memberId: $memberId) { __typename id }
          privacySettings(memberId: $memberId) { __typename id }
          governanceHistory(first: 1) { edges { node { __typename id } } }
        }`,
        { memberId, groupId, programmeId, agreementId, caseId },
        { token: cm },
      ),
    );
    // Consents and erasure requests are the member's own (or a privacy officer's) to read.
    const consents = ok(
      await t.graphql(`query($memberId: ID!) { consents(memberId: $memberId) { __typename id } }`, { memberId }, { token: member }),
    );
    const erasure = ok(
      await t.graphql(
        `query($memberId: ID!) { erasureRequest(memberId: $memberId) { __typename id } }`,
        { memberId: erasedId },
        {
          token: privacyOfficer,
        },
      ),
    );
    const all: Identified[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        if (typeof record.__typename === 'string' && typeof record.id === 'string')
          all.push({ __typename: record.__typename, id: record.id });
        Object.values(record).forEach(collect);
      }
    };
    collect(objects);
    collect(consents);
    collect(erasure);
    const typenames = new Set(all.map((object) => object.__typename));
    expect([...typenames].sort()).toEqual(
      [
        'Agreement',
        'AgreementAcceptance',
        'AgreementVersion',
        'Ambassador',
        'Certification',
        'CertificationLevel',
        'Consent',
        'ErasureRequest',
        'GovernanceEvent',
        'Group',
        'KpiDefinition',
        'KpiTarget',
        'LogSeal',
        'Member',
        'MemberStanding',
        'ModerationCase',
        'ModeratorNote',
        'PrivacySettings',
        'ProjectionStatus',
        'Sanction',
        'SealKey',
        'TrainingEnrolment',
        'TrainingModule',
        'TrainingProgramme',
      ].sort(),
    );
    // No two of these objects share an id (the new ids carry their type; the domain ids here are all different).
    expect(new Set(all.map((object) => `${object.__typename}:${object.id}`)).size).toBe(new Set(all.map((object) => object.id)).size);
    for (const object of all) {
      // Domain ids (Member, Group, ModerationCase, ...) never contain '/': node takes them as <Type>/<id>.
      const globalId = object.id.includes('/') ? object.id : `${object.__typename}/${object.id}`;
      const reader = ['Consent', 'ErasureRequest'].includes(object.__typename) ? privacyOfficer : cm;
      expect(ok(await node(globalId, reader)).node).toEqual({ __typename: object.__typename, id: object.id });
      // Stable: the same id on every read.
      expect(ok(await node(globalId, reader)).node).toEqual({ __typename: object.__typename, id: object.id });
      // And by the id exactly as it was answered (what Relay refetches with), domain ids included.
      expect(ok(await node(object.id, reader)).node).toEqual({ __typename: object.__typename, id: object.id });
    }
    refused(await node(all.find((object) => object.__typename === 'Consent')!.id, cm), 'FORBIDDEN');
  });

  test("node(id) refuses what the type's own query refuses: another member's standing, certification, settings", async () => {
    const memberId = uid('m');
    await register(memberId);
    const stranger = await t.token(uid('m'), Role.MEMBER);
    const self = await t.token(memberId, Role.MEMBER);
    for (const typename of ['MemberStanding', 'Certification', 'PrivacySettings']) {
      refused(await node(`${typename}/${memberId}`, stranger), 'FORBIDDEN');
      expect(ok(await node(`${typename}/${memberId}`, self)).node).toEqual({ __typename: typename, id: `${typename}/${memberId}` });
    }
    refused(await t.graphql(NODE, { id: `Certification/${memberId}` }), 'UNAUTHENTICATED');
  });

  test("a sanction and a moderator note are read as part of the member's standing: notes for staff only", async () => {
    const memberId = uid('m');
    await register(memberId);
    const self = await t.token(memberId, Role.MEMBER);
    const stranger = await t.token(uid('m'), Role.MEMBER);
    const caseId = (
      await mutate<{ id: string }>(
        `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
        { contentId: uid('post'), contentType: 'post', authorId: memberId, reason: 'SPAM' },
        stranger,
      )
    ).reportContent!.id;
    const decided = await mutate<{ sanction: { id: string } }>(
      `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { sanction { id } } }`,
      { caseId, outcome: 'WARN_MEMBER', reason: 'spam' },
    );
    const sanctionId = `Sanction/${decided.decideModerationCase!.sanction.id}`;
    const standing = await mutate<{ notes: { id: string }[] }>(
      `mutation($input: AddModeratorNoteInput!) { addModeratorNote(input: $input) { notes { id } } }`,
      { memberId, text: 'Spoke to them.' },
    );
    const noteId = `ModeratorNote/${standing.addModeratorNote!.notes[0]!.id}`;

    expect(ok(await node(sanctionId, self)).node).toEqual({ __typename: 'Sanction', id: decided.decideModerationCase!.sanction.id });
    refused(await node(sanctionId, stranger), 'FORBIDDEN');
    // The member's own standing leaves the staff notes out.
    expect(ok(await node(noteId, self)).node).toBeNull();
    refused(await node(noteId, stranger), 'FORBIDDEN');
    // Whether an id names anything is told to staff only.
    expect(ok(await node('Sanction/no-such-sanction', cm)).node).toBeNull();
    refused(await node('Sanction/no-such-sanction', stranger), 'FORBIDDEN');
    refused(await node('ModeratorNote/no-such-note', stranger), 'FORBIDDEN');
  });

  describe('a GovernanceEvent: node(GovernanceEvent/<event id>) is the event governanceHistory shows, to whom it shows it', () => {
    const EVENT_FIELDS = `id position streamId revision type data recordedAt schemaVersion hash
      metadata { actorId actorRoles authority reason correlationId causationId commandId source occurredAt }`;
    const HISTORY = `query($filter: GovernanceHistoryFilter) { governanceHistory(filter: $filter, first: 50) { edges { node { ${EVENT_FIELDS} } } } }`;
    const EVENT_NODE = `query($id: ID!) { node(id: $id) { __typename ... on GovernanceEvent { ${EVENT_FIELDS} } } }`;
    type Shown = Record<string, unknown> & { id: string; streamId: string };
    const history = (streamId: string, token: string) =>
      t.graphql<{ governanceHistory: { edges: { node: Shown }[] } | null }>(HISTORY, { filter: { streamId } }, { token });
    const eventNode = (eventId: string, token?: string) =>
      t.graphql<{ node: (Shown & { __typename: string }) | null }>(
        EVENT_NODE,
        { id: `GovernanceEvent/${eventId}` },
        token ? { token } : {},
      );

    /** A member with a few events in their member stream, as governanceHistory shows them to a community manager. */
    async function memberWithHistory(): Promise<{ memberId: string; events: Shown[] }> {
      const memberId = uid('m');
      await register(memberId);
      await mutate(`mutation($input: UpdateMemberInput!) { updateMember(input: $input) { id } }`, { memberId, department: 'Research' });
      const events = ok(await history(`member-${memberId}`, cm)).governanceHistory!.edges.map((edge) => edge.node);
      expect(events.length).toBeGreaterThanOrEqual(2);
      return { memberId, events };
    }

    test('a community manager and an auditor get every field as governanceHistory shows it', async () => {
      const { events } = await memberWithHistory();
      const auditor = await t.token(uid('auditor'), Role.AUDITOR);
      for (const shown of events) {
        expect(ok(await eventNode(shown.id, cm)).node).toEqual({ __typename: 'GovernanceEvent', ...shown });
        expect(ok(await eventNode(shown.id, auditor)).node).toEqual({ __typename: 'GovernanceEvent', ...shown });
      }
    });

    test('whoever governanceHistory refuses is refused the same, existing event or not', async () => {
      const { memberId, events } = await memberWithHistory();
      const self = await t.token(memberId, Role.MEMBER);
      const owner = await t.token(uid('owner'), Role.GROUP_OWNER);
      for (const token of [self, owner]) {
        refused(await history(`member-${memberId}`, token), 'FORBIDDEN');
        refused(await eventNode(events[0]!.id, token), 'FORBIDDEN');
        refused(await eventNode(randomUUID(), token), 'FORBIDDEN');
        // Refused before the id is looked at: a malformed one tells them nothing either.
        refused(await eventNode('not-a-uuid', token), 'FORBIDDEN');
      }
      refused(await eventNode(events[0]!.id), 'UNAUTHENTICATED');
    });

    test('a privacy officer reads the events of a member who made a privacy request, and learns of no other', async () => {
      const privacyOfficer = await t.token(uid('po'), Role.PRIVACY_OFFICER);
      const requester = await memberWithHistory();
      await mutate(
        `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { id } }`,
        { memberId: requester.memberId },
        await t.token(requester.memberId, Role.MEMBER),
      );
      // As governanceHistory shows the stream to the privacy officer now (after the erasure, too).
      const shown = ok(await history(`member-${requester.memberId}`, privacyOfficer)).governanceHistory!.edges.map((edge) => edge.node);
      expect(shown.map((event) => event.id)).toEqual(requester.events.map((event) => event.id));
      for (const event of shown) {
        expect(ok(await eventNode(event.id, privacyOfficer)).node).toEqual({ __typename: 'GovernanceEvent', ...event });
      }

      const other = await memberWithHistory();
      refused(await history(`member-${other.memberId}`, privacyOfficer), 'FORBIDDEN');
      const existing = await eventNode(other.events[0]!.id, privacyOfficer);
      const missing = await eventNode(randomUUID(), privacyOfficer);
      const malformed = await eventNode('not-a-uuid', privacyOfficer);
      for (const answer of [existing, missing, malformed]) refused(answer, 'FORBIDDEN');
      // The same refusal whether the event exists or not: nothing in it tells them apart (nor names the stream).
      expect(existing.errors![0]!.message).toBe(missing.errors![0]!.message);
      expect(existing.errors![0]!.message).toBe(malformed.errors![0]!.message);
      expect(existing.errors![0]!.message).not.toContain(other.memberId);
    });

    test('an event id that names no event is null; a malformed one is BAD_USER_INPUT', async () => {
      expect(ok(await eventNode(randomUUID(), cm)).node).toBeNull();
      const { events } = await memberWithHistory();
      for (const id of ['not-a-uuid', events[0]!.id.toUpperCase(), `${events[0]!.id}/1`, `${events[0]!.id}x`]) {
        refused(await eventNode(id, cm), 'BAD_USER_INPUT');
      }
    });
  });

  test('a domain id alone: the one object of any type that has it, null for none, BAD_USER_INPUT when two types share it', async () => {
    const shared = uid('x');
    expect(ok(await node(shared, cm)).node).toBeNull();
    await register(shared);
    expect(ok(await node(shared, cm)).node).toEqual({ __typename: 'Member', id: shared });
    await mutate(`mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`, { groupId: shared, name: 'Same id' });
    const ambiguous = await node(shared, cm);
    refused(ambiguous, 'BAD_USER_INPUT');
    expect(ambiguous.errors![0]!.message).toBe(
      `Group and Member both have the id ${shared}: ask for one as <Type>/<id>, e.g. Group/${shared}`,
    );
    // The typed form always answers.
    expect(ok(await node(`Group/${shared}`, cm)).node).toEqual({ __typename: 'Group', id: shared });
    expect(ok(await node(`Member/${shared}`, cm)).node).toEqual({ __typename: 'Member', id: shared });
  });

  test('a domain id alone tells no more than the types’ own queries: what the caller may not read is not found', async () => {
    const authorId = uid('m-author');
    await register(authorId);
    const note = ok(
      await t.graphql<{ addModeratorNote: { notes: { id: string }[] } }>(
        `mutation($input: AddModeratorNoteInput!) { addModeratorNote(input: $input) { notes { id } } }`,
        { input: { memberId: authorId, text: 'Reminded about the guidelines' } },
        { token: cm },
      ),
    ).addModeratorNote.notes[0]!.id;
    expect(ok(await node(note, cm)).node).toEqual({ __typename: 'ModeratorNote', id: note });
    // Notes are staff-only: to the member, the bare id names nothing (the typed form is FORBIDDEN, as memberStanding's notes are).
    expect(ok(await node(note, await t.token(authorId, Role.MEMBER))).node).toBeNull();
  });

  test('an id that names nothing is null; one that is not a global id is BAD_USER_INPUT', async () => {
    expect(ok(await node('Certification/nobody-here', cm)).node).toBeNull();
    expect(ok(await node('TrainingProgramme/no-such-programme', cm)).node).toBeNull();
    for (const id of ['Nonsense/x', 'Certification/a/b', 'Certification/%zz', 'Certification/a%2Fb%2', '', 'not an id!']) {
      refused(await node(id, cm), 'BAD_USER_INPUT');
    }
  });
});
