import type { Decider, EventSchemaDefinition } from '#event-store';
import { badInput, conflict } from '../../platform/shared/domain-error.ts';
import { optionalText, requireId } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

export const PRIVACY_STREAM_CATEGORY = 'privacy';

/** Public: auditors pass it to `streamStateAt`. */
export function privacyStreamId(memberId: string): string {
  return `${PRIVACY_STREAM_CATEGORY}-${requireId(memberId, 'memberId')}`;
}

export const VISIBILITIES = ['EVERYONE', 'COLLEAGUES', 'NOBODY'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
/** The consent purpose that lets a profile photo be shown at all. */
export const PROFILE_PHOTO_PURPOSE = 'profile_photo';
const PURPOSE = /^[a-z][a-z0-9_]{0,49}$/;
export const NOTICE_VERSION_MAX = 50;
export const ERASURE_REASON_MAX = 2000;
export const ERASURE_STATUSES = ['REQUESTED', 'COMPLETED'] as const;
export type ErasureStatus = (typeof ERASURE_STATUSES)[number];

// ---------------------------------------------------------------- events (stored names never change)

/** Only the settings that changed are present. */
export interface PrivacySettingsUpdated {
  readonly type: 'PrivacySettingsUpdated';
  readonly data: { readonly memberId: string; readonly profilePhotoVisibility?: Visibility; readonly directoryListed?: boolean };
}

export interface ConsentGiven {
  readonly type: 'ConsentGiven';
  readonly data: { readonly memberId: string; readonly purpose: string; readonly noticeVersion: string | null; readonly givenAt: string };
}

export interface ConsentWithdrawn {
  readonly type: 'ConsentWithdrawn';
  readonly data: { readonly memberId: string; readonly purpose: string; readonly withdrawnAt: string };
}

export interface ErasureRequested {
  readonly type: 'ErasureRequested';
  /** The reason is the member's own words (or about them): personal data, shredded with the rest. */
  readonly data: { readonly memberId: string; readonly reason: string | null; readonly requestedAt: string };
}

/** Recorded once the member's key is destroyed; holds nothing personal, so it reads the same after the erasure. */
export interface ErasureCompleted {
  readonly type: 'ErasureCompleted';
  readonly data: { readonly memberId: string; readonly completedAt: string };
}

export type PrivacyEvent = PrivacySettingsUpdated | ConsentGiven | ConsentWithdrawn | ErasureRequested | ErasureCompleted;

export const PRIVACY_EVENT_TYPES: readonly PrivacyEvent['type'][] = [
  'PrivacySettingsUpdated',
  'ConsentGiven',
  'ConsentWithdrawn',
  'ErasureRequested',
  'ErasureCompleted',
];

export function isPrivacyEvent(event: { readonly type: string }): event is PrivacyEvent {
  return (PRIVACY_EVENT_TYPES as readonly string[]).includes(event.type);
}

export const PRIVACY_EVENT_SCHEMAS: EventSchemaDefinition[] = PRIVACY_EVENT_TYPES.map((type) =>
  type === 'ErasureRequested' ? { type, personal: { fields: ['reason'], subject: (data) => String(data['memberId']) } } : { type },
);

// ---------------------------------------------------------------- commands

/** Absent (or null) settings stay as they are. */
export interface UpdatePrivacySettings {
  readonly type: 'UpdatePrivacySettings';
  readonly memberId: string;
  readonly profilePhotoVisibility?: Visibility | null;
  readonly directoryListed?: boolean | null;
}

export interface GiveConsent {
  readonly type: 'GiveConsent';
  readonly memberId: string;
  readonly purpose: string;
  readonly noticeVersion: string | null;
  readonly at: string;
}

export interface WithdrawConsent {
  readonly type: 'WithdrawConsent';
  readonly memberId: string;
  readonly purpose: string;
  readonly at: string;
}

export interface RequestErasure {
  readonly type: 'RequestErasure';
  readonly memberId: string;
  readonly reason: string | null;
  readonly at: string;
}

/** Only after the member's key was destroyed (the handler does that between the two commands). */
export interface CompleteErasure {
  readonly type: 'CompleteErasure';
  readonly memberId: string;
  readonly at: string;
}

export type PrivacyCommand = UpdatePrivacySettings | GiveConsent | WithdrawConsent | RequestErasure | CompleteErasure;

// ---------------------------------------------------------------- state

export interface ConsentState {
  readonly given: boolean;
  readonly noticeVersion: string | null;
  readonly changedAt: string;
}

export interface PrivacyState {
  /** Most private until the member says otherwise. */
  readonly profilePhotoVisibility: Visibility;
  readonly directoryListed: boolean;
  /** Purpose → its current state; a plain object so that time travel shows it as JSON. */
  readonly consents: Readonly<Record<string, ConsentState>>;
  readonly erasure: {
    readonly status: ErasureStatus;
    readonly requestedAt: string;
    readonly completedAt: string | null;
  } | null;
}

export const DEFAULT_PRIVACY: PrivacyState = { profilePhotoVisibility: 'NOBODY', directoryListed: false, consents: {}, erasure: null };

/** Whatever the setting, a photo is shown to nobody while the profile_photo consent is not given. */
export function effectivePhotoVisibility(state: Pick<PrivacyState, 'profilePhotoVisibility' | 'consents'>): Visibility {
  return consentGiven(state, PROFILE_PHOTO_PURPOSE) ? state.profilePhotoVisibility : 'NOBODY';
}

function consentGiven(state: Pick<PrivacyState, 'consents'>, purpose: string): boolean {
  return Object.hasOwn(state.consents, purpose) && state.consents[purpose]!.given;
}

function evolve(state: PrivacyState, event: PrivacyEvent): PrivacyState {
  switch (event.type) {
    case 'PrivacySettingsUpdated':
      return {
        ...state,
        profilePhotoVisibility: event.data.profilePhotoVisibility ?? state.profilePhotoVisibility,
        directoryListed: event.data.directoryListed ?? state.directoryListed,
      };
    case 'ConsentGiven':
      return {
        ...state,
        consents: {
          ...state.consents,
          [event.data.purpose]: { given: true, noticeVersion: event.data.noticeVersion, changedAt: event.data.givenAt },
        },
      };
    case 'ConsentWithdrawn': {
      const before = Object.hasOwn(state.consents, event.data.purpose) ? state.consents[event.data.purpose]! : null;
      return {
        ...state,
        consents: {
          ...state.consents,
          [event.data.purpose]: { given: false, noticeVersion: before?.noticeVersion ?? null, changedAt: event.data.withdrawnAt },
        },
      };
    }
    case 'ErasureRequested':
      return { ...state, erasure: { status: 'REQUESTED', requestedAt: event.data.requestedAt, completedAt: null } };
    case 'ErasureCompleted':
      return {
        ...state,
        erasure: {
          status: 'COMPLETED',
          requestedAt: state.erasure?.requestedAt ?? event.data.completedAt,
          completedAt: event.data.completedAt,
        },
      };
    default:
      return ignoreUnknownEvent(event, state);
  }
}

function decide(command: PrivacyCommand, state: PrivacyState): PrivacyEvent[] {
  switch (command.type) {
    case 'UpdatePrivacySettings':
      return updateSettings(command, state);
    case 'GiveConsent': {
      const memberId = requireId(command.memberId, 'memberId');
      const purpose = requirePurpose(command.purpose);
      const noticeVersion = optionalText(command.noticeVersion, 'noticeVersion', NOTICE_VERSION_MAX);
      const current = Object.hasOwn(state.consents, purpose) ? state.consents[purpose]! : null;
      // Giving again under the same notice adds nothing; under a new notice it is a new consent, recorded.
      if (current?.given && current.noticeVersion === noticeVersion) return [];
      return [{ type: 'ConsentGiven', data: { memberId, purpose, noticeVersion, givenAt: command.at } }];
    }
    case 'WithdrawConsent': {
      const memberId = requireId(command.memberId, 'memberId');
      const purpose = requirePurpose(command.purpose);
      // As easy as giving: withdrawing what is not given is not an error, there is just nothing to record.
      if (!consentGiven(state, purpose)) return [];
      return [{ type: 'ConsentWithdrawn', data: { memberId, purpose, withdrawnAt: command.at } }];
    }
    case 'RequestErasure': {
      const memberId = requireId(command.memberId, 'memberId');
      const reason = optionalText(command.reason, 'reason', ERASURE_REASON_MAX);
      // Idempotent: a request already made (or done) is not made again; the handler completes a pending one.
      if (state.erasure) return [];
      return [{ type: 'ErasureRequested', data: { memberId, reason, requestedAt: command.at } }];
    }
    case 'CompleteErasure': {
      const memberId = requireId(command.memberId, 'memberId');
      if (!state.erasure) throw conflict(`no erasure was requested for member ${memberId}`);
      if (state.erasure.status === 'COMPLETED') return [];
      return [{ type: 'ErasureCompleted', data: { memberId, completedAt: command.at } }];
    }
    default:
      return unreachable('privacy command', command, 'type');
  }
}

function updateSettings(command: UpdatePrivacySettings, state: PrivacyState): PrivacyEvent[] {
  const memberId = requireId(command.memberId, 'memberId');
  const visibility = command.profilePhotoVisibility ?? null;
  if (visibility !== null && !(VISIBILITIES as readonly string[]).includes(visibility)) {
    throw badInput(`profilePhotoVisibility must be one of ${VISIBILITIES.join(', ')}`, { field: 'profilePhotoVisibility' });
  }
  const listed = command.directoryListed ?? null;
  if (listed !== null && typeof listed !== 'boolean') throw badInput('directoryListed must be true or false', { field: 'directoryListed' });
  const changes: { profilePhotoVisibility?: Visibility; directoryListed?: boolean } = {};
  if (visibility !== null && visibility !== state.profilePhotoVisibility) changes.profilePhotoVisibility = visibility;
  if (listed !== null && listed !== state.directoryListed) changes.directoryListed = listed;
  if (Object.keys(changes).length === 0) return [];
  return [{ type: 'PrivacySettingsUpdated', data: { memberId, ...changes } }];
}

function requirePurpose(purpose: string): string {
  if (typeof purpose !== 'string' || !PURPOSE.test(purpose)) {
    throw badInput('purpose must be 1 to 50 lower-case letters, digits or underscores, starting with a letter (e.g. profile_photo)', {
      field: 'purpose',
    });
  }
  return purpose;
}

export const privacyDecider: Decider<PrivacyCommand, PrivacyState, PrivacyEvent> = { initialState: DEFAULT_PRIVACY, evolve, decide };
