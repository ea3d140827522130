import { Module } from '@nestjs/common';
import { GovernanceEventsResolver } from './governance-events.resolver.ts';

@Module({ providers: [GovernanceEventsResolver] })
export class AuditModule {}
