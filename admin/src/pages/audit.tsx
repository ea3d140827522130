import { useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import { errorOf, supports } from '../api/client.ts';
import { GOVERNANCE_HISTORY, PROJECTIONS, REBUILD_PROJECTION, STREAM_STATE_AT, VERIFY_HISTORY } from '../api/documents.ts';
import { EMPTY_HISTORY_FORM, changedKeys, exportFileName, exportUrl, historyFilter, timeTravelTarget, type HistoryForm } from '../audit.ts';
import { useConsole } from '../context.ts';
import { actorLabel, authorityLabel, eventTypeLabel, projectionStateLabel } from '../governance-labels.ts';
import { newCommandId } from '../moderation.ts';
import { Confirmation, ErrorNotice, Field, Json, Loaded, Page, Panel, ScrollArea, useAction, useQuery, Words } from '../ui.tsx';
import type { EventList } from './case.tsx';

type HistoryEvent = Parameters<typeof EventList>[0]['events'][number];

export function AuditPage() {
  const { t, capabilities } = useConsole();
  const [streamForTravel, setStreamForTravel] = useState('');
  if (!supports(capabilities, GOVERNANCE_HISTORY)) {
    return (
      <Page title={t('area_audit')}>
        <p className="notice">{t('unavailable')}</p>
      </Page>
    );
  }
  return (
    <Page title={t('area_audit')}>
      <HistoryPanel onTimeTravel={setStreamForTravel} />
      {supports(capabilities, STREAM_STATE_AT) ? <TimeTravelPanel key={streamForTravel} initialStream={streamForTravel} /> : null}
      <div className="grid-2">
        {supports(capabilities, VERIFY_HISTORY) ? <IntegrityPanel /> : null}
        <ExportPanel />
      </div>
      {supports(capabilities, PROJECTIONS) ? <ProjectionsPanel /> : null}
    </Page>
  );
}

function HistoryPanel({ onTimeTravel }: { onTimeTravel: (streamId: string) => void }) {
  const { t } = useConsole();
  const [form, setForm] = useState<HistoryForm>(EMPTY_HISTORY_FORM);
  const [applied, setApplied] = useState<HistoryForm>(EMPTY_HISTORY_FORM);
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors.at(-1) ?? null;
  const state = useQuery<{
    governanceHistory: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: HistoryEvent }[] };
  }>(GOVERNANCE_HISTORY, { filter: historyFilter(applied), first: 25, after });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied(form);
    setCursors([null]);
  };
  const input = (key: keyof HistoryForm, label: string, type = 'text') => (
    <Field label={label} id={`h-${key}`}>
      <input id={`h-${key}`} type={type} value={form[key]} onChange={(ev) => setForm({ ...form, [key]: ev.target.value })} />
    </Field>
  );
  return (
    <Panel title={t('auditHistory')}>
      <form className="filters filters-wide" onSubmit={submit}>
        {input('streamId', t('streamId'))}
        {input('category', t('category'))}
        {input('eventTypes', t('eventTypes'))}
        {input('actorId', t('actor'))}
        {input('correlationId', t('correlationId'))}
        {input('from', t('from'), 'datetime-local')}
        {input('to', t('to'), 'datetime-local')}
        <div className="filter-buttons">
          <button type="submit" className="primary">
            {t('apply')}
          </button>
          <button
            type="button"
            onClick={() => {
              setForm(EMPTY_HISTORY_FORM);
              setApplied(EMPTY_HISTORY_FORM);
              setCursors([null]);
            }}
          >
            {t('clear')}
          </button>
        </div>
      </form>
      <Loaded state={state}>
        {({ governanceHistory }) => (
          <>
            <ScrollArea label={t('auditHistory')}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('recorded')}</th>
                    <th scope="col">{t('event')}</th>
                    <th scope="col">{t('streamId')}</th>
                    <th scope="col">{t('actor')}</th>
                    <th scope="col">{t('reason')}</th>
                    <th scope="col">{t('data')}</th>
                  </tr>
                </thead>
                <tbody>
                  {governanceHistory.edges.map(({ node }) => (
                    <HistoryRow key={node.position} event={node} onTimeTravel={onTimeTravel} />
                  ))}
                </tbody>
              </table>
            </ScrollArea>
            {governanceHistory.edges.length === 0 ? <p className="muted">{t('noResults')}</p> : null}
            <nav className="pager" aria-label={t('pagination')}>
              <button type="button" disabled={cursors.length === 1} onClick={() => setCursors([null])}>
                {t('previous')}
              </button>
              <button
                type="button"
                disabled={!governanceHistory.pageInfo.hasNextPage}
                onClick={() => setCursors([...cursors, governanceHistory.pageInfo.endCursor])}
              >
                {t('next')}
              </button>
            </nav>
          </>
        )}
      </Loaded>
    </Panel>
  );
}

function HistoryRow({ event, onTimeTravel }: { event: HistoryEvent; onTimeTravel: (streamId: string) => void }) {
  const { t, dateTime, language } = useConsole();
  return (
    <tr>
      <td>{dateTime(event.recordedAt)}</td>
      <td>
        {/* In words, and the type itself: the filter above takes it, and the export carries it. */}
        <strong>
          <Words label={eventTypeLabel(language, event.type)} />
        </strong>{' '}
        <span className="muted">
          <code>{event.type}</code> #{event.revision}
        </span>
      </td>
      <td>
        <code>{event.streamId}</code>{' '}
        <button
          type="button"
          className="link"
          aria-label={`${t('timeTravelThis')}: ${event.streamId}`}
          onClick={() => onTimeTravel(event.streamId)}
        >
          {t('timeTravelThis')}
        </button>
      </td>
      <td>{actorLabel(language, event.metadata.actorId)}</td>
      <td>
        {event.metadata.reason ?? (event.metadata.authority ? null : '—')}
        {event.metadata.authority ? (
          <div className="muted" title={event.metadata.authority}>
            {t('authority')}: <Words label={authorityLabel(language, event.metadata.authority)} />
          </div>
        ) : null}
      </td>
      <td>
        <details>
          <summary>{t('data')}</summary>
          <Json value={{ data: event.data, metadata: event.metadata, position: event.position }} />
        </details>
      </td>
    </tr>
  );
}

interface StreamState {
  streamId: string;
  revision: number;
  at: string | null;
  state: unknown;
}

function TimeTravelPanel({ initialStream }: { initialStream: string }) {
  const { t, dateTime, client } = useConsole();
  const [streamId, setStreamId] = useState(initialStream);
  const [mode, setMode] = useState<'at' | 'revision'>('at');
  const [value, setValue] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [result, setResult] = useState<{ then: StreamState; now: StreamState } | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const target = timeTravelTarget(mode, value);
    if (!streamId.trim() || 'problem' in target) {
      setProblem(t('problem_suspendUntilInvalid'));
      return;
    }
    setProblem(null);
    setFailure(null);
    client
      .request<{ then: StreamState; now: StreamState }>(STREAM_STATE_AT, { streamId: streamId.trim(), ...target })
      .then(setResult, (error: Error) => {
        setResult(null);
        setFailure(error);
      });
  };
  const changed = result ? changedKeys(result.then.state, result.now.state) : [];
  const side = (label: string, s: StreamState) => (
    <div className="state-side">
      <h3>
        {label}: {t('revision')} {s.revision} · {dateTime(s.at)}
      </h3>
      <Json value={s.state} label={`${label}: ${t('revision')} ${s.revision}`} />
    </div>
  );
  return (
    <Panel title={t('timeTravel')}>
      <form className="filters" onSubmit={submit}>
        <Field label={t('streamId')} id="tt-stream">
          <input id="tt-stream" value={streamId} onChange={(ev) => setStreamId(ev.target.value)} />
        </Field>
        <fieldset className="field">
          <legend>{t('timeTravel')}</legend>
          <label className="check">
            <input type="radio" name="tt-mode" checked={mode === 'at'} onChange={() => setMode('at')} /> {t('atDate')}
          </label>
          <label className="check">
            <input type="radio" name="tt-mode" checked={mode === 'revision'} onChange={() => setMode('revision')} /> {t('atRevision')}
          </label>
        </fieldset>
        <Field label={mode === 'at' ? t('atDate') : t('atRevision')} id="tt-value" problem={problem ?? undefined}>
          {mode === 'at' ? (
            <input id="tt-value" type="datetime-local" step="1" value={value} onChange={(ev) => setValue(ev.target.value)} />
          ) : (
            <input id="tt-value" type="number" min={0} step={1} value={value} onChange={(ev) => setValue(ev.target.value)} />
          )}
        </Field>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            {t('compare')}
          </button>
        </div>
      </form>
      {failure ? <ErrorNotice error={failure} /> : null}
      {result ? (
        <>
          <p role="status">{changed.length === 0 ? t('noResults') : `${t('changed')}: ${changed.join(', ')}`}</p>
          <div className="grid-2 state-compare">
            {side(t('then'), result.then)}
            {side(t('now'), result.now)}
          </div>
        </>
      ) : null}
    </Panel>
  );
}

function IntegrityPanel() {
  const { t, client, me } = useConsole();
  const [streamId, setStreamId] = useState('');
  const [report, setReport] = useState<{ ok: boolean; verifiedEvents: number; firstBrokenPosition: string | null } | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (stream: string | null) => {
    setBusy(true);
    setFailure(null);
    setReport(null);
    client.request<{ verifyHistory: NonNullable<typeof report> }>(VERIFY_HISTORY, { streamId: stream }).then(
      (answer) => {
        setReport(answer.verifyHistory);
        setBusy(false);
      },
      (error: Error) => {
        setFailure(error);
        setBusy(false);
      },
    );
  };
  return (
    <Panel title={t('integrity')}>
      <form
        onSubmit={(ev) => {
          ev.preventDefault();
          if (streamId.trim()) run(streamId.trim());
        }}
      >
        <Field label={t('streamId')} id="v-stream">
          <input id="v-stream" value={streamId} onChange={(ev) => setStreamId(ev.target.value)} />
        </Field>
        <div className="filter-buttons">
          <button type="submit" disabled={busy || !streamId.trim()}>
            {t('verify')}
          </button>
          {can(me.roles, 'exportAudit') ? (
            <button type="button" disabled={busy} onClick={() => run(null)}>
              {t('verifyAll')}
            </button>
          ) : null}
        </div>
      </form>
      {failure ? <ErrorNotice error={failure} /> : null}
      {report ? (
        <p className={`notice ${report.ok ? 'notice-ok' : 'notice-error'}`} role="status">
          {report.ok
            ? t('verifyOk', { count: report.verifiedEvents })
            : t('verifyBroken', { count: report.verifiedEvents, position: report.firstBrokenPosition })}
        </p>
      ) : null}
    </Panel>
  );
}

function ExportPanel() {
  const { t, token, me } = useConsole();
  const [form, setForm] = useState({ from: '', to: '', category: '' });
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  if (!can(me.roles, 'exportAudit')) return null;
  // The export needs the bearer token, which a plain link cannot send: fetch it, then hand the browser the file.
  const download = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const response = await fetch(exportUrl(form), { headers: { authorization: `Bearer ${token() ?? ''}` } });
      if (!response.ok) {
        // Refusals have GraphQL's shape, { errors: [{ message, extensions: { code } }] }: read as the client reads them.
        const body = (await response.json().catch(() => null)) as Parameters<typeof errorOf>[1];
        throw errorOf(response.status, body) ?? new Error(`HTTP ${response.status}`);
      }
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = exportFileName(form, new Date());
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      setFailure(error as Error);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Panel title={t('export')}>
      <p className="muted">{t('exportHint')}</p>
      <form onSubmit={(ev) => void download(ev)}>
        <Field label={t('from')} id="x-from">
          <input id="x-from" type="datetime-local" value={form.from} onChange={(ev) => setForm({ ...form, from: ev.target.value })} />
        </Field>
        <Field label={t('to')} id="x-to">
          <input id="x-to" type="datetime-local" value={form.to} onChange={(ev) => setForm({ ...form, to: ev.target.value })} />
        </Field>
        <Field label={t('category')} id="x-category">
          <input id="x-category" value={form.category} onChange={(ev) => setForm({ ...form, category: ev.target.value })} />
        </Field>
        <button type="submit" className="primary" disabled={busy}>
          {t('download')}
        </button>
      </form>
      {failure ? <ErrorNotice error={failure} /> : null}
    </Panel>
  );
}

/**
 * The read models and how far each is; a community manager rebuilds one (asked again first: it is rebuilt from the
 * start of the log while the old one serves). The list is read again after a rebuild.
 */
function ProjectionsPanel() {
  const { t, me, client, capabilities, language } = useConsole();
  const state = useQuery<{
    projections: { name: string; checkpoint: string | null; lag: number; state: string; runner: string | null }[];
  }>(PROJECTIONS);
  const action = useAction(state.reload);
  const [rebuilding, setRebuilding] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const mayRebuild = can(me.roles, 'manage') && supports(capabilities, REBUILD_PROJECTION);
  const rebuild = async (name: string) => {
    const ok = await action.run(
      () =>
        client.request(REBUILD_PROJECTION, {
          input: { name, commandId: newCommandId(), ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      t('rebuildStarted', { name }),
    );
    setRebuilding(null);
    if (ok) {
      setReason('');
      state.reload();
    }
  };
  return (
    <Panel title={t('projections')}>
      <Loaded state={state}>
        {({ projections }) => (
          <ScrollArea label={t('projections')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('name')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{t('projectionRunner')}</th>
                  <th scope="col">{t('lag')}</th>
                  <th scope="col">{t('checkpoint')}</th>
                  {mayRebuild ? <th scope="col">{t('actions')}</th> : null}
                </tr>
              </thead>
              <tbody>
                {projections.map((p) => (
                  <tr key={p.name}>
                    <td>{p.name}</td>
                    <td>
                      <Words label={projectionStateLabel(language, p.state)} />
                    </td>
                    <td>{p.runner ? <code>{p.runner}</code> : '—'}</td>
                    <td>{p.lag}</td>
                    <td>
                      <code>{p.checkpoint ?? '—'}</code>
                    </td>
                    {mayRebuild ? (
                      <td>
                        <button type="button" disabled={action.busy} onClick={() => setRebuilding(p.name)}>
                          {t('rebuild', { name: p.name })}
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
        )}
      </Loaded>
      {rebuilding ? (
        <Confirmation
          label={t('rebuild', { name: rebuilding })}
          confirm={t('rebuildConfirmButton')}
          busy={action.busy}
          onConfirm={() => void rebuild(rebuilding)}
          onCancel={() => setRebuilding(null)}
        >
          <p>{t('rebuildConfirm', { name: rebuilding })}</p>
          <Field label={t('reasonOptional')} id="rebuild-reason">
            <input id="rebuild-reason" value={reason} onChange={(ev) => setReason(ev.target.value)} />
          </Field>
        </Confirmation>
      ) : null}
      {action.outcome}
    </Panel>
  );
}
