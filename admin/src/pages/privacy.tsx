import { useState, type FormEvent } from 'react';
import { supports } from '../api/client.ts';
import {
  GIVE_CONSENT,
  GOVERNANCE_HISTORY,
  PRIVACY_OF_MEMBER,
  REQUEST_ERASURE,
  UPDATE_PRIVACY_SETTINGS,
  WITHDRAW_CONSENT,
} from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { newCommandId } from '../moderation.ts';
import { Badge, Confirmation, Field, Loaded, Page, Panel, ScrollArea, toneOf, useAction, useQuery } from '../ui.tsx';
import { EventList } from './case.tsx';
import { IdPicker, useResolve } from './names.tsx';

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
  const resolveMember = useResolve('member');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (draft.trim()) setMemberId(resolveMember(draft));
  };
  return (
    <Page title={t('area_privacy')}>
      <form className="filters" onSubmit={submit}>
        <IdPicker kind="member" id="pv-member" label={t('member')} value={draft} onChange={setDraft} />
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

/** A member's own privacy: their settings, their consents (given or withdrawn by them alone) and their erasure request. */
export function MyPrivacyPage() {
  const { t, me } = useConsole();
  return (
    <Page title={t('area_myPrivacy')}>
      <MemberPrivacy memberId={me.id} self />
    </Page>
  );
}

/** The purposes a member is asked about: the profile photo's, and any other they already answered. */
const KNOWN_PURPOSES = ['profile_photo'] as const;

function MemberPrivacy({ memberId, self = false }: { memberId: string; self?: boolean }) {
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
            <Panel title={member ? `${member.displayName} (${memberId})` : `${t('member')} ${memberId}`}>
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
              {!erasureRequest || erasureRequest.status !== 'COMPLETED' ? (
                <ErasureRequestForm memberId={memberId} name={member?.displayName ?? null} onChanged={state.reload} />
              ) : null}
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
            <SettingsForm settings={privacySettings} memberId={memberId} onChanged={state.reload} />
          </Panel>
          <Panel title={t('consents')}>
            {self ? <ConsentForm memberId={memberId} consents={consents} onChanged={state.reload} /> : null}
            {consents.length === 0 ? (
              <p className="muted">{t('none')}</p>
            ) : (
              <ScrollArea label={t('consents')}>
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
                        <td>{purposeLabel(t, c.purpose)}</td>
                        <td>{c.given ? t('yes') : t('no')}</td>
                        <td>{c.noticeVersion ?? '—'}</td>
                        <td>{dateTime(c.changedAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollArea>
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

/** A purpose the console knows by name, else as the service wrote it. */
function purposeLabel(t: ReturnType<typeof useConsole>['t'], purpose: string): string {
  return purpose === 'profile_photo' ? t('purpose_profile_photo') : purpose;
}

/** Give or withdraw each purpose's consent; takes effect at once (the API's answer is the new state). */
function ConsentForm({ memberId, consents, onChanged }: { memberId: string; consents: Answer['consents']; onChanged: () => void }) {
  const { t, client } = useConsole();
  const action = useAction(onChanged);
  const purposes = [...new Set([...KNOWN_PURPOSES, ...consents.map((c) => c.purpose)])];
  const given = (purpose: string) => consents.find((c) => c.purpose === purpose)?.given ?? false;
  const toggle = async (purpose: string) => {
    const giving = !given(purpose);
    const ok = await action.run(
      () => client.request(giving ? GIVE_CONSENT : WITHDRAW_CONSENT, { input: { memberId, purpose, commandId: newCommandId() } }),
      giving ? t('consentGiven') : t('consentWithdrawn'),
    );
    if (ok) onChanged();
  };
  return (
    <div className="filters">
      {purposes.map((purpose) => (
        <p key={purpose}>
          {purposeLabel(t, purpose)}: {given(purpose) ? t('yes') : t('no')}{' '}
          <button type="button" disabled={action.busy} onClick={() => void toggle(purpose)}>
            {given(purpose) ? t('withdrawConsent') : t('giveConsent')}
          </button>
        </p>
      ))}
      {action.outcome}
    </div>
  );
}

const VISIBILITIES = ['NOBODY', 'COLLEAGUES', 'EVERYONE'] as const;

/** The member's settings changed on the revision shown; a CONFLICT reads them again. */
function SettingsForm({ settings, memberId, onChanged }: { settings: Answer['privacySettings']; memberId: string; onChanged: () => void }) {
  const { t, e, client } = useConsole();
  const action = useAction(onChanged);
  const [form, setForm] = useState({ directoryListed: settings.directoryListed, visibility: settings.requestedProfilePhotoVisibility });
  const changed = form.directoryListed !== settings.directoryListed || form.visibility !== settings.requestedProfilePhotoVisibility;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!changed) return;
    const ok = await action.run(
      () =>
        client.request(UPDATE_PRIVACY_SETTINGS, {
          input: {
            memberId,
            directoryListed: form.directoryListed,
            profilePhotoVisibility: form.visibility,
            expectedRevision: settings.revision,
            commandId: newCommandId(),
          },
        }),
      t('settingsSaved'),
    );
    if (ok) onChanged();
  };
  return (
    <form className="filters" onSubmit={(ev) => void submit(ev)} aria-label={t('settings')}>
      <label className="check">
        <input type="checkbox" checked={form.directoryListed} onChange={(ev) => setForm({ ...form, directoryListed: ev.target.checked })} />{' '}
        {t('directoryListed')}
      </label>
      <Field label={t('photoVisibility')} id="pv-visibility" hint={t('photoVisibilityHint')}>
        <select
          id="pv-visibility"
          aria-describedby="pv-visibility-hint"
          value={form.visibility}
          onChange={(ev) => setForm({ ...form, visibility: ev.target.value })}
        >
          {VISIBILITIES.map((v) => (
            <option key={v} value={v}>
              {e(v)}
            </option>
          ))}
        </select>
      </Field>
      <div className="filter-buttons">
        <button type="submit" className="primary" disabled={action.busy || !changed}>
          {t('save')}
        </button>
      </div>
      {action.outcome}
    </form>
  );
}

/** An erasure request, asked again first: it cannot be undone. Asking again finishes an interrupted one. */
function ErasureRequestForm({ memberId, name, onChanged }: { memberId: string; name: string | null; onChanged: () => void }) {
  const { t, client } = useConsole();
  const action = useAction(onChanged);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const erase = async () => {
    const ok = await action.run(
      () =>
        client.request(REQUEST_ERASURE, {
          input: { memberId, commandId: newCommandId(), ...(reason.trim() ? { reason: reason.trim() } : {}) },
        }),
      t('erasureRequested'),
    );
    setConfirming(false);
    if (ok) onChanged();
  };
  return (
    <>
      {confirming ? (
        <Confirmation
          label={t('requestErasure')}
          confirm={t('requestErasureConfirmButton')}
          busy={action.busy}
          onConfirm={() => void erase()}
          onCancel={() => setConfirming(false)}
        >
          <p>{t('requestErasureConfirm', { member: name ? `${name} (${memberId})` : memberId })}</p>
          <Field label={t('reasonOptional')} id="er-reason">
            <input id="er-reason" value={reason} onChange={(ev) => setReason(ev.target.value)} />
          </Field>
        </Confirmation>
      ) : (
        <button type="button" disabled={action.busy} onClick={() => setConfirming(true)}>
          {t('requestErasure')}
        </button>
      )}
      {action.outcome}
    </>
  );
}
