import type pg from 'pg';
import type { StoredEvent } from '#event-store';
import type { ProjectionContext } from '#projections';
import { columns, readModelProjection, readModelTable, type RowOf } from '../../../platform/infrastructure/read-model-table.ts';
import {
  ENROLMENT_STATUSES,
  isTrainingEnrolmentEvent,
  TRAINING_ENROLMENT_STREAM_CATEGORY,
  type EnrolledModule,
  type TrainingEnrolmentEvent,
} from '../training-enrolment.decider.ts';
import {
  isTrainingProgrammeEvent,
  TRAINING_PROGRAMME_STREAM_CATEGORY,
  type TrainingModuleDefinition,
  type TrainingProgrammeEvent,
} from '../training-programme.decider.ts';

export const TRAINING_PROJECTION = 'training';

/** A programme's current definition. */
export const TRAINING_PROGRAMMES = readModelTable('training_programmes', {
  programmeId: columns.text().primary(),
  title: columns.text(),
  modules: columns.jsonb<TrainingModuleDefinition[]>(),
  definedAt: columns.timestamptz(),
  updatedAt: columns.timestamptz(),
  /** The revision of the programme's stream: each definition is one. */
  revision: columns.int(),
});
export type TrainingProgrammeRow = RowOf<typeof TRAINING_PROGRAMMES>;
export const TRAINING_PROGRAMMES_TABLE = TRAINING_PROGRAMMES.name;

/** A member's enrolment in a programme: the revision and modules enrolled in. */
export const TRAINING_ENROLMENTS = readModelTable(
  'training_enrolments',
  {
    programmeId: columns.text().primary(),
    memberId: columns.text().primary(),
    status: columns.text().oneOf(ENROLMENT_STATUSES),
    programmeRevision: columns.int(),
    modules: columns.jsonb<EnrolledModule[]>(),
    /** Module ids in completion order. */
    completedModules: columns.jsonb<string[]>().default("'[]'"),
    enrolledAt: columns.timestamptz(),
    completedAt: columns.timestamptz().nullable(),
    endedAt: columns.timestamptz().nullable(),
    updatedAt: columns.timestamptz(),
    revision: columns.int(),
  },
  {
    indexes: [
      // A member's enrolments (what certification asks about).
      '(member_id)',
    ],
  },
);
export type TrainingEnrolmentRow = RowOf<typeof TRAINING_ENROLMENTS>;
export const TRAINING_ENROLMENTS_TABLE = TRAINING_ENROLMENTS.name;

/**
 * Programmes (their current definition) and enrolments (the revision and modules enrolled in, completed modules in
 * completion order). Evidence is personal data and is not copied here: only the events hold it, encrypted.
 */
export const trainingProjection = readModelProjection<StoredEvent>({
  name: TRAINING_PROJECTION,
  // 2: FAILED and WITHDRAWN, and ended_at.
  version: 2,
  tables: [TRAINING_PROGRAMMES, TRAINING_ENROLMENTS],
  filter: { categories: [TRAINING_PROGRAMME_STREAM_CATEGORY, TRAINING_ENROLMENT_STREAM_CATEGORY] },

  async apply(events, client, ctx) {
    for (const event of events) {
      if (isTrainingProgrammeEvent(event)) await applyProgrammeEvent(event as StoredEvent & TrainingProgrammeEvent, client, ctx);
      else if (isTrainingEnrolmentEvent(event)) await applyEnrolmentEvent(event as StoredEvent & TrainingEnrolmentEvent, client, ctx);
    }
  },
});

async function applyProgrammeEvent(
  event: StoredEvent & TrainingProgrammeEvent,
  client: pg.ClientBase,
  ctx: ProjectionContext,
): Promise<void> {
  switch (event.type) {
    case 'TrainingProgrammeDefined':
    case 'TrainingProgrammeRedefined': {
      const d = event.data;
      await client.query(
        `INSERT INTO ${ctx.table(TRAINING_PROGRAMMES_TABLE)} (programme_id, title, modules, defined_at, updated_at, revision)
         VALUES ($1, $2, $3::jsonb, $4, $4, $5)
         ON CONFLICT (programme_id) DO UPDATE SET title = $2, modules = $3::jsonb, updated_at = $4, revision = $5`,
        [d.programmeId, d.title, JSON.stringify(d.modules), d.definedAt, event.revision],
      );
      return;
    }
    default:
      return unhandled(event);
  }
}

async function applyEnrolmentEvent(
  event: StoredEvent & TrainingEnrolmentEvent,
  client: pg.ClientBase,
  ctx: ProjectionContext,
): Promise<void> {
  const enrolments = ctx.table(TRAINING_ENROLMENTS_TABLE);
  switch (event.type) {
    case 'MemberEnrolledInTraining': {
      const d = event.data;
      // Enrolling again after a failure or a withdrawal starts over: the programme as it is now, no module completed.
      await client.query(
        `INSERT INTO ${enrolments} (programme_id, member_id, status, programme_revision, modules, enrolled_at, updated_at, revision)
         VALUES ($1, $2, 'ENROLLED', $3, $4::jsonb, $5, $5, $6)
         ON CONFLICT (programme_id, member_id) DO UPDATE
            SET status = 'ENROLLED', programme_revision = $3, modules = $4::jsonb, completed_modules = '[]', enrolled_at = $5,
                completed_at = NULL, ended_at = NULL, updated_at = $5, revision = $6`,
        [d.programmeId, d.memberId, d.programmeRevision, JSON.stringify(d.modules), d.enrolledAt, event.revision],
      );
      return;
    }
    case 'MemberWithdrewFromTraining':
    case 'TrainingEnrolmentFailed': {
      // The reason is personal data and stays in the event, encrypted.
      const withdrawn = event.type === 'MemberWithdrewFromTraining';
      const endedAt = withdrawn ? event.data.withdrawnAt : event.data.failedAt;
      await client.query(
        `UPDATE ${enrolments} SET status = $3, ended_at = $4, updated_at = $4, revision = $5 WHERE programme_id = $1 AND member_id = $2`,
        [event.data.programmeId, event.data.memberId, withdrawn ? 'WITHDRAWN' : 'FAILED', endedAt, event.revision],
      );
      return;
    }
    case 'TrainingModuleCompleted': {
      const d = event.data;
      // The decider records a module once; a repeated one is ignored here too.
      await client.query(
        `UPDATE ${enrolments}
            SET completed_modules = CASE WHEN completed_modules @> jsonb_build_array($3::text) THEN completed_modules
                                         ELSE completed_modules || jsonb_build_array($3::text) END,
                status = CASE WHEN status = 'ENROLLED' THEN 'IN_PROGRESS' ELSE status END,
                updated_at = $4, revision = $5
          WHERE programme_id = $1 AND member_id = $2`,
        [d.programmeId, d.memberId, d.moduleId, d.completedAt, event.revision],
      );
      return;
    }
    case 'TrainingEnrolmentCompleted': {
      const d = event.data;
      await client.query(
        `UPDATE ${enrolments} SET status = 'COMPLETED', completed_at = $3, updated_at = $3, revision = $4
          WHERE programme_id = $1 AND member_id = $2`,
        [d.programmeId, d.memberId, d.completedAt, event.revision],
      );
      return;
    }
    default:
      return unhandled(event);
  }
}

function unhandled(event: never): void {
  void event;
}
