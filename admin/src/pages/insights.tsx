import { useMemo, useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import { supports } from '../api/client.ts';
import { CLEAR_KPI_TARGET, INSIGHT_SERIES, INSIGHTS, KPI_TARGETS, SET_KPI_TARGET } from '../api/documents.ts';
import { localDateTimeToIso } from '../audit.ts';
import { useConsole } from '../context.ts';
import { formatKpi, targetRevision, targetsSet, trendRange, type KpiTarget, type SeriesPoint } from '../insights.ts';
import { newCommandId } from '../moderation.ts';
import { Empty, Field, Loaded, Page, Panel, useAction, useQuery } from '../ui.tsx';
import { Name } from './names.tsx';
import { TrendChart } from './trend-chart.tsx';

interface KpiValue {
  kpi: string;
  value: number | null;
  unit: string;
  direction: string;
  met: boolean | null;
  target: { value: number | null; direction: string } | null;
}

interface Answer {
  governanceInsights: { at: string; periodStart: string; kpis: KpiValue[] };
  kpiDefinitions: { kpi: string; description: string; unit: string; direction: string; perPeriod: boolean }[];
}

export function InsightsPage() {
  const { t, capabilities } = useConsole();
  const [step, setStep] = useState<'WEEK' | 'MONTH'>('MONTH');
  const [at, setAt] = useState('');
  if (!supports(capabilities, INSIGHTS)) {
    return (
      <Page title={t('area_insights')}>
        <p className="notice">{t('insightsUnavailable')}</p>
      </Page>
    );
  }
  return (
    <Page
      title={t('area_insights')}
      actions={
        <>
          <div className="field field-inline">
            <label htmlFor="i-at">{t('insightsAt')}</label>
            <input id="i-at" type="datetime-local" value={at} onChange={(ev) => setAt(ev.target.value)} />
          </div>
          <div className="language-switch" role="group" aria-label={t('trend')}>
            {(['WEEK', 'MONTH'] as const).map((s) => (
              <button key={s} type="button" aria-pressed={s === step} onClick={() => setStep(s)}>
                {s === 'WEEK' ? t('stepWeek') : t('stepMonth')}
              </button>
            ))}
          </div>
        </>
      }
    >
      <Kpis step={step} at={localDateTimeToIso(at)} />
    </Page>
  );
}

function Kpis({ step, at }: { step: 'WEEK' | 'MONTH'; at: string | null }) {
  const { t, language, capabilities, dateTime, me } = useConsole();
  const state = useQuery<Answer>(INSIGHTS, { period: step, at });
  const range = useMemo(() => trendRange(at ? new Date(at) : new Date(), step), [step, at]);
  const series = useQuery<{ governanceInsightSeries: { points: SeriesPoint[] } }>(
    INSIGHT_SERIES,
    { ...range, step },
    !supports(capabilities, INSIGHT_SERIES),
  );
  return (
    <Loaded state={state}>
      {({ governanceInsights, kpiDefinitions }) => (
        <>
          <p className="muted">
            {dateTime(governanceInsights.periodStart)} – {dateTime(governanceInsights.at)}
          </p>
          <div className="kpis">
            {governanceInsights.kpis.map((k) => {
              const definition = kpiDefinitions.find((d) => d.kpi === k.kpi);
              return (
                <article key={k.kpi} className="kpi" aria-labelledby={`kpi-${k.kpi}`}>
                  <h2 id={`kpi-${k.kpi}`}>{definition?.description ?? k.kpi}</h2>
                  <span className="count-value">{formatKpi(language, k.value, k.unit)}</span>
                  <p className="muted">
                    {t('target')}:{' '}
                    {k.target?.value !== null && k.target?.value !== undefined
                      ? `${k.direction === 'AT_MOST' ? '≤' : '≥'} ${formatKpi(language, k.target.value, k.unit)}`
                      : '—'}{' '}
                    {k.met === true ? (
                      <span className="badge badge-ok">✓</span>
                    ) : k.met === false ? (
                      <span className="badge badge-bad">✗</span>
                    ) : null}
                  </p>
                  {series.data ? (
                    <TrendChart
                      points={series.data.governanceInsightSeries.points}
                      kpi={k.kpi}
                      label={definition?.description ?? k.kpi}
                      unit={k.unit}
                    />
                  ) : null}
                </article>
              );
            })}
          </div>
          {supports(capabilities, KPI_TARGETS) ? (
            <Targets definitions={kpiDefinitions} onChanged={state.reload} />
          ) : can(me.roles, 'manage') && supports(capabilities, SET_KPI_TARGET) ? (
            <TargetForm definitions={kpiDefinitions} targets={[]} onSet={state.reload} />
          ) : null}
        </>
      )}
    </Loaded>
  );
}

interface ListedTarget extends KpiTarget {
  id: string;
  direction: string;
  changedAt: string | null;
  changedBy: string | null;
}

/**
 * The targets set now, overall and scoped, each cleared from here (on its revision); below them the form that sets
 * one. Either change reads the targets and the KPIs again; a CONFLICT too.
 */
function Targets({ definitions, onChanged }: { definitions: Answer['kpiDefinitions']; onChanged: () => void }) {
  const { t, language, client, dateTime, me, capabilities } = useConsole();
  const state = useQuery<{ kpiTargets: ListedTarget[] }>(KPI_TARGETS);
  const changed = () => {
    state.reload();
    onChanged();
  };
  const action = useAction(changed);
  const manage = can(me.roles, 'manage');
  const mayClear = manage && supports(capabilities, CLEAR_KPI_TARGET);
  const clear = async (target: ListedTarget) => {
    const ok = await action.run(
      () =>
        client.request(CLEAR_KPI_TARGET, {
          input: {
            kpi: target.kpi,
            expectedRevision: target.revision,
            commandId: newCommandId(),
            ...(target.scope ? { scope: target.scope } : {}),
          },
        }),
      t('targetCleared'),
    );
    if (ok) changed();
  };
  const listed = targetsSet(state.data?.kpiTargets ?? []);
  return (
    <>
      <Panel title={t('kpiTargets')}>
        <Loaded state={state}>
          {() =>
            listed.length === 0 ? (
              <Empty />
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('kpi')}</th>
                      <th scope="col">{t('scope')}</th>
                      <th scope="col">{t('target')}</th>
                      <th scope="col">{t('changed')}</th>
                      {mayClear ? <th scope="col">{t('actions')}</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {listed.map((target) => {
                      const definition = definitions.find((d) => d.kpi === target.kpi);
                      return (
                        <tr key={target.id}>
                          <td>{definition?.description ?? target.kpi}</td>
                          <td>{target.scope ?? <span className="muted">{t('overall')}</span>}</td>
                          <td>
                            {target.direction === 'AT_MOST' ? '≤' : '≥'} {formatKpi(language, target.value, definition?.unit ?? '')}
                          </td>
                          <td>
                            {dateTime(target.changedAt)} · <Name kind="member" id={target.changedBy} />
                          </td>
                          {mayClear ? (
                            <td>
                              <button type="button" disabled={action.busy} onClick={() => void clear(target)}>
                                {t('clearTarget')}
                              </button>
                            </td>
                          ) : null}
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )
          }
        </Loaded>
        {action.outcome}
      </Panel>
      {manage && supports(capabilities, SET_KPI_TARGET) ? (
        <TargetForm definitions={definitions} targets={state.data?.kpiTargets ?? []} onSet={changed} />
      ) : null}
    </>
  );
}

function TargetForm({
  definitions,
  targets,
  onSet,
}: {
  definitions: Answer['kpiDefinitions'];
  targets: readonly KpiTarget[];
  onSet: () => void;
}) {
  const { t, client } = useConsole();
  const action = useAction(onSet);
  const [form, setForm] = useState({ kpi: '', scope: '', value: '', reason: '' });
  const definition = definitions.find((d) => d.kpi === form.kpi);
  const value = Number(form.value);
  const valid = form.kpi !== '' && form.value.trim() !== '' && Number.isFinite(value);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    const ok = await action.run(async () => {
      const expectedRevision = targetRevision(targets, form.kpi, form.scope);
      const input = {
        kpi: form.kpi,
        value,
        commandId: newCommandId(),
        ...(expectedRevision !== undefined ? { expectedRevision } : {}),
        ...(form.scope.trim() ? { scope: form.scope.trim() } : {}),
        ...(form.reason.trim() ? { reason: form.reason.trim() } : {}),
      };
      await client.request(SET_KPI_TARGET, { input });
    }, t('targetSet'));
    if (ok) {
      setForm({ kpi: form.kpi, scope: '', value: '', reason: '' });
      onSet();
    }
  };
  return (
    <Panel title={t('setKpiTarget')}>
      <form className="filters filters-wide" onSubmit={(ev) => void submit(ev)}>
        <Field label={t('kpi')} id="k-kpi">
          <select id="k-kpi" required value={form.kpi} onChange={(ev) => setForm({ ...form, kpi: ev.target.value })}>
            <option value="">—</option>
            {definitions.map((d) => (
              <option key={d.kpi} value={d.kpi}>
                {d.description}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('target')} id="k-value" hint={definition?.unit === 'RATIO' ? t('ratioHint') : undefined}>
          <input
            id="k-value"
            type="number"
            step="any"
            required
            value={form.value}
            aria-describedby={definition?.unit === 'RATIO' ? 'k-value-hint' : undefined}
            onChange={(ev) => setForm({ ...form, value: ev.target.value })}
          />
        </Field>
        <Field label={t('scopeOptional')} id="k-scope">
          <input id="k-scope" value={form.scope} onChange={(ev) => setForm({ ...form, scope: ev.target.value })} />
        </Field>
        <Field label={t('reasonOptional')} id="k-reason">
          <input id="k-reason" value={form.reason} onChange={(ev) => setForm({ ...form, reason: ev.target.value })} />
        </Field>
        <div className="filter-buttons">
          <button type="submit" className="primary" disabled={action.busy || !valid}>
            {t('save')}
          </button>
        </div>
      </form>
      {action.outcome}
    </Panel>
  );
}
