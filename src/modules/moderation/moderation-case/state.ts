import { ignoreUnknownEvent } from '../../../platform/shared/exhaustive.ts';
import type {
  AppealOutcome,
  CaseStatus,
  ContentStatus,
  ModerationCaseEvent,
  ModerationOutcome,
  SanctionImposed,
  SanctionStateName,
} from './events.ts';

export interface SanctionState extends SanctionImposed {
  readonly state: SanctionStateName;
}

export interface CaseFile {
  readonly status: CaseStatus;
  readonly caseId: string;
  readonly caseNumber: number;
  readonly contentId: string;
  readonly contentType: string;
  readonly authorId: string;
  readonly groupId: string | null;
  readonly contentStatus: ContentStatus;
  readonly reporters: readonly string[];
  readonly assignee: string | null;
  readonly decision: {
    readonly outcome: ModerationOutcome;
    readonly decidedBy: string;
    readonly decidedAt: string;
    /** What an overturned appeal restores. */
    readonly contentStatusBefore: ContentStatus;
  } | null;
  readonly sanction: SanctionState | null;
  readonly appeal: { readonly appellantId: string; readonly filedAt: string; readonly outcome: AppealOutcome | null } | null;
}

export type ModerationCaseState = { readonly status: 'absent' } | CaseFile;

export const initialState: ModerationCaseState = { status: 'absent' };

export function evolve(state: ModerationCaseState, event: ModerationCaseEvent): ModerationCaseState {
  if (event.type === 'ModerationCaseOpened') {
    const d = event.data;
    return {
      status: 'OPEN',
      caseId: d.caseId,
      caseNumber: d.caseNumber,
      contentId: d.contentId,
      contentType: d.contentType,
      authorId: d.authorId,
      groupId: d.groupId,
      contentStatus: d.contentStatus,
      reporters: [],
      assignee: null,
      decision: null,
      sanction: null,
      appeal: null,
    };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'ContentFlagged':
      return state.reporters.includes(event.data.reporterId) ? state : { ...state, reporters: [...state.reporters, event.data.reporterId] };
    case 'ModerationCaseClaimed':
      return { ...state, status: 'IN_REVIEW', assignee: event.data.moderatorId };
    case 'ModerationCaseReleased':
      return { ...state, status: 'OPEN', assignee: null };
    case 'ModerationCaseDecided': {
      const d = event.data;
      return {
        ...state,
        status: 'DECIDED',
        assignee: state.assignee ?? d.decidedBy,
        contentStatus: d.contentStatus,
        decision: { outcome: d.outcome, decidedBy: d.decidedBy, decidedAt: d.decidedAt, contentStatusBefore: state.contentStatus },
        sanction: d.sanction ? { ...d.sanction, state: 'active' } : null,
      };
    }
    case 'AppealFiled':
      return { ...state, status: 'APPEALED', appeal: { appellantId: event.data.appellantId, filedAt: event.data.filedAt, outcome: null } };
    case 'AppealDecided':
      return {
        ...state,
        status: 'CLOSED',
        contentStatus: event.data.contentStatus,
        appeal: state.appeal ? { ...state.appeal, outcome: event.data.outcome } : null,
      };
    case 'SanctionLifted':
      return state.sanction?.sanctionId === event.data.sanctionId ? { ...state, sanction: { ...state.sanction, state: 'lifted' } } : state;
    case 'SanctionExpired':
      return state.sanction?.sanctionId === event.data.sanctionId ? { ...state, sanction: { ...state.sanction, state: 'expired' } } : state;
    default:
      return ignoreUnknownEvent(event, state);
  }
}
