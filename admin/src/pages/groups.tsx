import { useState } from 'react';
import { CERTIFICATION, GROUP, GROUPS } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { Badge, Empty, ErrorNotice, Link, Loaded, Page, Pager, Panel, toneOf, useQuery, type Connection } from '../ui.tsx';
import type { Certification } from './certification.tsx';

interface GroupRow {
  id: string;
  name: string;
  owners: string[];
  archived: boolean;
  requiresCertification: boolean;
  revision: number;
}

export function GroupsPage() {
  const { t } = useConsole();
  const [after, setAfter] = useState<string | null>(null);
  const state = useQuery<{ groups: Connection<GroupRow> }>(GROUPS, { first: 25, after });
  return (
    <Page title={t('area_groups')}>
      <Loaded state={state}>
        {({ groups }) =>
          groups.edges.length === 0 ? (
            <Empty />
          ) : (
            <>
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('groupId')}</th>
                      <th scope="col">{t('name')}</th>
                      <th scope="col">{t('owners')}</th>
                      <th scope="col">{t('requiresCertification')}</th>
                      <th scope="col">{t('archived')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups.edges.map(({ node }) => (
                      <tr key={node.id}>
                        <td>
                          <Link to={{ name: 'group', groupId: node.id }}>{node.id}</Link>
                        </td>
                        <td>{node.name}</td>
                        <td>{node.owners.join(', ') || '—'}</td>
                        <td>{node.requiresCertification ? t('yes') : t('no')}</td>
                        <td>{node.archived ? t('yes') : t('no')}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <Pager connection={groups} after={after} onPage={setAfter} />
            </>
          )
        }
      </Loaded>
    </Page>
  );
}

export function GroupPage({ groupId }: { groupId: string }) {
  const { t } = useConsole();
  const state = useQuery<{ group: GroupRow | null }>(GROUP, { id: groupId });
  return (
    <Page title={`${t('group')} ${groupId}`} actions={<Link to={{ name: 'area', area: 'groups' }}>← {t('area_groups')}</Link>}>
      <Loaded state={state}>
        {({ group }) =>
          !group ? (
            <ErrorNotice error={new Error(t('notFound'))} />
          ) : (
            <>
              <Panel title={group.name}>
                <dl className="facts">
                  <dt>{t('requiresCertification')}</dt>
                  <dd>{group.requiresCertification ? t('yes') : t('no')}</dd>
                  <dt>{t('archived')}</dt>
                  <dd>{group.archived ? t('yes') : t('no')}</dd>
                  <dt>{t('revision')}</dt>
                  <dd>{group.revision}</dd>
                </dl>
                <p>
                  <Link to={{ name: 'area', area: 'moderation' }}>{t('area_moderation')}</Link>
                </p>
              </Panel>
              <Panel title={t('owners')}>
                {group.owners.length === 0 ? (
                  <p className="muted">{t('none')}</p>
                ) : (
                  <div className="table-wrap">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">{t('member')}</th>
                          <th scope="col">{t('certification')}</th>
                          <th scope="col">{t('level')}</th>
                          <th scope="col">{t('expires')}</th>
                          <th scope="col">{t('missingForNextLevel')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {group.owners.map((owner) => (
                          <OwnerRow key={owner} memberId={owner} />
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
              </Panel>
            </>
          )
        }
      </Loaded>
    </Page>
  );
}

function OwnerRow({ memberId }: { memberId: string }) {
  const { date } = useConsole();
  const state = useQuery<{ certification: Certification }>(CERTIFICATION, { memberId });
  const c = state.data?.certification;
  return (
    <tr>
      <td>{memberId}</td>
      <td>{state.error ? <span className="muted">—</span> : c ? <Badge value={c.status} tone={toneOf(c.status)} /> : '…'}</td>
      <td>{c?.level ?? '—'}</td>
      <td>{date(c?.expiresAt)}</td>
      <td>{c ? c.missingForNextLevel.join(', ') || '—' : '—'}</td>
    </tr>
  );
}
