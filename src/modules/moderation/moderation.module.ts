import { Module } from '@nestjs/common';
import { GovernanceEventStore } from '#event-store';
import { readCertificationStatus } from '../certification/index.ts';
import type { AppConfig } from '../../platform/config/config.ts';
import { APP_CONFIG } from '../../platform/shared/tokens.ts';
import { OWNER_CERTIFICATION, type OwnerCertificationLookup } from './moderation-access.ts';
import { ModerationResolver } from './moderation.resolver.ts';

@Module({
  providers: [
    ModerationResolver,
    {
      provide: OWNER_CERTIFICATION,
      inject: [GovernanceEventStore, APP_CONFIG],
      // Read from the owner's certification stream at the moment of the action, like the ownership itself.
      useFactory: (events: GovernanceEventStore, config: AppConfig): OwnerCertificationLookup | null =>
        config.certificationGate ? async (memberId, at) => (await readCertificationStatus(events, memberId, at)).status : null,
    },
  ],
})
export class ModerationModule {}
