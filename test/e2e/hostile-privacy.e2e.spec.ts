import { randomUUID } from 'node:crypto';
import { Role } from '../../src/platform/auth/role.ts';
import { eventCount } from '../security/schema-operations.ts';
import { must } from '../security/world.ts';
import { startTestService, type GraphQLResponse, type TestService } from '../support/test-service.ts';

const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`;
const UPDATE_MEMBER = `mutation($input: UpdateMemberInput!) { updateMember(input: $input) { id } }`;
const LEFT = `mutation($input: RecordMemberLeftInput!) { recordMemberLeft(input: $input) { id } }`;
const SETTINGS = `query($memberId: ID!) { privacySettings(memberId: $memberId) { memberId } }`;
const CONSENTS = `query($memberId: ID!) { consents(memberId: $memberId) { purpose } }`;
const ERASURE = `query($memberId: ID!) { erasureRequest(memberId: $memberId) { status } }`;
const UPDATE_SETTINGS = `mutation($input: UpdatePrivacySettingsInput!) { updatePrivacySettings(input: $input) { directoryListed } }`;
const GIVE = `mutation($input: ConsentInput!) { giveConsent(input: $input) { purpose } }`;
const WITHDRAW = `mutation($input: ConsentInput!) { withdrawConsent(input: $input) { purpose } }`;
const ERASE = `mutation($input: RequestErasureInput!) { requestErasure(input: $input) { status } }`;
const MEMBER = `query($id: ID!) { member(id: $id) { id displayName } }`;
const MEMBERS = `query($department: String, $first: Int, $after: String) {
  members(department: $department, first: $first, after: $after) { totalCount edges { node { id } } pageInfo { hasNextPage endCursor } }
}`;
const HISTORY = `query($streamId: String!) { governanceHistory(filter: { streamId: $streamId }, first: 10) { edges { node { type } } } }`;
const STATE_AT = `query($streamId: String!) { streamStateAt(streamId: $streamId, revision: 0) { revision } }`;

type Members = { members: { totalCount: number; edges: { node: { id: string } }[]; pageInfo: { hasNextPage: boolean } } };

const code = (response: GraphQLResponse) => response.errors?.[0]?.extensions?.code ?? 'OK';

describe('hostile callers of the members and privacy modules', () => {
  let t: TestService;
  let manager: string;
  let auditor: string;
  let officer: string;
  let plain: string;
  let owner: string;

  const uid = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
  const register = (memberId: string, department: string) =>
    must(t, `register ${memberId}`, REGISTER, { input: { memberId, displayName: `Name of ${memberId}`, department } }, manager);
  const list = async (token: string, department: string, first = 10) =>
    (await must<Members>(t, 'members', MEMBERS, { department, first }, token)).members;
  const ids = (page: Members['members']) => page.edges.map((edge) => edge.node.id);

  beforeAll(async () => {
    t = await startTestService({ env: { SCHEDULER_INTERVAL_MS: '3600000' } });
    manager = await t.token('hp-cm', Role.COMMUNITY_MANAGER);
    auditor = await t.token('hp-auditor', Role.AUDITOR);
    officer = await t.token('hp-po', Role.PRIVACY_OFFICER);
    plain = await t.token('hp-member', Role.MEMBER);
    // A GROUP_OWNER claim is not staff: it sees the directory as any member does.
    owner = await t.token('hp-owner', Role.GROUP_OWNER);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('directoryListed (item 4): an unlisted member is hidden from other members, not from staff or themself', () => {
    let department: string;
    let listed: string;
    let hidden: string;
    let hiddenToo: string;

    beforeAll(async () => {
      department = uid('dept');
      // Ids ordered as the directory pages them (by id): listed first, then the two unlisted ones.
      [listed, hidden, hiddenToo] = [`${department}-a`, `${department}-b`, `${department}-c`];
      for (const memberId of [listed, hidden, hiddenToo]) await register(memberId, department);
      await must(t, 'list', UPDATE_SETTINGS, { input: { memberId: listed, directoryListed: true } }, await t.token(listed, Role.MEMBER));
    });

    test('another member (or a GROUP_OWNER) sees only the listed member: in the page, its total and member(id)', async () => {
      for (const token of [plain, owner]) {
        const page = await list(token, department);
        expect({ ids: ids(page), totalCount: page.totalCount }).toEqual({ ids: [listed], totalCount: 1 });
        // Paging one at a time does not reveal that more (unlisted) members follow.
        expect((await list(token, department, 1)).pageInfo.hasNextPage).toBe(false);
        expect((await t.graphql(MEMBER, { id: hidden }, { token })).data).toEqual({ member: null });
        expect((await t.graphql(MEMBER, { id: listed }, { token })).data).toEqual({
          member: { id: listed, displayName: `Name of ${listed}` },
        });
      }
    });

    test('an unlisted member sees themself, and the listed member, never the other unlisted one', async () => {
      const self = await t.token(hidden, Role.MEMBER);
      const page = await list(self, department);
      expect({ ids: ids(page), totalCount: page.totalCount }).toEqual({ ids: [listed, hidden], totalCount: 2 });
      expect((await t.graphql(MEMBER, { id: hidden }, { token: self })).data).toEqual({
        member: { id: hidden, displayName: `Name of ${hidden}` },
      });
      expect((await t.graphql(MEMBER, { id: hiddenToo }, { token: self })).data).toEqual({ member: null });
    });

    test('staff (community manager, auditor, privacy officer) see everyone', async () => {
      for (const token of [manager, auditor, officer]) {
        const page = await list(token, department);
        expect({ ids: ids(page), totalCount: page.totalCount }).toEqual({ ids: [listed, hidden, hiddenToo], totalCount: 3 });
        expect((await t.graphql(MEMBER, { id: hidden }, { token })).data).toEqual({
          member: { id: hidden, displayName: `Name of ${hidden}` },
        });
      }
    });

    test('unlisting takes effect at once, and listing again too', async () => {
      const self = await t.token(listed, Role.MEMBER);
      await must(t, 'unlist', UPDATE_SETTINGS, { input: { memberId: listed, directoryListed: false } }, self);
      expect((await list(plain, department)).totalCount).toBe(0);
      expect((await t.graphql(MEMBER, { id: listed }, { token: plain })).data).toEqual({ member: null });
      await must(t, 'list again', UPDATE_SETTINGS, { input: { memberId: listed, directoryListed: true } }, officer);
      expect(ids(await list(plain, department))).toEqual([listed]);
    });
  });

  describe('role before input (item 15): a caller who may not act is refused as such, whatever ids it sends', () => {
    const MALFORMED = ['not an id!', 'm\u0000nul', 'x'.repeat(5_000)];

    /** Every answer's code per caller, and that nothing was appended meanwhile. */
    async function codes(document: string, variables: (badId: string) => Record<string, unknown>, callers: Record<string, string | null>) {
      const before = await eventCount(t);
      const seen: Record<string, string[]> = {};
      for (const [caller, token] of Object.entries(callers)) {
        seen[caller] = [];
        for (const badId of MALFORMED) {
          seen[caller].push(code(await t.graphql(document, variables(badId), token ? { token } : {})));
        }
      }
      expect(await eventCount(t)).toBe(before);
      return seen;
    }
    const all = (value: string) => MALFORMED.map(() => value);

    test.each([
      ['registerMember', REGISTER, (memberId: string) => ({ input: { memberId, displayName: 'X', department: 'Y' } })],
      ['updateMember', UPDATE_MEMBER, (memberId: string) => ({ input: { memberId, department: 'Y' } })],
      ['recordMemberLeft', LEFT, (memberId: string) => ({ input: { memberId } })],
    ])(
      '%s: FORBIDDEN without COMMUNITY_MANAGER, UNAUTHENTICATED without a token, BAD_USER_INPUT for a manager',
      async (_name, document, variables) => {
        expect(await codes(document, variables, { anonymous: null, member: plain, owner, officer, manager })).toEqual({
          anonymous: all('UNAUTHENTICATED'),
          member: all('FORBIDDEN'),
          owner: all('FORBIDDEN'),
          officer: all('FORBIDDEN'),
          manager: all('BAD_USER_INPUT'),
        });
      },
    );

    test.each([
      ['updatePrivacySettings', UPDATE_SETTINGS, (memberId: string) => ({ input: { memberId, directoryListed: true } })],
      ['requestErasure', ERASE, (memberId: string) => ({ input: { memberId } })],
      ['consents', CONSENTS, (memberId: string) => ({ memberId })],
      ['erasureRequest', ERASURE, (memberId: string) => ({ memberId })],
    ])('%s: FORBIDDEN for anyone but a privacy officer, who gets BAD_USER_INPUT', async (_name, document, variables) => {
      expect(await codes(document, variables, { anonymous: null, member: plain, manager, officer })).toEqual({
        anonymous: all('UNAUTHENTICATED'),
        member: all('FORBIDDEN'),
        manager: all('FORBIDDEN'),
        officer: all('BAD_USER_INPUT'),
      });
    });

    test('privacySettings: FORBIDDEN for a member, BAD_USER_INPUT for a community manager or privacy officer', async () => {
      expect(await codes(SETTINGS, (memberId) => ({ memberId }), { anonymous: null, member: plain, manager, officer })).toEqual({
        anonymous: all('UNAUTHENTICATED'),
        member: all('FORBIDDEN'),
        manager: all('BAD_USER_INPUT'),
        officer: all('BAD_USER_INPUT'),
      });
    });

    test.each([
      ['giveConsent', GIVE],
      ['withdrawConsent', WITHDRAW],
    ])('%s is the member’s own act: a malformed id is nobody’s, so FORBIDDEN for everyone', async (_name, document) => {
      const variables = (memberId: string) => ({ input: { memberId, purpose: 'newsletter' } });
      expect(await codes(document, variables, { anonymous: null, member: plain, officer })).toEqual({
        anonymous: all('UNAUTHENTICATED'),
        member: all('FORBIDDEN'),
        officer: all('FORBIDDEN'),
      });
    });
  });

  describe("the privacy officer's scope (item 16): the streams of a member who made a privacy (erasure) request", () => {
    test('a member who only changed settings and consent is not opened to the privacy officer', async () => {
      const memberId = uid('consenting');
      await register(memberId, 'Legal');
      const self = await t.token(memberId, Role.MEMBER);
      await must(t, 'consent', GIVE, { input: { memberId, purpose: 'newsletter' } }, self);
      await must(t, 'withdraw', WITHDRAW, { input: { memberId, purpose: 'newsletter' } }, self);
      await must(t, 'settings', UPDATE_SETTINGS, { input: { memberId, directoryListed: true } }, self);
      for (const streamId of [`member-${memberId}`, `privacy-${memberId}`]) {
        for (const document of [HISTORY, STATE_AT]) {
          const refused = await t.graphql(document, { streamId }, { token: officer });
          expect({ streamId, code: code(refused), message: refused.errors?.[0]?.message }).toEqual({
            streamId,
            code: 'FORBIDDEN',
            message: expect.stringMatching(new RegExp(`member ${memberId} has made no privacy request`)) as unknown as string,
          });
        }
      }
      // Staff still read it.
      expect(code(await t.graphql(STATE_AT, { streamId: `privacy-${memberId}` }, { token: auditor }))).toBe('OK');
    });

    test('a member who requested erasure is: their member and privacy streams, one at a time', async () => {
      const memberId = uid('requester');
      await register(memberId, 'Legal');
      await must(t, 'erasure', ERASE, { input: { memberId } }, await t.token(memberId, Role.MEMBER));
      const history = await t.graphql<{ governanceHistory: { edges: { node: { type: string } }[] } }>(
        HISTORY,
        { streamId: `privacy-${memberId}` },
        { token: officer },
      );
      expect(history.data?.governanceHistory.edges.map((edge) => edge.node.type)).toEqual(['ErasureCompleted', 'ErasureRequested']);
      expect(code(await t.graphql(STATE_AT, { streamId: `member-${memberId}` }, { token: officer }))).toBe('OK');
    });
  });
});
