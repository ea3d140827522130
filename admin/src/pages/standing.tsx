import { useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import { ADD_NOTE, MEMBER_STANDING, RECORD_MEMBER_LEFT, RETRACT_NOTE, UPDATE_MEMBER } from '../api/documents.ts';
import type { AddModeratorNoteMutation, MemberStandingQuery, RetractModeratorNoteMutation } from '../api/generated/graphql.ts';
import { useConsole } from '../context.ts';
import { newCommandId } from '../moderation.ts';
import { Badge, Confirmation, ErrorNotice, Field, Link, Loaded, Page, Panel, ScrollArea, toneOf, useAction, useQuery } from '../ui.tsx';
import { forgetNames, Name } from './names.tsx';

/** A row of either sanction table (the history selects more of each sanction than the active list). */
interface Sanction {
  id: string;
  caseId: string;
  kind: string;
  until: string | null;
  imposedAt: string;
  liftedAt?: string | null;
  expiredAt?: string | null;
  active: boolean;
}

// The answers' types as codegen derives them from schema.gql and the documents (`npm run codegen`).
type Answer = MemberStandingQuery;
type Standing = Answer['memberStanding'];

export function StandingPage({ memberId }: { memberId: string }) {
  const { t, e, me, dateTime, client } = useConsole();
  const state = useQuery<Answer>(MEMBER_STANDING, { memberId });
  const [text, setText] = useState('');
  const [failure, setFailure] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);

  const apply = async (run: () => Promise<Standing>) => {
    setBusy(true);
    setFailure(null);
    try {
      const standing = await run();
      if (state.data) state.setData({ ...state.data, memberStanding: standing });
      return true;
    } catch (error) {
      setFailure(error as Error);
      return false;
    } finally {
      setBusy(false);
    }
  };

  const addNote = async (event: FormEvent) => {
    event.preventDefault();
    if (!text.trim()) return;
    const ok = await apply(
      async () =>
        (
          await client.request<AddModeratorNoteMutation>(ADD_NOTE, {
            input: { memberId, text: text.trim(), commandId: newCommandId() },
          })
        ).addModeratorNote,
    );
    if (ok) setText('');
  };

  const retract = (noteId: string) => {
    const reason = window.prompt(t('retractReason')) ?? undefined;
    if (reason === undefined) return;
    void apply(
      async () =>
        (
          await client.request<RetractModeratorNoteMutation>(RETRACT_NOTE, {
            input: { memberId, noteId, ...(reason.trim() ? { reason: reason.trim() } : {}), commandId: newCommandId() },
          })
        ).retractModeratorNote,
    );
  };

  const sanctionRows = (list: Sanction[], label: string) => (
    <ScrollArea label={label}>
      <table>
        <thead>
          <tr>
            <th scope="col">{t('kind')}</th>
            <th scope="col">{t('case')}</th>
            <th scope="col">{t('imposed')}</th>
            <th scope="col">{t('until')}</th>
            <th scope="col">{t('status')}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((s) => (
            <tr key={s.id}>
              <td>{e(s.kind)}</td>
              <td>
                <Link to={{ name: 'case', caseId: s.caseId }}>{s.caseId}</Link>
              </td>
              <td>{dateTime(s.imposedAt)}</td>
              <td>{s.until ? dateTime(s.until) : t('noEndDate')}</td>
              <td>
                {s.active ? (
                  <Badge value="ACTIVE" tone="bad" />
                ) : s.liftedAt ? (
                  `${t('lifted')} ${dateTime(s.liftedAt)}`
                ) : s.expiredAt ? (
                  `${e('EXPIRED')} ${dateTime(s.expiredAt)}`
                ) : (
                  '—'
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollArea>
  );

  return (
    <Page
      title={
        state.data?.member
          ? `${t('memberStanding')}: ${state.data.member.displayName} (${memberId})`
          : `${t('memberStanding')}: ${memberId}`
      }
      actions={
        <button type="button" onClick={state.reload}>
          {t('refresh')}
        </button>
      }
    >
      {failure ? <ErrorNotice error={failure} /> : null}
      <Loaded state={state}>
        {({ member, memberStanding }) => (
          <>
            <Panel title={t('member')}>
              <dl className="facts">
                <dt>{t('name')}</dt>
                <dd>{member?.displayName ?? '—'}</dd>
                <dt>{t('department')}</dt>
                <dd>{member?.department ?? '—'}</dd>
                <dt>{t('status')}</dt>
                <dd>{member ? <Badge value={member.status} tone={toneOf(member.status)} /> : '—'}</dd>
                <dt>{t('origin')}</dt>
                <dd data-testid="origin">
                  {!member
                    ? '—'
                    : member.source === 'provisioning' || member.directoryChangedAt
                      ? t('fromDirectory', { date: member.directoryChangedAt ? dateTime(member.directoryChangedAt) : null })
                      : t('registeredHere')}
                </dd>
                <dt>{t('standing')}</dt>
                <dd data-testid="standing">
                  {memberStanding.suspended ? (
                    <Badge value="SUSPENDED" tone="bad" />
                  ) : (
                    <span className="badge badge-ok">{t('notSuspended')}</span>
                  )}
                </dd>
              </dl>
              {member && can(me.roles, 'manage') ? <MemberChanges member={member} onChanged={state.reload} /> : null}
            </Panel>
            <Panel title={t('activeSanctions')}>
              {memberStanding.activeSanctions.length ? (
                sanctionRows(memberStanding.activeSanctions, t('activeSanctions'))
              ) : (
                <p className="muted">{t('none')}</p>
              )}
            </Panel>
            <Panel title={t('sanctionHistory')}>
              {memberStanding.sanctionHistory.length ? (
                sanctionRows(memberStanding.sanctionHistory, t('sanctionHistory'))
              ) : (
                <p className="muted">{t('none')}</p>
              )}
            </Panel>
            {can(me.roles, 'readNotes') ? (
              <Panel title={t('notes')}>
                {memberStanding.notes.length === 0 ? <p className="muted">{t('none')}</p> : null}
                <ul className="notes">
                  {memberStanding.notes.map((note) => (
                    <li key={note.id} className={note.retracted ? 'retracted' : ''}>
                      <p>
                        {note.retracted ? <del>{note.text}</del> : note.text}{' '}
                        {note.retracted ? <span className="muted">({t('retracted')})</span> : null}
                      </p>
                      <p className="muted">
                        <Name kind="member" id={note.authorId} /> · {dateTime(note.createdAt)}
                      </p>
                      {!note.retracted && can(me.roles, 'writeNotes') ? (
                        <button type="button" disabled={busy} onClick={() => retract(note.id)}>
                          {t('retract')}
                        </button>
                      ) : null}
                    </li>
                  ))}
                </ul>
                {can(me.roles, 'writeNotes') ? (
                  <form onSubmit={(ev) => void addNote(ev)}>
                    <Field label={t('noteText')} id="note-text">
                      <textarea id="note-text" rows={3} value={text} onChange={(ev) => setText(ev.target.value)} />
                    </Field>
                    <button type="submit" className="primary" disabled={busy || !text.trim()}>
                      {t('addNote')}
                    </button>
                  </form>
                ) : null}
              </Panel>
            ) : null}
          </>
        )}
      </Loaded>
    </Page>
  );
}

type ShownMember = NonNullable<Answer['member']>;

/**
 * A community manager corrects a member's name or department (on the revision shown), or records that they left
 * (asked again first: it ends what they hold, README "What a leaver sets in motion"). Either reads the page again;
 * a CONFLICT too.
 */
function MemberChanges({ member, onChanged }: { member: ShownMember; onChanged: () => void }) {
  const { t, client } = useConsole();
  const action = useAction(onChanged);
  const [form, setForm] = useState({ displayName: member.displayName, department: member.department });
  const [leaving, setLeaving] = useState(false);
  const [reason, setReason] = useState('');
  const left = member.status === 'LEFT';
  const changed = form.displayName.trim() !== member.displayName || form.department.trim() !== member.department;
  const done = () => {
    forgetNames(client, 'member');
    onChanged();
  };
  const update = async (event: FormEvent) => {
    event.preventDefault();
    if (!changed || !form.displayName.trim() || !form.department.trim()) return;
    const ok = await action.run(
      () =>
        client.request(UPDATE_MEMBER, {
          input: {
            memberId: member.id,
            displayName: form.displayName.trim(),
            department: form.department.trim(),
            expectedRevision: member.revision,
            commandId: newCommandId(),
          },
        }),
      t('memberUpdated'),
    );
    if (ok) done();
  };
  const recordLeft = async () => {
    const ok = await action.run(
      () =>
        client.request(RECORD_MEMBER_LEFT, {
          input: { memberId: member.id, commandId: newCommandId(), ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      t('memberLeftRecorded'),
    );
    setLeaving(false);
    if (ok) done();
  };
  if (left) return null;
  return (
    <>
      <form className="filters" onSubmit={(ev) => void update(ev)} aria-label={t('updateMember')}>
        <Field label={t('name')} id="mu-name">
          <input id="mu-name" required value={form.displayName} onChange={(ev) => setForm({ ...form, displayName: ev.target.value })} />
        </Field>
        <Field label={t('department')} id="mu-department">
          <input id="mu-department" required value={form.department} onChange={(ev) => setForm({ ...form, department: ev.target.value })} />
        </Field>
        <div className="filter-buttons">
          <button type="submit" className="primary" disabled={action.busy || !changed}>
            {t('save')}
          </button>
          <button type="button" disabled={action.busy || leaving} onClick={() => setLeaving(true)}>
            {t('recordMemberLeft')}
          </button>
        </div>
      </form>
      {leaving ? (
        <Confirmation
          label={t('recordMemberLeft')}
          confirm={t('recordMemberLeftConfirmButton')}
          busy={action.busy}
          onConfirm={() => void recordLeft()}
          onCancel={() => setLeaving(false)}
        >
          <p>{t('recordMemberLeftConfirm', { member: `${member.displayName} (${member.id})` })}</p>
          <Field label={t('reasonOptional')} id="ml-reason">
            <input id="ml-reason" value={reason} onChange={(ev) => setReason(ev.target.value)} />
          </Field>
        </Confirmation>
      ) : null}
      {action.outcome}
    </>
  );
}
