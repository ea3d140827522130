import { Role } from '../../platform/auth/role.ts';
import { useCasesFor, type UseCaseRequest } from '../../platform/command/use-case.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { readGroupOwnership } from '../groups/index.ts';
import type { ExternalGroupMapping, MapExternalGroupInput, UnmapExternalGroupInput } from './adoption.graphql.ts';
import { groupMappingDecider, groupMappingStreamId } from './group-mapping.decider.ts';
import { GROUP_MAPPINGS_PROJECTION } from './read-models/group-mappings.projection.ts';
import { groupMappingsOf } from './read-models/group-mappings.queries.ts';

const mappingUseCase = useCasesFor(groupMappingDecider);

/**
 * What both mutations share: the community team, who import the reports, say which platform group is which of ours;
 * the answer is the group's mappings on that platform as they now are.
 */
const mappingAdministration = {
  roles: [Role.COMMUNITY_MANAGER],
  readModels: [GROUP_MAPPINGS_PROJECTION],
  stream: ({ input }: UseCaseRequest<MapExternalGroupInput>) => groupMappingStreamId(input.format),
  answer: ({ input, services }: UseCaseRequest<MapExternalGroupInput>) => groupMappingsOf(services.db, input.format, input.groupId),
} as const;

const keysOf = (input: MapExternalGroupInput) => ({
  format: input.format,
  externalId: input.externalId ?? null,
  externalName: input.externalName ?? null,
  groupId: requireId(input.groupId, 'groupId'),
});

export const mapExternalGroup = mappingUseCase<MapExternalGroupInput, ExternalGroupMapping[]>({
  ...mappingAdministration,
  action: 'mapping an external group',
  command: async ({ input, actor, services }, { at }) => {
    const keys = keysOf(input);
    // The group's own stream says whether it exists: the groups read model may not hold a group created just before.
    const groupExists = (await readGroupOwnership(services.events, keys.groupId)) !== null;
    return { type: 'MapExternalGroup', ...keys, groupExists, actorId: actor.id, at };
  },
});

export const unmapExternalGroup = mappingUseCase<UnmapExternalGroupInput, ExternalGroupMapping[]>({
  ...mappingAdministration,
  action: 'unmapping an external group',
  command: ({ input, actor }, { at }) => ({ type: 'UnmapExternalGroup', ...keysOf(input), actorId: actor.id, at }),
});
