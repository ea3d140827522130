import { governanceModule } from '../../platform/manifest/governance-module.ts';
import { AuditModule } from './audit.module.ts';

/**
 * Audit: the governance history, time travel over any stream (with the deciders every module declares, handed over
 * by the composition root as GOVERNANCE_STREAMS) and the export. It writes no stream of its own.
 */
export const auditModule = governanceModule({ name: 'audit', nestModule: AuditModule });
