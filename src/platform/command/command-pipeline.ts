import { randomUUID } from 'node:crypto';
import type { GovernanceEventStore } from '#event-store';
import {
  comparePositions,
  handleCommand,
  START,
  streamCategory,
  WrongExpectedRevisionError,
  type CommandResult,
  type Decider,
  type DeciderEvent,
  type EventMetadata,
  type LoadedState,
} from '#event-store';
import type { ProjectionRunner } from '#projections';
import type { RequestContext } from '../auth/request-context.ts';
import type { Actor } from '../auth/token-verifier.ts';
import { refuseReadOnlyActor } from '../security/index.ts';
import { badInput, conflict, DomainError } from '../shared/domain-error.ts';
import { optionalText } from '../shared/identifiers.ts';
import { COMMAND_INPUT_RETENTION_MS, inputDigest, type CommandInputs } from './command-inputs.ts';

export interface PipelineCommand<Command, State, Event extends DeciderEvent> {
  readonly streamId: string;
  readonly decider: Decider<Command, State, Event>;
  readonly command: Command;
  readonly context: RequestContext;
  readonly actor: Actor;
  /** Why this actor may do this: a role, or governance state ("owner of group g since revision r"). */
  readonly authority: string;
  readonly reason?: string | null;
  readonly commandId?: string | null;
  readonly expectedRevision?: number | null;
  /**
   * The read models the answer is read from: the mutation answers once they contain its events. EVERY_FOLLOWING_READ_MODEL
   * for a change other modules' read models show too (a privacy setting changes who the directory lists).
   */
  readonly readModels: ReadModelsToWaitFor;
  /** When the command happened (ISO 8601): the time the decider was given, recorded as the events' time. Default: now. */
  readonly occurredAt?: string;
  /**
   * The stream as the handler read it to authorize the command (loadState with this decider): decided on as it is,
   * so the stream is read once. A concurrent append since makes the append conflict, and the retry reads it again.
   */
  readonly loaded?: LoadedState<State>;
}

const COMMAND_ID = /^[A-Za-z0-9._:-]{1,100}$/;

/** Every read model whose filter takes the stream's category (the runner knows them): named ones are listed instead. */
export const EVERY_FOLLOWING_READ_MODEL = 'every read model following the stream';
export type ReadModelsToWaitFor = readonly string[] | typeof EVERY_FOLLOWING_READ_MODEL;

/** As long as the reasons the deciders record themselves (a moderation decision's, a certification change's). */
const REASON_MAX = 2000;

/**
 * What every mutation goes through: metadata (actor, roles, authority, reason, correlation, commandId), commandId
 * idempotency and expectedRevision (in handleCommand), append, then a bounded wait until the read models the answer
 * comes from have caught up with the appended events (read-your-writes for the admin UI).
 */
/** The fields every mutation input may carry (see the contract's conventions). */
export interface MutationInput {
  readonly commandId?: string | null;
  readonly expectedRevision?: number | null;
  readonly reason?: string | null;
}

export class CommandPipeline {
  constructor(
    private readonly events: GovernanceEventStore,
    private readonly runner: ProjectionRunner<never> | ProjectionRunner<unknown>,
    private readonly readModelWaitMs: number,
    /** Where commandIds are bound to their inputs; without it (unit specs) a commandId is bound to nothing. */
    private readonly inputs?: CommandInputs,
  ) {}

  /** An erasure: no digest of anyone's input may outlive it (see CommandInputs). */
  async forgetCommandInputs(): Promise<void> {
    await this.inputs?.forgetAll();
  }

  async execute<Command, State, Event extends DeciderEvent>(
    request: PipelineCommand<Command, State, Event>,
  ): Promise<CommandResult<State>> {
    // Every command of every module comes through here: an auditor's token is refused before anything is decided.
    refuseReadOnlyActor(request.actor);
    requireCommandIdForm(request.commandId);
    if (
      request.expectedRevision !== undefined &&
      request.expectedRevision !== null &&
      (!Number.isInteger(request.expectedRevision) || request.expectedRevision < -1)
    ) {
      throw badInput('expectedRevision must be a whole number from -1 (not created yet) up', { field: 'expectedRevision' });
    }
    // The reason is recorded in the events' metadata as given: it must be text that metadata can hold (PostgreSQL's
    // JSON takes no NUL) and that an auditor can read, checked as every other free text is (found by the hostile-input
    // test: a NUL in a reason was an internal error).
    if (request.reason !== undefined && request.reason !== null) optionalText(request.reason, 'reason', REASON_MAX);
    const metadata: EventMetadata = {
      actorId: request.actor.id,
      actorRoles: [...request.actor.roles],
      authority: request.authority,
      reason: request.reason ?? null,
      source: request.context.source ?? 'api',
      correlationId: request.context.correlationId,
      causationId: null,
      // Namespaced by actor: two users who happen to pick the same commandId do not see each other's result.
      commandId: request.commandId ? namespacedCommandId(request.actor.id, request.commandId) : null,
      occurredAt: request.occurredAt ?? new Date().toISOString(),
    };
    const binding = await this.bindInput(request.context, metadata.commandId, request.commandId);
    let result: CommandResult<State>;
    try {
      result = await handleCommand({
        store: this.events,
        streamId: request.streamId,
        decider: request.decider,
        command: request.command,
        metadata,
        ...(request.expectedRevision !== undefined && request.expectedRevision !== null
          ? { expectedRevision: request.expectedRevision }
          : {}),
        retryOnConflict: 3,
        ...(request.loaded ? { loaded: request.loaded } : {}),
      });
    } catch (error) {
      // Refused, so nothing was appended: the commandId may be used again, with a corrected input. After any other
      // failure the append may have happened, and the binding stays for the retry.
      if (binding?.state === 'new' && (error instanceof DomainError || error instanceof WrongExpectedRevisionError))
        await binding.release();
      throw error;
    }
    if (binding?.state === 'new' && result.idempotentReplay) {
      // The commandId was used before, but its input is no longer known (older than the retention, or forgotten by an
      // erasure): whether this is a retry of it cannot be told, and answering the old result could hide a new command.
      await binding.release();
      throw conflict(
        `commandId ${request.commandId} was used more than ${COMMAND_INPUT_RETENTION_MS / 3_600_000} hours ago (or before an erasure): ` +
          'its input can no longer be compared with this one; send a new commandId',
        { field: 'commandId' },
      );
    }
    // Also when the command changed nothing (it was done already): the answer must not show the state from before the
    // event that made it a no-op, which the read models may not have caught up with yet (found by the soak: a module
    // completed twice at once answered the second time without it). `position` is then the stream's last event.
    if (comparePositions(result.position, START) > 0) {
      // With the category and event types written: a listed read model that takes none of them has nothing to wait
      // for, and on EventStoreDB its checkpoint would not pass these events before later traffic (see waitForPosition).
      const names = request.readModels === EVERY_FOLLOWING_READ_MODEL ? undefined : request.readModels;
      await this.runner.waitForPosition(result.position, names, this.readModelWaitMs, writtenBy(request.streamId, result));
    }
    return result;
  }

  /**
   * Binds the commandId to the mutation's input (issue 18.4): the same commandId with another input is refused before
   * anything is read or decided. Commands that do not come from a GraphQL mutation (schedulers) carry no input.
   */
  private async bindInput(context: RequestContext, key: string | null, commandId: string | null | undefined) {
    const call = context.mutation;
    if (!this.inputs || key === null || !call) return undefined;
    const digest = inputDigest(call);
    const state = await this.inputs.bind(key, digest);
    if (state === 'different') {
      throw conflict(`commandId ${commandId} was already used for another input of ${call.field}: send a new commandId for a new command`, {
        field: 'commandId',
      });
    }
    return { state, release: () => this.inputs!.release(key, digest) };
  }
}

/**
 * What a command wrote, as a read-your-writes wait takes it (ProjectionRunner.waitForPosition): its stream's category
 * and its events' types. A command that changed nothing answers its stream's last event, whose type it does not
 * know: then every read model that may take the category is waited for.
 */
export function writtenBy(
  streamId: string,
  result: Pick<CommandResult<unknown>, 'events'>,
): { readonly categories: readonly string[]; readonly eventTypes?: readonly string[] } {
  const categories = [streamCategory(streamId)];
  return result.events.length > 0 ? { categories, eventTypes: [...new Set(result.events.map((event) => event.type))] } : { categories };
}

/** A commandId, when given, is 1 to 100 letters, digits or . _ : - (BAD_USER_INPUT otherwise). */
export function requireCommandIdForm(commandId: string | null | undefined): void {
  if (commandId !== undefined && commandId !== null && !COMMAND_ID.test(commandId)) {
    throw badInput('commandId must be 1 to 100 letters, digits or . _ : - characters', { field: 'commandId' });
  }
}

/** The commandId as stored in event metadata. */
export function namespacedCommandId(actorId: string, commandId: string): string {
  return `${actorId}/${commandId}`;
}

export function newCorrelationId(): string {
  return randomUUID();
}
