/**
 * The integrity module: signed seals of the governance log (RFC 9162 Merkle tree hash, Ed25519) and the check of the
 * log against its chains and seals. Its surface: set it up, verify, read seals and keys, and what the export and the
 * offline verifier share.
 */
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
