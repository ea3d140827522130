import { Module } from '@nestjs/common';
import type { StreamDeclaration } from '../../platform/manifest/governance-module.ts';
import { GOVERNANCE_STREAMS } from '../../platform/shared/tokens.ts';
import { AuditExportController } from './audit-export.controller.ts';
import { AuditResolver } from './audit.resolver.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';
import { GovernanceEventsResolver } from './governance-events.resolver.ts';
import { StreamDeciderRegistry, streamDecidersOf } from './stream-deciders.ts';

/** Audit reads every module's streams: their deciders and event types come from the composition root's MODULES. */
@Module({
  providers: [
    GovernanceEventsResolver,
    AuditResolver,
    {
      provide: StreamDeciderRegistry,
      useFactory: (streams: readonly StreamDeclaration[]) => streamDecidersOf(streams),
      inject: [GOVERNANCE_STREAMS],
    },
    {
      provide: EventTypeCatalog,
      useFactory: (streams: readonly StreamDeclaration[]) => new EventTypeCatalog(streams),
      inject: [GOVERNANCE_STREAMS],
    },
  ],
  controllers: [AuditExportController],
})
export class AuditModule {}
