import type { Decider, EventSchemaDefinition } from '#event-store';

/**
 * What operators do to the read models, recorded like every governance action: who rebuilt which read model, when
 * and why (issue 17: it used to be a log line only). One stream per read model, `read_model-<name>`, so an auditor
 * filters on the category `read_model` or on one read model's stream.
 */
export const READ_MODEL_REBUILD_REQUESTED = 'ReadModelRebuildRequested';
export const READ_MODEL_OPERATION_EVENT_SCHEMAS: EventSchemaDefinition[] = [{ type: READ_MODEL_REBUILD_REQUESTED }];

export const READ_MODEL_STREAM_CATEGORY = 'read_model';

export function readModelStreamId(name: string): string {
  return `${READ_MODEL_STREAM_CATEGORY}-${name}`;
}

export interface RequestReadModelRebuild {
  readonly type: 'RequestReadModelRebuild';
  readonly readModel: string;
  /** The generation serving when it was asked: what the rebuild replaces. */
  readonly generation: number;
  readonly actorId: string;
  readonly at: string;
}

export type ReadModelOperationCommand = RequestReadModelRebuild;

export interface ReadModelRebuildRequested {
  readonly type: typeof READ_MODEL_REBUILD_REQUESTED;
  readonly data: { readonly readModel: string; readonly generation: number; readonly requestedBy: string; readonly requestedAt: string };
}

export type ReadModelOperationEvent = ReadModelRebuildRequested;

export type ReadModelOperationsState =
  | { readonly status: 'untouched' }
  | { readonly status: 'rebuilt'; readonly rebuildRequests: number; readonly lastRequestedAt: string; readonly lastRequestedBy: string };

function evolve(state: ReadModelOperationsState, event: ReadModelOperationEvent): ReadModelOperationsState {
  switch (event.type) {
    case READ_MODEL_REBUILD_REQUESTED:
      return {
        status: 'rebuilt',
        rebuildRequests: (state.status === 'rebuilt' ? state.rebuildRequests : 0) + 1,
        lastRequestedAt: event.data.requestedAt,
        lastRequestedBy: event.data.requestedBy,
      };
    default:
      return unknownEvent(event.type satisfies never, state);
  }
}

function decide(command: ReadModelOperationCommand, _state: ReadModelOperationsState): ReadModelOperationEvent[] {
  switch (command.type) {
    // Every request is recorded, also one that joins a rebuild under way: each is someone's decision, with its reason.
    case 'RequestReadModelRebuild':
      return [
        {
          type: READ_MODEL_REBUILD_REQUESTED,
          data: { readModel: command.readModel, generation: command.generation, requestedBy: command.actorId, requestedAt: command.at },
        },
      ];
    default:
      return unknownCommand(command.type satisfies never);
  }
}

function unknownEvent(type: string, state: ReadModelOperationsState): ReadModelOperationsState {
  // An event type this code does not know yet (written by a newer version) changes nothing it knows about.
  void type;
  return state;
}

function unknownCommand(type: string): never {
  throw new Error(`unknown read-model operation ${type}`);
}

export const readModelOperationsDecider: Decider<ReadModelOperationCommand, ReadModelOperationsState, ReadModelOperationEvent> = {
  initialState: { status: 'untouched' },
  evolve,
  decide,
};
