import { Inject } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { GovernanceEventStore, loadState, type CommandResult, type Decider, type DeciderEvent, type LoadedState } from '#event-store';
import { requireActor, requireRole, type RequestContext } from '../auth/request-context.ts';
import type { Role } from '../auth/role.ts';
import type { Actor } from '../auth/token-verifier.ts';
import type { AppConfig } from '../config/config.ts';
import { APP_CONFIG } from '../shared/tokens.ts';
import { CommandPipeline, type MutationInput, type ReadModelsToWaitFor } from './command-pipeline.ts';
import { ProjectionRunner } from '#projections';

/** What the service offers a use case: the log, the read models, the configuration, and a module's own providers. */
export interface UseCaseServices {
  readonly events: GovernanceEventStore;
  readonly db: DataSource;
  readonly config: AppConfig;
  /** The read models' runner: what an answer waits on when it must wait for more than its own read models. */
  readonly runner: ProjectionRunner<unknown>;
  /** A provider by its token, from whichever module declares it (e.g. moderation's certification lookup). */
  get<T>(token: string | symbol | { readonly prototype: T }): T;
}

/** One call of a use case: the GraphQL input, who asks, and what the service offers. */
export interface UseCaseRequest<Input> {
  readonly input: Input;
  readonly context: RequestContext;
  readonly actor: Actor;
  readonly services: UseCaseServices;
}

/** The stream a command goes to, and the stream as the use case already read it to find it, if it did. */
export interface UseCaseTarget<State> {
  readonly streamId: string;
  readonly loaded?: LoadedState<State>;
}

/** The stream a use case acts on, as read once for it. */
export interface LoadedStream<State> extends LoadedState<State> {
  readonly streamId: string;
}

/**
 * A mutation, declared once: which stream it changes and with which decider, who may do it, how the command is
 * built and what it answers. Every mutation of every module runs the same way (UseCaseHandler):
 *
 *   roles (refused before anything is read) → stream (the input checked into a stream id) → the stream read once
 *   → authorize (why this actor may, from the state; default: the role) → command (with the moment it happens)
 *   → the command pipeline (metadata, commandId, expectedRevision, append, read-your-writes) → answer.
 */
export interface UseCase<Input extends MutationInput, Cmd, State, Event extends DeciderEvent, Answer> {
  /** Named in refusals and in the pipeline's messages: "assigning a group owner". */
  readonly action: string;
  readonly decider: Decider<Cmd, State, Event>;
  /** The read models the answer is read from: the mutation answers once they hold its events (see ReadModelsToWaitFor). */
  readonly readModels: ReadModelsToWaitFor;
  /** Who may do it by token role, checked first; without it, `authorize` alone decides. */
  readonly roles?: readonly Role[];
  /**
   * The input's reason also goes to the events' metadata, which is not encrypted. Where it is personal data (a remark
   * about a member), the decider encrypts it in the event instead and the metadata leaves it out.
   */
  readonly reasonIsPersonal?: boolean;
  /** The stream the command goes to, from the input (a malformed id is BAD_USER_INPUT naming its field). */
  stream(request: UseCaseRequest<Input>): string | UseCaseTarget<State> | Promise<string | UseCaseTarget<State>>;
  /**
   * Why this actor may do this, from the stream as read (the recorded authority, e.g. "owner of group g-1"); refuses
   * anyone else. Without it, the role that `roles` found is the authority.
   */
  authorize?(request: UseCaseRequest<Input>, stream: LoadedStream<State>): string | Promise<string>;
  /** The decider's command (its type comes from the decider alone); `at` is when it happens (the events' time, never the clock). */
  command(request: UseCaseRequest<Input>, stream: LoadedStream<State> & { readonly at: string }): Cmd | Promise<Cmd>;
  /**
   * Run the whole use case again (from `stream`) when it failed this way, at most `attempts` times in all: for a use
   * case whose `stream` chooses among streams by what they hold, and whose choice went stale before the append.
   */
  readonly retry?: {
    readonly attempts: number;
    when(error: unknown): boolean;
    /** What the caller gets when every attempt failed so. */
    exhausted(request: UseCaseRequest<Input>): Error;
  };
  /** The refusal as the caller is to get it, e.g. a case that does not exist refused as one that is not theirs. */
  refusal?(error: unknown): unknown;
  /** What the mutation answers, read after the read models caught up (and what must follow the append, if any). */
  answer(request: UseCaseRequest<Input>, outcome: { readonly streamId: string; readonly result: CommandResult<State> }): Promise<Answer>;
}

/**
 * The use cases of one decider's streams, each declared with its input and its answer:
 *
 *   const groupUseCase = useCasesFor(groupDecider);
 *   export const createGroup = groupUseCase<CreateGroupInput, Group>({ action, roles, readModels, stream, command, answer });
 *
 * The command's type comes from the decider, fixed before the use case is written, so `type: 'CreateGroup'` is
 * checked against the decider's commands (inferred together with the use case, TypeScript widened it to a string).
 */
export function useCasesFor<Cmd, State, Event extends DeciderEvent>(decider: Decider<Cmd, State, Event>) {
  return <Input extends MutationInput, Answer>(
    definition: Omit<UseCase<Input, Cmd, State, Event, Answer>, 'decider'>,
  ): UseCase<Input, Cmd, State, Event, Answer> => {
    if (!definition.roles && !definition.authorize) throw new Error(`use case "${definition.action}" names neither roles nor authorize`);
    return { ...definition, decider };
  };
}

/** The id in a stream id `<category>-<id>` (a category holds no '-'). */
export function idInStream(streamId: string): string {
  return streamId.slice(streamId.indexOf('-') + 1);
}

// The handler runs use cases of every type: their parameters are erased here, as a command bus erases them.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyUseCase<Answer = unknown> = UseCase<any, any, any, any, Answer>;

/** What the command bus carries for every mutation: the use case, its input and who asks. */
export class RunUseCase<Answer> extends Command<Answer> {
  constructor(
    readonly useCase: AnyUseCase<Answer>,
    readonly input: MutationInput,
    readonly context: RequestContext,
  ) {
    super();
  }
}

@CommandHandler(RunUseCase)
export class UseCaseHandler implements ICommandHandler<RunUseCase<unknown>> {
  private readonly services: UseCaseServices;

  constructor(
    @Inject(CommandPipeline) private readonly pipeline: CommandPipeline,
    @Inject(GovernanceEventStore) events: GovernanceEventStore,
    @Inject(DataSource) db: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(ProjectionRunner) runner: ProjectionRunner<unknown>,
    @Inject(ModuleRef) modules: ModuleRef,
  ) {
    // ModuleRef takes a class as a token; a class with a private constructor (ProjectionRunner) is one too.
    this.services = { events, db, config, runner, get: (token) => modules.get(token as string, { strict: false }) };
  }

  async execute({ useCase, input, context }: RunUseCase<unknown>): Promise<unknown> {
    const attempts = useCase.retry?.attempts ?? 1;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.run(useCase, input, context);
      } catch (error) {
        if (!useCase.retry?.when(error)) throw useCase.refusal ? useCase.refusal(error) : error;
        if (attempt >= attempts) throw useCase.retry.exhausted({ input, context, actor: requireActor(context), services: this.services });
      }
    }
  }

  private async run(useCase: AnyUseCase, input: MutationInput, context: RequestContext): Promise<unknown> {
    // The role before the input: a caller who may not do this learns nothing about which ids would be valid.
    const byRole = useCase.roles ? requireRole(context, useCase.roles, useCase.action) : undefined;
    const actor = byRole?.actor ?? requireActor(context);
    const request: UseCaseRequest<MutationInput> = { input, context, actor, services: this.services };
    const target = await useCase.stream(request);
    const streamId = typeof target === 'string' ? target : target.streamId;
    // Read once: what authorizes the command is what it is decided on. A concurrent append since makes the append
    // conflict, and the pipeline's retry reads the stream again.
    const loaded =
      (typeof target === 'string' ? undefined : target.loaded) ?? (await loadState(this.services.events, streamId, useCase.decider));
    const stream = { ...loaded, streamId };
    const authority = useCase.authorize ? await useCase.authorize(request, stream) : byRole!.authority;
    const at = new Date().toISOString();
    const result = await this.pipeline.execute({
      streamId,
      decider: useCase.decider,
      command: await useCase.command(request, { ...stream, at }),
      occurredAt: at,
      context,
      actor,
      authority,
      reason: useCase.reasonIsPersonal ? null : (input.reason ?? null),
      commandId: input.commandId ?? null,
      expectedRevision: input.expectedRevision ?? null,
      readModels: useCase.readModels,
      loaded,
    });
    return useCase.answer(request, { streamId, result });
  }
}
