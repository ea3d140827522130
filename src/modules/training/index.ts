import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import {
  TRAINING_ENROLMENT_EVENT_SCHEMAS as ENROLMENT_SCHEMAS,
  TRAINING_ENROLMENT_STREAM_CATEGORY,
  trainingEnrolmentDecider,
} from './training-enrolment.decider.ts';
import {
  TRAINING_PROGRAMME_EVENT_SCHEMAS as PROGRAMME_SCHEMAS,
  TRAINING_PROGRAMME_STREAM_CATEGORY,
  trainingProgrammeDecider,
} from './training-programme.decider.ts';
import { trainingProjection } from './read-models/training.projection.ts';
import { TrainingModule as TrainingNestModule } from './training.module.ts';
import type { EventSchemaDefinition } from '#event-store';
import { TRAINING_ENROLMENT_EVENT_SCHEMAS } from './training-enrolment.decider.ts';
import { TRAINING_PROGRAMME_EVENT_SCHEMAS } from './training-programme.decider.ts';

export * from './training-programme.decider.ts';
export * from './training-enrolment.decider.ts';
export * from './training-streams.ts';
export * from './read-models/training.projection.ts';
export { TrainingModule } from './training.module.ts';

/** Every training event type: programmes and enrolments. */
export const TRAINING_EVENT_SCHEMAS: EventSchemaDefinition[] = [...TRAINING_PROGRAMME_EVENT_SCHEMAS, ...TRAINING_ENROLMENT_EVENT_SCHEMAS];

/** Training: programmes of modules and members' enrolments in them. */
export const trainingModule = governanceModule({
  name: 'training',
  streams: [
    stream(TRAINING_PROGRAMME_STREAM_CATEGORY, trainingProgrammeDecider, PROGRAMME_SCHEMAS),
    stream(TRAINING_ENROLMENT_STREAM_CATEGORY, trainingEnrolmentDecider, ENROLMENT_SCHEMAS),
  ],
  projections: [trainingProjection],
  nestModule: TrainingNestModule,
});
