import { Inject } from '@nestjs/common';
import { Args, Context, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { encodeNotificationCursor, listNotificationDeliveries } from './notification-deliveries.queries.ts';
import { NotificationDeliveryConnection, NotificationDeliveryStatus } from './notifications.graphql.ts';

@Resolver()
export class NotificationsResolver {
  constructor(@Inject(DataSource) private readonly db: DataSource) {}

  @Query(() => NotificationDeliveryConnection, {
    description:
      'Community managers and auditors: every notification decided, by id, and what became of it (sent, to be retried, ' +
      'failed, or not sent and why). Nothing is dropped silently.',
  })
  async notificationDeliveries(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
    @Args('status', { type: () => [NotificationDeliveryStatus], nullable: true }) status: NotificationDeliveryStatus[] | null,
  ): Promise<NotificationDeliveryConnection> {
    requireRole(context, [Role.COMMUNITY_MANAGER, Role.AUDITOR], 'reading the notification log');
    const page = await listNotificationDeliveries(this.db, pageRequest(paging), status ?? null);
    return {
      edges: page.nodes.map((node) => ({ cursor: encodeNotificationCursor(node.notificationId), node })),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.startCursor,
        endCursor: page.endCursor,
      },
      totalCount: page.totalCount,
    };
  }
}
