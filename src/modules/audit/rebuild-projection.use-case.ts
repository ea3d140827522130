import type { ProjectionRunner, ProjectionStatus } from '#projections';
import { logger } from '../../platform/observability/logger.ts';
import { requireCommandIdForm } from '../../platform/command/command-pipeline.ts';
import { useCasesFor } from '../../platform/command/use-case.ts';
import { badInput, notFound } from '../../platform/shared/domain-error.ts';
import { readModelOperationsDecider, readModelStreamId } from '../integrity/index.ts';
import { PROJECTION_OPERATORS } from './audit-access.ts';
import type { ProjectionStatusView, RebuildProjectionInput } from './governance-event.graphql.ts';

/** The status of the read model `name`, which the use case found to exist. */
async function statusOf(runner: ProjectionRunner<unknown>, name: string): Promise<ProjectionStatus> {
  return (await runner.status()).find((status) => status.name === name)!;
}

/** A read model's status as the API shows it (the `projections` query's too). */
export function projectionStatusView(status: ProjectionStatus): ProjectionStatusView {
  return { name: status.name, checkpoint: status.checkpoint, lag: status.lag, state: status.state.toUpperCase(), runner: status.runner };
}

/**
 * Rebuilds a read model from the start of the log into fresh tables. Recorded first (an operator action is history
 * like any other), then done: a request that could not be recorded rebuilds nothing. A retried commandId records
 * nothing new (its event ids are the same).
 */
export const rebuildProjection = useCasesFor(readModelOperationsDecider)<RebuildProjectionInput, ProjectionStatusView>({
  action: 'rebuilding a read model',
  roles: PROJECTION_OPERATORS,
  readModels: [],
  // Checked in this order before anything is read or recorded: the commandId's form (which the pipeline checks only
  // after the name), the read model's name, the reason (stricter than the pipeline's check).
  stream: ({ input, services }) => {
    requireCommandIdForm(input.commandId);
    const names = services.runner.projectionNames;
    if (!names.includes(input.name)) {
      throw notFound(`there is no read model ${JSON.stringify(input.name)}; the read models are ${names.join(', ')}`, { field: 'name' });
    }
    if (input.reason !== null && input.reason !== undefined && (input.reason.length > 1000 || input.reason.trim() === '')) {
      throw badInput('reason must be 1 to 1000 characters', { field: 'reason' });
    }
    return readModelStreamId(input.name);
  },
  command: async ({ input, actor, services }, { at }) => ({
    type: 'RequestReadModelRebuild',
    readModel: input.name,
    generation: (await statusOf(services.runner, input.name)).generation,
    actorId: actor.id,
    at,
  }),
  // The rebuild starts only after its request is recorded.
  answer: async ({ input, actor, context, services }) => {
    const runner = services.runner;
    // Read before the rebuild is requested, as the generation the request was recorded with was (a retried commandId's
    // request was recorded earlier: it is compared with the generation serving now).
    const before = await statusOf(runner, input.name);
    // A request while one is pending or under way joins it (so a retried commandId starts nothing new); one after
    // the swap starts another rebuild, which only costs the work.
    await runner.requestRebuild(input.name);
    logger.info('read model rebuild requested', {
      projection: input.name,
      actorId: actor.id,
      commandId: input.commandId ?? null,
      correlationId: context.correlationId,
    });
    const after = await statusOf(runner, input.name);
    // Until the new generation has swapped in, the answer says so, even before the runner has picked the request up.
    return after.generation > before.generation ? projectionStatusView(after) : { ...projectionStatusView(after), state: 'REBUILDING' };
  },
});
