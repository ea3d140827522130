import type { Decider } from '#event-store';
import { requireId } from '../../platform/shared/identifiers.ts';
import { unreachable } from '../../platform/shared/exhaustive.ts';
import { activate, deactivate, reactivate } from './ambassador/activity.ts';
import type { AmbassadorCommand } from './ambassador/commands.ts';
import type { AmbassadorEvent } from './ambassador/events.ts';
import { approve, nominate, reject } from './ambassador/nomination.ts';
import { offboard } from './ambassador/offboarding.ts';
import { evolve, initialState, type AmbassadorState } from './ambassador/state.ts';

// The parts are in ./ambassador/; this file is the decider's one entry point, so every name the module exported
// before the split is re-exported here and no importer changes.
export { AMBASSADOR_EVENT_SCHEMAS, AMBASSADOR_EVENT_TYPES, isAmbassadorEvent } from './ambassador/events.ts';
export type {
  AmbassadorActivated,
  AmbassadorApproved,
  AmbassadorDeactivated,
  AmbassadorEvent,
  AmbassadorNominated,
  AmbassadorOffboarded,
  AmbassadorReactivated,
  AmbassadorRejected,
} from './ambassador/events.ts';
export type {
  ActivateAmbassador,
  AmbassadorCommand,
  ApproveAmbassador,
  DeactivateAmbassador,
  NominateAmbassador,
  OffboardAmbassador,
  ReactivateAmbassador,
  RejectAmbassador,
} from './ambassador/commands.ts';
export { AMBASSADOR_STATUSES, LIVE_AMBASSADOR_STATUSES, isLiveEnrolment } from './ambassador/state.ts';
export type { AmbassadorEnrolment, AmbassadorState, AmbassadorStatus } from './ambassador/state.ts';
export { AMBASSADOR_DEPARTMENT_MAX, MOTIVATION_MAX } from './ambassador/nomination.ts';
export { OFFBOARD_REASON_MAX } from './ambassador/offboarding.ts';

/** All ambassador enrolments of one member, one after the other: `ambassador-<memberId>`. */
export const AMBASSADOR_STREAM_CATEGORY = 'ambassador';

/** Public: auditors pass it to `streamStateAt`. */
export function ambassadorStreamId(memberId: string): string {
  return `${AMBASSADOR_STREAM_CATEGORY}-${requireId(memberId, 'memberId')}`;
}

function decide(command: AmbassadorCommand, state: AmbassadorState): AmbassadorEvent[] {
  switch (command.type) {
    case 'NominateAmbassador':
      return nominate(command, state);
    case 'ApproveAmbassador':
      return approve(command, state);
    case 'RejectAmbassador':
      return reject(command, state);
    case 'ActivateAmbassador':
      return activate(command, state);
    case 'DeactivateAmbassador':
      return deactivate(command, state);
    case 'ReactivateAmbassador':
      return reactivate(command, state);
    case 'OffboardAmbassador':
      return offboard(command, state);
    default:
      return unreachable('ambassador command', command, 'type');
  }
}

export const ambassadorDecider: Decider<AmbassadorCommand, AmbassadorState, AmbassadorEvent> = { initialState, evolve, decide };
