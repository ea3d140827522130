import { foldState, streamCategory, type Decider, type DeciderEvent } from '#event-store';
import {
  ACCEPTANCE_STREAM_CATEGORY,
  AGREEMENT_STREAM_CATEGORY,
  agreementAcceptanceDecider,
  agreementDecider,
} from '../agreements/index.ts';
import { GROUP_ACTIVITY_STREAM_CATEGORY, groupActivityDecider } from '../adoption/index.ts';
import { AMBASSADOR_STREAM_CATEGORY, ambassadorDecider } from '../ambassadors/index.ts';
import {
  CERTIFICATION_LEVEL_STREAM_CATEGORY,
  CERTIFICATION_STREAM_CATEGORY,
  certificationDecider,
  certificationLevelDecider,
} from '../certification/index.ts';
import { GROUP_STREAM_CATEGORY, groupDecider } from '../groups/index.ts';
import { KPI_TARGET_STREAM_CATEGORY, kpiTargetDecider } from '../insights/kpi-target.decider.ts';
import {
  LOG_SEAL_STREAM_CATEGORY,
  logSealDecider,
  OPERATOR_STREAM_CATEGORY,
  operatorActionsDecider,
  READ_MODEL_STREAM_CATEGORY,
  readModelOperationsDecider,
} from '../integrity/index.ts';
import { MEMBER_STREAM_CATEGORY, memberDecider } from '../members/index.ts';
import {
  MODERATION_CASE_STREAM_CATEGORY,
  MODERATOR_NOTES_STREAM_CATEGORY,
  moderationCaseDecider,
  moderatorNotesDecider,
} from '../moderation/index.ts';
import { PRIVACY_STREAM_CATEGORY, privacyDecider } from '../privacy/index.ts';
import {
  TRAINING_ENROLMENT_STREAM_CATEGORY,
  TRAINING_PROGRAMME_STREAM_CATEGORY,
  trainingEnrolmentDecider,
  trainingProgrammeDecider,
} from '../training/index.ts';

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

/**
 * Every stream category of the service and the decider that folds it. A module that adds a stream category adds
 * its line here (e.g. `streamDecider(CERTIFICATION_STREAM_CATEGORY, certificationDecider, { memberKeyed: true })`); a stream of a
 * category missing here is refused by streamStateAt as BAD_USER_INPUT, and its history still reads.
 */
export const STREAM_DECIDERS = new StreamDeciderRegistry([
  streamDecider(MEMBER_STREAM_CATEGORY, memberDecider, { memberKeyed: true }),
  streamDecider(GROUP_STREAM_CATEGORY, groupDecider),
  streamDecider(MODERATION_CASE_STREAM_CATEGORY, moderationCaseDecider),
  streamDecider(MODERATOR_NOTES_STREAM_CATEGORY, moderatorNotesDecider, { memberKeyed: true }),
  streamDecider(PRIVACY_STREAM_CATEGORY, privacyDecider, { memberKeyed: true }),
  streamDecider(TRAINING_PROGRAMME_STREAM_CATEGORY, trainingProgrammeDecider),
  streamDecider(TRAINING_ENROLMENT_STREAM_CATEGORY, trainingEnrolmentDecider),
  streamDecider(CERTIFICATION_LEVEL_STREAM_CATEGORY, certificationLevelDecider),
  streamDecider(CERTIFICATION_STREAM_CATEGORY, certificationDecider, { memberKeyed: true }),
  streamDecider(AMBASSADOR_STREAM_CATEGORY, ambassadorDecider, { memberKeyed: true }),
  streamDecider(AGREEMENT_STREAM_CATEGORY, agreementDecider),
  streamDecider(ACCEPTANCE_STREAM_CATEGORY, agreementAcceptanceDecider),
  streamDecider(KPI_TARGET_STREAM_CATEGORY, kpiTargetDecider),
  streamDecider(GROUP_ACTIVITY_STREAM_CATEGORY, groupActivityDecider),
  streamDecider(LOG_SEAL_STREAM_CATEGORY, logSealDecider),
  streamDecider(READ_MODEL_STREAM_CATEGORY, readModelOperationsDecider),
  streamDecider(OPERATOR_STREAM_CATEGORY, operatorActionsDecider),
]);
