import { useState, type FormEvent } from 'react';
import { MEMBERS } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { Badge, Empty, Link, Loaded, Page, Pager, toneOf, useQuery, type Connection } from '../ui.tsx';

interface MemberRow {
  id: string;
  displayName: string;
  department: string;
  status: string;
}

export function MembersPage() {
  const { t, navigate } = useConsole();
  const [department, setDepartment] = useState('');
  const [applied, setApplied] = useState('');
  const [after, setAfter] = useState<string | null>(null);
  const [lookup, setLookup] = useState('');
  const state = useQuery<{ members: Connection<MemberRow> }>(MEMBERS, { department: applied || null, first: 25, after });
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
            if (lookup.trim()) navigate({ name: 'standing', memberId: lookup.trim() });
          }}
        >
          <div className="field">
            <label htmlFor="m-lookup">{t('memberStanding')}</label>
            <input id="m-lookup" value={lookup} placeholder={t('memberId')} onChange={(ev) => setLookup(ev.target.value)} />
          </div>
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
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('memberId')}</th>
                      <th scope="col">{t('name')}</th>
                      <th scope="col">{t('department')}</th>
                      <th scope="col">{t('status')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {members.edges.map(({ node }) => (
                      <tr key={node.id}>
                        <td>
                          <Link to={{ name: 'standing', memberId: node.id }}>{node.id}</Link>
                        </td>
                        <td>{node.displayName}</td>
                        <td>{node.department}</td>
                        <td>
                          <Badge value={node.status} tone={toneOf(node.status)} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager connection={members} after={after} onPage={setAfter} />
            </>
          )
        }
      </Loaded>
    </Page>
  );
}
