import { randomUUID } from 'node:crypto';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

// A DateTime the service is given must be a date and time: found by the hostile-input test (seed 1614040439), a
// decision with `suspendUntil: "not a date"` reached the command pipeline as an invalid Date and answered
// INTERNAL_SERVER_ERROR. The scalar now refuses it as bad input before any resolver runs, wherever a DateTime is taken.

describe('DateTime inputs', () => {
  let t: TestService;
  let cm: string;

  beforeAll(async () => {
    t = await startTestService();
    cm = await t.token('cm-1', Role.COMMUNITY_MANAGER);
  });
  afterAll(async () => {
    await t?.close();
  });

  const DECIDE = `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id } }`;
  const STATE_AT = `query($at: DateTime) { streamStateAt(streamId: "group-none", at: $at) { revision } }`;

  test.each([['not a date'], ['2026-02-30T10:00:00Z'], ['2026-12-05'], ['2026-12-05T10:00:00'], [1764930000000], [true]])(
    'a variable %p is BAD_USER_INPUT, in a mutation (which appends nothing) and in a query',
    async (value) => {
      const before = await t.eventCount();
      const decided = await t.graphql(
        DECIDE,
        { input: { caseId: 'c:1', outcome: 'NO_ACTION', reason: 'r', suspendUntil: value, commandId: `cmd-${randomUUID()}` } },
        { token: cm },
      );
      expect(decided.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(decided.errors?.[0]?.message).toMatch(/DateTime/);
      expect(await t.eventCount()).toBe(before);
      const read = await t.graphql(STATE_AT, { at: value }, { token: cm });
      expect(read.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    },
  );

  test('a literal that is no date and time is refused before anything runs', async () => {
    const read = await t.graphql(`{ streamStateAt(streamId: "group-none", at: "yesterday") { revision } }`, {}, { token: cm });
    expect(read.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(read.errors?.[0]?.message).toMatch(/DateTime/);
  });

  test('a date and time with an offset or fractions is taken as the instant it names', async () => {
    const read = await t.graphql<{ streamStateAt: { revision: number } }>(STATE_AT, { at: '2026-12-05T10:00:00.5+01:00' }, { token: cm });
    // The stream does not exist: refused as NOT_FOUND (or answered), but never as bad input.
    expect(read.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('BAD_USER_INPUT');
    expect(read.errors?.map((e) => e.extensions?.code) ?? []).not.toContain('INTERNAL_SERVER_ERROR');
  });
});
