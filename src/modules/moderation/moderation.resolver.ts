import { Inject } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { DataSource } from 'typeorm';
import { GovernanceEventStore } from '#event-store';
import { requireActor, type RequestContext } from '../../platform/auth/request-context.ts';
import { PageArgs, pageRequest } from '../../platform/graphql/pagination.ts';
import { groupsOwnedBy, readGroupOwnership } from '../groups/index.ts';
import { requireRegisteredMember } from '../members/index.ts';
import { DomainError } from '../../platform/shared/domain-error.ts';
import { isId, requireId } from '../../platform/shared/identifiers.ts';
import { caseForViewer, caseRefused, isQueueStaff, requireStandingReader, standingForViewer } from './moderation-access.ts';
import { RunUseCase } from '../../platform/command/use-case.ts';
import { reportContent } from './content-reports.use-cases.ts';
import { claimModerationCase, decideAppeal, decideModerationCase, fileAppeal } from './moderation.use-cases.ts';
import { addModeratorNote, retractModeratorNote } from './moderator-notes.use-cases.ts';
import {
  AddModeratorNoteInput,
  ClaimModerationCaseInput,
  DecideAppealInput,
  DecideModerationCaseInput,
  FileAppealInput,
  MemberStanding,
  ModerationCase,
  ModerationCaseConnection,
  ModerationQueueFilter,
  ReportContentInput,
  RetractModeratorNoteInput,
} from './moderation.graphql.ts';
import {
  findMemberStanding,
  findModerationCase,
  listModerationCases,
  memberOfStandingEntry,
  moderationCaseCursor,
} from './read-models/moderation.queries.ts';
import { NodeRegistry } from '../../platform/graphql/node.ts';
import type { AppConfig } from '../../platform/config/config.ts';
import { APP_CONFIG } from '../../platform/shared/tokens.ts';

@Resolver(() => ModerationCase)
export class ModerationResolver {
  constructor(
    @Inject(CommandBus) private readonly commands: CommandBus,
    @Inject(DataSource) private readonly db: DataSource,
    @Inject(GovernanceEventStore) private readonly events: GovernanceEventStore,
    @Inject(NodeRegistry) nodes: NodeRegistry,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    nodes.register('ModerationCase', 1, ([id], context) => this.moderationCase(id!, context), { domainId: true });
    nodes.register('MemberStanding', 1, ([memberId], context) => this.memberStanding(memberId!, context));
    // Sanctions and notes are part of a member's standing: read with its authorization (notes: staff only).
    nodes.register(
      'Sanction',
      1,
      async ([sanctionId], context) =>
        (await this.standingWith({ sanctionId: sanctionId! }, context))?.sanctionHistory.find((sanction) => sanction.id === sanctionId),
      { domainId: true },
    );
    nodes.register(
      'ModeratorNote',
      1,
      async ([noteId], context) => (await this.standingWith({ noteId: noteId! }, context))?.notes.find((note) => note.id === noteId),
      { domainId: true },
    );
  }

  @Query(() => Boolean, {
    description:
      "Whether a group owner's certification is checked when they moderate (CERTIFICATION_GATE): a lapsed certification " +
      'bars every owner, none at all bars the owners of a group that requires it. False: owners moderate their groups ' +
      'whatever their certification.',
  })
  certificationGate(@Context() context: RequestContext): boolean {
    requireActor(context);
    return this.config.certificationGate;
  }

  @Query(() => ModerationCaseConnection, { description: 'Oldest first. Group owners see the cases of the groups they own.' })
  async moderationQueue(
    @Context() context: RequestContext,
    @Args({ type: () => PageArgs }) paging: PageArgs,
    @Args('filter', { type: () => ModerationQueueFilter, nullable: true }) filter?: ModerationQueueFilter | null,
  ): Promise<ModerationCaseConnection> {
    const actor = requireActor(context);
    // Who asks before what they ask for: an owner naming a group that is not theirs is refused, malformed or not.
    let withinGroups: string[] | null = null;
    if (!isQueueStaff(actor)) {
      withinGroups = await groupsOwnedBy(this.db, actor.id);
      if (withinGroups.length === 0) {
        throw new DomainError('FORBIDDEN', 'the moderation queue needs the role COMMUNITY_MANAGER or AUDITOR, or ownership of a group');
      }
      const named = filter?.groupId;
      if (named !== null && named !== undefined && !withinGroups.includes(named)) {
        const which = isId(named) ? `group ${named}` : 'that group';
        throw new DomainError('FORBIDDEN', `the cases of ${which} are for its owners and community managers`);
      }
    }
    const groupId = filter?.groupId === null || filter?.groupId === undefined ? null : requireId(filter.groupId, 'filter.groupId');
    const assignedTo =
      filter?.assignedTo === null || filter?.assignedTo === undefined ? null : requireId(filter.assignedTo, 'filter.assignedTo');
    const page = await listModerationCases(this.db, {
      filter: { statuses: filter?.status ?? null, groupId, assignedTo, withinGroups },
      page: pageRequest(paging),
    });
    return {
      edges: page.nodes.map((node) => ({ cursor: moderationCaseCursor(node), node })),
      pageInfo: {
        hasNextPage: page.hasNextPage,
        endCursor: page.endCursor,
        hasPreviousPage: page.hasPreviousPage,
        startCursor: page.startCursor,
      },
      totalCount: page.totalCount,
    };
  }

  @Query(() => ModerationCase, { nullable: true })
  async moderationCase(@Args('id', { type: () => ID }) id: string, @Context() context: RequestContext): Promise<ModerationCase | null> {
    const actor = requireActor(context);
    const view = isId(id) ? await findModerationCase(this.db, id) : null;
    // Staff are told that there is no such case; anyone else gets the refusal they would get for someone else's.
    if (!view) {
      if (isQueueStaff(actor)) return null;
      throw caseRefused(id);
    }
    const ownership = view.groupId === null ? null : await readGroupOwnership(this.events, view.groupId);
    return caseForViewer(view, actor, ownership?.ownerSince.has(actor.id) ?? false);
  }

  @Query(() => MemberStanding)
  async memberStanding(
    @Args('memberId', { type: () => ID }) memberId: string,
    @Context() context: RequestContext,
  ): Promise<Omit<MemberStanding, 'id'>> {
    const actor = requireActor(context);
    // Who asks before the id: a refusal must not tell a stranger which ids are well-formed.
    requireStandingReader(actor, memberId);
    const id = requireId(memberId, 'memberId');
    const standing = await findMemberStanding(this.db, id, new Date());
    // A clean record for an id that names nobody would pass a typo off as a spotless member. The authors of reported
    // content need not be registered, though: one that moderation has sanctioned has a standing all the same.
    if (standing.sanctionHistory.length === 0 && standing.notes.length === 0) await requireRegisteredMember(this.events, id);
    return standingForViewer(standing, actor);
  }

  /** The standing a sanction or note belongs to, as memberStanding shows it to the caller; null when there is none. */
  private async standingWith(entry: { sanctionId: string } | { noteId: string }, context: RequestContext) {
    const memberId = await memberOfStandingEntry(this.db, entry);
    if (memberId !== null) return this.memberStanding(memberId, context);
    // Only staff are told that nothing has that id: anyone else gets the refusal another member's standing gets.
    requireStandingReader(requireActor(context), '');
    return null;
  }

  @Mutation(() => ModerationCase)
  reportContent(@Args('input', { type: () => ReportContentInput }) input: ReportContentInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(reportContent, input, context));
  }

  @Mutation(() => ModerationCase)
  claimModerationCase(
    @Args('input', { type: () => ClaimModerationCaseInput }) input: ClaimModerationCaseInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(claimModerationCase, input, context));
  }

  @Mutation(() => ModerationCase)
  decideModerationCase(
    @Args('input', { type: () => DecideModerationCaseInput }) input: DecideModerationCaseInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(decideModerationCase, input, context));
  }

  @Mutation(() => ModerationCase)
  fileAppeal(@Args('input', { type: () => FileAppealInput }) input: FileAppealInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(fileAppeal, input, context));
  }

  @Mutation(() => ModerationCase)
  decideAppeal(@Args('input', { type: () => DecideAppealInput }) input: DecideAppealInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(decideAppeal, input, context));
  }

  @Mutation(() => MemberStanding)
  addModeratorNote(@Args('input', { type: () => AddModeratorNoteInput }) input: AddModeratorNoteInput, @Context() context: RequestContext) {
    return this.commands.execute(new RunUseCase(addModeratorNote, input, context));
  }

  @Mutation(() => MemberStanding)
  retractModeratorNote(
    @Args('input', { type: () => RetractModeratorNoteInput }) input: RetractModeratorNoteInput,
    @Context() context: RequestContext,
  ) {
    return this.commands.execute(new RunUseCase(retractModeratorNote, input, context));
  }
}
