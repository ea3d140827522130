import { foldState, streamCategory, type Decider, type DeciderEvent } from '#event-store';
import type { StreamDeclaration } from '../../platform/manifest/governance-module.ts';

/** How time travel folds the streams of one category: with the module's own decider, as the command side does. */
export interface StreamDecider {
  readonly category: string;
  /** The state after these events (in revision order), from the decider's initial state. */
  fold(events: Iterable<{ readonly type: string; readonly data: unknown }>): unknown;
  /**
   * The stream id is `<category>-<memberId>`: the stream is about that one member, so a privacy officer handling
   * that member's requests may read it (see audit-access.ts). Streams keyed by two ids (an enrolment, an
   * acceptance) are not: their id does not say unambiguously where the member id starts.
   */
  readonly memberKeyed: boolean;
}

/** One entry: `streamDecider(CATEGORY, decider, { memberKeyed: true })`. */
export function streamDecider<Command, State, Event extends DeciderEvent>(
  category: string,
  decider: Decider<Command, State, Event>,
  options: { readonly memberKeyed?: boolean } = {},
): StreamDecider {
  return { category, fold: (events) => foldState(decider, events), memberKeyed: options.memberKeyed ?? false };
}

export class StreamDeciderRegistry {
  private readonly byCategory = new Map<string, StreamDecider>();

  constructor(entries: readonly StreamDecider[]) {
    for (const entry of entries) {
      if (entry.category.length === 0 || entry.category.includes('-')) {
        throw new Error(`stream category "${entry.category}" must be non-empty and hold no '-'`);
      }
      if (this.byCategory.has(entry.category)) throw new Error(`stream category "${entry.category}" has two deciders`);
      this.byCategory.set(entry.category, entry);
    }
  }

  /** The decider of the stream's category, undefined for a category no module registered. */
  forStream(streamId: string): StreamDecider | undefined {
    return this.byCategory.get(streamCategory(streamId));
  }

  get categories(): string[] {
    return [...this.byCategory.keys()].sort();
  }

  get memberKeyedCategories(): string[] {
    return this.categories.filter((category) => this.byCategory.get(category)!.memberKeyed);
  }

  /** The member a member-keyed stream is about (`privacy-m-1` → `m-1`), else undefined. */
  memberOf(streamId: string): string | undefined {
    const entry = this.forStream(streamId);
    if (!entry?.memberKeyed) return undefined;
    const memberId = streamId.slice(entry.category.length + 1);
    return memberId.length > 0 ? memberId : undefined;
  }
}

/** The registry of every module's streams (GOVERNANCE_STREAMS, handed over by the composition root). */
export function streamDecidersOf(streams: readonly StreamDeclaration[]): StreamDeciderRegistry {
  return new StreamDeciderRegistry(
    streams.map((declared) => streamDecider(declared.category, declared.decider, { memberKeyed: declared.memberKeyed })),
  );
}
