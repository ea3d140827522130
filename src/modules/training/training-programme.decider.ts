import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput } from '../../platform/shared/domain-error.ts';
import { requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

export const TRAINING_PROGRAMME_STREAM_CATEGORY = 'training_programme';

/** Public: auditors pass it to `streamStateAt`. */
export function trainingProgrammeStreamId(programmeId: string): string {
  return `${TRAINING_PROGRAMME_STREAM_CATEGORY}-${requireId(programmeId, 'programmeId')}`;
}

export const PROGRAMME_TITLE_MAX = 200;
export const MODULE_TITLE_MAX = 200;
export const PROGRAMME_MODULES_MAX = 100;

export interface TrainingModuleDefinition {
  readonly id: string;
  readonly title: string;
  readonly required: boolean;
  /** A member may record their own completion of a self-paced module; others are recorded by a community manager. */
  readonly selfPaced: boolean;
}

// ---------------------------------------------------------------- events (stored names never change)

/** The first definition of a programme (revision 0 of its stream). */
export interface TrainingProgrammeDefined {
  readonly type: 'TrainingProgrammeDefined';
  readonly data: {
    readonly programmeId: string;
    readonly title: string;
    readonly modules: readonly TrainingModuleDefinition[];
    readonly definedBy: string;
    readonly definedAt: string;
  };
}

/** A later definition, complete in itself: it replaces the previous one for new enrolments only. */
export interface TrainingProgrammeRedefined {
  readonly type: 'TrainingProgrammeRedefined';
  readonly data: {
    readonly programmeId: string;
    readonly title: string;
    readonly modules: readonly TrainingModuleDefinition[];
    readonly definedBy: string;
    readonly definedAt: string;
  };
}

export type TrainingProgrammeEvent = TrainingProgrammeDefined | TrainingProgrammeRedefined;

export const TRAINING_PROGRAMME_EVENT_TYPES: readonly TrainingProgrammeEvent['type'][] = [
  'TrainingProgrammeDefined',
  'TrainingProgrammeRedefined',
];

export function isTrainingProgrammeEvent(event: { readonly type: string }): event is TrainingProgrammeEvent {
  return (TRAINING_PROGRAMME_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** A programme's definition says nothing about any member: no personal fields. */
export const TRAINING_PROGRAMME_EVENT_SCHEMAS: EventSchemaDefinition[] = TRAINING_PROGRAMME_EVENT_TYPES.map((type) => ({ type }));

// ---------------------------------------------------------------- commands

export interface DefineTrainingProgramme {
  readonly type: 'DefineTrainingProgramme';
  readonly programmeId: string;
  readonly title: string;
  readonly modules: readonly TrainingModuleDefinition[];
  readonly actorId: string;
  readonly at: string;
}

export type TrainingProgrammeCommand = DefineTrainingProgramme;

// ---------------------------------------------------------------- state

export interface DefinedProgramme {
  readonly status: 'defined';
  readonly programmeId: string;
  readonly title: string;
  readonly modules: readonly TrainingModuleDefinition[];
  /** How many definitions the stream holds (each one is a revision of the programme). */
  readonly definitions: number;
}

export type TrainingProgrammeState = { readonly status: 'absent' } | DefinedProgramme;

const initialState: TrainingProgrammeState = { status: 'absent' };

function evolve(state: TrainingProgrammeState, event: TrainingProgrammeEvent): TrainingProgrammeState {
  switch (event.type) {
    case 'TrainingProgrammeDefined':
    case 'TrainingProgrammeRedefined':
      return {
        status: 'defined',
        programmeId: event.data.programmeId,
        title: event.data.title,
        modules: event.data.modules,
        definitions: state.status === 'absent' ? 1 : state.definitions + 1,
      };
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: TrainingProgrammeCommand, state: TrainingProgrammeState): TrainingProgrammeEvent[] {
  switch (command.type) {
    case 'DefineTrainingProgramme':
      return define(command, state);
    default:
      return unreachable('training programme command', command.type);
  }
}

export const trainingProgrammeDecider: Decider<TrainingProgrammeCommand, TrainingProgrammeState, TrainingProgrammeEvent> = {
  initialState,
  evolve,
  decide,
};

function define(command: DefineTrainingProgramme, state: TrainingProgrammeState): TrainingProgrammeEvent[] {
  const programmeId = requireId(command.programmeId, 'programmeId');
  const title = requireText(command.title, 'title', PROGRAMME_TITLE_MAX);
  const modules = requireModules(command.modules);
  if (state.status === 'defined' && state.title === title && sameModules(state.modules, modules)) return [];
  const data = { programmeId, title, modules, definedBy: command.actorId, definedAt: command.at };
  return state.status === 'absent' ? [{ type: 'TrainingProgrammeDefined', data }] : [{ type: 'TrainingProgrammeRedefined', data }];
}

function requireModules(modules: readonly TrainingModuleDefinition[]): TrainingModuleDefinition[] {
  if (!Array.isArray(modules) || modules.length === 0) throw badInput('a programme needs at least one module', { field: 'modules' });
  if (modules.length > PROGRAMME_MODULES_MAX) {
    throw badInput(`a programme has at most ${PROGRAMME_MODULES_MAX} modules`, { field: 'modules' });
  }
  const seen = new Set<string>();
  const checked = modules.map((module, index) => {
    const field = `modules[${index}]`;
    const id = requireId(module.id, `${field}.id`);
    if (seen.has(id))
      throw badInput(`module id ${id} is used twice: module ids must be unique within a programme`, { field: `${field}.id` });
    seen.add(id);
    if (typeof module.required !== 'boolean') throw badInput(`${field}.required must be true or false`, { field: `${field}.required` });
    if (typeof module.selfPaced !== 'boolean') throw badInput(`${field}.selfPaced must be true or false`, { field: `${field}.selfPaced` });
    return {
      id,
      title: requireText(module.title, `${field}.title`, MODULE_TITLE_MAX),
      required: module.required,
      selfPaced: module.selfPaced,
    };
  });
  if (!checked.some((module) => module.required)) {
    throw badInput('a programme needs at least one required module: completing it means completing its required modules', {
      field: 'modules',
    });
  }
  return checked;
}

/** Same modules in the same order (the order is how the programme presents them). */
function sameModules(a: readonly TrainingModuleDefinition[], b: readonly TrainingModuleDefinition[]): boolean {
  return (
    a.length === b.length &&
    a.every((module, i) => {
      const other = b[i]!;
      return (
        module.id === other.id && module.title === other.title && module.required === other.required && module.selfPaced === other.selfPaced
      );
    })
  );
}
