import { loadState, type GovernanceEventStore, type LoadedState } from '#event-store';
import { namespacedCommandId } from '../../platform/command/command-pipeline.ts';
import { idInStream } from '../../platform/command/use-case.ts';
import { notFound } from '../../platform/shared/domain-error.ts';
import { requireId } from '../../platform/shared/identifiers.ts';
import { readGroupOwnership } from '../groups/index.ts';
import {
  acceptsFlags,
  CaseClosedForFlagsError,
  caseIdFor,
  moderationCaseDecider,
  moderationCaseStreamId,
  requireContentId,
  type ContentStatus,
  type ModerationCaseState,
} from './moderation-case.decider.ts';
import type { ModerationCase, ReportContentInput } from './moderation.graphql.ts';
import { caseAnswer, caseUseCase, known, ownershipRead } from './moderation.use-cases.ts';
import { latestCaseNumber } from './read-models/moderation.queries.ts';

/** Where a report goes, as reportContent's `stream` found it, for its command. */
const reportTargets = new WeakMap<object, { caseNumber: number; contentStatus: ContentStatus; groupId: string | null }>();

function loadCase(events: GovernanceEventStore, caseId: string): Promise<LoadedState<ModerationCaseState>> {
  return loadState(events, moderationCaseStreamId(caseId), moderationCaseDecider);
}

/**
 * A report lands on the open case of its content item, or opens the next one. Case ids are `<contentId>:<n>`, so two
 * first reports race for the same new stream: the loser's retry finds the case open and adds its flag to it. A case
 * decided between this read and the append refuses the flag (CaseClosedForFlagsError): the resolver runs the report
 * again, and it finds the next case.
 */
export const reportContent = caseUseCase<ReportContentInput, ModerationCase>({
  ...caseAnswer,
  action: 'reporting content',
  // A case decided between the report's read and its append refuses the flag: the report runs again and finds the
  // next case. One that keeps landing on cases decided meanwhile gives up rather than loop (it would take a decision a
  // turn).
  retry: {
    attempts: 10,
    when: (error) => error instanceof CaseClosedForFlagsError,
    exhausted: ({ input }) => new Error(`reporting ${input.contentId}: its cases kept being decided while the report was filed; try again`),
  },
  // The input's reason is the flag's (HARASSMENT, SPAM, ...), recorded in the event: it is not a reason for the
  // command, and the metadata leaves it out as it always did.
  reasonIsPersonal: true,
  stream: async (request) => {
    const { input, actor, services } = request;
    const contentId = requireContentId(input.contentId);
    const groupId = input.groupId === null || input.groupId === undefined ? null : requireId(input.groupId, 'groupId');
    // Also what the answer shows the reporter, if they own the group: read once.
    const ownership = groupId === null ? null : await readGroupOwnership(services.events, groupId);
    if (groupId !== null && !ownership) throw notFound(`group ${groupId} does not exist`, { field: 'groupId' });
    ownershipRead.set(request, ownership);
    const retried = input.commandId ? namespacedCommandId(actor.id, input.commandId) : null;

    // The read model says how many cases there were; cases are never deleted, so it can only be behind.
    let caseNumber = Math.max(1, await latestCaseNumber(services.db, contentId));
    let previous: ModerationCaseState = { status: 'absent' };
    for (;;) {
      const caseId = caseIdFor(contentId, caseNumber);
      const loaded = await loadCase(services.events, caseId);
      const { events: history, state } = loaded;
      // A retried report whose flag went to a case decided since must answer that case, not flag a new one.
      const alreadyHandled = retried !== null && history.some((event) => event.metadata.commandId === retried);
      if (state.status !== 'absent' && !acceptsFlags(state) && !alreadyHandled) {
        previous = state;
        caseNumber++;
        continue;
      }
      if (previous.status === 'absent' && caseNumber > 1 && state.status === 'absent') {
        previous = (await loadCase(services.events, caseIdFor(contentId, caseNumber - 1))).state;
      }
      const contentStatus: ContentStatus = previous.status === 'absent' ? 'VISIBLE' : previous.contentStatus;
      reportTargets.set(request, { caseNumber, contentStatus, groupId });
      return { streamId: moderationCaseStreamId(caseId), loaded };
    }
  },
  authorize: () => 'any signed-in member may report content',
  command: (request, { streamId, at }) => {
    const { input, actor } = request;
    const { caseNumber, contentStatus, groupId } = known(reportTargets, request);
    return {
      type: 'ReportContent',
      caseId: idInStream(streamId),
      caseNumber,
      contentId: input.contentId,
      contentType: input.contentType,
      authorId: input.authorId,
      groupId,
      contentStatus,
      reporterId: actor.id,
      reason: input.reason,
      note: input.note ?? null,
      at,
    };
  },
});
