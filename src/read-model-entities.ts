import { AGREEMENTS_READ_MODEL_ENTITIES } from './modules/agreements/index.ts';
import { AMBASSADORS_READ_MODEL_ENTITIES } from './modules/ambassadors/index.ts';
import { CERTIFICATION_READ_MODEL_ENTITIES } from './modules/certification/index.ts';
import { GROUPS_READ_MODEL_ENTITIES } from './modules/groups/index.ts';
import type { ReadModelEntities } from './platform/infrastructure/read-model-data-source.ts';
import { MEMBERS_READ_MODEL_ENTITIES } from './modules/members/index.ts';
import { MODERATION_READ_MODEL_ENTITIES } from './modules/moderation/index.ts';
import { TRAINING_READ_MODEL_ENTITIES } from './modules/training/index.ts';

/**
 * Every read-model entity: TypeORM maps them onto the stable `read_models` views the projection runner swaps. Listed
 * here, beside bootstrap.ts, rather than in infrastructure/, so that the platform imports no module (it would make
 * a cycle with every module that uses the platform's tokens).
 */
export const READ_MODEL_ENTITIES: ReadModelEntities = [
  ...MEMBERS_READ_MODEL_ENTITIES,
  ...GROUPS_READ_MODEL_ENTITIES,
  ...MODERATION_READ_MODEL_ENTITIES,
  ...TRAINING_READ_MODEL_ENTITIES,
  ...CERTIFICATION_READ_MODEL_ENTITIES,
  ...AMBASSADORS_READ_MODEL_ENTITIES,
  ...AGREEMENTS_READ_MODEL_ENTITIES,
];
