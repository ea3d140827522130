import { Inject } from '@nestjs/common';
import { CommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { loadState, GovernanceEventStore, type LoadedState } from '#event-store';
import { requireActor, requireRole, type RequestContext } from '../../platform/auth/request-context.ts';
import { Role } from '../../platform/auth/role.ts';
import type { Actor } from '../../platform/auth/token-verifier.ts';
import { InputCommand } from '../../platform/command/input-command.ts';
import { CommandPipeline, namespacedCommandId } from '../../platform/command/command-pipeline.ts';
import { readAfterCommand } from '../../platform/command/read-after-command.ts';
import type { AppConfig } from '../../platform/config/config.ts';
import { publishedAgreementVersion } from '../agreements/index.ts';
import { readGroupOwnership, type GroupOwnership } from '../groups/index.ts';
import { APP_CONFIG } from '../../platform/shared/tokens.ts';
import { requireRegisteredMember } from '../members/index.ts';
import { DomainError, notFound } from '../../platform/shared/domain-error.ts';
import { isId, requireId } from '../../platform/shared/identifiers.ts';
import { randomUUID } from 'node:crypto';
import { hasActedAsCommunityManager } from './community-manager-evidence.ts';
import {
  caseForViewer,
  isCaseModeratorByRole,
  isQueueStaff,
  moderationRefused,
  moderatorAuthority,
  OWNER_CERTIFICATION,
  standingForViewer,
  type OwnerCertificationLookup,
} from './moderation-access.ts';
import {
  acceptsFlags,
  CaseClosedForFlagsError,
  caseIdFor,
  moderationCaseDecider,
  moderationCaseStreamId,
  requireContentId,
  type CaseFile,
  type ContentStatus,
  type ModerationCaseCommand,
  type ModerationCaseState,
} from './moderation-case.decider.ts';
import type {
  AddModeratorNoteInput,
  ClaimModerationCaseInput,
  DecideAppealInput,
  DecideModerationCaseInput,
  FileAppealInput,
  RetractModeratorNoteInput,
  ReportContentInput,
} from './moderation.graphql.ts';
import { moderatorNotesDecider, moderatorNotesStreamId, type ModeratorNoteCommand } from './moderator-notes.decider.ts';
import { MODERATION_PROJECTION } from './read-models/moderation.projection.ts';
import { findMemberStanding, findModerationCase, latestCaseNumber } from './read-models/moderation.queries.ts';
import type { MemberStandingView, ModerationCaseView } from './read-models/moderation.views.ts';

const READ_MODELS = [MODERATION_PROJECTION];

// The actions named in role refusals, checked once before any input is validated and again by the pipeline.
const DECIDING_AN_APPEAL = 'deciding an appeal';
const ADDING_A_NOTE = 'adding a moderator note';
const RETRACTING_A_NOTE = 'retracting a moderator note';

/** A report that keeps landing on cases decided meanwhile gives up rather than loop (it would take a decision a turn). */
const MAX_REPORT_ATTEMPTS = 10;

export class ReportContentCommand extends InputCommand<ReportContentInput, ModerationCaseView> {}
export class ClaimModerationCaseCommand extends InputCommand<ClaimModerationCaseInput, ModerationCaseView> {}
export class DecideModerationCaseCommand extends InputCommand<DecideModerationCaseInput, ModerationCaseView> {}
export class FileAppealCommand extends InputCommand<FileAppealInput, ModerationCaseView> {}
export class DecideAppealCommand extends InputCommand<DecideAppealInput, ModerationCaseView> {}
export class AddModeratorNoteCommand extends InputCommand<AddModeratorNoteInput, MemberStandingView> {}
export class RetractModeratorNoteCommand extends InputCommand<RetractModeratorNoteInput, MemberStandingView> {}

/** What the case handlers share: reading a case from its stream and answering from the read model. */
abstract class CaseHandler {
  constructor(
    @Inject(CommandPipeline) protected readonly pipeline: CommandPipeline,
    @Inject(DataSource) protected readonly db: DataSource,
    @Inject(GovernanceEventStore) protected readonly events: GovernanceEventStore,
    @Inject(APP_CONFIG) protected readonly config: AppConfig,
    @Inject(OWNER_CERTIFICATION) private readonly ownerCertification: OwnerCertificationLookup | null,
  ) {}

  /**
   * Why the actor may moderate the case, from the streams as they are now: the role, or ownership of the case's group
   * (read from the group's stream) and, with the certification gate on, the owner's certification. For an owner, also
   * who the author is to them (a co-owner, or someone the log shows acting as a community manager). Refuses anyone
   * without authority over the case.
   */
  protected async authorityOf(actor: Actor, file: CaseFile) {
    // A community manager's authority is the role, whoever owns the group: the group is read only for anyone else,
    // once for the command (the same ownership says who may act and what the answer shows them).
    const ownership = file.groupId === null || isCaseModeratorByRole(actor) ? null : await readGroupOwnership(this.events, file.groupId);
    const owner = !actor.roles.includes(Role.COMMUNITY_MANAGER) && (ownership?.ownerSince.has(actor.id) ?? false);
    const certification = owner && this.ownerCertification ? await this.ownerCertification(actor.id, new Date()) : null;
    // Only an owner's authority depends on who the author is: the history is read for them alone.
    const authorActedAsCommunityManager = owner ? await hasActedAsCommunityManager(this.events, file.authorId) : false;
    const established = moderatorAuthority(actor, file, ownership, certification, authorActedAsCommunityManager);
    // Someone with no authority over the case gets the refusal a case that does not exist gets: the decider's would
    // name the case's group, and its difference from that one would say that the case exists.
    if (established.authority.kind === 'none') throw moderationRefused();
    return { ...established, ownership };
  }

  /**
   * The case a moderator names, checked in this order: who asks, then the id, then whether the case exists. Only a
   * community manager may learn that an id is malformed or names no case (see isCaseModeratorByRole). `loaded` is the
   * case's stream as read for this: the command is decided on it (see run), so the stream is read once.
   */
  protected async caseToModerate(
    actor: Actor,
    rawCaseId: string,
  ): Promise<{ caseId: string; file: CaseFile; loaded: LoadedState<ModerationCaseState> }> {
    const byRole = isCaseModeratorByRole(actor);
    if (!byRole && !isId(rawCaseId)) throw moderationRefused();
    const caseId = requireId(rawCaseId, 'caseId');
    const loaded = await this.load(caseId);
    const { state } = loaded;
    if (state.status === 'absent') throw byRole ? notFound(`moderation case ${caseId} does not exist`) : moderationRefused();
    return { caseId, file: state, loaded };
  }

  protected load(caseId: string): Promise<LoadedState<ModerationCaseState>> {
    return loadState(this.events, moderationCaseStreamId(caseId), moderationCaseDecider);
  }

  /**
   * The case as `actor` may see it, read after the pipeline waited for the read model. `known` is a group's ownership
   * this command has read already (for its authority, or to check the group exists): it is not read a second time.
   */
  protected async answer(caseId: string, actor: Actor, known?: GroupOwnership | null): Promise<ModerationCaseView> {
    const view = await readAfterCommand(() => findModerationCase(this.db, caseId), `moderation case ${caseId}`);
    return caseForViewer(view, actor, await this.ownsCaseGroup(actor, view.groupId, known));
  }

  /** Only for someone who is not staff (staff see every case whole): read from the group's stream, unless known. */
  private async ownsCaseGroup(actor: Actor, groupId: string | null, known: GroupOwnership | null | undefined): Promise<boolean> {
    if (groupId === null || isQueueStaff(actor)) return false;
    const ownership = known?.groupId === groupId ? known : await readGroupOwnership(this.events, groupId);
    return ownership?.ownerSince.has(actor.id) ?? false;
  }

  protected run(request: {
    readonly context: RequestContext;
    readonly actor: Actor;
    readonly caseId: string;
    readonly authority: string;
    readonly input: { commandId?: string | null; expectedRevision?: number | null; reason?: string | null };
    /** The case's stream as the handler read it to authorize the command: decided on as it is (see caseToModerate). */
    readonly loaded?: LoadedState<ModerationCaseState>;
    readonly command: (at: string) => ModerationCaseCommand;
  }) {
    const { input } = request;
    const at = new Date().toISOString();
    return this.pipeline.execute({
      streamId: moderationCaseStreamId(request.caseId),
      decider: moderationCaseDecider,
      command: request.command(at),
      occurredAt: at,
      context: request.context,
      actor: request.actor,
      authority: request.authority,
      reason: input.reason ?? null,
      commandId: input.commandId ?? null,
      expectedRevision: input.expectedRevision ?? null,
      readModels: READ_MODELS,
      ...(request.loaded ? { loaded: request.loaded } : {}),
    });
  }
}

/**
 * A report lands on the open case of its content item, or opens the next one. Case ids are `<contentId>:<n>`, so two
 * first reports race for the same new stream: the loser's retry finds the case open and adds its flag to it.
 */
@CommandHandler(ReportContentCommand)
export class ReportContentHandler extends CaseHandler {
  async execute({ input, context }: ReportContentCommand): Promise<ModerationCaseView> {
    const actor = requireActor(context);
    const contentId = requireContentId(input.contentId);
    const groupId = input.groupId === null || input.groupId === undefined ? null : requireId(input.groupId, 'groupId');
    // Also what the answer shows the reporter, if they own the group: read once.
    const ownership = groupId === null ? null : await readGroupOwnership(this.events, groupId);
    if (groupId !== null && !ownership) throw notFound(`group ${groupId} does not exist`, { field: 'groupId' });
    const retried = input.commandId ? namespacedCommandId(actor.id, input.commandId) : null;

    // The read model says how many cases there were; cases are never deleted, so it can only be behind.
    let caseNumber = Math.max(1, await latestCaseNumber(this.db, contentId));
    let previous: ModerationCaseState = { status: 'absent' };
    for (let attempt = 0; attempt < MAX_REPORT_ATTEMPTS;) {
      const caseId = caseIdFor(contentId, caseNumber);
      const loaded = await this.load(caseId);
      const { events: history, state } = loaded;
      // A retried report whose flag went to a case decided since must answer that case, not flag a new one.
      const alreadyHandled = retried !== null && history.some((event) => event.metadata.commandId === retried);
      if (state.status !== 'absent' && !acceptsFlags(state) && !alreadyHandled) {
        previous = state;
        caseNumber++;
        continue;
      }
      if (previous.status === 'absent' && caseNumber > 1 && state.status === 'absent') {
        previous = (await this.load(caseIdFor(contentId, caseNumber - 1))).state;
      }
      const contentStatus: ContentStatus = previous.status === 'absent' ? 'VISIBLE' : previous.contentStatus;
      try {
        await this.run({
          context,
          actor,
          caseId,
          authority: 'any signed-in member may report content',
          input: { commandId: input.commandId ?? null },
          loaded,
          command: (at) => ({
            type: 'ReportContent',
            caseId,
            caseNumber,
            contentId,
            contentType: input.contentType,
            authorId: input.authorId,
            groupId,
            contentStatus,
            reporterId: actor.id,
            reason: input.reason,
            note: input.note ?? null,
            at,
          }),
        });
        return await this.answer(caseId, actor, ownership);
      } catch (error) {
        if (!(error instanceof CaseClosedForFlagsError)) throw error;
        attempt++;
      }
    }
    throw new Error(`reporting ${contentId}: its cases kept being decided while the report was filed; try again`);
  }
}

@CommandHandler(ClaimModerationCaseCommand)
export class ClaimModerationCaseHandler extends CaseHandler {
  async execute({ input, context }: ClaimModerationCaseCommand): Promise<ModerationCaseView> {
    const actor = requireActor(context);
    const { caseId, file, loaded } = await this.caseToModerate(actor, input.caseId);
    const { authority, recorded, ownership } = await this.authorityOf(actor, file);
    await this.run({
      context,
      actor,
      caseId,
      authority: recorded,
      input,
      loaded,
      command: (at) => ({ type: 'ClaimCase', caseId, actorId: actor.id, authority, at }),
    });
    return this.answer(caseId, actor, ownership);
  }
}

@CommandHandler(DecideModerationCaseCommand)
export class DecideModerationCaseHandler extends CaseHandler {
  async execute({ input, context }: DecideModerationCaseCommand): Promise<ModerationCaseView> {
    const actor = requireActor(context);
    const { caseId, file, loaded } = await this.caseToModerate(actor, input.caseId);
    const { authority, recorded, ownership } = await this.authorityOf(actor, file);
    const cited = input.guideline;
    const guidelinePublished = cited ? await publishedAgreementVersion(this.events, cited.agreementId, cited.version) : undefined;
    await this.run({
      context,
      actor,
      caseId,
      authority: recorded,
      input,
      loaded,
      command: (at) => ({
        type: 'DecideCase',
        ...(guidelinePublished === undefined ? {} : { guidelinePublished }),
        caseId,
        actorId: actor.id,
        authority,
        outcome: input.outcome,
        reason: input.reason,
        guideline: input.guideline
          ? { agreementId: input.guideline.agreementId, version: input.guideline.version, section: input.guideline.section ?? null }
          : null,
        suspendUntil: toIsoOrInvalid(input.suspendUntil),
        at,
      }),
    });
    return this.answer(caseId, actor, ownership);
  }
}

@CommandHandler(FileAppealCommand)
export class FileAppealHandler extends CaseHandler {
  async execute({ input, context }: FileAppealCommand): Promise<ModerationCaseView> {
    const actor = requireActor(context);
    // Only the author of a case's content appeals: no id that is malformed or names no case can be theirs.
    if (!isId(input.caseId)) throw appealRefused();
    const caseId = input.caseId;
    try {
      // The statement is the appellant's personal data: it goes into the event encrypted, never into the metadata.
      await this.run({
        context,
        actor,
        caseId,
        authority: 'author of the content',
        input: { commandId: input.commandId ?? null },
        command: (at) => ({
          type: 'FileAppeal',
          caseId,
          actorId: actor.id,
          statement: input.statement,
          appealWindowDays: this.config.appealWindowDays,
          at,
        }),
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'NOT_FOUND') throw appealRefused();
      throw error;
    }
    return this.answer(caseId, actor);
  }
}

@CommandHandler(DecideAppealCommand)
export class DecideAppealHandler extends CaseHandler {
  async execute({ input, context }: DecideAppealCommand): Promise<ModerationCaseView> {
    // The role before the id: a refused caller learns nothing about which ids would do.
    requireRole(context, [Role.COMMUNITY_MANAGER], DECIDING_AN_APPEAL);
    const caseId = requireId(input.caseId, 'caseId');
    const result = await this.pipeline.executeMutation({
      context,
      roles: [Role.COMMUNITY_MANAGER],
      action: DECIDING_AN_APPEAL,
      input,
      streamId: moderationCaseStreamId(caseId),
      decider: moderationCaseDecider,
      command: (at): ModerationCaseCommand => ({
        type: 'DecideAppeal',
        caseId,
        actorId: requireActor(context).id,
        outcome: input.outcome,
        reason: input.reason,
        at,
      }),
      readModels: READ_MODELS,
    });
    if (result.state.status === 'absent') throw notFound(`moderation case ${caseId} does not exist`);
    return this.answer(caseId, requireActor(context));
  }
}

/** Notes about a member are kept by community managers; reading them is for staff (see standingForViewer). */
abstract class ModeratorNoteHandler {
  constructor(
    @Inject(CommandPipeline) protected readonly pipeline: CommandPipeline,
    @Inject(DataSource) protected readonly db: DataSource,
    @Inject(GovernanceEventStore) protected readonly events: GovernanceEventStore,
  ) {}

  protected requireRegistered(memberId: string): Promise<void> {
    return requireRegisteredMember(this.events, memberId);
  }

  protected async answer(memberId: string, actor: Actor): Promise<MemberStandingView> {
    return standingForViewer(await findMemberStanding(this.db, memberId, new Date()), actor);
  }
}

@CommandHandler(AddModeratorNoteCommand)
export class AddModeratorNoteHandler extends ModeratorNoteHandler {
  async execute({ input, context }: AddModeratorNoteCommand): Promise<MemberStandingView> {
    requireRole(context, [Role.COMMUNITY_MANAGER], ADDING_A_NOTE);
    const memberId = requireId(input.memberId, 'memberId');
    await this.pipeline.executeMutation({
      context,
      roles: [Role.COMMUNITY_MANAGER],
      action: ADDING_A_NOTE,
      input,
      streamId: moderatorNotesStreamId(memberId),
      decider: moderatorNotesDecider,
      command: async (at): Promise<ModeratorNoteCommand> => {
        await this.requireRegistered(memberId);
        // A retried commandId answers its original note without deciding again, so a fresh id per attempt is safe.
        return {
          type: 'AddModeratorNote',
          memberId,
          noteId: `note-${randomUUID()}`,
          text: input.text,
          authorId: requireActor(context).id,
          at,
        };
      },
      readModels: READ_MODELS,
    });
    return this.answer(memberId, requireActor(context));
  }
}

@CommandHandler(RetractModeratorNoteCommand)
export class RetractModeratorNoteHandler extends ModeratorNoteHandler {
  async execute({ input, context }: RetractModeratorNoteCommand): Promise<MemberStandingView> {
    requireRole(context, [Role.COMMUNITY_MANAGER], RETRACTING_A_NOTE);
    const memberId = requireId(input.memberId, 'memberId');
    await this.pipeline.executeMutation({
      context,
      roles: [Role.COMMUNITY_MANAGER],
      action: RETRACTING_A_NOTE,
      input,
      streamId: moderatorNotesStreamId(memberId),
      decider: moderatorNotesDecider,
      command: (at): ModeratorNoteCommand => ({
        type: 'RetractModeratorNote',
        memberId,
        noteId: input.noteId,
        reason: input.reason ?? null,
        actorId: requireActor(context).id,
        at,
      }),
      readModels: READ_MODELS,
      // The reason says something about the member: it is encrypted in the event, not written to the metadata.
      reasonIsPersonal: true,
    });
    return this.answer(memberId, requireActor(context));
  }
}

function appealRefused(): DomainError {
  return new DomainError('FORBIDDEN', 'only the author of the content may appeal its decision');
}

/** GraphQL's DateTime gives a Date (an invalid one for a value it could not read): the decider refuses that clearly. */
function toIsoOrInvalid(value: Date | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return Number.isNaN(value.getTime()) ? 'invalid date' : value.toISOString();
}

export const MODERATION_COMMAND_HANDLERS = [
  ReportContentHandler,
  ClaimModerationCaseHandler,
  DecideModerationCaseHandler,
  FileAppealHandler,
  DecideAppealHandler,
  AddModeratorNoteHandler,
  RetractModeratorNoteHandler,
];
