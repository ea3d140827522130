import type { Decider, EventSchemaDefinition } from '#event-store';
import { isId } from '../../platform/shared/identifiers.ts';
import { requireKpi, requireScope, requireTargetValue, type KpiDirection, type KpiId } from './kpi-catalogue.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

/** One target: `kpi_target-<kpi>` for the KPI as a whole, `kpi_target-<kpi>-<scope>` for one scope of it. */
export const KPI_TARGET_STREAM_CATEGORY = 'kpi_target';

/** Marks a scope that is not an id (a department name with spaces): base64url of its UTF-8 after it. */
const ENCODED_SCOPE = '~';

/**
 * Public: auditors pass it to `streamStateAt` (the KpiTarget type answers it too). A scope that is an id is used as it
 * is; any other (a department is free text) is written `~<base64url>`, which no id can be, so two scopes never share
 * a stream.
 */
export function kpiTargetStreamId(kpi: KpiId, scope: string | null): string {
  if (scope === null) return `${KPI_TARGET_STREAM_CATEGORY}-${kpi}`;
  const key = isId(scope) ? scope : `${ENCODED_SCOPE}${Buffer.from(scope, 'utf8').toString('base64url')}`;
  return `${KPI_TARGET_STREAM_CATEGORY}-${kpi}-${key}`;
}

// ---------------------------------------------------------------- events (stored names never change)

export interface KpiTargetSet {
  readonly type: 'KpiTargetSet';
  readonly data: {
    readonly kpi: KpiId;
    /** Null: the KPI as a whole (and every scope that has no target of its own). */
    readonly scope: string | null;
    readonly value: number;
    /** The KPI's direction when the target was set, so the history says what "met" meant then. */
    readonly direction: KpiDirection;
    readonly setBy: string;
    readonly setAt: string;
  };
}

export interface KpiTargetCleared {
  readonly type: 'KpiTargetCleared';
  readonly data: {
    readonly kpi: KpiId;
    readonly scope: string | null;
    readonly clearedBy: string;
    readonly clearedAt: string;
  };
}

export type KpiTargetEvent = KpiTargetSet | KpiTargetCleared;

export const KPI_TARGET_EVENT_TYPES: readonly KpiTargetEvent['type'][] = ['KpiTargetSet', 'KpiTargetCleared'];

export function isKpiTargetEvent(event: { readonly type: string }): event is KpiTargetEvent {
  return (KPI_TARGET_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** A target is about the community, never about a person: nothing personal to encrypt. */
export const KPI_TARGET_EVENT_SCHEMAS: EventSchemaDefinition[] = KPI_TARGET_EVENT_TYPES.map((type) => ({ type }));

// ---------------------------------------------------------------- commands

/** Community managers only: the handler checks the role. */
export interface SetKpiTarget {
  readonly type: 'SetKpiTarget';
  readonly kpi: string;
  readonly scope: string | null;
  readonly value: number;
  readonly actorId: string;
  readonly at: string;
}

export interface ClearKpiTarget {
  readonly type: 'ClearKpiTarget';
  readonly kpi: string;
  readonly scope: string | null;
  readonly actorId: string;
  readonly at: string;
}

export type KpiTargetCommand = SetKpiTarget | ClearKpiTarget;

// ---------------------------------------------------------------- state

export type KpiTargetState =
  | { readonly status: 'none' }
  | {
      readonly status: 'set';
      readonly kpi: KpiId;
      readonly scope: string | null;
      readonly value: number;
      readonly direction: KpiDirection;
      readonly setBy: string;
      readonly setAt: string;
    }
  | {
      readonly status: 'cleared';
      readonly kpi: KpiId;
      readonly scope: string | null;
      readonly clearedBy: string;
      readonly clearedAt: string;
    };

const initialState: KpiTargetState = { status: 'none' };

function evolve(state: KpiTargetState, event: KpiTargetEvent): KpiTargetState {
  switch (event.type) {
    case 'KpiTargetSet':
      return { status: 'set', ...event.data };
    case 'KpiTargetCleared':
      return { status: 'cleared', ...event.data };
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: KpiTargetCommand, state: KpiTargetState): KpiTargetEvent[] {
  switch (command.type) {
    case 'SetKpiTarget': {
      const definition = requireKpi(command.kpi);
      const scope = requireScope(definition, command.scope);
      const value = requireTargetValue(definition, command.value);
      // The same target again records nothing: a retried or repeated form submission is not a change of goal.
      if (state.status === 'set' && state.value === value && state.direction === definition.direction) return [];
      return [
        {
          type: 'KpiTargetSet',
          data: { kpi: definition.kpi, scope, value, direction: definition.direction, setBy: command.actorId, setAt: command.at },
        },
      ];
    }
    case 'ClearKpiTarget': {
      const definition = requireKpi(command.kpi);
      const scope = requireScope(definition, command.scope);
      // Nothing set, nothing to record: clearing is as easy to repeat as setting.
      if (state.status !== 'set') return [];
      return [{ type: 'KpiTargetCleared', data: { kpi: definition.kpi, scope, clearedBy: command.actorId, clearedAt: command.at } }];
    }
    default:
      return unreachable('KPI target command', command, 'type');
  }
}

export const kpiTargetDecider: Decider<KpiTargetCommand, KpiTargetState, KpiTargetEvent> = { initialState, evolve, decide };
