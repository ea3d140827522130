import { badInput, conflict, DomainError } from '../../../platform/shared/domain-error.ts';
import { unreachable } from '../../../platform/shared/exhaustive.ts';
import { optionalText, requireId, requireText } from '../../../platform/shared/identifiers.ts';
import type { ClaimCase, DecideCase, ModeratorAuthority } from './commands.ts';
import {
  MODERATION_OUTCOMES,
  type ContentStatus,
  type GuidelineReference,
  type ModerationCaseClaimed,
  type ModerationCaseEvent,
  type ModerationOutcome,
  type SanctionImposed,
} from './events.ts';
import { DECISION_REASON_MAX, GUIDELINE_SECTION_MAX, requireCase, requireOneOf } from './rules.ts';
import type { CaseFile, ModerationCaseState } from './state.ts';

export function claim(command: ClaimCase, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const file = requireCase(caseId, state);
  requireModerator(command.authority, file, command.actorId);
  switch (file.status) {
    case 'OPEN':
      return [claimed(file, command.actorId, command.at)];
    case 'IN_REVIEW':
      if (file.assignee === command.actorId) return [];
      // A community manager may take over (the claimer may be away); a group owner may not take a case from anyone.
      if (command.authority.kind === 'community_manager') return [claimed(file, command.actorId, command.at)];
      throw conflict(`case ${caseId} is claimed by ${file.assignee}`);
    case 'DECIDED':
    case 'APPEALED':
    case 'CLOSED':
      throw conflict(`case ${caseId} is already decided`);
    default:
      return unreachable('moderation case status', file.status);
  }
}

export function decideCase(command: DecideCase, state: ModerationCaseState): ModerationCaseEvent[] {
  const caseId = requireId(command.caseId, 'caseId');
  const outcome = requireOneOf(command.outcome, MODERATION_OUTCOMES, 'outcome');
  const reason = requireText(command.reason, 'reason', DECISION_REASON_MAX);
  const guideline = command.guideline === null ? null : requireGuideline(command.guideline);
  const suspendUntil = requireSuspendUntil(command.suspendUntil, outcome, command.at);
  const file = requireCase(caseId, state);
  requireModerator(command.authority, file, command.actorId);
  if (guideline !== null && command.guidelinePublished === false) {
    throw badInput(`guideline: agreement ${guideline.agreementId} has no published version ${guideline.version}`, { field: 'guideline' });
  }
  if (outcome === 'SUSPEND_MEMBER' && command.authority.kind !== 'community_manager') {
    throw new DomainError('FORBIDDEN', 'suspending a member is reserved to community managers');
  }
  const sanction = sanctionFor(outcome, file, suspendUntil);
  // An owner acting against a community manager or a co-owner would be one peer judging another: a community manager
  // does. Hiding or removing someone's content is a sanction against them as much as a warning is (the review's owner
  // removed a community manager's post); only dismissing the report (NO_ACTION) stays within an owner's authority.
  if (outcome !== 'NO_ACTION' && command.authority.kind === 'group_owner') requireOrdinaryAuthor(command.authority, file, outcome);

  const events: ModerationCaseEvent[] = [];
  switch (file.status) {
    case 'OPEN':
      // Deciding an open case claims it on the way, so the record shows who took it.
      events.push(claimed(file, command.actorId, command.at));
      break;
    case 'IN_REVIEW':
      if (file.assignee !== command.actorId) throw conflict(`case ${caseId} is claimed by ${file.assignee}`);
      break;
    case 'DECIDED':
    case 'APPEALED':
    case 'CLOSED':
      throw conflict(`case ${caseId} is already decided`);
    default:
      return unreachable('moderation case status', file.status);
  }
  events.push({
    type: 'ModerationCaseDecided',
    data: {
      caseId,
      outcome,
      reason,
      guideline,
      decidedBy: command.actorId,
      decidedAt: command.at,
      contentStatus: contentStatusAfter(outcome, file.contentStatus),
      sanction,
    },
  });
  return events;
}

function claimed(file: CaseFile, moderatorId: string, at: string): ModerationCaseClaimed {
  return { type: 'ModerationCaseClaimed', data: { caseId: file.caseId, moderatorId, previousAssignee: file.assignee, claimedAt: at } };
}

function contentStatusAfter(outcome: ModerationOutcome, current: ContentStatus): ContentStatus {
  switch (outcome) {
    case 'HIDE_CONTENT':
      // Hiding content that is already removed would bring it back: it stays removed.
      return current === 'REMOVED' ? 'REMOVED' : 'HIDDEN';
    case 'REMOVE_CONTENT':
      return 'REMOVED';
    case 'NO_ACTION':
    case 'WARN_MEMBER':
    case 'SUSPEND_MEMBER':
      return current;
    default:
      return unreachable('moderation outcome', outcome);
  }
}

function sanctionFor(outcome: ModerationOutcome, file: CaseFile, suspendUntil: string | null): SanctionImposed | null {
  // One decision per case, so one sanction per case: its id follows from the case's.
  const sanctionId = `${file.caseId}:sanction`;
  switch (outcome) {
    case 'SUSPEND_MEMBER':
      return { sanctionId, memberId: file.authorId, kind: 'SUSPENSION', until: suspendUntil };
    case 'WARN_MEMBER':
      return { sanctionId, memberId: file.authorId, kind: 'WARNING', until: null };
    case 'NO_ACTION':
    case 'HIDE_CONTENT':
    case 'REMOVE_CONTENT':
      return null;
    default:
      return unreachable('moderation outcome', outcome);
  }
}

function requireModerator(authority: ModeratorAuthority, file: CaseFile, actorId: string): void {
  // Whatever their role: nobody judges a case about their own content, nor a case they brought.
  if (actorId === file.authorId)
    throw new DomainError('FORBIDDEN', `you cannot moderate case ${file.caseId}: it is about your own content`);
  if (file.reporters.includes(actorId)) throw new DomainError('FORBIDDEN', `you cannot moderate case ${file.caseId}: you reported it`);
  switch (authority.kind) {
    case 'community_manager':
      return;
    case 'group_owner':
      if (file.groupId !== null && authority.groupId === file.groupId) return;
      break;
    case 'uncertified_owner':
      if (file.groupId !== null && authority.groupId === file.groupId) {
        throw new DomainError(
          'FORBIDDEN',
          authority.certification === 'NOT_CERTIFIED'
            ? `group ${file.groupId} requires certified owners to moderate its cases, and you are not certified`
            : `your certification is ${authority.certification.toLowerCase()}: owners of group ${file.groupId} moderate its cases only while certified`,
        );
      }
      break;
    case 'none':
      break;
    default:
      return unreachable('moderator authority', authority, 'kind');
  }
  throw new DomainError(
    'FORBIDDEN',
    file.groupId === null
      ? `moderating case ${file.caseId} needs the role COMMUNITY_MANAGER`
      : `moderating case ${file.caseId} needs the role COMMUNITY_MANAGER or ownership of group ${file.groupId}`,
  );
}

function requireOrdinaryAuthor(
  authority: Extract<ModeratorAuthority, { kind: 'group_owner' }>,
  file: CaseFile,
  outcome: ModerationOutcome,
) {
  switch (authority.author) {
    case 'ordinary':
      return;
    case 'community_manager':
      throw new DomainError(
        'FORBIDDEN',
        `a group owner's authority never covers a sanction against a community manager: ${outcome} on case ${file.caseId} is for a community manager to decide`,
      );
    case 'co_owner':
      throw new DomainError(
        'FORBIDDEN',
        `a group owner's authority never covers a sanction against another owner of group ${authority.groupId}: ${outcome} on case ${file.caseId} is for a community manager to decide`,
      );
    default:
      return unreachable('author standing', authority.author);
  }
}

function requireGuideline(guideline: GuidelineReference): GuidelineReference {
  const agreementId = requireId(guideline.agreementId, 'guideline.agreementId');
  if (!Number.isSafeInteger(guideline.version) || guideline.version < 1) {
    throw badInput('guideline.version must be a whole number from 1', { field: 'guideline.version' });
  }
  return { agreementId, version: guideline.version, section: optionalText(guideline.section, 'guideline.section', GUIDELINE_SECTION_MAX) };
}

function requireSuspendUntil(value: string | null, outcome: ModerationOutcome, at: string): string | null {
  if (value === null) return null;
  if (outcome !== 'SUSPEND_MEMBER') throw badInput('suspendUntil applies only to the outcome SUSPEND_MEMBER', { field: 'suspendUntil' });
  const until = Date.parse(value);
  if (Number.isNaN(until)) throw badInput('suspendUntil must be a date and time', { field: 'suspendUntil' });
  if (until <= Date.parse(at)) throw badInput('suspendUntil must be in the future', { field: 'suspendUntil' });
  return new Date(until).toISOString();
}
