import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ActivityReportFormat } from '../group-activity.decider.ts';
import type { MappingKind } from './group-mappings.projection.ts';

/** A row of the `read_models.external_group_mappings` view: one platform key mapped to one of our groups. */
@Entity({ schema: 'read_models', name: 'external_group_mappings', synchronize: false })
export class GroupMappingRecord {
  @PrimaryColumn({ name: 'mapping_key', type: 'text' })
  mappingKey!: string;

  @Column({ type: 'text' })
  format!: ActivityReportFormat;

  @Column({ type: 'text' })
  kind!: MappingKind;

  /** The external id, or the name as the community manager wrote it. */
  @Column({ name: 'external_value', type: 'text' })
  externalValue!: string;

  /** The external id, or matchableName(name): what a report's row is compared with. */
  @Column({ name: 'match_key', type: 'text' })
  matchKey!: string;

  @Column({ name: 'group_id', type: 'text' })
  groupId!: string;

  @Column({ name: 'mapped_by', type: 'text' })
  mappedBy!: string;

  @Column({ name: 'mapped_at', type: 'timestamptz' })
  mappedAt!: Date;
}
