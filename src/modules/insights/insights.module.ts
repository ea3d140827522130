import { Module } from '@nestjs/common';
import { LogIndexedEventStore } from '#projections';
import type { EventSourcing } from '../../platform/infrastructure/event-sourcing.ts';
import { EVENT_SOURCING } from '../../platform/shared/tokens.ts';
import { logger } from '../../platform/observability/logger.ts';
import { InsightsEngine } from './insights-engine.ts';
import { InsightsResolver, OwnerCertificationInsightResolver } from './insights.resolver.ts';

@Module({
  providers: [
    InsightsResolver,
    OwnerCertificationInsightResolver,
    {
      provide: InsightsEngine,
      inject: [EVENT_SOURCING],
      // One per process: its live model is what "now" is measured on.
      useFactory: (eventSourcing: EventSourcing) => {
        // On a store that cannot filter its log (EventStoreDB), the KPIs read the log index instead of the whole log.
        const { logIndex } = eventSourcing;
        const fresh = logIndex ? new LogIndexedEventStore(eventSourcing.store, logIndex) : undefined;
        return new InsightsEngine(logIndex ?? eventSourcing.store, eventSourcing.events, {
          ...(fresh ? { beforeRead: () => fresh.waitForHead() } : {}),
          onSkippedEvent: (event, error) =>
            logger.warn('insights: an event the KPIs could not read was skipped', {
              streamId: event.streamId,
              revision: event.revision,
              type: event.type,
              error: error instanceof Error ? error.message : String(error),
            }),
        });
      },
    },
  ],
})
export class InsightsModule {}
