import { useState, type FormEvent } from 'react';
import { supports } from '../api/client.ts';
import { GOVERNANCE_HISTORY, PRIVACY_OF_MEMBER } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { Badge, Loaded, Page, Panel, toneOf, useQuery } from '../ui.tsx';
import { EventList } from './case.tsx';

interface Answer {
  member: { id: string; displayName: string; department: string; status: string } | null;
  privacySettings: { directoryListed: boolean; profilePhotoVisibility: string; requestedProfilePhotoVisibility: string; revision: number };
  consents: { purpose: string; given: boolean; noticeVersion: string | null; changedAt: string }[];
  erasureRequest: { status: string; requestedAt: string; completedAt: string | null } | null;
}

export function PrivacyPage() {
  const { t } = useConsole();
  const [draft, setDraft] = useState('');
  const [memberId, setMemberId] = useState<string | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim()) setMemberId(draft.trim());
  };
  return (
    <Page title={t('area_privacy')}>
      <form className="filters" onSubmit={submit}>
        <div className="field">
          <label htmlFor="pv-member">{t('memberId')}</label>
          <input id="pv-member" value={draft} onChange={(ev) => setDraft(ev.target.value)} />
        </div>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            {t('lookUp')}
          </button>
        </div>
      </form>
      {memberId ? <MemberPrivacy key={memberId} memberId={memberId} /> : <p className="muted">{t('privacyLookup')}</p>}
    </Page>
  );
}

function MemberPrivacy({ memberId }: { memberId: string }) {
  const { t, e, dateTime, capabilities } = useConsole();
  const state = useQuery<Answer>(PRIVACY_OF_MEMBER, { memberId });
  const historySupported = supports(capabilities, GOVERNANCE_HISTORY);
  const history = useQuery<{ governanceHistory: { edges: { node: Parameters<typeof EventList>[0]['events'][number] }[] } }>(
    GOVERNANCE_HISTORY,
    { filter: { streamId: `privacy-${memberId}` }, first: 50 },
    !historySupported,
  );
  return (
    <Loaded state={state}>
      {({ member, privacySettings, consents, erasureRequest }) => (
        <>
          <div className="grid-2">
            <Panel title={`${t('member')} ${memberId}`}>
              <dl className="facts">
                <dt>{t('name')}</dt>
                <dd>{member?.displayName ?? '—'}</dd>
                <dt>{t('department')}</dt>
                <dd>{member?.department ?? '—'}</dd>
                <dt>{t('status')}</dt>
                <dd>{member ? <Badge value={member.status} tone={toneOf(member.status)} /> : '—'}</dd>
              </dl>
            </Panel>
            <Panel title={t('erasure')}>
              {erasureRequest ? (
                <dl className="facts">
                  <dt>{t('status')}</dt>
                  <dd>
                    <Badge value={erasureRequest.status} tone={toneOf(erasureRequest.status)} />
                  </dd>
                  <dt>{t('requested')}</dt>
                  <dd>{dateTime(erasureRequest.requestedAt)}</dd>
                  <dt>{t('completed')}</dt>
                  <dd>{dateTime(erasureRequest.completedAt)}</dd>
                </dl>
              ) : (
                <p className="muted">{t('noErasure')}</p>
              )}
            </Panel>
          </div>
          <Panel title={t('settings')}>
            <dl className="facts">
              <dt>{t('directoryListed')}</dt>
              <dd>{privacySettings.directoryListed ? t('yes') : t('no')}</dd>
              <dt>{t('photoVisibility')}</dt>
              <dd>
                {e(privacySettings.profilePhotoVisibility)}{' '}
                <span className="muted">({e(privacySettings.requestedProfilePhotoVisibility)})</span>
              </dd>
            </dl>
          </Panel>
          <Panel title={t('consents')}>
            {consents.length === 0 ? (
              <p className="muted">{t('none')}</p>
            ) : (
              <div className="table-wrap">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('purpose')}</th>
                      <th scope="col">{t('given')}</th>
                      <th scope="col">{t('version')}</th>
                      <th scope="col">{t('changed')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {consents.map((c) => (
                      <tr key={c.purpose}>
                        <td>{c.purpose}</td>
                        <td>{c.given ? t('yes') : t('no')}</td>
                        <td>{c.noticeVersion ?? '—'}</td>
                        <td>{dateTime(c.changedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Panel>
          {historySupported && !history.error ? (
            <Panel title={t('history')}>
              <Loaded state={history}>{(data) => <EventList events={data.governanceHistory.edges.map((edge) => edge.node)} />}</Loaded>
            </Panel>
          ) : null}
        </>
      )}
    </Loaded>
  );
}
