import { Module } from '@nestjs/common';
import { AuditExportController } from './audit-export.controller.ts';
import { AuditResolver } from './audit.resolver.ts';
import { GovernanceEventsResolver } from './governance-events.resolver.ts';

@Module({ providers: [GovernanceEventsResolver, AuditResolver], controllers: [AuditExportController] })
export class AuditModule {}
