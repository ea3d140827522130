import { useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import { AMBASSADOR_CHANGES, AMBASSADORS, NOMINATE_AMBASSADOR } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { newCommandId } from '../moderation.ts';
import { Badge, Empty, Field, Loaded, Page, Pager, Panel, ScrollArea, toneOf, useAction, useQuery, type Connection } from '../ui.tsx';
import { IdPicker, Name, nameText, useDirectory, useResolve, type Directory } from './names.tsx';

const STATUSES = ['NOMINATED', 'APPROVED', 'ACTIVE', 'INACTIVE', 'OFFBOARDED', 'REJECTED'] as const;

interface Ambassador {
  memberId: string;
  department: string;
  status: string;
  enrolment: number;
  since: string | null;
  nominatedAt: string;
  nominatedBy: string;
  revision: number;
}

type Step = keyof typeof AMBASSADOR_CHANGES;

/** The steps an enrolment can take from its status (the API checks them again). */
export const STEPS_FROM: Readonly<Record<string, readonly Step[]>> = {
  NOMINATED: ['approve', 'reject'],
  APPROVED: ['activate', 'offboard'],
  ACTIVE: ['deactivate', 'offboard'],
  INACTIVE: ['reactivate', 'offboard'],
};

export function AmbassadorsPage() {
  const { t, e, date, me } = useConsole();
  const [status, setStatus] = useState('');
  const [department, setDepartment] = useState('');
  const [applied, setApplied] = useState({ status: '', department: '' });
  const [after, setAfter] = useState<string | null>(null);
  const state = useQuery<{ ambassadors: Connection<Ambassador>; ambassadorCoverage: { department: string; activeAmbassadors: number }[] }>(
    AMBASSADORS,
    {
      status: applied.status ? [applied.status] : null,
      department: applied.department || null,
      first: 25,
      after,
    },
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied({ status, department: department.trim() });
    setAfter(null);
  };
  const members = useDirectory('member');
  return (
    <Page title={t('area_ambassadors')}>
      <Loaded state={state}>
        {({ ambassadors, ambassadorCoverage }) => (
          <>
            <Panel title={t('coverage')}>
              <ul className="coverage">
                {ambassadorCoverage.map((c) => (
                  <li key={c.department} className={c.activeAmbassadors === 0 ? 'uncovered' : ''}>
                    <span className="count-value">{c.activeAmbassadors}</span>
                    <span>{c.department}</span>
                    {c.activeAmbassadors === 0 ? <span className="badge badge-bad">{t('noCoverage')}</span> : null}
                  </li>
                ))}
              </ul>
            </Panel>
            {can(me.roles, 'manage') ? (
              <div className="grid-2">
                <NominateForm onDone={state.reload} />
                <StepForm ambassadors={ambassadors.edges.map((edge) => edge.node)} members={members} onDone={state.reload} />
              </div>
            ) : null}
            <form className="filters" onSubmit={submit}>
              <div className="field">
                <label htmlFor="a-status">{t('status')}</label>
                <select id="a-status" value={status} onChange={(ev) => setStatus(ev.target.value)}>
                  <option value="">{t('anyStatus')}</option>
                  {STATUSES.map((s) => (
                    <option key={s} value={s}>
                      {e(s)}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="a-department">{t('department')}</label>
                <input id="a-department" value={department} onChange={(ev) => setDepartment(ev.target.value)} />
              </div>
              <div className="filter-buttons">
                <button type="submit" className="primary">
                  {t('apply')}
                </button>
              </div>
            </form>
            {ambassadors.edges.length === 0 ? (
              <Empty />
            ) : (
              <>
                <ScrollArea label={t('area_ambassadors')}>
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t('member')}</th>
                        <th scope="col">{t('department')}</th>
                        <th scope="col">{t('status')}</th>
                        <th scope="col">{t('since')}</th>
                        <th scope="col">{t('nominated')}</th>
                        <th scope="col">{t('nominatedBy')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {ambassadors.edges.map(({ node }) => (
                        <tr key={node.memberId}>
                          <td>
                            <Name kind="member" id={node.memberId} directory={members} />{' '}
                            {node.enrolment > 1 ? <span className="muted">#{node.enrolment}</span> : null}
                          </td>
                          <td>{node.department}</td>
                          <td>
                            <Badge value={node.status} tone={toneOf(node.status)} />
                          </td>
                          <td>{date(node.since)}</td>
                          <td>{date(node.nominatedAt)}</td>
                          <td>
                            <Name kind="member" id={node.nominatedBy} directory={members} />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </ScrollArea>
                <Pager connection={ambassadors} after={after} onPage={setAfter} />
              </>
            )}
          </>
        )}
      </Loaded>
    </Page>
  );
}

function NominateForm({ onDone }: { onDone: () => void }) {
  const { t, client } = useConsole();
  const resolveMember = useResolve('member');
  const action = useAction();
  const [form, setForm] = useState({ memberId: '', department: '', motivation: '' });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form.memberId.trim() || !form.department.trim()) return;
    const ok = await action.run(async () => {
      const input = {
        memberId: resolveMember(form.memberId),
        department: form.department.trim(),
        commandId: newCommandId(),
        ...(form.motivation.trim() ? { motivation: form.motivation.trim() } : {}),
      };
      await client.request(NOMINATE_AMBASSADOR, { input });
    }, t('nominationRecorded'));
    if (ok) {
      setForm({ memberId: '', department: '', motivation: '' });
      onDone();
    }
  };
  return (
    <Panel title={t('nominateAmbassador')}>
      <form onSubmit={(ev) => void submit(ev)}>
        <IdPicker
          kind="member"
          id="n-member"
          label={t('member')}
          required
          value={form.memberId}
          onChange={(memberId) => setForm({ ...form, memberId })}
        />
        <Field label={t('department')} id="n-department">
          <input id="n-department" required value={form.department} onChange={(ev) => setForm({ ...form, department: ev.target.value })} />
        </Field>
        <Field label={t('motivation')} id="n-motivation">
          <textarea
            id="n-motivation"
            rows={2}
            value={form.motivation}
            onChange={(ev) => setForm({ ...form, motivation: ev.target.value })}
          />
        </Field>
        <button type="submit" className="primary" disabled={action.busy || !form.memberId.trim() || !form.department.trim()}>
          {t('nominateAmbassador')}
        </button>
      </form>
      {action.outcome}
    </Panel>
  );
}

/** Approve, reject, activate, deactivate, reactivate or offboard one of the listed ambassadors. */
function StepForm({ ambassadors, members, onDone }: { ambassadors: readonly Ambassador[]; members: Directory; onDone: () => void }) {
  const { t, e, client } = useConsole();
  // On CONFLICT (the ambassador changed meanwhile) the list is read again, and the notice says so.
  const action = useAction(onDone);
  const [memberId, setMemberId] = useState('');
  const [step, setStep] = useState<Step | ''>('');
  const [reason, setReason] = useState('');
  const chosen = ambassadors.find((a) => a.memberId === memberId);
  const steps = chosen ? (STEPS_FROM[chosen.status] ?? []) : [];
  const reasonNeeded = step === 'offboard';
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!chosen || !step || (reasonNeeded && !reason.trim())) return;
    const ok = await action.run(async () => {
      const input = {
        memberId: chosen.memberId,
        expectedRevision: chosen.revision,
        commandId: newCommandId(),
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      };
      await client.request(AMBASSADOR_CHANGES[step], { input });
    }, t('stepRecorded'));
    if (ok) {
      setStep('');
      setReason('');
      onDone();
    }
  };
  return (
    <Panel title={t('ambassadorStep')}>
      <form onSubmit={(ev) => void submit(ev)}>
        <Field label={t('member')} id="s-member">
          <select
            id="s-member"
            required
            value={memberId}
            onChange={(ev) => {
              setMemberId(ev.target.value);
              setStep('');
            }}
          >
            <option value="">—</option>
            {ambassadors
              .filter((a) => (STEPS_FROM[a.status] ?? []).length > 0)
              .map((a) => (
                <option key={a.memberId} value={a.memberId}>
                  {nameText(members, a.memberId)} · {a.department} · {e(a.status)}
                </option>
              ))}
          </select>
        </Field>
        <Field label={t('step')} id="s-step">
          <select id="s-step" required value={step} disabled={!chosen} onChange={(ev) => setStep(ev.target.value as Step)}>
            <option value="">—</option>
            {steps.map((s) => (
              <option key={s} value={s}>
                {t(`amb_${s}`)}
              </option>
            ))}
          </select>
        </Field>
        <Field label={reasonNeeded ? t('reason') : t('reasonOptional')} id="s-reason">
          <textarea id="s-reason" rows={2} required={reasonNeeded} value={reason} onChange={(ev) => setReason(ev.target.value)} />
        </Field>
        <button type="submit" className="primary" disabled={action.busy || !chosen || !step || (reasonNeeded && !reason.trim())}>
          {t('save')}
        </button>
      </form>
      {action.outcome}
    </Panel>
  );
}
