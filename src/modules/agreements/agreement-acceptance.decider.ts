import type { Decider, EventSchemaDefinition } from '#event-store';
import type { MemberStreamStatus } from '../members/index.ts';
import { badInput, conflict, DomainError, notFound } from '../../platform/shared/domain-error.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

/** One member's acceptances of one agreement: `acceptance-<agreementId>-<memberId>`. */
export const ACCEPTANCE_STREAM_CATEGORY = 'acceptance';

/** Public: auditors pass it to `streamStateAt`. */
export function acceptanceStreamId(agreementId: string, memberId: string): string {
  return `${ACCEPTANCE_STREAM_CATEGORY}-${requireId(agreementId, 'agreementId')}-${requireId(memberId, 'memberId')}`;
}

// ---------------------------------------------------------------- events (stored names never change)

export interface AgreementAccepted {
  readonly type: 'AgreementAccepted';
  readonly data: {
    readonly agreementId: string;
    readonly memberId: string;
    readonly version: number;
    /** The hash of the text accepted, as its version recorded it. */
    readonly bodySha256: string;
    readonly acceptedAt: string;
  };
}

export type AgreementAcceptanceEvent = AgreementAccepted;

export const AGREEMENT_ACCEPTANCE_EVENT_TYPES: readonly AgreementAcceptanceEvent['type'][] = ['AgreementAccepted'];

export function isAgreementAcceptanceEvent(event: { readonly type: string }): event is AgreementAcceptanceEvent {
  return (AGREEMENT_ACCEPTANCE_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** Accepting is a fact about the member, but holds no text of theirs: nothing to encrypt. */
export const AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS: EventSchemaDefinition[] = AGREEMENT_ACCEPTANCE_EVENT_TYPES.map((type) => ({ type }));

// ---------------------------------------------------------------- commands

/** A member accepts for themselves: the handler takes memberId from the token. */
export interface AcceptAgreement {
  readonly type: 'AcceptAgreement';
  readonly agreementId: string;
  readonly memberId: string;
  readonly version: number;
  /** The agreement as its stream says now; null when it was never published. */
  readonly agreement: { readonly currentVersion: number; readonly currentBodySha256: string } | null;
  /** The accepting member's status, from their member stream. */
  readonly acceptor: MemberStreamStatus;
  readonly at: string;
}

export type AgreementAcceptanceCommand = AcceptAgreement;

// ---------------------------------------------------------------- state

export interface AgreementAcceptanceState {
  /** Oldest first. */
  readonly accepted: readonly { readonly version: number; readonly acceptedAt: string }[];
}

const initialState: AgreementAcceptanceState = { accepted: [] };

function evolve(state: AgreementAcceptanceState, event: AgreementAcceptanceEvent): AgreementAcceptanceState {
  switch (event.type) {
    case 'AgreementAccepted':
      return { accepted: [...state.accepted, { version: event.data.version, acceptedAt: event.data.acceptedAt }] };
    default:
      return ignoreUnknownEvent(event.type, state);
  }
}

function decide(command: AgreementAcceptanceCommand, state: AgreementAcceptanceState): AgreementAcceptanceEvent[] {
  switch (command.type) {
    case 'AcceptAgreement':
      return accept(command, state);
    default:
      return unreachable('agreement acceptance command', command.type);
  }
}

export const agreementAcceptanceDecider: Decider<AgreementAcceptanceCommand, AgreementAcceptanceState, AgreementAcceptanceEvent> = {
  initialState,
  evolve,
  decide,
};

function accept(command: AcceptAgreement, state: AgreementAcceptanceState): AgreementAcceptanceEvent[] {
  const agreementId = requireId(command.agreementId, 'agreementId');
  const memberId = requireId(command.memberId, 'memberId');
  const version = command.version;
  if (!Number.isSafeInteger(version) || version < 1) throw badInput('version must be a whole number from 1', { field: 'version' });
  const agreement = command.agreement;
  if (agreement === null) throw notFound(`agreement ${agreementId} does not exist`, { field: 'agreementId' });
  switch (command.acceptor) {
    case 'active':
      break;
    case 'unregistered':
      throw new DomainError('FORBIDDEN', `accepting an agreement is for registered members: ${memberId} is not in the member directory`);
    case 'left':
      throw new DomainError('FORBIDDEN', `accepting an agreement is for active members: ${memberId} has left`);
    default:
      return unreachable('member status', command.acceptor);
  }
  if (version !== agreement.currentVersion) {
    throw conflict(
      version < agreement.currentVersion
        ? `version ${version} of agreement ${agreementId} is no longer current: read and accept version ${agreement.currentVersion}`
        : `agreement ${agreementId} has no version ${version}: the current version is ${agreement.currentVersion}`,
      { field: 'version', currentVersion: agreement.currentVersion },
    );
  }
  // Accepting the same version again records nothing new.
  if (state.accepted.some((acceptance) => acceptance.version === version)) return [];
  return [
    {
      type: 'AgreementAccepted',
      data: { agreementId, memberId, version, bodySha256: agreement.currentBodySha256, acceptedAt: command.at },
    },
  ];
}
