// Adoption (#24): how groups use the platform by the usage reports imported, over time; the comparisons of groups
// with and without governance work, each with its caveat; and the groups to look at first.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import {
  ACTIVITY_REPORT_FORMATS,
  ADOPTION_KPIS,
  ADOPTION_TREND_WEEKS,
  comparisonsOf,
  formatCalendarDate,
  formatCountDifference,
  formatShareDifference,
  groupSharesOf,
  groupsNeedingAttention,
  hasActivityReports,
  importedDays,
  importOutcome,
  INACTIVE_DAYS,
  INACTIVE_LIST_SIZE,
  lastActivityLabel,
  ownersLabel,
  type ActivityImportAnswer,
  type ActivityReportFormat,
  type AdoptionComparisonsAnswer,
  type Comparison,
  type KpiScopeValue,
} from '../adoption.ts';
import { supports } from '../api/client.ts';
import { ADOPTION, ADOPTION_INACTIVE_GROUPS, ADOPTION_SERIES, GROUP, IMPORT_GROUP_ACTIVITY } from '../api/documents.ts';
import type {
  AdoptionInactiveGroupsQuery,
  AdoptionQuery,
  AdoptionSeriesQuery,
  ImportGroupActivityMutation,
} from '../api/generated/graphql.ts';
import { useConsole } from '../context.ts';
import { formatKpi, trendRange } from '../insights.ts';
import { newCommandId } from '../moderation.ts';
import { ErrorNotice, Field, Link, Loaded, Loading, Page, Panel, ScrollArea, useAction, useQuery, type QueryState } from '../ui.tsx';
import { TrendChart } from './trend-chart.tsx';

type Overall = AdoptionQuery['governanceInsights']['overall'];

export function AdoptionPage() {
  const { t, capabilities } = useConsole();
  return (
    <Page title={t('area_adoption')}>
      {supports(capabilities, ADOPTION) ? (
        <>
          <p className="muted">{t('adoptionIntro')}</p>
          <Adoption />
        </>
      ) : (
        <p className="notice">{t('adoptionUnavailable')}</p>
      )}
    </Page>
  );
}

function Adoption() {
  const { t, capabilities, dateTime, me } = useConsole();
  const state = useQuery<AdoptionQuery>(ADOPTION);
  const range = useMemo(() => trendRange(new Date(), 'WEEK', ADOPTION_TREND_WEEKS), []);
  // The series costs the service a measurement per week: not asked for before any report was imported.
  const reported = state.data ? hasActivityReports(state.data.governanceInsights.overall) : false;
  const series = useQuery<AdoptionSeriesQuery>(ADOPTION_SERIES, range, !reported || !supports(capabilities, ADOPTION_SERIES));
  const mayImport = can(me.roles, 'manage') && supports(capabilities, IMPORT_GROUP_ACTIVITY);
  return (
    <Loaded state={state}>
      {({ governanceInsights: insights }) => (
        <>
          {!hasActivityReports(insights.overall) ? (
            <NoActivity />
          ) : (
            <>
              <p className="muted">{t('asOf', { at: dateTime(insights.at) })}</p>
              <Trends overall={insights.overall} series={series} />
              <Comparisons answer={insights.adoptionComparisons} />
              <Attention at={insights.at} byGroup={insights.byGroup} overall={insights.overall} />
            </>
          )}
          {/* In the same place whatever is above it: the first import's answer stays on screen as the figures appear. */}
          {mayImport ? <ImportForm onImported={state.reload} /> : null}
        </>
      )}
    </Loaded>
  );
}

function NoActivity() {
  const { t } = useConsole();
  return (
    <div className="notice" role="status">
      <h2>{t('noActivityTitle')}</h2>
      <p>{t('noActivityWhy')}</p>
      <p>{t('noActivityImportCli')}</p>
      <pre>
        <code>npm run -s import-activity -- &lt;file.csv&gt;</code>
      </pre>
      <p>{t('noActivityImportApi')}</p>
    </div>
  );
}

function Trends({ overall, series }: { overall: Overall; series: QueryState<AdoptionSeriesQuery> }) {
  const { t, language } = useConsole();
  return (
    <>
      <p className="muted">{t('adoptionTrendWeeks', { count: ADOPTION_TREND_WEEKS })}</p>
      {series.error ? <ErrorNotice error={series.error} onRetry={series.reload} /> : null}
      <div className="kpis">
        {ADOPTION_KPIS.map((kpi) => {
          const now = overall.find((k) => k.kpi === kpi);
          const label = t(`adoptionKpi_${kpi}`);
          return (
            <article key={kpi} className="kpi" aria-labelledby={`kpi-${kpi}`}>
              <h2 id={`kpi-${kpi}`}>{label}</h2>
              <span className="count-value">{formatKpi(language, now?.value, now?.unit ?? 'COUNT')}</span>
              {now?.target?.value !== null && now?.target?.value !== undefined ? (
                <p className="muted">
                  {t('target')}: {now.direction === 'AT_MOST' ? '≤' : '≥'} {formatKpi(language, now.target.value, now.unit)}{' '}
                  {now.met === true ? (
                    <span className="badge badge-ok">✓</span>
                  ) : now.met === false ? (
                    <span className="badge badge-bad">✗</span>
                  ) : null}
                </p>
              ) : null}
              {series.data ? (
                <TrendChart points={series.data.governanceInsightSeries.points} kpi={kpi} label={label} unit={now?.unit ?? 'COUNT'} />
              ) : series.loading ? (
                <Loading />
              ) : null}
            </article>
          );
        })}
      </div>
    </>
  );
}

function Comparisons({ answer }: { answer: AdoptionComparisonsAnswer }) {
  const { t } = useConsole();
  return (
    <Panel title={t('comparisons')}>
      <p className="muted">{t('comparisonsIntro')}</p>
      {comparisonsOf(answer).map((comparison) => (
        <ComparisonView key={comparison.title} comparison={comparison} minimumGroups={answer.minimumGroupsPerSide} />
      ))}
    </Panel>
  );
}

function ComparisonView({ comparison, minimumGroups }: { comparison: Comparison; minimumGroups: number }) {
  const { t, language } = useConsole();
  const id = `cmp-${comparison.title}`;
  const number = new Intl.NumberFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { maximumFractionDigits: 1 });
  return (
    <section className="comparison" aria-labelledby={id}>
      <h3 id={id}>
        {t(comparison.title)} {comparison.sampleTooSmall ? <span className="badge badge-warn">{t('sampleTooSmallBadge')}</span> : null}
      </h3>
      {comparison.sampleTooSmall ? <p className="notice notice-warn">{t('sampleTooSmall', { count: minimumGroups })}</p> : null}
      <ScrollArea label={t(comparison.title)}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('whichGroups')}</th>
              <th scope="col">{t('groupsCount')}</th>
              <th scope="col">{t('membersCount')}</th>
              <th scope="col">{t('postingShare')}</th>
              <th scope="col">{t('readingShare')}</th>
            </tr>
          </thead>
          <tbody>
            {comparison.sides.map(({ label, side }) => (
              <tr key={label}>
                <th scope="row">{t(label)}</th>
                <td>{number.format(side.groups)}</td>
                <td>{number.format(side.members)}</td>
                <td>
                  <Share value={side.postingShare} />
                </td>
                <td>
                  <Share value={side.readingShare} />
                </td>
              </tr>
            ))}
            <tr className="difference-row">
              <th scope="row" colSpan={3}>
                {t('difference')} ({t(comparison.differenceLabel)})
              </th>
              <td>{formatShareDifference(language, comparison.postingShareDifference)}</td>
              <td>{formatShareDifference(language, comparison.readingShareDifference)}</td>
            </tr>
          </tbody>
        </table>
      </ScrollArea>
      {comparison.countDifferences ? (
        <p>
          {t('countDifferences', {
            members: formatCountDifference(language, comparison.countDifferences.members),
            posters: formatCountDifference(language, comparison.countDifferences.posters),
            readers: formatCountDifference(language, comparison.countDifferences.readers),
          })}
        </p>
      ) : null}
      <Caveat text={comparison.caveat} />
    </section>
  );
}

/** A share as text, with a bar beside it that the text already says (so hidden from screen readers). */
function Share({ value }: { value: number | null }) {
  const { language } = useConsole();
  return (
    <span className="share">
      <span className="share-value">{formatKpi(language, value, 'RATIO')}</span>
      {value !== null ? <meter min={0} max={1} value={value} aria-hidden="true" /> : null}
    </span>
  );
}

function Caveat({ text }: { text: string }) {
  const { t } = useConsole();
  return (
    <div className="caveat">
      <p className="caveat-label">
        <strong>{t('caveatLabel')}</strong>
      </p>
      {/* The API words it in English, whatever the console's language. */}
      <p lang="en">{text}</p>
    </div>
  );
}

function Attention({ at, byGroup, overall }: { at: string; byGroup: readonly KpiScopeValue[]; overall: Overall }) {
  const { t, language, capabilities } = useConsole();
  const groups = useMemo(() => groupSharesOf(byGroup), [byGroup]);
  const attention = useMemo(() => groupsNeedingAttention(groups), [groups]);
  const names = useGroupNames(attention.shown.map((g) => g.groupId));
  const inactive = overall.find((k) => k.kpi === 'ADOPTION_GROUPS_INACTIVE_30_DAYS')?.value;
  return (
    <Panel title={t('attention')}>
      <h3>{t('lowSharesTitle')}</h3>
      {attention.shown.length === 0 ? (
        <p className="muted">{t('noGroupShares')}</p>
      ) : (
        <>
          <p className="muted">{t('attentionIntro')}</p>
          <ScrollArea label={t('attention')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('group')}</th>
                  <th scope="col">{t('postingShare')}</th>
                  <th scope="col">{t('readingShare')}</th>
                </tr>
              </thead>
              <tbody>
                {attention.shown.map((g) => (
                  <tr key={g.groupId}>
                    <td>
                      <Link to={{ name: 'group', groupId: g.groupId }}>{names.get(g.groupId) ?? g.groupId}</Link>
                      {names.get(g.groupId) ? <span className="muted"> ({g.groupId})</span> : null}{' '}
                      {g.silent ? <span className="badge badge-bad">{t('silentBadge')}</span> : null}
                    </td>
                    <td>
                      <Share value={g.postingShare} />
                    </td>
                    <td>
                      <Share value={g.readingShare} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
        </>
      )}
      {attention.more > 0 ? <p className="muted">{t('attentionMore', { count: attention.more })}</p> : null}
      {attention.unranked > 0 ? <p className="muted">{t('attentionUnranked', { count: attention.unranked })}</p> : null}
      {supports(capabilities, ADOPTION_INACTIVE_GROUPS) ? (
        // Asked again whenever the figures beside it are (after an import, say).
        <InactiveGroups key={at} />
      ) : (
        <p>{t('inactiveGroupsNow', { count: formatKpi(language, inactive, 'COUNT') })}</p>
      )}
    </Panel>
  );
}

/** The groups the inactive-groups KPI counts, by name: never active first, then the longest without activity. */
function InactiveGroups() {
  const { t, language } = useConsole();
  const state = useQuery<AdoptionInactiveGroupsQuery>(ADOPTION_INACTIVE_GROUPS, { days: INACTIVE_DAYS, first: INACTIVE_LIST_SIZE });
  const number = new Intl.NumberFormat(language === 'nl' ? 'nl-NL' : 'en-GB');
  return (
    <>
      <h3>{t('inactiveTitle', { days: INACTIVE_DAYS })}</h3>
      <Loaded state={state}>
        {({ groupsWithoutActivity: { total, groups } }) =>
          total === 0 ? (
            <p className="muted">{t('inactiveNone', { days: INACTIVE_DAYS })}</p>
          ) : (
            <>
              <p>{t('inactiveIntro', { days: INACTIVE_DAYS, count: number.format(total) })}</p>
              <ScrollArea label={t('inactiveTitle', { days: INACTIVE_DAYS })}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('group')}</th>
                      <th scope="col">{t('lastActivity')}</th>
                      <th scope="col">{t('membersCount')}</th>
                      <th scope="col">{t('owners')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups.map((g) => {
                      const last = lastActivityLabel(g, (date) => formatCalendarDate(language, date));
                      const owners = ownersLabel(g);
                      return (
                        <tr key={g.groupId}>
                          <td>
                            {g.name !== null ? (
                              <Link to={{ name: 'group', groupId: g.groupId }}>{g.name}</Link>
                            ) : (
                              <>
                                {g.groupId} <span className="muted">({t('notInDirectory')})</span>
                              </>
                            )}
                          </td>
                          <td>
                            {g.lastActivity === null ? <span className="badge badge-bad">{t(last.key)}</span> : t(last.key, last.values)}
                          </td>
                          <td>{number.format(g.members)}</td>
                          <td>
                            <span className={`badge ${owners === 'ownersCertified' ? 'badge-ok' : 'badge-warn'}`}>{t(owners)}</span>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </ScrollArea>
              {total > groups.length ? <p className="muted">{t('inactiveMore', { count: total - groups.length })}</p> : null}
            </>
          )
        }
      </Loaded>
    </>
  );
}

/**
 * A community manager imports a usage report here: the file is read in the browser and sent as the mutation's CSV
 * text. Its answer is shown row by row (the service imports all of a file or nothing of it).
 */
function ImportForm({ onImported }: { onImported: () => void }) {
  const { t, client, language } = useConsole();
  const action = useAction();
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState<ActivityReportFormat>('VIVA_ENGAGE_GROUPS_ACTIVITY');
  const [answer, setAnswer] = useState<ActivityImportAnswer | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    setAnswer(null);
    await action.run(
      async () => {
        const csv = await file.text();
        const { importGroupActivity: imported } = await client.request<ImportGroupActivityMutation>(IMPORT_GROUP_ACTIVITY, {
          input: { csv, format, commandId: newCommandId() },
        });
        setAnswer(imported);
        if (importOutcome(imported).refresh) onImported();
        return imported;
      },
      (imported) => {
        const outcome = importOutcome(imported);
        return t(outcome.key, { count: outcome.count });
      },
    );
  };
  const days = answer ? importedDays(answer) : null;
  return (
    <Panel title={t('importTitle')}>
      <p className="muted">{t('importIntro')}</p>
      <form className="filters filters-wide" onSubmit={(ev) => void submit(ev)}>
        <Field label={t('importFile')} id="import-file">
          <input
            id="import-file"
            type="file"
            accept=".csv,text/csv"
            required
            onChange={(ev) => {
              setFile(ev.target.files?.[0] ?? null);
              setAnswer(null);
            }}
          />
        </Field>
        <Field label={t('importFormat')} id="import-format">
          <select id="import-format" value={format} onChange={(ev) => setFormat(ev.target.value as ActivityReportFormat)}>
            {ACTIVITY_REPORT_FORMATS.map((f) => (
              <option key={f} value={f}>
                {t(`importFormat_${f}`)}
              </option>
            ))}
          </select>
        </Field>
        <div className="filter-buttons">
          <button type="submit" className="primary" disabled={action.busy || file === null}>
            {t('importSubmit')}
          </button>
        </div>
      </form>
      {action.outcome}
      {answer && days && answer.rowsRejected.length === 0 ? (
        <p className="muted">
          {t('importPeriod', { from: formatCalendarDate(language, days.from), to: formatCalendarDate(language, days.to) })}
        </p>
      ) : null}
      {answer && answer.rowsRejected.length > 0 ? (
        <ScrollArea label={t('importTitle')}>
          <table>
            <thead>
              <tr>
                <th scope="col">{t('importRow')}</th>
                <th scope="col">{t('importProblem')}</th>
              </tr>
            </thead>
            <tbody>
              {answer.rowsRejected.map((problem) => (
                <tr key={`${problem.row}:${problem.message}`}>
                  <td>{problem.row}</td>
                  {/* The service words its problems in English, whatever the console's language. */}
                  <td lang="en">{problem.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollArea>
      ) : null}
      {answer && answer.rowsUnmatched.length > 0 ? (
        <>
          <p className="notice notice-warn">{t('importUnmatched', { count: answer.rowsUnmatched.length })}</p>
          <ul>
            {answer.rowsUnmatched.map((row, index) => (
              <li key={index}>{row}</li>
            ))}
          </ul>
        </>
      ) : null}
    </Panel>
  );
}

/** The names of a few groups (the KPIs name groups by id); an id whose group cannot be read stays an id. */
function useGroupNames(ids: readonly string[]): ReadonlyMap<string, string> {
  const { client } = useConsole();
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const key = ids.join('\n');
  useEffect(() => {
    let cancelled = false;
    const wanted = key ? key.split('\n') : [];
    void Promise.all(
      wanted.map((id) =>
        client.request<{ group: { id: string; name: string } | null }>(GROUP, { id }).then(
          (answer) => (answer.group ? ([id, answer.group.name] as const) : null),
          () => null,
        ),
      ),
    ).then((found) => {
      if (!cancelled) setNames(new Map(found.filter((entry) => entry !== null)));
    });
    return () => {
      cancelled = true;
    };
  }, [client, key]);
  return names;
}
