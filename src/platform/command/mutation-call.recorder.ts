import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext, type GqlContextType } from '@nestjs/graphql';
import type { GraphQLResolveInfo } from 'graphql';
import type { Observable } from 'rxjs';
import type { RequestContext } from '../auth/request-context.ts';

/**
 * Notes in the request's context which mutation is being resolved and its `input`, before its resolver runs, so that
 * the command pipeline can bind a commandId to the input it came with (see command-inputs.ts) whatever the module and
 * handler style. Registered as APP_INTERCEPTOR: a new mutation cannot forget it. GraphQL runs the root fields of a
 * mutation one after another, so the note is the current mutation's while its resolver runs.
 */
@Injectable()
export class MutationCallRecorder implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<GqlContextType>() === 'graphql') {
      const gql = GqlExecutionContext.create(context);
      const info = gql.getInfo<GraphQLResolveInfo>();
      if (info.operation.operation === 'mutation' && info.parentType.name === info.schema.getMutationType()?.name) {
        gql.getContext<RequestContext>().mutation = { field: info.fieldName, input: gql.getArgs<Record<string, unknown>>()['input'] };
      }
    }
    return next.handle();
  }
}
