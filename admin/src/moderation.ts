// The moderation workflow's pure logic: the decision form, and what changed when a decision met a conflict.

export type Outcome = 'NO_ACTION' | 'HIDE_CONTENT' | 'REMOVE_CONTENT' | 'WARN_MEMBER' | 'SUSPEND_MEMBER';
export const OUTCOMES: readonly Outcome[] = ['NO_ACTION', 'HIDE_CONTENT', 'REMOVE_CONTENT', 'WARN_MEMBER', 'SUSPEND_MEMBER'];
export const CASE_STATUSES = ['OPEN', 'IN_REVIEW', 'DECIDED', 'APPEALED', 'CLOSED'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export interface CaseView {
  readonly id: string;
  readonly status: CaseStatus;
  readonly revision: number;
  readonly assignedTo: string | null;
  readonly contentStatus: string;
  readonly decision: { readonly outcome: Outcome; readonly decidedBy: string; readonly reason: string } | null;
  readonly appeal: { readonly outcome: string | null; readonly decidedBy: string | null } | null;
  readonly flags: readonly unknown[];
}

export interface DecisionForm {
  readonly outcome: Outcome | '';
  readonly reason: string;
  /** `<agreementId>@<version>` of a published agreement, or '' for none. */
  readonly guideline: string;
  readonly section: string;
  /** yyyy-mm-dd, the last day of the suspension; '' for a permanent one. */
  readonly suspendUntil: string;
}

export const EMPTY_DECISION: DecisionForm = { outcome: '', reason: '', guideline: '', section: '', suspendUntil: '' };

export type DecisionProblem = 'outcomeRequired' | 'reasonRequired' | 'suspendUntilPast' | 'suspendUntilInvalid';

/** Whether a case can still be decided (OPEN or IN_REVIEW). */
export function isDecidable(status: CaseStatus): boolean {
  return status === 'OPEN' || status === 'IN_REVIEW';
}

/** The end of the chosen day, in the browser's time zone, as the API's DateTime. */
export function suspensionEnd(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59, 0);
  return date.getMonth() === Number(match[2]) - 1 ? date : null;
}

/** The form's problems, by field; none means it can be sent. */
export function decisionProblems(form: DecisionForm, now: Date): Partial<Record<keyof DecisionForm, DecisionProblem>> {
  const problems: Partial<Record<keyof DecisionForm, DecisionProblem>> = {};
  if (!form.outcome) problems.outcome = 'outcomeRequired';
  if (form.reason.trim().length === 0) problems.reason = 'reasonRequired';
  if (form.outcome === 'SUSPEND_MEMBER' && form.suspendUntil) {
    const end = suspensionEnd(form.suspendUntil);
    if (!end) problems.suspendUntil = 'suspendUntilInvalid';
    else if (end.getTime() <= now.getTime()) problems.suspendUntil = 'suspendUntilPast';
  }
  return problems;
}

export function parseGuideline(value: string): { agreementId: string; version: number } | null {
  const at = value.lastIndexOf('@');
  if (at <= 0) return null;
  const version = Number(value.slice(at + 1));
  return Number.isInteger(version) && version > 0 ? { agreementId: value.slice(0, at), version } : null;
}

/**
 * The input of decideModerationCase, with the revision the manager looked at: if anyone changed the case since,
 * the API refuses it (CONFLICT) instead of overwriting their work.
 */
export function decisionInput(caseView: Pick<CaseView, 'id' | 'revision'>, form: DecisionForm, commandId: string): Record<string, unknown> {
  const guideline = parseGuideline(form.guideline);
  const end = form.outcome === 'SUSPEND_MEMBER' && form.suspendUntil ? suspensionEnd(form.suspendUntil) : null;
  return {
    caseId: caseView.id,
    commandId,
    expectedRevision: caseView.revision,
    outcome: form.outcome,
    reason: form.reason.trim(),
    ...(guideline ? { guideline: { ...guideline, ...(form.section.trim() ? { section: form.section.trim() } : {}) } } : {}),
    ...(end ? { suspendUntil: end.toISOString() } : {}),
  };
}

export type CaseChange =
  | { readonly kind: 'status'; readonly from: string; readonly to: string }
  | { readonly kind: 'assignee'; readonly from: string | null; readonly to: string | null }
  | { readonly kind: 'decided'; readonly by: string; readonly outcome: string }
  | { readonly kind: 'appealDecided'; readonly by: string | null; readonly outcome: string | null }
  | { readonly kind: 'flags'; readonly added: number }
  | { readonly kind: 'content'; readonly from: string; readonly to: string };

/** What someone else changed between the case a manager looked at and the fresh one (shown with a conflict). */
export function caseChanges(before: CaseView, after: CaseView): CaseChange[] {
  const changes: CaseChange[] = [];
  if (before.status !== after.status) changes.push({ kind: 'status', from: before.status, to: after.status });
  if (before.assignedTo !== after.assignedTo) changes.push({ kind: 'assignee', from: before.assignedTo, to: after.assignedTo });
  if (!before.decision && after.decision) changes.push({ kind: 'decided', by: after.decision.decidedBy, outcome: after.decision.outcome });
  if (!before.appeal?.outcome && after.appeal?.outcome)
    changes.push({ kind: 'appealDecided', by: after.appeal.decidedBy, outcome: after.appeal.outcome });
  if (after.flags.length > before.flags.length) changes.push({ kind: 'flags', added: after.flags.length - before.flags.length });
  if (before.contentStatus !== after.contentStatus) changes.push({ kind: 'content', from: before.contentStatus, to: after.contentStatus });
  return changes;
}

export function caseStreamId(caseId: string): string {
  return `moderation_case-${caseId}`;
}

export interface AgreementSummary {
  readonly id: string;
  readonly currentVersion: { readonly version: number; readonly title: string };
}

/** The guidelines a decision may cite: the current published version of each agreement. */
export function guidelineOptions(agreements: readonly AgreementSummary[]): { value: string; label: string }[] {
  return [...agreements]
    .sort((a, b) => a.id.localeCompare(b.id))
    .map((a) => ({
      value: `${a.id}@${a.currentVersion.version}`,
      label: `${a.currentVersion.title} (${a.id}, v${a.currentVersion.version})`,
    }));
}

/** The ids of the streams of a category from history events (agreement-<id> → <id>), first seen first. */
export function idsOfStreams(category: string, streamIds: readonly string[]): string[] {
  const prefix = `${category}-`;
  const ids: string[] = [];
  for (const streamId of streamIds) {
    if (!streamId.startsWith(prefix)) continue;
    const id = streamId.slice(prefix.length);
    if (id && !ids.includes(id)) ids.push(id);
  }
  return ids;
}

export function newCommandId(): string {
  return `console-${crypto.randomUUID()}`;
}
