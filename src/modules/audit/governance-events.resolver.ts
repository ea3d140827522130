import { Inject } from '@nestjs/common';
import { Args, Context, Resolver, Subscription } from '@nestjs/graphql';
import { GovernanceEventStore } from '#event-store';
import type { RequestContext } from '../../platform/auth/request-context.ts';
import type { EventSourcing } from '../../platform/infrastructure/event-sourcing.ts';
import { EVENT_SOURCING } from '../../platform/shared/tokens.ts';
import { logger } from '../../platform/observability/logger.ts';
import { madePrivacyRequest } from '../privacy/index.ts';
import { authorizeAuditRead } from './audit-access.ts';
import { governanceEventFeed, parseAfterPosition, type FeedSink } from './governance-event-feed.ts';
import { GovernanceEvent, GovernanceHistoryFilter } from './governance-event.graphql.ts';
import { compileHistoryFilter } from './history-filter.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';
import { StreamDeciderRegistry } from './stream-deciders.ts';

@Resolver(() => GovernanceEvent)
export class GovernanceEventsResolver {
  constructor(
    @Inject(EVENT_SOURCING) private readonly eventSourcing: EventSourcing,
    @Inject(GovernanceEventStore) private readonly events: GovernanceEventStore,
    @Inject(StreamDeciderRegistry) private readonly streams: StreamDeciderRegistry,
    @Inject(EventTypeCatalog) private readonly eventTypes: EventTypeCatalog,
  ) {}

  /** The filter and the read rules are governanceHistory's (history-filter.ts, audit-access.ts). */
  @Subscription(() => GovernanceEvent, {
    description:
      'Every governance event as it is recorded. With afterPosition it first replays history after that position, then goes live; without it, it starts at the head: only events recorded after the subscription started.',
    resolve: (event: GovernanceEvent) => event,
  })
  async governanceEvents(
    @Context() context: RequestContext,
    @Args('filter', { type: () => GovernanceHistoryFilter, nullable: true }) filter?: GovernanceHistoryFilter | null,
    @Args('afterPosition', { type: () => String, nullable: true }) afterPosition?: string | null,
  ): Promise<AsyncIterator<GovernanceEvent>> {
    const compiled = compileHistoryFilter(filter, this.eventTypes);
    const after = parseAfterPosition(afterPosition);
    await authorizeAuditRead(context, {
      action: 'following governance events',
      streamId: compiled.streamId,
      registry: this.streams,
      madePrivacyRequest: (memberId) => madePrivacyRequest(this.events, memberId),
    });
    // Without a position a subscriber wants what happens from now on: replaying the whole log to every client that
    // did not say where to start would send each one everything ever recorded (afterPosition "0:0" asks for that).
    const from = after ?? (await this.eventSourcing.store.headPosition());
    return governanceEventFeed(this.eventSourcing.store, this.events, from, compiled, socketSink(context));
  }
}

/** The subscriber's WebSocket (graphql-ws puts it in the context's `req.extra`), as the feed's sink. */
function socketSink(context: RequestContext): FeedSink | undefined {
  const socket = (context as { req?: { extra?: { socket?: WebSocketLike } } }).req?.extra?.socket;
  if (!socket) return undefined;
  return {
    pendingBytes: () => socket.bufferedAmount,
    disconnect: (reason, pendingBytes) => {
      // The client's doing, not the service's fault: a warning, so that a subscriber that stalls often is noticed.
      logger.warn('slow subscriber disconnected', { memberId: context.actor?.id ?? null, reason, pendingBytes });
      // 1008: policy violation; the reason (at most 123 bytes) says what happened and what to do.
      socket.close(1008, reason);
    },
  };
}

interface WebSocketLike {
  readonly bufferedAmount: number;
  close(code: number, reason: string): void;
}
