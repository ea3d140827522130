import type { GovernanceModule, StreamDeclaration } from '../platform/manifest/governance-module.ts';
import { adoptionModule } from './adoption/index.ts';
import { agreementsModule } from './agreements/index.ts';
import { ambassadorsModule } from './ambassadors/index.ts';
import { auditModule } from './audit/index.ts';
import { certificationModule } from './certification/index.ts';
import { groupsModule } from './groups/index.ts';
import { insightsModule } from './insights/index.ts';
import { integrityModule } from './integrity/index.ts';
import { leaversModule } from './leavers/index.ts';
import { meModule } from './me/index.ts';
import { membersModule } from './members/index.ts';
import { moderationModule } from './moderation/index.ts';
import { notificationsModule } from './notifications/index.ts';
import { privacyModule } from './privacy/index.ts';
import { provisioningModule } from './provisioning/index.ts';
import { trainingModule } from './training/index.ts';
import { webhooksModule } from './webhooks/index.ts';

/**
 * Every module of the service, the one list of them: the composition root (bootstrap.ts, app.module.ts) builds the
 * event schema registry, the projection runner, the read side, the schedulers and the GraphQL schema from it. Adding
 * a module is writing it (its index.ts exports its manifest) and adding it here. The order is the order of the Nest
 * modules, and of the projections the runner starts.
 */
export const MODULES: readonly GovernanceModule[] = [
  membersModule,
  groupsModule,
  moderationModule,
  privacyModule,
  trainingModule,
  certificationModule,
  ambassadorsModule,
  agreementsModule,
  adoptionModule,
  auditModule,
  insightsModule,
  integrityModule,
  meModule,
  provisioningModule,
  leaversModule,
  notificationsModule,
  webhooksModule,
];

/** Every stream category of the service, with its decider and event schemas. */
export const GOVERNANCE_STREAMS: readonly StreamDeclaration[] = MODULES.flatMap((module) => module.streams);
