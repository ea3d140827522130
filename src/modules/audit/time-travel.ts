import { StreamNotFoundError, type GovernanceEventStore, type StoredEvent } from '#event-store';
import { badInput, notFound } from '../../platform/shared/domain-error.ts';
import type { StreamDecider, StreamDeciderRegistry } from './stream-deciders.ts';

/** Up to a revision (inclusive), up to a moment (inclusive), or the current state. */
export type TimeTravelTarget = { readonly revision: number } | { readonly at: Date } | { readonly latest: true };

export interface StreamStateView {
  readonly streamId: string;
  /** The last revision folded in; -1 when the stream had no event yet. */
  readonly revision: number;
  /** When that event was recorded; null for -1. */
  readonly at: Date | null;
  readonly state: unknown;
}

// eslint-disable-next-line no-control-regex
const STREAM_ID = /^[^\u0000-\u001F\u007F]{1,300}$/;

export function timeTravelTarget(at: Date | null | undefined, revision: number | null | undefined): TimeTravelTarget {
  const hasAt = at !== null && at !== undefined;
  const hasRevision = revision !== null && revision !== undefined;
  if (hasAt && hasRevision) throw badInput('give either at or revision, not both', { field: 'at' });
  if (hasRevision) {
    if (!Number.isSafeInteger(revision) || revision < 0) throw badInput('revision must be a whole number from 0 up', { field: 'revision' });
    return { revision };
  }
  if (hasAt) {
    if (!(at instanceof Date) || !Number.isFinite(at.getTime())) throw badInput('at must be a date-time', { field: 'at' });
    return { at };
  }
  return { latest: true };
}

/**
 * The state after the events of `history` that the target covers. `at` is compared with `recordedAt` (the time
 * the store recorded the event, at the millisecond the API shows): the state at a moment is what had been recorded
 * by then, which is what a command decided at that moment was folded from. Within a stream recordedAt never goes
 * back (each append reads the stream's head first), so the events covered are a prefix of the stream.
 * `metadata.occurredAt` is not used: it is the time the command carried, which automation may set apart from when
 * anything was recorded.
 */
export function stateAt(
  decider: StreamDecider,
  streamId: string,
  history: readonly StoredEvent[],
  target: TimeTravelTarget,
): StreamStateView {
  let covered: readonly StoredEvent[];
  if ('revision' in target) {
    covered = history.filter((event) => event.revision <= target.revision);
  } else if ('at' in target) {
    const end = history.findIndex((event) => event.recordedAt.getTime() > target.at.getTime());
    covered = end === -1 ? history : history.slice(0, end);
  } else {
    covered = history;
  }
  const last = covered.at(-1);
  return { streamId, revision: last?.revision ?? -1, at: last?.recordedAt ?? null, state: decider.fold(covered) };
}

/** Reads the stream (up to the revision when one is given) and folds it: NOT_FOUND for a stream with no event. */
export async function readStreamStateAt(
  events: GovernanceEventStore,
  registry: StreamDeciderRegistry,
  streamId: string,
  target: TimeTravelTarget,
): Promise<StreamStateView> {
  const decider = requireStreamDecider(registry, streamId);
  let history: StoredEvent[];
  try {
    history = await events.readStream(streamId, 'revision' in target ? { toRevision: target.revision } : {});
  } catch (error) {
    if (error instanceof StreamNotFoundError) throw notFound(`stream ${streamId} does not exist`, { field: 'streamId' });
    throw error;
  }
  if ('revision' in target) {
    const last = history.at(-1)?.revision ?? -1;
    if (last < target.revision) {
      throw badInput(`stream ${streamId} is at revision ${last}: revision must be from 0 to ${last}`, { field: 'revision' });
    }
  }
  return stateAt(decider, streamId, history, target);
}

export function requireStreamDecider(registry: StreamDeciderRegistry, streamId: string): StreamDecider {
  if (typeof streamId !== 'string' || !STREAM_ID.test(streamId)) {
    throw badInput('streamId must be 1 to 300 characters without control characters', { field: 'streamId' });
  }
  const decider = registry.forStream(streamId);
  if (!decider) {
    throw badInput(`streamId ${streamId}: its category (the part before the first '-') is none of ${registry.categories.join(', ')}`, {
      field: 'streamId',
    });
  }
  return decider;
}
