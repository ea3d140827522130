import { useEffect, useState, type FormEvent } from 'react';
import { can, caseActions, type CaseActions, type CaseGroupFacts, type CertificationStatus, type Viewer } from '../access.ts';
import { ApiError, supports } from '../api/client.ts';
import { CASE_GROUP, CLAIM_CASE, DECIDE_APPEAL, DECIDE_CASE, GOVERNANCE_HISTORY, MODERATION_CASE } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { actorLabel, authorityLabel, eventTypeLabel, sanctionEnd } from '../governance-labels.ts';
import { caseInterest } from '../live-interests.ts';
import { useLiveRefresh } from '../live-react.tsx';
import {
  EMPTY_DECISION,
  OUTCOMES,
  caseChanges,
  caseStreamId,
  decisionInput,
  decisionProblems,
  guidelineOptions,
  newCommandId,
  type CaseChange,
  type CaseView,
  type DecisionForm,
  type Outcome,
} from '../moderation.ts';
import {
  Badge,
  ErrorNotice,
  Field,
  Json,
  Link,
  Loaded,
  Page,
  Panel,
  ServiceSaid,
  toneOf,
  useFocusWhenLost,
  useQuery,
  Words,
} from '../ui.tsx';
import { Name } from './names.tsx';
import { useAgreements } from './shared.tsx';

export interface ModerationCase extends CaseView {
  contentId: string;
  contentType: string;
  groupId: string | null;
  authorId: string;
  openedAt: string;
  flags: { reporterId: string; reason: string; note: string | null; flaggedAt: string }[];
  decision: {
    outcome: Outcome;
    reason: string;
    guideline: { agreementId: string; version: number; section: string | null } | null;
    decidedBy: string;
    decidedAt: string;
  } | null;
  sanction: { id: string; kind: string; until: string | null; liftedAt: string | null; active: boolean; imposedAt: string } | null;
  appeal: {
    statement: string;
    filedAt: string;
    outcome: string | null;
    reason: string | null;
    decidedBy: string | null;
    decidedAt: string | null;
  } | null;
}

interface Conflict {
  /** The refusal itself: what the service said stays next to what the console says changed. */
  readonly error: Error;
  readonly changes: readonly CaseChange[];
}

export function CasePage({ caseId }: { caseId: string }) {
  const { t, e, me, dateTime, client, language } = useConsole();
  const state = useQuery<{ moderationCase: ModerationCase | null }>(MODERATION_CASE, { id: caseId });
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const facts = useCaseGroupFacts(state.data?.moderationCase?.groupId ?? null);
  // Someone else claims, decides or flags it meanwhile: the case (and what it offers) follows without a click.
  useLiveRefresh(caseInterest(caseId), state.reload, facts.reload);
  const shown = state.data?.moderationCase ?? null;
  const actions = shown ? actionsOn(me, shown, facts) : NO_ACTIONS;
  // The claim button and the decision form go once used (or once someone else claims or decides): the focus then
  // goes to what came of it, or, for a change seen live, to the page's heading.
  const [resultRef, focusIfLost] = useFocusWhenLost<HTMLDivElement>();
  const [, focusHeadingIfLost] = useFocusWhenLost<HTMLElement>();
  const revision = shown?.revision;
  useEffect(() => {
    if (revision !== undefined) focusHeadingIfLost();
  }, [revision, focusHeadingIfLost]);

  /**
   * Runs a change made on the revision the person looked at. On CONFLICT, reads the case again and shows what
   * changed meanwhile, next to the fresh state: nothing is overwritten without them seeing it.
   */
  async function change(before: ModerationCase, run: () => Promise<ModerationCase>, done: string): Promise<boolean> {
    setBusy(true);
    setFailure(null);
    setNotice(null);
    setConflict(null);
    try {
      const after = await run();
      state.setData({ moderationCase: after });
      setNotice(done);
      return true;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'CONFLICT') {
        try {
          const fresh = await client.request<{ moderationCase: ModerationCase | null }>(MODERATION_CASE, { id: caseId });
          if (fresh.moderationCase) {
            state.setData(fresh);
            setConflict({ error, changes: caseChanges(before, fresh.moderationCase) });
          } else setFailure(error);
        } catch {
          setFailure(error);
        }
      } else setFailure(error instanceof Error ? error : new Error(String(error)));
      return false;
    } finally {
      setBusy(false);
      focusIfLost();
    }
  }

  return (
    <Page
      title={`${t('caseTitle')} ${caseId}`}
      actions={
        <>
          <Link to={{ name: 'area', area: 'moderation' }}>← {t('backToQueue')}</Link>
          <button
            type="button"
            onClick={() => {
              state.reload();
              facts.reload();
            }}
          >
            {t('refresh')}
          </button>
        </>
      }
    >
      <Loaded state={state}>
        {({ moderationCase: c }) =>
          !c ? (
            <ErrorNotice error={new Error(t('notFound'))} />
          ) : (
            <>
              <div className="action-outcome" ref={resultRef} tabIndex={-1} data-testid="case-result">
                {conflict ? <ConflictNotice conflict={conflict} /> : null}
                {notice ? (
                  <p className="notice notice-ok" role="status">
                    {notice}
                  </p>
                ) : null}
                {failure ? <ErrorNotice error={failure} /> : null}
              </div>

              <div className="grid-2">
                <Panel title={t('caseTitle')}>
                  <dl className="facts">
                    <dt>{t('status')}</dt>
                    <dd>
                      <Badge value={c.status} tone={toneOf(c.status)} />{' '}
                      <span className="muted">
                        ({t('revision')} {c.revision})
                      </span>
                    </dd>
                    <dt>{t('content')}</dt>
                    <dd>
                      {c.contentType} <code>{c.contentId}</code> <Badge value={c.contentStatus} tone={toneOf(c.contentStatus)} />
                    </dd>
                    <dt>{t('author')}</dt>
                    <dd>
                      {can(me.roles, 'readNotes') ? (
                        <Link to={{ name: 'standing', memberId: c.authorId }}>
                          <Name kind="member" id={c.authorId} />
                        </Link>
                      ) : (
                        <Name kind="member" id={c.authorId} />
                      )}
                    </dd>
                    <dt>{t('group')}</dt>
                    <dd>
                      {c.groupId ? (
                        <Link to={{ name: 'group', groupId: c.groupId }}>
                          <Name kind="group" id={c.groupId} />
                        </Link>
                      ) : (
                        '—'
                      )}
                    </dd>
                    <dt>{t('assignedTo')}</dt>
                    <dd>{c.assignedTo ? <Name kind="member" id={c.assignedTo} /> : <span className="muted">{t('unassigned')}</span>}</dd>
                    <dt>{t('opened')}</dt>
                    <dd>{dateTime(c.openedAt)}</dd>
                  </dl>
                  {actions.claim ? (
                    <button
                      type="button"
                      disabled={busy}
                      onClick={() =>
                        void change(
                          c,
                          async () =>
                            (
                              await client.request<{ claimModerationCase: ModerationCase }>(CLAIM_CASE, {
                                input: { caseId: c.id, expectedRevision: c.revision, commandId: newCommandId() },
                              })
                            ).claimModerationCase,
                          t('claimed'),
                        )
                      }
                    >
                      {c.assignedTo ? t('claimTakeOver') : t('claim')}
                    </button>
                  ) : null}
                </Panel>

                <Panel title={t('flags')}>
                  {c.flags.length === 0 ? (
                    <p className="muted">{t('noResults')}</p>
                  ) : (
                    <ul className="flags">
                      {c.flags.map((flag, i) => (
                        <li key={`${flag.reporterId}-${i}`}>
                          <Badge value={flag.reason} />{' '}
                          <strong>
                            <Name kind="member" id={flag.reporterId} />
                          </strong>{' '}
                          <span className="muted">{dateTime(flag.flaggedAt)}</span>
                          {flag.note ? <p className="quote">{flag.note}</p> : null}
                        </li>
                      ))}
                    </ul>
                  )}
                </Panel>
              </div>

              <Panel title={t('decision')}>
                {c.decision ? (
                  <dl className="facts">
                    <dt>{t('outcome')}</dt>
                    <dd>{e(c.decision.outcome)}</dd>
                    <dt>{t('reason')}</dt>
                    <dd>{c.decision.reason}</dd>
                    <dt>{t('guideline')}</dt>
                    <dd>
                      {c.decision.guideline
                        ? `${c.decision.guideline.agreementId} v${c.decision.guideline.version}${c.decision.guideline.section ? ` § ${c.decision.guideline.section}` : ''}`
                        : '—'}
                    </dd>
                    <dt>{t('decidedBy')}</dt>
                    <dd>
                      <Name kind="member" id={c.decision.decidedBy} /> · {dateTime(c.decision.decidedAt)}
                    </dd>
                    {c.sanction ? (
                      <>
                        <dt>{t('sanction')}</dt>
                        <dd>
                          {e(c.sanction.kind)} · <span data-testid="sanction-end">{sanctionEnd(language, c.sanction.until)}</span>{' '}
                          {c.sanction.active ? (
                            <Badge value="ACTIVE" tone="bad" />
                          ) : c.sanction.liftedAt ? (
                            <span>
                              ({t('lifted')} {dateTime(c.sanction.liftedAt)})
                            </span>
                          ) : null}
                        </dd>
                      </>
                    ) : null}
                  </dl>
                ) : actions.decide ? (
                  <DecisionFormView
                    caseView={c}
                    outcomes={actions.outcomes}
                    asOwner={actions.asOwner}
                    busy={busy}
                    onDecide={(form) =>
                      change(
                        c,
                        async () =>
                          (
                            await client.request<{ decideModerationCase: ModerationCase }>(DECIDE_CASE, {
                              input: decisionInput(c, form, newCommandId()),
                            })
                          ).decideModerationCase,
                        t('decided'),
                      )
                    }
                  />
                ) : actions.bar ? (
                  <p className="notice notice-warn" data-testid="case-bar">
                    {t(`caseBar_${actions.bar}`, {
                      group: c.groupId,
                      assignee: c.assignedTo,
                      status: e(facts.data?.viewerCertification).toLowerCase(),
                    })}
                  </p>
                ) : (
                  <p className="muted">{t('none')}</p>
                )}
              </Panel>

              {c.appeal ? (
                <Panel title={t('appeal')}>
                  <dl className="facts">
                    <dt>{t('statement')}</dt>
                    <dd className="quote">{c.appeal.statement}</dd>
                    <dt>{t('filedAt')}</dt>
                    <dd>{dateTime(c.appeal.filedAt)}</dd>
                    {c.appeal.outcome ? (
                      <>
                        <dt>{t('appealOutcome')}</dt>
                        <dd>
                          {e(c.appeal.outcome)} · <Name kind="member" id={c.appeal.decidedBy} /> · {dateTime(c.appeal.decidedAt)}
                        </dd>
                        <dt>{t('reason')}</dt>
                        <dd>{c.appeal.reason ?? '—'}</dd>
                      </>
                    ) : null}
                  </dl>
                  {actions.appealBar ? (
                    <p className="muted">{t(actions.appealBar === 'fourEyes' ? 'appealFourEyes' : `appealBar_${actions.appealBar}`)}</p>
                  ) : actions.decideAppeal ? (
                    <AppealForm
                      busy={busy}
                      onDecide={(outcome, reason) =>
                        change(
                          c,
                          async () =>
                            (
                              await client.request<{ decideAppeal: ModerationCase }>(DECIDE_APPEAL, {
                                input: { caseId: c.id, outcome, reason, expectedRevision: c.revision, commandId: newCommandId() },
                              })
                            ).decideAppeal,
                          t('appealDecided'),
                        )
                      }
                    />
                  ) : null}
                </Panel>
              ) : null}

              <CaseHistory key={c.revision} caseId={c.id} />
            </>
          )
        }
      </Loaded>
    </Page>
  );
}

/** The case's group and the viewer's certification, read for whoever might moderate as an owner (not for staff). */
function useCaseGroupFacts(groupId: string | null) {
  const { me } = useConsole();
  const staff = me.roles.includes('COMMUNITY_MANAGER') || me.roles.includes('AUDITOR');
  const state = useQuery<{
    group: { id: string; owners: string[]; requiresCertification: boolean } | null;
    myCertification: { status: CertificationStatus };
    certificationGate: boolean;
  }>(CASE_GROUP, { groupId }, groupId === null || staff);
  const data: CaseGroupFacts | null =
    state.data && state.data.group
      ? {
          owners: state.data.group.owners,
          requiresCertification: state.data.group.requiresCertification,
          viewerCertification: state.data.myCertification.status,
          certificationGate: state.data.certificationGate,
        }
      : null;
  // Until the group is read, an owner is offered nothing (rather than a step the gate would refuse).
  return { data, pending: groupId !== null && !staff && state.data === null && state.error === null, reload: state.reload };
}

const NO_ACTIONS: CaseActions = {
  claim: false,
  decide: false,
  outcomes: [],
  asOwner: false,
  bar: null,
  decideAppeal: false,
  appealBar: null,
};

/** What the viewer may do on the case; nothing of an owner's until their group and certification are read. */
function actionsOn(me: Viewer, caseView: ModerationCase, facts: { data: CaseGroupFacts | null; pending: boolean }): CaseActions {
  const actions = caseActions(me, caseView, facts.data);
  return facts.pending ? { ...actions, claim: false, decide: false, bar: null } : actions;
}

function ConflictNotice({ conflict }: { conflict: Conflict }) {
  const { t, e } = useConsole();
  const describe = (change: CaseChange): string => {
    switch (change.kind) {
      case 'status':
        return t('change_status', { from: e(change.from), to: e(change.to) });
      case 'assignee':
        return t('change_assignee', { from: change.from, to: change.to });
      case 'decided':
        return t('change_decided', { by: change.by, outcome: e(change.outcome) });
      case 'appealDecided':
        return t('change_appealDecided', { by: change.by, outcome: e(change.outcome) });
      case 'flags':
        return t('change_flags', { added: change.added });
      case 'content':
        return t('change_content', { from: e(change.from), to: e(change.to) });
    }
  };
  return (
    <div className="notice notice-conflict" role="alert" data-testid="conflict">
      <h2>{t('conflictTitle')}</h2>
      <p>{t('conflictBody')}</p>
      {conflict.changes.length > 0 ? (
        <ul>
          {conflict.changes.map((change, i) => (
            <li key={i}>{describe(change)}</li>
          ))}
        </ul>
      ) : null}
      <ServiceSaid error={conflict.error} />
    </div>
  );
}

function DecisionFormView({
  caseView,
  outcomes,
  asOwner,
  busy,
  onDecide,
}: {
  caseView: ModerationCase;
  /** The outcomes the viewer may record (an owner: never a suspension; against a co-owner, only NO_ACTION). */
  outcomes: readonly Outcome[];
  asOwner: boolean;
  busy: boolean;
  onDecide: (form: DecisionForm) => Promise<boolean>;
}) {
  const { t, e } = useConsole();
  const { agreements } = useAgreements();
  const [form, setForm] = useState<DecisionForm>(EMPTY_DECISION);
  const [shown, setShown] = useState(false);
  const problems = decisionProblems(form, new Date());
  const problem = (field: keyof DecisionForm) => (shown && problems[field] ? t(`problem_${problems[field]!}`) : undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShown(true);
    if (Object.keys(problems).length > 0) return;
    // The form keeps its input on a conflict (the person decides again on the fresh case).
    if (await onDecide(form)) setForm(EMPTY_DECISION);
  };
  const id = (name: string) => `decision-${name}`;
  return (
    <form onSubmit={(ev) => void submit(ev)} noValidate aria-label={t('decide')}>
      <p className="muted">
        {t('revision')} {caseView.revision}
      </p>
      <Field label={t('outcome')} id={id('outcome')} problem={problem('outcome')}>
        <select
          id={id('outcome')}
          value={form.outcome}
          aria-invalid={Boolean(problem('outcome'))}
          onChange={(ev) => setForm({ ...form, outcome: ev.target.value as DecisionForm['outcome'] })}
        >
          <option value="">{t('chooseOutcome')}</option>
          {OUTCOMES.filter((o) => outcomes.includes(o)).map((o) => (
            <option key={o} value={o}>
              {e(o)}
            </option>
          ))}
        </select>
      </Field>
      {asOwner ? <p className="muted">{t(outcomes.length === 1 ? 'ownerOutcomesCoOwner' : 'ownerOutcomes')}</p> : null}
      <Field label={t('reason')} id={id('reason')} problem={problem('reason')}>
        <textarea
          id={id('reason')}
          rows={3}
          value={form.reason}
          aria-invalid={Boolean(problem('reason'))}
          onChange={(ev) => setForm({ ...form, reason: ev.target.value })}
        />
      </Field>
      <div className="grid-2">
        <Field label={t('guideline')} id={id('guideline')}>
          <select id={id('guideline')} value={form.guideline} onChange={(ev) => setForm({ ...form, guideline: ev.target.value })}>
            <option value="">{t('guidelineNone')}</option>
            {guidelineOptions(agreements).map((g) => (
              <option key={g.value} value={g.value}>
                {g.label}
              </option>
            ))}
          </select>
        </Field>
        <Field label={t('section')} id={id('section')}>
          <input
            id={id('section')}
            value={form.section}
            disabled={!form.guideline}
            onChange={(ev) => setForm({ ...form, section: ev.target.value })}
          />
        </Field>
      </div>
      {form.outcome === 'SUSPEND_MEMBER' ? (
        <Field label={t('suspendUntil')} id={id('until')} hint={t('suspendUntilHint')} problem={problem('suspendUntil')}>
          <input
            id={id('until')}
            type="date"
            value={form.suspendUntil}
            onChange={(ev) => setForm({ ...form, suspendUntil: ev.target.value })}
          />
        </Field>
      ) : null}
      <button type="submit" className="primary" disabled={busy}>
        {t('decide')}
      </button>
    </form>
  );
}

function AppealForm({ busy, onDecide }: { busy: boolean; onDecide: (outcome: string, reason: string) => Promise<boolean> }) {
  const { t, e } = useConsole();
  const [outcome, setOutcome] = useState('');
  const [reason, setReason] = useState('');
  const [shown, setShown] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setShown(true);
    if (!outcome || !reason.trim()) return;
    if (await onDecide(outcome, reason.trim())) {
      setOutcome('');
      setReason('');
      setShown(false);
    }
  };
  return (
    <form onSubmit={(ev) => void submit(ev)} noValidate aria-label={t('decideAppeal')}>
      <Field label={t('appealOutcome')} id="appeal-outcome" problem={shown && !outcome ? t('problem_outcomeRequired') : undefined}>
        <select id="appeal-outcome" value={outcome} onChange={(ev) => setOutcome(ev.target.value)}>
          <option value="">{t('chooseOutcome')}</option>
          <option value="UPHELD">{e('UPHELD')}</option>
          <option value="OVERTURNED">{e('OVERTURNED')}</option>
        </select>
      </Field>
      <Field label={t('reason')} id="appeal-reason" problem={shown && !reason.trim() ? t('problem_reasonRequired') : undefined}>
        <textarea id="appeal-reason" rows={3} value={reason} onChange={(ev) => setReason(ev.target.value)} />
      </Field>
      <button type="submit" className="primary" disabled={busy}>
        {t('decideAppeal')}
      </button>
    </form>
  );
}

interface HistoryEvent {
  position: string;
  streamId: string;
  revision: number;
  type: string;
  data: unknown;
  recordedAt: string;
  metadata: { actorId: string | null; actorRoles: string[]; authority: string | null; reason: string | null; correlationId: string };
}

/** The case's own stream from the governance history, when the service offers it and the caller may read it. */
function CaseHistory({ caseId }: { caseId: string }) {
  const { t, capabilities } = useConsole();
  const supported = supports(capabilities, GOVERNANCE_HISTORY);
  const history = useQuery<{ governanceHistory: { edges: { node: HistoryEvent }[] } }>(
    GOVERNANCE_HISTORY,
    { filter: { streamId: caseStreamId(caseId) }, first: 100 },
    !supported,
  );
  useLiveRefresh(supported ? caseInterest(caseId) : null, history.reload);
  return (
    <Panel title={t('history')}>
      {!supported || history.error ? (
        <p className="muted">{t('historyUnavailable')}</p>
      ) : (
        <Loaded state={history}>{(data) => <EventList events={data.governanceHistory.edges.map((e) => e.node)} />}</Loaded>
      )}
    </Panel>
  );
}

export function EventList({ events }: { events: readonly HistoryEvent[] }) {
  const { t, dateTime, e, language } = useConsole();
  if (events.length === 0) return <p className="muted">{t('noResults')}</p>;
  return (
    <ol className="events">
      {events.map((event) => (
        <li key={event.position}>
          <div className="event-head">
            <strong>
              <Words label={eventTypeLabel(language, event.type)} />
            </strong>{' '}
            <span className="muted">
              <code>{event.type}</code> #{event.revision}
            </span>{' '}
            · {dateTime(event.recordedAt)} · {t('actor')}: {actorLabel(language, event.metadata.actorId)}
            {event.metadata.actorRoles.length > 0 ? (
              <span className="muted"> ({event.metadata.actorRoles.map((r) => e(r)).join(', ')})</span>
            ) : null}
          </div>
          {event.metadata.authority ? (
            <div className="muted" title={event.metadata.authority}>
              {t('authority')}: <Words label={authorityLabel(language, event.metadata.authority)} />
            </div>
          ) : null}
          {event.metadata.reason ? (
            <div>
              {t('reason')}: {event.metadata.reason}
            </div>
          ) : null}
          <details>
            <summary>{t('data')}</summary>
            <Json value={event.data} />
          </details>
        </li>
      ))}
    </ol>
  );
}
