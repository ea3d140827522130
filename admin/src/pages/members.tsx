import { useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import { MEMBERS, REGISTER_MEMBER } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { LIVE_INTERESTS } from '../live-interests.ts';
import { useLiveRefresh } from '../live-react.tsx';
import { newCommandId } from '../moderation.ts';
import { Badge, Empty, Field, Link, Loaded, Page, Pager, Panel, ScrollArea, toneOf, useAction, useQuery, type Connection } from '../ui.tsx';
import { forgetNames, IdPicker, useResolve } from './names.tsx';

interface MemberRow {
  id: string;
  displayName: string;
  department: string;
  status: string;
}

export function MembersPage() {
  const { t, me, navigate } = useConsole();
  const [department, setDepartment] = useState('');
  const [applied, setApplied] = useState('');
  const [after, setAfter] = useState<string | null>(null);
  const [lookup, setLookup] = useState('');
  const resolveMember = useResolve('member');
  const state = useQuery<{ members: Connection<MemberRow> }>(MEMBERS, { department: applied || null, first: 25, after });
  useLiveRefresh(LIVE_INTERESTS.members, state.reload);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied(department.trim());
    setAfter(null);
  };
  return (
    <Page title={t('area_members')}>
      <div className="grid-2">
        <form className="filters" onSubmit={submit}>
          <div className="field">
            <label htmlFor="m-department">{t('department')}</label>
            <input id="m-department" value={department} onChange={(ev) => setDepartment(ev.target.value)} />
          </div>
          <div className="filter-buttons">
            <button type="submit" className="primary">
              {t('apply')}
            </button>
          </div>
        </form>
        <form
          className="filters"
          onSubmit={(ev) => {
            ev.preventDefault();
            const memberId = resolveMember(lookup);
            if (memberId) navigate({ name: 'standing', memberId });
          }}
        >
          <IdPicker kind="member" id="m-lookup" label={t('memberStanding')} value={lookup} onChange={setLookup} />
          <div className="filter-buttons">
            <button type="submit">{t('open')}</button>
          </div>
        </form>
      </div>
      <Loaded state={state}>
        {({ members }) =>
          members.edges.length === 0 ? (
            <Empty />
          ) : (
            <>
              <ScrollArea label={t('area_members')}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('member')}</th>
                      <th scope="col">{t('department')}</th>
                      <th scope="col">{t('status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {members.edges.map(({ node }) => (
                      <tr key={node.id}>
                        <td>
                          <Link to={{ name: 'standing', memberId: node.id }}>{node.displayName}</Link>{' '}
                          <span className="muted">{node.id}</span>
                        </td>
                        <td>{node.department}</td>
                        <td>
                          <Badge value={node.status} tone={toneOf(node.status)} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollArea>
              <Pager connection={members} after={after} onPage={setAfter} />
            </>
          )
        }
      </Loaded>
      {can(me.roles, 'manage') ? <RegisterMemberForm onRegistered={state.reload} /> : null}
    </Page>
  );
}

/** A member registered by hand (most come from the directory): id, name and department. */
function RegisterMemberForm({ onRegistered }: { onRegistered: () => void }) {
  const { t, client, navigate } = useConsole();
  const action = useAction();
  const [form, setForm] = useState({ memberId: '', displayName: '', department: '' });
  const ready = form.memberId.trim() && form.displayName.trim() && form.department.trim();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    const memberId = form.memberId.trim();
    const ok = await action.run(
      () =>
        client.request(REGISTER_MEMBER, {
          input: { memberId, displayName: form.displayName.trim(), department: form.department.trim(), commandId: newCommandId() },
        }),
      t('memberRegistered'),
    );
    if (ok) {
      forgetNames(client, 'member');
      onRegistered();
      navigate({ name: 'standing', memberId });
    }
  };
  return (
    <Panel title={t('registerMember')}>
      <form className="filters" onSubmit={(ev) => void submit(ev)}>
        <Field label={t('memberId')} id="r-member">
          <input
            id="r-member"
            required
            pattern="[A-Za-z0-9._:@\-]{1,100}"
            value={form.memberId}
            onChange={(ev) => setForm({ ...form, memberId: ev.target.value })}
          />
        </Field>
        <Field label={t('name')} id="r-name">
          <input id="r-name" required value={form.displayName} onChange={(ev) => setForm({ ...form, displayName: ev.target.value })} />
        </Field>
        <Field label={t('department')} id="r-department">
          <input id="r-department" required value={form.department} onChange={(ev) => setForm({ ...form, department: ev.target.value })} />
        </Field>
        <div className="filter-buttons">
          <button type="submit" className="primary" disabled={action.busy || !ready}>
            {t('registerMember')}
          </button>
        </div>
      </form>
      {action.outcome}
    </Panel>
  );
}
