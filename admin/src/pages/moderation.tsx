import { useState, type FormEvent } from 'react';
import { MODERATION_COUNTS, MODERATION_QUEUE } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { CASE_STATUSES, type CaseStatus } from '../moderation.ts';
import { resolveId } from '../directory.ts';
import { LIVE_INTERESTS } from '../live-interests.ts';
import { useLiveRefresh } from '../live-react.tsx';
import { Badge, Empty, Link, Loaded, Page, Pager, ScrollArea, toneOf, useQuery, type Connection } from '../ui.tsx';
import { IdPicker, Name, useDirectory } from './names.tsx';

type StatusFilter = 'ACTIVE' | 'ANY' | CaseStatus;
const ACTIVE: readonly CaseStatus[] = ['OPEN', 'IN_REVIEW', 'APPEALED'];

interface QueueCase {
  id: string;
  contentId: string;
  contentType: string;
  contentStatus: string;
  groupId: string | null;
  authorId: string;
  status: CaseStatus;
  assignedTo: string | null;
  openedAt: string;
  flags: { reason: string }[];
}

interface Filters {
  status: StatusFilter;
  groupId: string;
  assignedTo: string;
}

// The filters survive a visit to a case and back.
let remembered: Filters = { status: 'ACTIVE', groupId: '', assignedTo: '' };

export function statusesOf(filter: StatusFilter): CaseStatus[] | undefined {
  if (filter === 'ANY') return undefined;
  if (filter === 'ACTIVE') return [...ACTIVE];
  return [filter];
}

export function ModerationPage() {
  const { t, e, me, dateTime } = useConsole();
  const [filters, setFiltersState] = useState<Filters>(remembered);
  const [draft, setDraft] = useState<Filters>(remembered);
  const [after, setAfter] = useState<string | null>(null);
  const setFilters = (next: Filters) => {
    remembered = next;
    setFiltersState(next);
    setDraft(next);
    setAfter(null);
  };

  const filter = {
    ...(statusesOf(filters.status) ? { status: statusesOf(filters.status) } : {}),
    ...(filters.groupId.trim() ? { groupId: filters.groupId.trim() } : {}),
    ...(filters.assignedTo.trim() ? { assignedTo: filters.assignedTo.trim() } : {}),
  };
  const queue = useQuery<{ moderationQueue: Connection<QueueCase> }>(MODERATION_QUEUE, { filter, first: 25, after });
  const counts = useQuery<Record<'open' | 'inReview' | 'decided' | 'appealed' | 'closed', { totalCount: number }>>(MODERATION_COUNTS, {
    groupId: filter.groupId ?? null,
    assignedTo: filter.assignedTo ?? null,
  });
  // Someone else reports, claims or decides: the queue and its counts follow without a click.
  useLiveRefresh(LIVE_INTERESTS.moderationQueue, queue.reload, counts.reload);

  const groups = useDirectory('group');
  const members = useDirectory('member');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // A name typed and submitted without leaving the field still filters by its id.
    setFilters({ ...draft, groupId: resolveId(groups.entries, draft.groupId), assignedTo: resolveId(members.entries, draft.assignedTo) });
  };
  const countKeys: Record<CaseStatus, 'open' | 'inReview' | 'decided' | 'appealed' | 'closed'> = {
    OPEN: 'open',
    IN_REVIEW: 'inReview',
    DECIDED: 'decided',
    APPEALED: 'appealed',
    CLOSED: 'closed',
  };

  return (
    <Page
      title={t('area_moderation')}
      actions={
        <button
          type="button"
          onClick={() => {
            queue.reload();
            counts.reload();
          }}
        >
          {t('refresh')}
        </button>
      }
    >
      <ul className="counts" aria-label={t('total')}>
        {CASE_STATUSES.map((status) => (
          <li key={status}>
            <button
              type="button"
              className={filters.status === status ? 'count active' : 'count'}
              aria-pressed={filters.status === status}
              onClick={() => setFilters({ ...filters, status })}
            >
              <span className="count-value">{counts.data ? counts.data[countKeys[status]].totalCount : '…'}</span>
              <span className="count-label">{e(status)}</span>
            </button>
          </li>
        ))}
      </ul>

      <form className="filters" onSubmit={submit} aria-label={t('filters')}>
        <div className="field">
          <label htmlFor="f-status">{t('status')}</label>
          <select id="f-status" value={draft.status} onChange={(ev) => setDraft({ ...draft, status: ev.target.value as StatusFilter })}>
            <option value="ACTIVE">
              {e('OPEN')} / {e('IN_REVIEW')} / {e('APPEALED')}
            </option>
            <option value="ANY">{t('anyStatus')}</option>
            {CASE_STATUSES.map((s) => (
              <option key={s} value={s}>
                {e(s)}
              </option>
            ))}
          </select>
        </div>
        <IdPicker
          kind="group"
          id="f-group"
          label={t('group')}
          value={draft.groupId}
          onChange={(groupId) => setDraft({ ...draft, groupId })}
        />
        <IdPicker
          kind="member"
          id="f-assignee"
          label={t('assignee')}
          value={draft.assignedTo}
          hint={t('assigneeHint', { me: me.id })}
          onChange={(assignedTo) => setDraft({ ...draft, assignedTo })}
        />
        <div className="filter-buttons">
          <button type="submit" className="primary">
            {t('apply')}
          </button>
          <button type="button" onClick={() => setFilters({ status: 'ACTIVE', groupId: '', assignedTo: '' })}>
            {t('clear')}
          </button>
        </div>
      </form>

      <Loaded state={queue}>
        {({ moderationQueue }) =>
          moderationQueue.edges.length === 0 ? (
            <Empty />
          ) : (
            <>
              <ScrollArea label={t('queue')}>
                <table className="cards">
                  <caption className="sr-only">{t('queue')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('caseTitle')}</th>
                      <th scope="col">{t('status')}</th>
                      <th scope="col">{t('content')}</th>
                      <th scope="col">{t('group')}</th>
                      <th scope="col">{t('author')}</th>
                      <th scope="col">{t('flags')}</th>
                      <th scope="col">{t('assignedTo')}</th>
                      <th scope="col">{t('opened')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {moderationQueue.edges.map(({ node }) => (
                      <tr key={node.id}>
                        <td data-label={t('caseTitle')}>
                          <Link to={{ name: 'case', caseId: node.id }}>{node.id}</Link>
                        </td>
                        <td data-label={t('status')}>
                          <Badge value={node.status} tone={toneOf(node.status)} />
                        </td>
                        <td data-label={t('content')}>
                          {node.contentType} <Badge value={node.contentStatus} tone={toneOf(node.contentStatus)} />
                        </td>
                        <td data-label={t('group')}>
                          <Name kind="group" id={node.groupId} directory={groups} />
                        </td>
                        <td data-label={t('author')}>
                          <Name kind="member" id={node.authorId} directory={members} />
                        </td>
                        <td data-label={t('flags')}>
                          {node.flags.length}
                          <span className="muted"> {[...new Set(node.flags.map((f) => e(f.reason)))].join(', ')}</span>
                        </td>
                        <td data-label={t('assignedTo')}>
                          {node.assignedTo ? (
                            <Name kind="member" id={node.assignedTo} directory={members} />
                          ) : (
                            <span className="muted">{t('unassigned')}</span>
                          )}
                        </td>
                        <td data-label={t('opened')}>{dateTime(node.openedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollArea>
              <Pager connection={moderationQueue} after={after} onPage={setAfter} />
            </>
          )
        }
      </Loaded>
    </Page>
  );
}
