import { Module } from '@nestjs/common';
import { PostgresEventStore } from '#event-store/postgres';
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
        const { logIndex, store } = eventSourcing;
        const fresh = logIndex ? new LogIndexedEventStore(store, logIndex) : undefined;
        // Either way a series or a "now" counts what was committed before it was asked, also when another process
        // wrote it (an import, another instance) and a transaction older than that write is still running.
        const beforeRead = fresh
          ? () => fresh.waitForHead()
          : store instanceof PostgresEventStore
            ? () => store.waitForCommitted()
            : undefined;
        const engine = new InsightsEngine(logIndex ?? store, eventSourcing.events, {
          ...(beforeRead ? { beforeRead } : {}),
          onSkippedEvent: (event, error) =>
            logger.warn('insights: an event the KPIs could not read was skipped', {
              streamId: event.streamId,
              revision: event.revision,
              type: event.type,
              error: error instanceof Error ? error.message : String(error),
            }),
        });
        // Read the log once now, so that the first series asked is as quick as the later ones (it folds what is kept).
        // A failure costs nothing but that: the first request reads the log instead.
        engine.warmUp().catch((error: unknown) =>
          logger.info('insights: the warm-up read failed; the first request reads the log', {
            error: error instanceof Error ? error.message : String(error),
          }),
        );
        return engine;
      },
    },
  ],
})
export class InsightsModule {}
