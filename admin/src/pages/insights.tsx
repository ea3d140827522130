import { useMemo, useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import { supports } from '../api/client.ts';
import { INSIGHT_SERIES, INSIGHTS, SET_KPI_TARGET } from '../api/documents.ts';
import { localDateTimeToIso } from '../audit.ts';
import { useConsole } from '../context.ts';
import { formatKpi, trendRange, type SeriesPoint } from '../insights.ts';
import { newCommandId } from '../moderation.ts';
import { Field, Loaded, Page, Panel, useAction, useQuery } from '../ui.tsx';
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
          {can(me.roles, 'manage') && supports(capabilities, SET_KPI_TARGET) ? (
            <TargetForm definitions={kpiDefinitions} onSet={state.reload} />
          ) : null}
        </>
      )}
    </Loaded>
  );
}

function TargetForm({ definitions, onSet }: { definitions: Answer['kpiDefinitions']; onSet: () => void }) {
  const { t, client } = useConsole();
  const action = useAction();
  const [form, setForm] = useState({ kpi: '', scope: '', value: '', reason: '' });
  const definition = definitions.find((d) => d.kpi === form.kpi);
  const value = Number(form.value);
  const valid = form.kpi !== '' && form.value.trim() !== '' && Number.isFinite(value);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    const ok = await action.run(async () => {
      const input = {
        kpi: form.kpi,
        value,
        commandId: newCommandId(),
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
