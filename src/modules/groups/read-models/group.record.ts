import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A row of the `read_models.groups` view (the groups projection's current generation). */
@Entity({ schema: 'read_models', name: 'groups', synchronize: false })
export class GroupRecord {
  @PrimaryColumn({ name: 'group_id', type: 'text' })
  groupId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', array: true })
  owners!: string[];

  @Column({ type: 'boolean' })
  archived!: boolean;

  @Column({ name: 'requires_certification', type: 'boolean' })
  requiresCertification!: boolean;

  @Column({ type: 'int' })
  revision!: number;
}
