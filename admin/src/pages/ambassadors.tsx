import { useState, type FormEvent } from 'react';
import { AMBASSADORS } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { Badge, Empty, Loaded, Page, Pager, Panel, toneOf, useQuery, type Connection } from '../ui.tsx';

const STATUSES = ['NOMINATED', 'APPROVED', 'ACTIVE', 'INACTIVE', 'OFFBOARDED', 'REJECTED'] as const;

interface Ambassador {
  memberId: string;
  department: string;
  status: string;
  enrolment: number;
  since: string | null;
  nominatedAt: string;
  nominatedBy: string;
}

export function AmbassadorsPage() {
  const { t, e, date } = useConsole();
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
                <div className="table-wrap">
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
                            {node.memberId} {node.enrolment > 1 ? <span className="muted">#{node.enrolment}</span> : null}
                          </td>
                          <td>{node.department}</td>
                          <td>
                            <Badge value={node.status} tone={toneOf(node.status)} />
                          </td>
                          <td>{date(node.since)}</td>
                          <td>{date(node.nominatedAt)}</td>
                          <td>{node.nominatedBy}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <Pager connection={ambassadors} after={after} onPage={setAfter} />
              </>
            )}
          </>
        )}
      </Loaded>
    </Page>
  );
}
