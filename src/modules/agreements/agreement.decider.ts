import { createHash } from 'node:crypto';
import type { Decider, EventSchemaDefinition } from '#event-store';
import { requireId, requireText } from '../../platform/shared/identifiers.ts';
import { ignoreUnknownEvent, unreachable } from '../../platform/shared/exhaustive.ts';

/** The versions of one agreement (code of conduct, community guidelines): `agreement-<agreementId>`. */
export const AGREEMENT_STREAM_CATEGORY = 'agreement';

/** Public: auditors pass it to `streamStateAt`. */
export function agreementStreamId(agreementId: string): string {
  return `${AGREEMENT_STREAM_CATEGORY}-${requireId(agreementId, 'agreementId')}`;
}

export const AGREEMENT_TITLE_MAX = 200;
export const AGREEMENT_BODY_MAX = 100_000;

/** Hex SHA-256 of the body's UTF-8 bytes: what an acceptance proves was read. */
export function agreementBodyHash(body: string): string {
  return createHash('sha256').update(body, 'utf8').digest('hex');
}

// ---------------------------------------------------------------- events (stored names never change)

/** The agreement's text is the community's, not anyone's personal data: stored readable. */
export interface AgreementVersionPublished {
  readonly type: 'AgreementVersionPublished';
  readonly data: {
    readonly agreementId: string;
    /** 1 for the first version, then 2, ... */
    readonly version: number;
    readonly title: string;
    readonly body: string;
    readonly bodySha256: string;
    /** Whether members who accepted an earlier version must accept this one (version 1 binds everyone anyway). */
    readonly requiresReacceptance: boolean;
    readonly publishedBy: string;
    readonly publishedAt: string;
  };
}

export type AgreementEvent = AgreementVersionPublished;

export const AGREEMENT_EVENT_TYPES: readonly AgreementEvent['type'][] = ['AgreementVersionPublished'];

export function isAgreementEvent(event: { readonly type: string }): event is AgreementEvent {
  return (AGREEMENT_EVENT_TYPES as readonly string[]).includes(event.type);
}

export const AGREEMENT_EVENT_SCHEMAS: EventSchemaDefinition[] = AGREEMENT_EVENT_TYPES.map((type) => ({ type }));

// ---------------------------------------------------------------- commands

/** Community managers publish (the handler checks the role). */
export interface PublishAgreementVersion {
  readonly type: 'PublishAgreementVersion';
  readonly agreementId: string;
  readonly title: string;
  readonly body: string;
  readonly requiresReacceptance: boolean;
  readonly actorId: string;
  readonly at: string;
}

export type AgreementCommand = PublishAgreementVersion;

// ---------------------------------------------------------------- state

export interface PublishedVersion {
  readonly version: number;
  readonly bodySha256: string;
  readonly requiresReacceptance: boolean;
  readonly publishedAt: string;
}

export type AgreementState =
  | { readonly status: 'absent' }
  | {
      readonly status: 'published';
      readonly agreementId: string;
      readonly currentVersion: number;
      /**
       * The version every member must have accepted (or a later one): the latest that required re-acceptance, or 1.
       * A member whose latest acceptance is at or after it has nothing pending.
       */
      readonly bindingVersion: number;
      /** Oldest first; version n at index n - 1. */
      readonly versions: readonly PublishedVersion[];
    };

const initialState: AgreementState = { status: 'absent' };

function evolve(state: AgreementState, event: AgreementEvent): AgreementState {
  switch (event.type) {
    case 'AgreementVersionPublished': {
      const d = event.data;
      const version: PublishedVersion = {
        version: d.version,
        bodySha256: d.bodySha256,
        requiresReacceptance: d.requiresReacceptance,
        publishedAt: d.publishedAt,
      };
      const previous = state.status === 'published' ? state : null;
      return {
        status: 'published',
        agreementId: d.agreementId,
        currentVersion: d.version,
        bindingVersion: previous === null ? d.version : d.requiresReacceptance ? d.version : previous.bindingVersion,
        versions: [...(previous?.versions ?? []), version],
      };
    }
    default:
      return ignoreUnknownEvent(event.type, state);
  }
}

function decide(command: AgreementCommand, state: AgreementState): AgreementEvent[] {
  switch (command.type) {
    case 'PublishAgreementVersion': {
      const agreementId = requireId(command.agreementId, 'agreementId');
      const title = requireText(command.title, 'title', AGREEMENT_TITLE_MAX);
      const body = requireText(command.body, 'body', AGREEMENT_BODY_MAX);
      const version = state.status === 'published' ? state.currentVersion + 1 : 1;
      return [
        {
          type: 'AgreementVersionPublished',
          data: {
            agreementId,
            version,
            title,
            body,
            bodySha256: agreementBodyHash(body),
            requiresReacceptance: command.requiresReacceptance === true,
            publishedBy: command.actorId,
            publishedAt: command.at,
          },
        },
      ];
    }
    default:
      return unreachable('agreement command', command.type);
  }
}

export const agreementDecider: Decider<AgreementCommand, AgreementState, AgreementEvent> = { initialState, evolve, decide };
