// The insights page: every KPI the API defines, by its short title, with the community's value, its target and its
// trend; below them one table per kind of scope (department, decider, programme, agreement, purpose) with each
// scope's values and the target each is held to; then the targets set, and the form that sets one.
import { useMemo, useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import { supports } from '../api/client.ts';
import { CLEAR_KPI_TARGET, INSIGHT_SERIES, INSIGHTS, KPI_TARGETS, SET_KPI_TARGET } from '../api/documents.ts';
import type { InsightsQuery } from '../api/generated/graphql.ts';
import { localDateTimeToIso } from '../audit.ts';
import { useConsole } from '../context.ts';
import type { DirectoryKind } from '../directory.ts';
import {
  firstRows,
  formatKpi,
  formatTarget,
  kpiCards,
  kpiTitle,
  scopesOf,
  scopeTables,
  targetRevision,
  targetsSet,
  targetSource,
  trendRange,
  type KpiCard,
  type KpiTarget,
  type ScopeKind,
  type ScopeTable,
  type SeriesPoint,
} from '../insights.ts';
import { newCommandId } from '../moderation.ts';
import { Empty, Field, Link, Loaded, Page, Panel, ScrollArea, useAction, useQuery } from '../ui.tsx';
import { Name } from './names.tsx';
import { TrendChart } from './trend-chart.tsx';

type Answer = InsightsQuery;
type Definitions = Answer['kpiDefinitions'];
type Value = Answer['governanceInsights']['kpis'][number];

/** Rows of a per-scope table shown before "show all": enough for the departments of most communities. */
const SCOPE_ROWS = 20;

/** The directory that names a kind of scope; departments and purposes are names already. */
const SCOPE_DIRECTORY: Readonly<Partial<Record<string, DirectoryKind>>> = {
  DECIDER: 'member',
  PROGRAMME: 'programme',
  AGREEMENT: 'agreement',
  GROUP: 'group',
};

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
  const { capabilities, dateTime, me } = useConsole();
  const state = useQuery<Answer>(INSIGHTS, { period: step, at });
  const range = useMemo(() => trendRange(at ? new Date(at) : new Date(), step), [step, at]);
  const series = useQuery<{ governanceInsightSeries: { points: SeriesPoint[] } }>(
    INSIGHT_SERIES,
    { ...range, step },
    !supports(capabilities, INSIGHT_SERIES),
  );
  return (
    <Loaded state={state}>
      {({ governanceInsights, kpiDefinitions }) => {
        // The scoped answer repeats the community's values of its KPIs: the scopes are what it adds.
        const values = [...governanceInsights.kpis, ...governanceInsights.scoped.filter((value) => value.scope !== null)];
        const cards = kpiCards(kpiDefinitions, values);
        const tables = scopeTables(cards);
        return (
          <>
            <p className="muted">
              {dateTime(governanceInsights.periodStart)} – {dateTime(governanceInsights.at)}
            </p>
            <div className="kpis">
              {cards.map((card) => (
                <KpiCardView
                  key={card.definition.kpi}
                  card={card}
                  table={tables.find((table) => table.scopeKind === card.definition.scopeKind)}
                  points={series.data?.governanceInsightSeries.points}
                />
              ))}
            </div>
            {tables.map((table) => (
              <ScopeTableView key={table.scopeKind} table={table} />
            ))}
            {supports(capabilities, KPI_TARGETS) ? (
              <Targets definitions={kpiDefinitions} values={values} onChanged={state.reload} />
            ) : can(me.roles, 'manage') && supports(capabilities, SET_KPI_TARGET) ? (
              <TargetForm definitions={kpiDefinitions} values={values} targets={[]} onSet={state.reload} />
            ) : null}
          </>
        );
      }}
    </Loaded>
  );
}

/** The target's side and value, and a mark whether the value meets it. */
function TargetLine({ value, unit }: { value: Value; unit: string }) {
  const { t, language } = useConsole();
  return (
    <>
      {t('target')}: {formatTarget(language, value.target?.direction ?? value.direction, value.target?.value, unit)} <Met met={value.met} />
    </>
  );
}

function Met({ met }: { met: boolean | null }) {
  const { t } = useConsole();
  if (met === null) return null;
  return met ? (
    <span className="badge badge-ok" title={t('yes')}>
      ✓
    </span>
  ) : (
    <span className="badge badge-bad" title={t('no')}>
      ✗
    </span>
  );
}

function KpiCardView({
  card,
  table,
  points,
}: {
  card: KpiCard<Value>;
  table: ScopeTable<Value> | undefined;
  points: SeriesPoint[] | undefined;
}) {
  const { t, language } = useConsole();
  const { definition, overall } = card;
  const title = kpiTitle(language, definition.kpi);
  const kind = definition.scopeKind as ScopeKind | 'NONE';
  return (
    <article className="kpi" aria-labelledby={`kpi-${definition.kpi}`} data-kpi={definition.kpi}>
      <h2 id={`kpi-${definition.kpi}`} title={definition.description}>
        {title}
      </h2>
      {/* The API's description says exactly what is counted; it is in English, whatever the console's language. */}
      <p className="muted" lang="en">
        <small>{definition.description}</small>
      </p>
      {overall ? (
        <>
          <span className="count-value">{formatKpi(language, overall.value, definition.unit)}</span>
          <p className="muted">
            <TargetLine value={overall} unit={definition.unit} />
          </p>
          {points ? <TrendChart points={points} kpi={definition.kpi} label={title} unit={definition.unit} /> : null}
        </>
      ) : kind !== 'NONE' && definition.scopeRequired ? (
        <p>{t('kpiPerScopeOnly', { kind: t(`scopeName_${kind}`).toLowerCase(), table: t(`scopeTable_${kind}`) })}</p>
      ) : (
        <span className="count-value">—</span>
      )}
      {kind === 'GROUP' ? (
        <p className="muted">
          <Link to={{ name: 'area', area: 'adoption' }}>{t('kpiPerGroupOnAdoption')}</Link>
        </p>
      ) : kind !== 'NONE' && table && card.scopes.length > 0 && overall ? (
        <p className="muted">
          {t(`scopeTable_${kind}`)}: <ScopeSummary table={table} kpi={definition.kpi} />
        </p>
      ) : null}
    </article>
  );
}

/** "Missing a target: 1 of 3", for one KPI's scopes (or for the whole table's); or that none has a target. */
function ScopeSummary({ table, kpi }: { table: ScopeTable<Value>; kpi?: string }) {
  const { t } = useConsole();
  const rows = kpi ? table.rows.filter((row) => row.values.has(kpi)) : table.rows;
  const values = rows.flatMap((row) => (kpi ? [row.values.get(kpi)!] : [...row.values.values()]));
  const missed = rows.filter((row) => (kpi ? row.values.get(kpi)!.met === false : row.missed > 0)).length;
  const key =
    missed > 0 ? 'scopesMissingTarget' : values.some((value) => value.met !== null) ? 'scopesAllMeetTargets' : 'scopesWithoutTargets';
  return <>{t(key, { count: missed, total: rows.length })}</>;
}

/** A scope by the name people know it by: a decider's, a programme's, an agreement's; a department as it is. */
function ScopeLabel({ kind, scope }: { kind: string; scope: string }) {
  const directory = SCOPE_DIRECTORY[kind];
  return directory ? <Name kind={directory} id={scope} /> : <>{scope}</>;
}

/** One kind of scope: a row per scope, a column per KPI measured per that kind, those missing a target first. */
function ScopeTableView({ table }: { table: ScopeTable<Value> }) {
  const { t, language } = useConsole();
  const [all, setAll] = useState(false);
  const { shown, hidden } = firstRows(table.rows, SCOPE_ROWS, all);
  return (
    <Panel title={t(`scopeTable_${table.scopeKind}`)}>
      <p className="muted">
        <ScopeSummary table={table} />
      </p>
      <ScrollArea label={t(`scopeTable_${table.scopeKind}`)}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t(`scopeName_${table.scopeKind}`)}</th>
              {table.kpis.map((definition) => (
                <th key={definition.kpi} scope="col" title={definition.description}>
                  {kpiTitle(language, definition.kpi)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {shown.map((row) => (
              <tr key={row.scope} data-scope={row.scope}>
                <th scope="row">
                  <ScopeLabel kind={table.scopeKind} scope={row.scope} />
                </th>
                {table.kpis.map((definition) => {
                  const value = row.values.get(definition.kpi);
                  const source = value ? targetSource(value) : 'none';
                  return (
                    <td key={definition.kpi}>
                      {value ? (
                        <>
                          <strong>{formatKpi(language, value.value, definition.unit)}</strong>
                          {source !== 'none' ? (
                            <>
                              <br />
                              <span className="muted">
                                {formatTarget(language, value.target!.direction, value.target!.value, definition.unit)} (
                                {source === 'own' ? t('targetOfScope') : t('targetOfKpi')})
                              </span>{' '}
                              <Met met={value.met} />
                            </>
                          ) : null}
                        </>
                      ) : (
                        '—'
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollArea>
      {hidden > 0 ? (
        <p>
          <button type="button" onClick={() => setAll(true)}>
            {t('showAllScopes', { count: table.rows.length })}
          </button>
        </p>
      ) : null}
    </Panel>
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
function Targets({ definitions, values, onChanged }: { definitions: Definitions; values: readonly Value[]; onChanged: () => void }) {
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
              <ScrollArea label={t('kpiTargets')}>
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
                          <td title={definition?.description}>{kpiTitle(language, target.kpi)}</td>
                          <td>
                            {target.scope ? (
                              <ScopeLabel kind={definition?.scopeKind ?? 'NONE'} scope={target.scope} />
                            ) : (
                              <span className="muted">{t('overall')}</span>
                            )}
                          </td>
                          <td>{formatTarget(language, target.direction, target.value, definition?.unit ?? '')}</td>
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
              </ScrollArea>
            )
          }
        </Loaded>
        {action.outcome}
      </Panel>
      {manage && supports(capabilities, SET_KPI_TARGET) ? (
        <TargetForm definitions={definitions} values={values} targets={state.data?.kpiTargets ?? []} onSet={changed} />
      ) : null}
    </>
  );
}

function TargetForm({
  definitions,
  values,
  targets,
  onSet,
}: {
  definitions: Definitions;
  values: readonly Value[];
  targets: readonly KpiTarget[];
  onSet: () => void;
}) {
  const { t, client, language } = useConsole();
  const action = useAction(onSet);
  const [form, setForm] = useState({ kpi: '', scope: '', value: '', reason: '' });
  const definition = definitions.find((d) => d.kpi === form.kpi);
  const kind = definition?.scopeKind;
  const kindName = kind && kind !== 'NONE' ? t(`scopeName_${kind}`).toLowerCase() : '';
  const scopeHint = !definition
    ? undefined
    : kind === 'NONE'
      ? t('kpiNoScopeHint')
      : t(definition.scopeRequired ? 'kpiScopeRequiredHint' : 'kpiScopeKindHint', { kind: kindName });
  const value = Number(form.value);
  const valid = form.kpi !== '' && form.value.trim() !== '' && Number.isFinite(value);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!valid) return;
    // A scope typed before a KPI without scopes was chosen stays in the (disabled) field: it is not sent.
    const scope = kind === 'NONE' ? '' : form.scope.trim();
    const ok = await action.run(async () => {
      const expectedRevision = targetRevision(targets, form.kpi, scope);
      const input = {
        kpi: form.kpi,
        value,
        commandId: newCommandId(),
        ...(expectedRevision !== undefined ? { expectedRevision } : {}),
        ...(scope ? { scope } : {}),
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
                {kpiTitle(language, d.kpi)}
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
        <Field label={t('scopeOptional')} id="k-scope" hint={scopeHint}>
          {/* The scopes the KPI has values for are offered; another (a department without members yet) may be typed. */}
          <input
            id="k-scope"
            list="k-scope-options"
            autoComplete="off"
            disabled={kind === 'NONE'}
            required={definition?.scopeRequired === true}
            aria-describedby={scopeHint ? 'k-scope-hint' : undefined}
            value={form.scope}
            onChange={(ev) => setForm({ ...form, scope: ev.target.value })}
          />
          <datalist id="k-scope-options">
            {scopesOf(values, form.kpi).map((scope) => (
              <option key={scope} value={scope} />
            ))}
          </datalist>
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
