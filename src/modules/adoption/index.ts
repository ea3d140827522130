/**
 * Adoption (issue 24): how lively the groups are, as aggregates per group and period imported from the platform's
 * own usage reports. Never per-person activity.
 */
import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { AdoptionModule as AdoptionNestModule } from './adoption.module.ts';
import { GROUP_ACTIVITY_EVENT_SCHEMAS, GROUP_ACTIVITY_STREAM_CATEGORY, groupActivityDecider } from './group-activity.decider.ts';
import { GROUP_MAPPING_EVENT_SCHEMAS, GROUP_MAPPING_STREAM_CATEGORY, groupMappingDecider } from './group-mapping.decider.ts';
import { groupMappingsProjection } from './read-models/group-mappings.projection.ts';
export * from './group-activity.decider.ts';
export * from './group-mapping.decider.ts';
export { MAX_ACTIVITY_ROWS, GENERIC_COLUMNS, parseActivityReport } from './activity-report.ts';
export { AdoptionModule } from './adoption.module.ts';

export const adoptionModule = governanceModule({
  name: 'adoption',
  streams: [
    stream(GROUP_ACTIVITY_STREAM_CATEGORY, groupActivityDecider, GROUP_ACTIVITY_EVENT_SCHEMAS),
    stream(GROUP_MAPPING_STREAM_CATEGORY, groupMappingDecider, GROUP_MAPPING_EVENT_SCHEMAS),
  ],
  projections: [groupMappingsProjection],
  nestModule: AdoptionNestModule,
});
