import { useState } from 'react';
import { CERTIFICATION_LEVELS, GROUPS_WITH_UNCERTIFIED_OWNERS, MY_CERTIFICATION } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { Badge, Empty, Link, Loaded, Page, Pager, Panel, toneOf, useQuery, type Connection } from '../ui.tsx';

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
  if (levels.length === 0) return <Empty />;
  return (
    <div className="table-wrap">
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
              <td>{l.requiredProgrammes.join(', ') || '—'}</td>
              <td>{l.validityMonths}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
  return (
    <Page title={t('area_certification')}>
      <Panel title={t('levels')}>
        <Loaded state={levels}>{({ certificationLevels }) => <LevelsTable levels={certificationLevels} />}</Loaded>
      </Panel>
      <Panel title={t('uncertifiedOwners')}>
        <Loaded state={uncertified}>
          {({ groupsWithUncertifiedOwners: list }) =>
            list.edges.length === 0 ? (
              <Empty />
            ) : (
              <>
                <div className="table-wrap">
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
                                {o.memberId} <Badge value={o.status} tone={toneOf(o.status)} />{' '}
                              </span>
                            ))}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
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
                    <code>{p}</code>
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </dl>
      </Panel>
      <Panel title={t('certificationHistory')}>
        {c.history.length === 0 ? (
          <Empty />
        ) : (
          <div className="table-wrap">
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
          </div>
        )}
      </Panel>
    </>
  );
}

export function MyCertificationPage() {
  const { t } = useConsole();
  const state = useQuery<{ myCertification: Certification; certificationLevels: Level[] }>(MY_CERTIFICATION);
  return (
    <Page title={t('area_myCertification')}>
      <Loaded state={state}>
        {({ myCertification, certificationLevels }) => (
          <>
            <CertificationView certification={myCertification} />
            <Panel title={t('levels')}>
              <LevelsTable levels={certificationLevels} />
            </Panel>
          </>
        )}
      </Loaded>
    </Page>
  );
}
