// The audit view's pure logic: filters as the API takes them, the export's URL, and what differs between a
// stream's past state and its current one.

export interface HistoryForm {
  readonly streamId: string;
  readonly category: string;
  readonly eventTypes: string;
  readonly actorId: string;
  readonly correlationId: string;
  /** datetime-local values (the browser's time zone), or ''. */
  readonly from: string;
  readonly to: string;
}

export const EMPTY_HISTORY_FORM: HistoryForm = {
  streamId: '',
  category: '',
  eventTypes: '',
  actorId: '',
  correlationId: '',
  from: '',
  to: '',
};

/** A datetime-local value (yyyy-mm-ddThh:mm[:ss]) read in the browser's time zone, as an ISO date-time; null if not one. */
export function localDateTimeToIso(value: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

/** The GovernanceHistoryFilter of the form: empty fields left out. */
export function historyFilter(form: HistoryForm): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  const text = (value: string) => value.trim();
  if (text(form.streamId)) filter.streamId = text(form.streamId);
  if (text(form.category)) filter.category = text(form.category);
  const types = form.eventTypes
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (types.length > 0) filter.eventTypes = types;
  if (text(form.actorId)) filter.actorId = text(form.actorId);
  if (text(form.correlationId)) filter.correlationId = text(form.correlationId);
  const from = localDateTimeToIso(form.from);
  const to = localDateTimeToIso(form.to);
  if (from) filter.from = from;
  if (to) filter.to = to;
  return filter;
}

/** GET /audit/export with the period and category of the form. */
export function exportUrl(form: Pick<HistoryForm, 'from' | 'to' | 'category'>): string {
  const params = new URLSearchParams();
  const from = localDateTimeToIso(form.from);
  const to = localDateTimeToIso(form.to);
  if (from) params.set('from', from);
  if (to) params.set('to', to);
  if (form.category.trim()) params.set('category', form.category.trim());
  const query = params.toString();
  return `/audit/export${query ? `?${query}` : ''}`;
}

export type TimeTravelTarget = { readonly at: string } | { readonly revision: number } | { readonly problem: 'invalid' };

/** streamStateAt's arguments from the time-travel form: a revision (a whole number) or a moment. */
export function timeTravelTarget(mode: 'at' | 'revision', value: string): TimeTravelTarget {
  if (mode === 'revision') {
    const revision = Number(value);
    return value.trim() !== '' && Number.isSafeInteger(revision) && revision >= 0 ? { revision } : { problem: 'invalid' };
  }
  const at = localDateTimeToIso(value);
  return at ? { at } : { problem: 'invalid' };
}

/** The top-level keys of two states whose values differ (what changed since then), sorted. */
export function changedKeys(then: unknown, now: unknown): string[] {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(then) || !isObject(now)) return JSON.stringify(then) === JSON.stringify(now) ? [] : ['(state)'];
  const keys = new Set([...Object.keys(then), ...Object.keys(now)]);
  return [...keys].filter((key) => JSON.stringify(then[key]) !== JSON.stringify(now[key])).sort();
}

/** The file name of a downloaded export: the period it covers. */
export function exportFileName(form: Pick<HistoryForm, 'from' | 'to'>, now: Date): string {
  const part = (v: string) => (localDateTimeToIso(v) ?? '').slice(0, 10);
  const from = part(form.from) || 'start';
  const to = part(form.to) || now.toISOString().slice(0, 10);
  return `governance-log-${from}-to-${to}.ndjson`;
}
