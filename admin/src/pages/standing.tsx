import { useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import { ADD_NOTE, MEMBER_STANDING, RETRACT_NOTE } from '../api/documents.ts';
import type { AddModeratorNoteMutation, MemberStandingQuery, RetractModeratorNoteMutation } from '../api/generated/graphql.ts';
import { useConsole } from '../context.ts';
import { newCommandId } from '../moderation.ts';
import { Badge, ErrorNotice, Field, Link, Loaded, Page, Panel, toneOf, useQuery } from '../ui.tsx';

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

  const sanctionRows = (list: Sanction[]) => (
    <div className="table-wrap">
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
              <td>{s.until ? dateTime(s.until) : t('untilLifted')}</td>
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
    </div>
  );

  return (
    <Page
      title={`${t('memberStanding')}: ${memberId}`}
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
            </Panel>
            <Panel title={t('activeSanctions')}>
              {memberStanding.activeSanctions.length ? sanctionRows(memberStanding.activeSanctions) : <p className="muted">{t('none')}</p>}
            </Panel>
            <Panel title={t('sanctionHistory')}>
              {memberStanding.sanctionHistory.length ? sanctionRows(memberStanding.sanctionHistory) : <p className="muted">{t('none')}</p>}
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
                        {note.authorId} · {dateTime(note.createdAt)}
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
