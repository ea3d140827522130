import { Inject } from '@nestjs/common';
import { Args, Context, Resolver, Subscription } from '@nestjs/graphql';
import { GovernanceEventStore } from '#event-store';
import { requireRole, type RequestContext } from '../auth/request-context.ts';
import { Role } from '../auth/role.ts';
import type { EventSourcing } from '../infrastructure/event-sourcing.ts';
import { EVENT_SOURCING } from '../infrastructure/tokens.ts';
import { compileFilter, governanceEventFeed, parseAfterPosition } from './governance-event-feed.ts';
import { GovernanceEvent, GovernanceHistoryFilter } from './governance-event.graphql.ts';

const HISTORY_READERS = [Role.AUDITOR, Role.COMMUNITY_MANAGER];

@Resolver(() => GovernanceEvent)
export class GovernanceEventsResolver {
  constructor(
    @Inject(EVENT_SOURCING) private readonly eventSourcing: EventSourcing,
    @Inject(GovernanceEventStore) private readonly events: GovernanceEventStore,
  ) {}

  @Subscription(() => GovernanceEvent, {
    description: 'Every governance event as it is recorded; with afterPosition it first replays history from there, then goes live.',
    resolve: (event: GovernanceEvent) => event,
  })
  governanceEvents(
    @Context() context: RequestContext,
    @Args('filter', { type: () => GovernanceHistoryFilter, nullable: true }) filter?: GovernanceHistoryFilter | null,
    @Args('afterPosition', { type: () => String, nullable: true }) afterPosition?: string | null,
  ): AsyncIterator<GovernanceEvent> {
    requireRole(context, HISTORY_READERS, 'following governance events');
    const after = parseAfterPosition(afterPosition);
    return governanceEventFeed(this.eventSourcing.store, this.events, after, compileFilter(filter));
  }
}
