import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput, conflict, notFound } from '../../platform/shared/domain-error.ts';
import { requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

export const CERTIFICATION_LEVEL_STREAM_CATEGORY = 'certification_level';

/** Levels are numbered from 1, without gaps; the bound keeps "read every level" a short walk. */
export const CERTIFICATION_LEVEL_MAX = 100;
export const LEVEL_NAME_MAX = 200;
export const LEVEL_PROGRAMMES_MAX = 50;
export const VALIDITY_MONTHS_MIN = 1;
export const VALIDITY_MONTHS_MAX = 120;

/** Public: auditors pass it to `streamStateAt`. */
export function certificationLevelStreamId(level: number): string {
  return `${CERTIFICATION_LEVEL_STREAM_CATEGORY}-${requireLevel(level)}`;
}

/** A level as its stream defines it now. */
export interface CertificationLevelDefinition {
  readonly level: number;
  readonly name: string;
  /** Training programmes a member completes for this level (on top of those of the levels below). */
  readonly requiredProgrammes: readonly string[];
  readonly validityMonths: number;
}

// ---------------------------------------------------------------- events (stored names never change)

/** The first definition of a level (revision 0 of its stream). */
export interface CertificationLevelDefined {
  readonly type: 'CertificationLevelDefined';
  readonly data: CertificationLevelDefinition & { readonly definedBy: string; readonly definedAt: string };
}

/**
 * A later definition, complete in itself. Certifications already awarded keep their expiry; renewals from now on take
 * the new validity, and awards from now on the new requirements.
 */
export interface CertificationLevelRedefined {
  readonly type: 'CertificationLevelRedefined';
  readonly data: CertificationLevelDefinition & { readonly definedBy: string; readonly definedAt: string };
}

export type CertificationLevelEvent = CertificationLevelDefined | CertificationLevelRedefined;

export const CERTIFICATION_LEVEL_EVENT_TYPES: readonly CertificationLevelEvent['type'][] = [
  'CertificationLevelDefined',
  'CertificationLevelRedefined',
];

export function isCertificationLevelEvent(event: { readonly type: string }): event is CertificationLevelEvent {
  return (CERTIFICATION_LEVEL_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** A level's definition is governance configuration: nothing personal in it. */
export const CERTIFICATION_LEVEL_EVENT_SCHEMAS: EventSchemaDefinition[] = CERTIFICATION_LEVEL_EVENT_TYPES.map((type) => ({ type }));

// ---------------------------------------------------------------- commands

/** Only community managers define levels: the handler checks the role. */
export interface DefineCertificationLevel {
  readonly type: 'DefineCertificationLevel';
  readonly level: number;
  readonly name: string;
  readonly requiredProgrammes: readonly string[];
  readonly validityMonths: number;
  /** Whether level - 1 is defined, from its stream (true for level 1). */
  readonly previousLevelDefined: boolean;
  /** Of `requiredProgrammes`, those that were never defined, from the training programmes' streams. */
  readonly unknownProgrammes: readonly string[];
  readonly actorId: string;
  readonly at: string;
}

export type CertificationLevelCommand = DefineCertificationLevel;

// ---------------------------------------------------------------- state

export type CertificationLevelState = { readonly status: 'undefined' } | ({ readonly status: 'defined' } & CertificationLevelDefinition);

const initialState: CertificationLevelState = { status: 'undefined' };

function evolve(state: CertificationLevelState, event: CertificationLevelEvent): CertificationLevelState {
  switch (event.type) {
    case 'CertificationLevelDefined':
    case 'CertificationLevelRedefined': {
      const { level, name, requiredProgrammes, validityMonths } = event.data;
      return { status: 'defined', level, name, requiredProgrammes, validityMonths };
    }
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: CertificationLevelCommand, state: CertificationLevelState): CertificationLevelEvent[] {
  switch (command.type) {
    case 'DefineCertificationLevel':
      return define(command, state);
    default:
      return unreachable('certification level command', command.type);
  }
}

export const certificationLevelDecider: Decider<CertificationLevelCommand, CertificationLevelState, CertificationLevelEvent> = {
  initialState,
  evolve,
  decide,
};

function define(command: DefineCertificationLevel, state: CertificationLevelState): CertificationLevelEvent[] {
  const level = requireLevel(command.level);
  const name = requireText(command.name, 'name', LEVEL_NAME_MAX);
  const requiredProgrammes = requireProgrammes(command.requiredProgrammes);
  const validityMonths = requireValidityMonths(command.validityMonths);
  if (!command.previousLevelDefined) {
    throw conflict(`level ${level} cannot be defined before level ${level - 1}: levels are defined in order, from 1`, { field: 'level' });
  }
  const unknown = requiredProgrammes.filter((programmeId) => command.unknownProgrammes.includes(programmeId));
  if (unknown.length > 0) {
    throw notFound(
      unknown.length === 1 ? `training programme ${unknown[0]} does not exist` : `training programmes ${unknown.join(', ')} do not exist`,
      { field: 'requiredProgrammes', programmes: unknown },
    );
  }
  const definition = { level, name, requiredProgrammes, validityMonths, definedBy: command.actorId, definedAt: command.at };
  if (state.status === 'undefined') return [{ type: 'CertificationLevelDefined', data: definition }];
  if (sameDefinition(state, definition)) return [];
  return [{ type: 'CertificationLevelRedefined', data: definition }];
}

/** The order of the programmes does not matter: the same set is the same requirement. */
function sameDefinition(a: CertificationLevelDefinition, b: CertificationLevelDefinition): boolean {
  return (
    a.name === b.name &&
    a.validityMonths === b.validityMonths &&
    a.requiredProgrammes.length === b.requiredProgrammes.length &&
    a.requiredProgrammes.every((programmeId) => b.requiredProgrammes.includes(programmeId))
  );
}

// ---------------------------------------------------------------- checks

export function requireLevel(level: number, field = 'level'): number {
  if (!Number.isSafeInteger(level) || level < 1 || level > CERTIFICATION_LEVEL_MAX) {
    throw badInput(`${field} must be a whole number from 1 to ${CERTIFICATION_LEVEL_MAX}`, { field });
  }
  return level;
}

function requireProgrammes(programmes: readonly string[]): string[] {
  if (!Array.isArray(programmes)) throw badInput('requiredProgrammes must be a list of programme ids', { field: 'requiredProgrammes' });
  if (programmes.length > LEVEL_PROGRAMMES_MAX) {
    throw badInput(`a level requires at most ${LEVEL_PROGRAMMES_MAX} programmes`, { field: 'requiredProgrammes' });
  }
  const ids = programmes.map((programmeId) => requireId(programmeId, 'requiredProgrammes'));
  const repeated = ids.find((programmeId, index) => ids.indexOf(programmeId) !== index);
  if (repeated !== undefined) throw badInput(`requiredProgrammes lists ${repeated} twice`, { field: 'requiredProgrammes' });
  return ids;
}

function requireValidityMonths(months: number): number {
  if (!Number.isSafeInteger(months) || months < VALIDITY_MONTHS_MIN || months > VALIDITY_MONTHS_MAX) {
    throw badInput(`validityMonths must be a whole number from ${VALIDITY_MONTHS_MIN} to ${VALIDITY_MONTHS_MAX}`, {
      field: 'validityMonths',
    });
  }
  return months;
}
