import type { Decider } from '#event-store';
import { unreachable } from '../../platform/shared/exhaustive.ts';
import { award } from './certification/award.ts';
import type { CertificationCommand } from './certification/commands.ts';
import type { CertificationEvent } from './certification/events.ts';
import { expire, markDueForRenewal, renew } from './certification/renewal.ts';
import { revoke } from './certification/revocation.ts';
import { evolve, initialState, type CertificationState } from './certification/state.ts';
import { reinstate, suspend } from './certification/suspension.ts';

// The certification decider's parts live in ./certification/; this file keeps the names the rest of the service
// imports, so callers need not know how the parts are cut.
export {
  addMonths,
  CERTIFICATION_STREAM_CATEGORY,
  certificationRecordId,
  certificationStreamId,
  CHANGE_REASON_MAX,
  DEFAULT_RENEWAL_WINDOW_DAYS,
  EVIDENCE_MAX,
  missingProgrammes,
  renewalDueFrom,
} from './certification/rules.ts';
export {
  CERTIFICATION_EVENT_SCHEMAS,
  CERTIFICATION_EVENT_TYPES,
  isCertificationEvent,
  type CertificationAwarded,
  type CertificationDueForRenewal,
  type CertificationEvent,
  type CertificationExpired,
  type CertificationReinstated,
  type CertificationRenewed,
  type CertificationRevoked,
  type CertificationSuspended,
} from './certification/events.ts';
export type {
  AwardCertification,
  CertificationCommand,
  ExpireCertification,
  MarkCertificationDueForRenewal,
  ReinstateCertification,
  RenewCertification,
  RevokeCertification,
  SuspendCertification,
} from './certification/commands.ts';
export {
  CERTIFICATION_STATUSES,
  certificationStatusAt,
  LIVE_STATUSES,
  RECORD_STATUSES,
  recordStatusAt,
  type CertificationFile,
  type CertificationRecordState,
  type CertificationState,
  type CertificationStatus,
  type RecordStatus,
} from './certification/state.ts';

function decide(command: CertificationCommand, state: CertificationState): CertificationEvent[] {
  switch (command.type) {
    case 'AwardCertification':
      return award(command, state);
    case 'RenewCertification':
      return renew(command, state);
    case 'SuspendCertification':
      return suspend(command, state);
    case 'ReinstateCertification':
      return reinstate(command, state);
    case 'RevokeCertification':
      return revoke(command, state);
    case 'MarkCertificationDueForRenewal':
      return markDueForRenewal(command, state);
    case 'ExpireCertification':
      return expire(command, state);
    default:
      return unreachable('certification command', command, 'type');
  }
}

export const certificationDecider: Decider<CertificationCommand, CertificationState, CertificationEvent> = {
  initialState,
  evolve,
  decide,
};
