import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A row of the `read_models.moderator_notes` view (the moderation projection's current generation). */
@Entity({ schema: 'read_models', name: 'moderator_notes', synchronize: false })
export class ModeratorNoteRecord {
  @PrimaryColumn({ name: 'member_id', type: 'text' })
  memberId!: string;

  @PrimaryColumn({ name: 'note_id', type: 'text' })
  noteId!: string;

  /** Personal data of the member: "[redacted]" after an erasure once the read model is rebuilt. */
  @Column({ type: 'text' })
  text!: string;

  @Column({ name: 'author_id', type: 'text' })
  authorId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'boolean' })
  retracted!: boolean;

  @Column({ name: 'retracted_at', type: 'timestamptz', nullable: true })
  retractedAt!: Date | null;
}
