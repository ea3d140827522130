import type { TestService } from './test-service.ts';

/** Creates the groups `[groupId, name]` over the API as `token`'s holder; fails the test on any error. */
export async function createGroups(t: TestService, token: string, groups: readonly (readonly [string, string])[]): Promise<void> {
  for (const [groupId, name] of groups) {
    const answer = await t.graphql(
      `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
      { input: { groupId, name } },
      { token },
    );
    expect(answer.errors).toBeUndefined();
  }
}
