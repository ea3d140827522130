/**
 * The integrity module: signed seals of the governance log (RFC 9162 Merkle tree hash, Ed25519) and the check of the
 * log against its chains and seals. Its surface: set it up, verify, read seals and keys, and what the export and the
 * offline verifier share.
 */
import { governanceModule, stream } from '../../platform/manifest/governance-module.ts';
import { LOG_SEAL_EVENT_SCHEMAS } from './log-seal.ts';
import { LOG_SEAL_STREAM_CATEGORY as SEALS, logSealDecider as sealDecider } from './log-seal.decider.ts';
import {
  OPERATOR_ACTION_EVENT_SCHEMAS,
  OPERATOR_STREAM_CATEGORY as OPERATOR,
  operatorActionsDecider as operatorDecider,
} from './operator-actions.decider.ts';
import {
  READ_MODEL_OPERATION_EVENT_SCHEMAS,
  READ_MODEL_STREAM_CATEGORY as READ_MODEL,
  readModelOperationsDecider as readModelDecider,
} from './read-model-operations.decider.ts';
export { createLogIntegrity, LogIntegrity, type LogIntegritySetup, type SealKeyInfo } from './log-integrity.ts';
export { IntegrityModule } from './integrity.module.ts';
export { IntegrityBreakView, LogSealView, SealKeyView } from './integrity.graphql.ts';
export { sealToJson, type LogSeal } from './log-seal.ts';
export { READ_MODEL_STREAM_CATEGORY, readModelOperationsDecider, readModelStreamId } from './read-model-operations.decider.ts';
export { LOG_SEAL_STREAM_CATEGORY, logSealDecider } from './log-seal.decider.ts';
export { LOG_EXPORTS_STREAM, OPERATOR_STREAM_CATEGORY, operatorActionsDecider } from './operator-actions.decider.ts';
export { recordLogExport } from './log-export-record.ts';
export { INTEGRITY_EVENT_SCHEMAS } from './event-schemas.ts';
export type { IntegrityBreak, IntegrityBreakKind } from './integrity-check.ts';
export type { IntegrityResult } from './verify-log.ts';
export type { LogSealer } from './sealer.ts';
export { sealView } from './seal-view.ts';
export { ExportProof, type ExportLineProof, type ExportSummaryProof } from './export-proof.ts';

/**
 * Integrity's streams: seals and their keys, read-model operations, operator actions. Its Nest module is built from
 * the running service's seal key (IntegrityModule.with, in app.module.ts), so the manifest names none.
 */
export const integrityModule = governanceModule({
  name: 'integrity',
  streams: [
    stream(SEALS, sealDecider, LOG_SEAL_EVENT_SCHEMAS),
    stream(READ_MODEL, readModelDecider, READ_MODEL_OPERATION_EVENT_SCHEMAS),
    stream(OPERATOR, operatorDecider, OPERATOR_ACTION_EVENT_SCHEMAS),
  ],
});
