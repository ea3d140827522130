import type { Decider, EventSchemaDefinition } from '#event-store';

/**
 * Operator actions other than read-model rebuilds (those are `read_model-<name>`), recorded like every governance
 * action so that an auditor filters on the category `operator`. One stream per kind of action.
 *
 * An export of the whole log is one (issue 17): it hands out every event with personal fields decrypted, so who took
 * which part of the log, when, is what an auditor (and a data-protection officer accounting for disclosures) asks.
 */
export const OPERATOR_STREAM_CATEGORY = 'operator';
export const LOG_EXPORTS_STREAM = `${OPERATOR_STREAM_CATEGORY}-log_exports`;
export const GOVERNANCE_LOG_EXPORTED = 'GovernanceLogExported';
export const OPERATOR_ACTION_EVENT_SCHEMAS: EventSchemaDefinition[] = [{ type: GOVERNANCE_LOG_EXPORTED }];

/** What the export was asked for: its query parameters, null where not given. */
export interface LogExportScope {
  readonly from: string | null;
  readonly to: string | null;
  readonly category: string | null;
}

export interface RecordGovernanceLogExport {
  readonly type: 'RecordGovernanceLogExport';
  readonly scope: LogExportScope;
  readonly actorId: string;
  readonly at: string;
}

export type OperatorActionCommand = RecordGovernanceLogExport;

export interface GovernanceLogExported {
  readonly type: typeof GOVERNANCE_LOG_EXPORTED;
  readonly data: {
    readonly exportedBy: string;
    readonly exportedAt: string;
    readonly from: string | null;
    readonly to: string | null;
    readonly category: string | null;
  };
}

export type OperatorActionEvent = GovernanceLogExported;

export interface OperatorActionsState {
  readonly logExports: number;
  readonly lastLogExport: GovernanceLogExported['data'] | null;
}

export function governanceLogExported(command: RecordGovernanceLogExport): GovernanceLogExported {
  const { from, to, category } = command.scope;
  return { type: GOVERNANCE_LOG_EXPORTED, data: { exportedBy: command.actorId, exportedAt: command.at, from, to, category } };
}

function evolve(state: OperatorActionsState, event: OperatorActionEvent): OperatorActionsState {
  switch (event.type) {
    case GOVERNANCE_LOG_EXPORTED:
      return { logExports: state.logExports + 1, lastLogExport: event.data };
    default:
      return unknownEvent(event.type satisfies never, state);
  }
}

function decide(command: OperatorActionCommand, _state: OperatorActionsState): OperatorActionEvent[] {
  switch (command.type) {
    // Every export is recorded, however many came before: nothing here depends on the stream's state.
    case 'RecordGovernanceLogExport':
      return [governanceLogExported(command)];
    default:
      throw new Error(`unknown operator action ${command.type satisfies never as string}`);
  }
}

function unknownEvent(type: string, state: OperatorActionsState): OperatorActionsState {
  // An event type this code does not know yet (written by a newer version) changes nothing it knows about.
  void type;
  return state;
}

export const operatorActionsDecider: Decider<OperatorActionCommand, OperatorActionsState, OperatorActionEvent> = {
  initialState: { logExports: 0, lastLogExport: null },
  evolve,
  decide,
};
