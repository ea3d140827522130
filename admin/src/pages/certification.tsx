import { useState, type FormEvent } from 'react';
import { can, type CertificationStatus } from '../access.ts';
import {
  AWARD_CERTIFICATION,
  CERTIFICATION,
  CERTIFICATION_CHANGES,
  CERTIFICATION_LEVELS,
  COMPLETE_TRAINING_MODULE,
  ENROL_IN_TRAINING,
  GROUPS_WITH_UNCERTIFIED_OWNERS,
  MY_CERTIFICATION,
} from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { certificationInterest, LIVE_INTERESTS } from '../live-interests.ts';
import { useLiveRefresh } from '../live-react.tsx';
import { newCommandId } from '../moderation.ts';
import { certificationSteps, type CertificationChange } from '../certification-steps.ts';
import { IdPicker, Name, nameText, useDirectory, useResolve } from './names.tsx';
import { gateStanding, programmeProgress, type Enrolment, type Programme } from '../my-certification.ts';
import {
  Badge,
  Confirmation,
  Empty,
  Field,
  Link,
  Loaded,
  Page,
  Pager,
  Panel,
  ScrollArea,
  toneOf,
  useAction,
  useQuery,
  type Connection,
} from '../ui.tsx';

export interface Certification {
  memberId: string;
  level: number | null;
  status: string;
  expiresAt: string | null;
  nextLevel: number | null;
  missingForNextLevel: string[];
  revision: number;
  history: {
    id: string;
    level: number;
    status: string;
    awardedAt: string;
    expiresAt: string | null;
    endedAt: string | null;
    replacedByLevel: number | null;
    reason: string | null;
  }[];
}

interface Level {
  level: number;
  name: string;
  requiredProgrammes: string[];
  validityMonths: number;
}

export function LevelsTable({ levels }: { levels: readonly Level[] }) {
  const { t } = useConsole();
  const programmes = useDirectory('programme');
  if (levels.length === 0) return <Empty />;
  return (
    <ScrollArea label={t('levels')}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('level')}</th>
            <th scope="col">{t('name')}</th>
            <th scope="col">{t('requiredProgrammes')}</th>
            <th scope="col">{t('validity')}</th>
          </tr>
        </thead>
        <tbody>
          {levels.map((l) => (
            <tr key={l.level}>
              <td>{l.level}</td>
              <td>{l.name}</td>
              <td>{l.requiredProgrammes.map((p) => nameText(programmes, p)).join(', ') || '—'}</td>
              <td>{l.validityMonths}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollArea>
  );
}

export function CertificationPage() {
  const { t, e } = useConsole();
  const [after, setAfter] = useState<string | null>(null);
  const levels = useQuery<{ certificationLevels: Level[] }>(CERTIFICATION_LEVELS);
  const uncertified = useQuery<{
    groupsWithUncertifiedOwners: Connection<{
      group: { id: string; name: string; requiresCertification: boolean };
      uncertifiedOwners: { memberId: string; status: string }[];
    }>;
  }>(GROUPS_WITH_UNCERTIFIED_OWNERS, { first: 25, after });
  useLiveRefresh(LIVE_INTERESTS.certification, levels.reload, uncertified.reload);
  const members = useDirectory('member');
  return (
    <Page
      title={t('area_certification')}
      actions={
        <RefreshButton
          onClick={() => {
            levels.reload();
            uncertified.reload();
          }}
        />
      }
    >
      <Panel title={t('levels')}>
        <Loaded state={levels}>{({ certificationLevels }) => <LevelsTable levels={certificationLevels} />}</Loaded>
      </Panel>
      {/* A change to a member's certification can add or clear a group with uncertified owners: read it again. */}
      <MemberCertification levels={levels.data?.certificationLevels ?? []} onChanged={uncertified.reload} />
      <Panel title={t('uncertifiedOwners')}>
        <Loaded state={uncertified}>
          {({ groupsWithUncertifiedOwners: list }) =>
            list.edges.length === 0 ? (
              <Empty />
            ) : (
              <>
                <ScrollArea label={t('uncertifiedOwners')}>
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t('group')}</th>
                        <th scope="col">{t('requiresCertification')}</th>
                        <th scope="col">{t('owners')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {list.edges.map(({ node }) => (
                        <tr key={node.group.id}>
                          <td>
                            <Link to={{ name: 'group', groupId: node.group.id }}>{node.group.name}</Link>{' '}
                            <span className="muted">{node.group.id}</span>
                          </td>
                          <td>{node.group.requiresCertification ? t('yes') : t('no')}</td>
                          <td>
                            {node.uncertifiedOwners.map((o) => (
                              <span key={o.memberId} className="owner">
                                <Name kind="member" id={o.memberId} directory={members} />{' '}
                                <Badge value={o.status} tone={toneOf(o.status)} />{' '}
                              </span>
                            ))}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </ScrollArea>
                <Pager connection={list} after={after} onPage={setAfter} />
              </>
            )
          }
        </Loaded>
        <p className="muted">
          {e('NOT_CERTIFIED')}, {e('EXPIRED')}, {e('SUSPENDED')}, {e('REVOKED')}
        </p>
      </Panel>
    </Page>
  );
}

export function CertificationView({ certification: c }: { certification: Certification }) {
  const { t, date } = useConsole();
  const programmes = useDirectory('programme');
  return (
    <>
      <Panel title={t('certification')}>
        <dl className="facts">
          <dt>{t('status')}</dt>
          <dd>
            <Badge value={c.status} tone={toneOf(c.status)} />
          </dd>
          <dt>{t('level')}</dt>
          <dd>{c.level ?? t('noCertification')}</dd>
          <dt>{t('expires')}</dt>
          <dd>{date(c.expiresAt)}</dd>
          <dt>{t('nextLevel')}</dt>
          <dd>{c.nextLevel ?? '—'}</dd>
          <dt>{t('missingForNextLevel')}</dt>
          <dd>
            {c.missingForNextLevel.length === 0 ? (
              t('nothingMissing')
            ) : (
              <ul className="inline-list">
                {c.missingForNextLevel.map((p) => (
                  <li key={p}>
                    <Name kind="programme" id={p} directory={programmes} />
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </dl>
      </Panel>
      <CertificationHistory certification={c} />
    </>
  );
}

function CertificationHistory({ certification: c }: { certification: Certification }) {
  const { t, date } = useConsole();
  return (
    <>
      <Panel title={t('certificationHistory')}>
        {c.history.length === 0 ? (
          <Empty />
        ) : (
          <ScrollArea label={t('certificationHistory')}>
            <table>
              <thead>
                <tr>
                  <th scope="col">{t('level')}</th>
                  <th scope="col">{t('status')}</th>
                  <th scope="col">{t('awarded')}</th>
                  <th scope="col">{t('expires')}</th>
                  <th scope="col">{t('ended')}</th>
                  <th scope="col">{t('reason')}</th>
                </tr>
              </thead>
              <tbody>
                {c.history.map((r) => (
                  <tr key={r.id}>
                    <td>{r.level}</td>
                    <td>
                      <Badge value={r.status} tone={toneOf(r.status)} />
                    </td>
                    <td>{date(r.awardedAt)}</td>
                    <td>{date(r.expiresAt)}</td>
                    <td>{date(r.endedAt)}</td>
                    <td>{r.reason ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ScrollArea>
        )}
      </Panel>
    </>
  );
}

interface MyCertificationData {
  me: { id: string; ownedGroups: { id: string; name: string; requiresCertification: boolean }[] };
  certificationGate: boolean;
  myCertification: Certification;
  certificationLevels: Level[];
  trainingEnrolments: Connection<Enrolment & { enrolledAt: string; completedAt: string | null; revision: number }>;
  trainingProgrammes: Connection<Programme>;
}

/**
 * Where the signed-in member stands: their level, what the next one still needs (module by module), what each group
 * they own requires of them, and their own self-paced modules to record. Everything here is the caller's own.
 */
export function MyCertificationPage() {
  const { t, me } = useConsole();
  const state = useQuery<MyCertificationData>(MY_CERTIFICATION, { memberId: me.id });
  return (
    <Page title={t('area_myCertification')} actions={<RefreshButton onClick={state.reload} />}>
      <Loaded state={state}>
        {(data) => {
          const programmes = new Map(data.trainingProgrammes.edges.map(({ node }) => [node.id, node]));
          const enrolments = new Map(data.trainingEnrolments.edges.map(({ node }) => [node.programmeId, node]));
          const c = data.myCertification;
          const next = data.certificationLevels.find((l) => l.level === c.nextLevel) ?? null;
          // What the next level needs first, then whatever else they follow. One list, so that a programme just
          // completed stays where it is (with its message and the keyboard focus) rather than moving elsewhere.
          const followed = [...new Set([...c.missingForNextLevel, ...enrolments.keys()])];
          return (
            <>
              <MyStanding certification={c} levels={data.certificationLevels} />
              {data.me.ownedGroups.length > 0 ? (
                <MyGroups
                  groups={data.me.ownedGroups}
                  status={c.status as CertificationStatus}
                  certificationGate={data.certificationGate}
                />
              ) : null}
              <Panel title={next ? t('forNextLevel', { level: next.level, name: next.name }) : t('nextLevel')}>
                {c.missingForNextLevel.length === 0 ? (
                  <p>{c.nextLevel === null ? t('highestLevel') : t('nothingMissing')}</p>
                ) : (
                  <ul>
                    {c.missingForNextLevel.map((id) => {
                      const progress = programmeProgress(programmes.get(id) ?? null, enrolments.get(id) ?? null);
                      return (
                        <li key={id} data-testid="next-level-progress">
                          <strong>{programmes.get(id)?.title ?? id}</strong>:{' '}
                          {t('modulesDone', { done: progress.done, total: progress.total })}
                          {progress.remaining.length > 0
                            ? ` ${t('modulesRemaining', { modules: progress.remaining.map((m) => m.title).join(', ') })}`
                            : ''}
                        </li>
                      );
                    })}
                  </ul>
                )}
              </Panel>
              {followed.length > 0 ? (
                <Panel title={t('myTraining')}>
                  {followed.map((id) => (
                    <ProgrammeCard
                      key={id}
                      programmeId={id}
                      programme={programmes.get(id) ?? null}
                      enrolment={enrolments.get(id) ?? null}
                      onChanged={state.reload}
                    />
                  ))}
                </Panel>
              ) : null}
              <CertificationHistory certification={c} />
              <Panel title={t('levels')}>
                <LevelsTable levels={data.certificationLevels} />
              </Panel>
            </>
          );
        }}
      </Loaded>
    </Page>
  );
}

function RefreshButton({ onClick }: { onClick: () => void }) {
  const { t } = useConsole();
  return (
    <button type="button" onClick={onClick}>
      {t('refresh')}
    </button>
  );
}

/** The level held, in words: "Level 1 (Foundation): Certified until 1 May 2027". */
function MyStanding({ certification: c, levels }: { certification: Certification; levels: readonly Level[] }) {
  const { t, date } = useConsole();
  const held = levels.find((l) => l.level === c.level);
  return (
    <Panel title={t('myStanding')}>
      <p data-testid="my-level">
        {c.level === null ? (
          t('noCertification')
        ) : (
          <>
            {t('levelHeld', { level: c.level, name: held?.name ?? null })} <Badge value={c.status} tone={toneOf(c.status)} />
            {c.expiresAt ? ` ${t('untilDate', { date: date(c.expiresAt) })}` : null}
          </>
        )}
      </p>
    </Panel>
  );
}

/** Each group the member owns: whether it requires certification, and whether they may moderate its cases now. */
function MyGroups({
  groups,
  status,
  certificationGate,
}: {
  groups: MyCertificationData['me']['ownedGroups'];
  status: CertificationStatus;
  certificationGate: boolean;
}) {
  const { t, e } = useConsole();
  return (
    <Panel title={t('myGroups')}>
      <ScrollArea label={t('myGroups')}>
        <table>
          <thead>
            <tr>
              <th scope="col">{t('group')}</th>
              <th scope="col">{t('requiresCertification')}</th>
              <th scope="col">{t('moderationNow')}</th>
            </tr>
          </thead>
          <tbody>
            {groups.map((g) => {
              const standing = gateStanding(status, g.requiresCertification, certificationGate);
              return (
                <tr key={g.id}>
                  <td>
                    <Link to={{ name: 'group', groupId: g.id }}>{g.name}</Link> <span className="muted">{g.id}</span>
                  </td>
                  <td>{g.requiresCertification ? t('yes') : t('no')}</td>
                  <td>
                    <Badge value={standing === 'allowed' ? 'ACTIVE' : status} tone={standing === 'allowed' ? 'ok' : 'bad'} />{' '}
                    {t(`gate_${standing}`, { status: e(status).toLowerCase() })}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </ScrollArea>
    </Panel>
  );
}

/** One programme: modules done of how many, which remain, and the member's own steps (enrol, record a module). */
function ProgrammeCard({
  programmeId,
  programme,
  enrolment,
  onChanged,
}: {
  programmeId: string;
  programme: Programme | null;
  enrolment: Enrolment | null;
  onChanged: () => void;
}) {
  const { t, e, me, client } = useConsole();
  const action = useAction();
  const progress = programmeProgress(programme, enrolment);
  const headingId = `programme-${programmeId}`;
  const after = () => {
    onChanged();
    // The button just pressed goes away: keep the keyboard where the result shows.
    requestAnimationFrame(() => document.getElementById(headingId)?.focus());
  };
  const enrol = () =>
    void action
      .run(
        () => client.request(ENROL_IN_TRAINING, { input: { programmeId, memberId: me.id, commandId: newCommandId() } }),
        t('enrolled_done'),
      )
      .then((ok) => ok && after());
  const complete = (moduleId: string) =>
    void action
      .run(
        () => client.request(COMPLETE_TRAINING_MODULE, { input: { programmeId, memberId: me.id, moduleId, commandId: newCommandId() } }),
        t('moduleRecorded'),
      )
      .then((ok) => ok && after());
  return (
    <article className="programme" aria-labelledby={headingId}>
      <h3 id={headingId} tabIndex={-1}>
        {programme?.title ?? programmeId} <span className="muted">{programmeId}</span>{' '}
        {enrolment ? <Badge value={enrolment.status} tone={toneOf(enrolment.status)} /> : null}
      </h3>
      <p data-testid="module-progress">
        {t('modulesDone', { done: progress.done, total: progress.total })}
        {progress.remaining.length > 0 ? ` ${t('modulesRemaining', { modules: progress.remaining.map((m) => m.title).join(', ') })}` : ''}
      </p>
      <ul className="modules">
        {progress.modules.map((m) => (
          <li key={m.moduleId}>
            {m.done ? '✓' : '○'} {m.title}{' '}
            <span className="muted">
              {m.required ? t('requiredModule') : t('optionalModule')}
              {m.selfPaced ? ` · ${t('selfPaced')}` : ''}
            </span>{' '}
            {!m.done && progress.running && m.selfPaced ? (
              <button type="button" disabled={action.busy} onClick={() => complete(m.moduleId)}>
                {t('recordModuleDone', { module: m.title })}
              </button>
            ) : !m.done && progress.running ? (
              <span className="muted">{t('recordedByCommunityManager')}</span>
            ) : null}
          </li>
        ))}
      </ul>
      {!progress.running && programme ? (
        <p>
          <button type="button" className="primary" disabled={action.busy} onClick={enrol}>
            {enrolment ? t('enrolAgain') : t('enrolInProgramme')}
          </button>{' '}
          {enrolment ? <span className="muted">{e(enrolment.status)}</span> : <span className="muted">{t('notEnrolledYet')}</span>}
        </p>
      ) : null}
      {action.outcome}
    </article>
  );
}

/**
 * Look up one member's certification; a community manager awards, renews, suspends, reinstates or revokes it, offered
 * only the steps its status allows (certificationSteps), on the revision shown. A CONFLICT reads it again.
 */
function MemberCertification({ levels, onChanged }: { levels: readonly Level[]; onChanged: () => void }) {
  const { t, me, client } = useConsole();
  const [draft, setDraft] = useState('');
  const [memberId, setMemberId] = useState<string | null>(null);
  const resolveMember = useResolve('member');
  const members = useDirectory('member');
  const state = useQuery<{ certification: Certification }>(CERTIFICATION, { memberId }, memberId === null);
  useLiveRefresh(memberId === null ? null : certificationInterest(memberId), state.reload);
  const action = useAction(() => {
    state.reload();
    onChanged();
  });
  const [award, setAward] = useState({ level: '', evidence: '' });
  const [change, setChange] = useState<{ kind: CertificationChange | ''; reason: string }>({ kind: '', reason: '' });
  const [confirmingRevoke, setConfirmingRevoke] = useState(false);
  const manage = can(me.roles, 'manage');

  const submitAward = (event: FormEvent, c: Certification) => {
    event.preventDefault();
    if (!award.level) return;
    void action.run(async () => {
      const input = {
        memberId: c.memberId,
        level: Number(award.level),
        expectedRevision: c.revision,
        commandId: newCommandId(),
        ...(award.evidence.trim() ? { evidence: award.evidence.trim() } : {}),
      };
      const answer = await client.request<{ awardCertification: Certification }>(AWARD_CERTIFICATION, { input });
      state.setData({ certification: answer.awardCertification });
      setAward({ level: '', evidence: '' });
      onChanged();
    }, t('awarded_done'));
  };
  const makeChange = (c: Certification, kind: CertificationChange) => {
    setConfirmingRevoke(false);
    void action.run(async () => {
      const input = { memberId: c.memberId, reason: change.reason.trim(), expectedRevision: c.revision, commandId: newCommandId() };
      const answer = await client.request<{ result: Certification }>(CERTIFICATION_CHANGES[kind], { input });
      state.setData({ certification: answer.result });
      setChange({ kind: '', reason: '' });
      onChanged();
    }, t('certificationChanged'));
  };
  const submitChange = (event: FormEvent, c: Certification, kind: CertificationChange | null) => {
    event.preventDefault();
    if (!kind || !change.reason.trim()) return;
    // A revocation is final (only a new award follows it): asked again first.
    if (kind === 'revoke') setConfirmingRevoke(true);
    else makeChange(c, kind);
  };

  return (
    <Panel title={t('memberCertification')}>
      <form
        className="filters"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (draft.trim()) setMemberId(resolveMember(draft));
        }}
      >
        <IdPicker kind="member" id="c-member" label={t('member')} value={draft} onChange={setDraft} />
        <div className="filter-buttons">
          <button type="submit" className="primary">
            {t('lookUp')}
          </button>
        </div>
      </form>
      {memberId ? (
        <Loaded state={state}>
          {({ certification: c }) => {
            const steps = certificationSteps(
              { status: c.status as CertificationStatus, level: c.level },
              levels.map((l) => l.level),
            );
            const offeredLevels = levels.filter((l) => steps.awardLevels.includes(l.level));
            const kind = change.kind && steps.changes.includes(change.kind) ? change.kind : (steps.changes[0] ?? null);
            return (
              <>
                <p data-testid="certification-of">
                  <strong>
                    <Name kind="member" id={c.memberId} directory={members} />
                  </strong>
                </p>
                <CertificationView certification={c} />
                {manage ? (
                  <div className="grid-2">
                    {offeredLevels.length === 0 ? (
                      <p className="muted" data-testid="no-award">
                        {t(c.status === 'SUSPENDED' ? 'noAwardWhileSuspended' : levels.length === 0 ? 'noLevelsDefined' : 'noHigherLevel')}
                      </p>
                    ) : (
                      <form onSubmit={(ev) => submitAward(ev, c)} aria-label={t('awardCertification')}>
                        <h3>{t('awardCertification')}</h3>
                        <Field label={t('level')} id="c-level">
                          <select
                            id="c-level"
                            required
                            value={award.level}
                            onChange={(ev) => setAward({ ...award, level: ev.target.value })}
                          >
                            <option value="">—</option>
                            {offeredLevels.map((l) => (
                              <option key={l.level} value={l.level}>
                                {l.level} · {l.name}
                              </option>
                            ))}
                          </select>
                        </Field>
                        <Field label={t('evidence')} id="c-evidence">
                          <textarea
                            id="c-evidence"
                            rows={2}
                            value={award.evidence}
                            onChange={(ev) => setAward({ ...award, evidence: ev.target.value })}
                          />
                        </Field>
                        <button type="submit" className="primary" disabled={action.busy || !award.level}>
                          {t('awardCertification')}
                        </button>
                      </form>
                    )}
                    {steps.changes.length === 0 ? (
                      <p className="muted" data-testid="no-change">
                        {t('noCertificationChange')}
                      </p>
                    ) : (
                      <form onSubmit={(ev) => submitChange(ev, c, kind)} aria-label={t('changeCertification')}>
                        <h3>{t('changeCertification')}</h3>
                        <Field label={t('step')} id="c-change">
                          <select
                            id="c-change"
                            value={kind ?? ''}
                            onChange={(ev) => {
                              setConfirmingRevoke(false);
                              setChange({ ...change, kind: ev.target.value as CertificationChange });
                            }}
                          >
                            {steps.changes.map((k) => (
                              <option key={k} value={k}>
                                {t(`cert_${k}`)}
                              </option>
                            ))}
                          </select>
                        </Field>
                        <Field label={t('reason')} id="c-reason">
                          <textarea
                            id="c-reason"
                            rows={2}
                            required
                            value={change.reason}
                            onChange={(ev) => setChange({ ...change, reason: ev.target.value })}
                          />
                        </Field>
                        {confirmingRevoke ? (
                          <Confirmation
                            label={t('cert_revoke')}
                            confirm={t('revokeConfirmButton')}
                            busy={action.busy}
                            onConfirm={() => makeChange(c, 'revoke')}
                            onCancel={() => setConfirmingRevoke(false)}
                          >
                            <p>{t('revokeConfirm', { member: nameText(members, c.memberId), level: c.level })}</p>
                          </Confirmation>
                        ) : (
                          <button type="submit" className="primary" disabled={action.busy || !change.reason.trim()}>
                            {t('change')}
                          </button>
                        )}
                      </form>
                    )}
                  </div>
                ) : null}
                {action.outcome}
              </>
            );
          }}
        </Loaded>
      ) : null}
    </Panel>
  );
}
