import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, Int, Mutation, Query, Resolver } from '@nestjs/graphql';
import { comparePositions, GovernanceEventStore, parsePosition } from '#event-store';
import { ProjectionRunner } from '#projections';
import { requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { badInput, notFound } from '../../platform/shared/domain-error.ts';
import { madePrivacyRequest } from '../privacy/index.ts';
import { LogIntegrity, LogSealView, SealKeyView, sealView, type IntegrityResult } from '../integrity/index.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { authorizeAuditRead, authorizeEventRead, authorizeWholeLog, HISTORY_READERS } from './audit-access.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';
import {
  EventTypeInfo,
  GovernanceEventConnection,
  GovernanceHistoryFilter,
  HistoryOrder,
  IntegrityReport,
  ProjectionStatusView,
  RebuildProjectionInput,
  StreamState,
} from './governance-event.graphql.ts';
import { governanceEventById, historyPage, parseCursor } from './governance-history.ts';
import { compileHistoryFilter } from './history-filter.ts';
import { StreamDeciderRegistry } from './stream-deciders.ts';
import { projectionStatusView, rebuildProjection } from './rebuild-projection.use-case.ts';
import { readStreamStateAt, requireStreamDecider, timeTravelTarget, type StreamStateView } from './time-travel.ts';

@Resolver()
export class AuditResolver {
  constructor(
    @Inject(GovernanceEventStore) private readonly events: GovernanceEventStore,
    @Inject(ProjectionRunner) private readonly runner: ProjectionRunner<unknown>,
    @Inject(LogIntegrity) private readonly integrity: LogIntegrity,
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(NodeRegistry) nodes: NodeRegistry,
    @Inject(StreamDeciderRegistry) private readonly streams: StreamDeciderRegistry,
    @Inject(EventTypeCatalog) private readonly eventTypes: EventTypeCatalog,
  ) {
    nodes.register('LogSeal', 1, async ([position], context) => {
      authorizeWholeLog(context, 'reading the seals of the governance log');
      const seal = await this.integrity.sealAt(position!);
      return seal && sealView(seal);
    });
    nodes.register('SealKey', 1, async ([keyId], context) => (await this.sealKeys(context)).find((key) => key.keyId === keyId));
    nodes.register('ProjectionStatus', 1, async ([name], context) =>
      (await this.projections(context)).find((status) => status.name === name),
    );
    // GovernanceEvent/<event id>: the event as governanceHistory shows it, to whom governanceHistory would show it.
    nodes.register(
      'GovernanceEvent',
      1,
      ([eventId], context) =>
        authorizeEventRead(context, {
          action: 'reading a governance event',
          find: () => governanceEventById(this.events, eventId!),
          registry: this.streams,
          madePrivacyRequest: (memberId) => madePrivacyRequest(this.events, memberId),
        }),
      { domainId: true },
    );
  }

  @Query(() => GovernanceEventConnection, {
    description:
      'The governance log, filtered; a Relay connection whose cursor is the position. Paging never skips or repeats an event, forward (first/after) or backward (last/before).',
  })
  async governanceHistory(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
    @Args('filter', { type: () => GovernanceHistoryFilter, nullable: true }) filter?: GovernanceHistoryFilter | null,
    @Args('order', {
      type: () => HistoryOrder,
      nullable: true,
      defaultValue: HistoryOrder.NEWEST_FIRST,
      description: 'The order of the list that first/after and last/before page through.',
    })
    order?: HistoryOrder | null,
  ): Promise<GovernanceEventConnection> {
    // Who may read before whether the filter is well-formed: a refusal tells nothing about which inputs would be valid.
    // The stream id is used as sent (compiling does not change it); an ill-formed one is no privacy officer's stream.
    await this.authorizeRead(context, 'reading the governance history', filter?.streamId ?? null);
    const compiled = compileHistoryFilter(filter, this.eventTypes);
    const page = pageRequest(paging);
    return historyPage(this.events, {
      filter: compiled,
      page: { ...page, cursor: parseCursor(page.cursor, page.direction === 'forward' ? 'after' : 'before') },
      order: order ?? HistoryOrder.NEWEST_FIRST,
    });
  }

  @Query(() => [EventTypeInfo], { description: 'Every stored event type, per category, with its current schema version.' })
  governanceEventTypes(@Context() context: RequestContext): EventTypeInfo[] {
    // Whoever may read some history may know which types it holds: the list says nothing about any member.
    requireRole(context, [...HISTORY_READERS, Role.PRIVACY_OFFICER], 'listing the governance event types');
    return this.eventTypes.entries.map((entry) => ({ ...entry }));
  }

  @Query(() => StreamState, { description: 'The state of one stream as it was at a moment or a revision (time travel).' })
  async streamStateAt(
    @Context() context: RequestContext,
    @Args('streamId', { type: () => String }) streamId: string,
    @Args('at', { type: () => Date, nullable: true }) at?: Date | null,
    @Args('revision', { type: () => Int, nullable: true }) revision?: number | null,
  ): Promise<StreamStateView> {
    await this.authorizeRead(context, "reading a stream's past state", streamId);
    const target = timeTravelTarget(at, revision);
    requireStreamDecider(this.streams, streamId);
    return readStreamStateAt(this.events, this.streams, streamId, target);
  }

  @Query(() => IntegrityReport, {
    description:
      'Checks the hash chains and the signed seals of one stream, or of the whole log when streamId is left out, and lists every break.',
  })
  async verifyHistory(
    @Context() context: RequestContext,
    @Args('streamId', { type: () => String, nullable: true }) streamId?: string | null,
  ): Promise<IntegrityReport> {
    let verification: IntegrityResult;
    if (streamId === null || streamId === undefined) {
      authorizeWholeLog(context, 'verifying the whole governance history');
      verification = await this.integrity.verifyAll();
    } else {
      await this.authorizeRead(context, 'verifying the history of a stream', streamId);
      // Control characters (a NUL above all) are not in any stream id, and PostgreSQL cannot take a NUL in a parameter.
      // eslint-disable-next-line no-control-regex
      if (streamId.length === 0 || streamId.length > 300 || /[\u0000-\u001f\u007f]/.test(streamId)) {
        throw badInput('streamId must be 1 to 300 characters without control characters', { field: 'streamId' });
      }
      const found = await this.integrity.verifyStream(streamId);
      if (!found) throw notFound(`stream ${streamId} does not exist`, { field: 'streamId' });
      verification = found;
    }
    const positioned = verification.breaks.filter((b) => b.position !== null).map((b) => b.position!);
    return {
      verifiedEvents: verification.verifiedEvents,
      ok: verification.ok,
      firstBrokenPosition:
        positioned.length === 0 ? null : positioned.reduce((a, b) => (comparePositions(parsePosition(b), parsePosition(a)) < 0 ? b : a)),
      breaks: [...verification.breaks],
      latestSeal: verification.latestSeal ? sealView(verification.latestSeal) : null,
      unsealedEvents: verification.unsealedEvents,
    };
  }

  @Query(() => LogSealView, { nullable: true, description: 'The newest seal of the log.' })
  async latestLogSeal(@Context() context: RequestContext): Promise<LogSealView | null> {
    authorizeWholeLog(context, 'reading the seals of the governance log');
    const seal = await this.integrity.latestSeal();
    return seal ? sealView(seal) : null;
  }

  @Query(() => [SealKeyView], { description: 'The public keys that seals are signed with (current and retired).' })
  async sealKeys(@Context() context: RequestContext): Promise<SealKeyView[]> {
    authorizeWholeLog(context, 'reading the keys the governance log is sealed with');
    return this.integrity.sealKeys();
  }

  @Query(() => [ProjectionStatusView], { description: 'The status of each read model.' })
  async projections(@Context() context: RequestContext): Promise<ProjectionStatusView[]> {
    requireRole(context, HISTORY_READERS, 'reading the status of the read models');
    return (await this.runner.status()).map(projectionStatusView);
  }

  @Mutation(() => ProjectionStatusView, {
    description:
      'Rebuilds a read model from the start of the log into fresh tables; the current one keeps serving until the new one has caught up.',
  })
  rebuildProjection(
    @Context() context: RequestContext,
    @Args('input', { type: () => RebuildProjectionInput }) input: RebuildProjectionInput,
  ): Promise<ProjectionStatusView> {
    return this.commands.execute(new RunUseCase(rebuildProjection, input, context));
  }

  /** The audit read rules (audit-access.ts); a privacy officer's scope needs to know who made a privacy request. */
  private authorizeRead(context: RequestContext, action: string, streamId: string | null) {
    return authorizeAuditRead(context, {
      action,
      streamId,
      registry: this.streams,
      madePrivacyRequest: (memberId) => madePrivacyRequest(this.events, memberId),
    });
  }
}
