import { governanceModule } from '../../platform/manifest/governance-module.ts';
import { createLeaverConsequencesScheduler } from './leaver-consequences.ts';
import { createLeaverErasureScheduler } from './leaver-erasure.ts';
export * from './leaver-consequences.ts';
export * from './leaver-erasure.ts';

/**
 * Leavers: what a member's leaving sets in motion in the other modules (their ownerships, ambassadorship and claimed
 * cases end), and the retention rule that erases a leaver's personal data (LEAVER_ERASURE_AFTER_DAYS). Background work
 * only: it writes to the other modules' streams through their deciders and serves nothing over GraphQL.
 */
export const leaversModule = governanceModule({
  name: 'leavers',
  schedulers: ({ events, readModels, clock, config, forgetCommandInputs }) => [
    createLeaverConsequencesScheduler({ events, readModels, clock, intervalMs: config.schedulerIntervalMs }),
    ...(config.leaverErasureAfterDays === null
      ? []
      : [
          createLeaverErasureScheduler({
            events,
            readModels,
            clock,
            intervalMs: config.schedulerIntervalMs,
            afterDays: config.leaverErasureAfterDays,
            forgetCommandInputs,
          }),
        ]),
  ],
});
