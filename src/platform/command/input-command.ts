import { Command } from '@nestjs/cqrs';
import type { RequestContext } from '../auth/request-context.ts';

/**
 * A mutation as the command bus carries it: the GraphQL input and who asks. Each mutation declares its own subclass
 * (`class ClaimCaseCommand extends InputCommand<ClaimCaseInput, ModerationCaseView> {}`) so a handler binds to it.
 */
export abstract class InputCommand<Input, Result> extends Command<Result> {
  constructor(
    readonly input: Input,
    readonly context: RequestContext,
  ) {
    super();
  }
}
