import { useState, type FormEvent } from 'react';
import { can, canSee } from '../access.ts';
import { AGREEMENT_ACCEPTANCE, MY_PENDING_AGREEMENTS, PUBLISH_AGREEMENT_VERSION } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { newCommandId } from '../moderation.ts';
import { Badge, Empty, Field, Loaded, Loading, Page, Panel, useAction, useQuery } from '../ui.tsx';
import { rememberId, useAgreements, type Agreement } from './shared.tsx';

export function AgreementsPage() {
  const { t, me } = useConsole();
  const { agreements, loading, reload } = useAgreements();
  const pending = useQuery<{ myPendingAgreements: { id: string; currentVersion: { version: number; title: string } }[] }>(
    MY_PENDING_AGREEMENTS,
  );
  const [lookup, setLookup] = useState('');
  const staff = canSee(me, 'members');

  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!lookup.trim()) return;
    rememberId('agreement', lookup.trim());
    setLookup('');
    reload();
  };

  return (
    <Page title={t('area_agreements')}>
      <Loaded state={pending}>
        {({ myPendingAgreements }) =>
          myPendingAgreements.length > 0 ? (
            <div className="notice notice-warn" role="status">
              <strong>{t('pendingForYou')}:</strong>{' '}
              {myPendingAgreements.map((a) => `${a.currentVersion.title} (v${a.currentVersion.version})`).join(', ')}
            </div>
          ) : null
        }
      </Loaded>
      <form className="filters" onSubmit={add}>
        <div className="field">
          <label htmlFor="ag-lookup">{t('agreementId')}</label>
          <input id="ag-lookup" value={lookup} onChange={(ev) => setLookup(ev.target.value)} />
        </div>
        <div className="filter-buttons">
          <button type="submit">{t('lookUp')}</button>
        </div>
      </form>
      {loading && agreements.length === 0 ? (
        <Loading />
      ) : agreements.length === 0 ? (
        <Empty />
      ) : (
        agreements.map((a) => <AgreementView key={a.id} agreement={a} />)
      )}
      {can(me.roles, 'manage') ? <PublishForm agreements={agreements} onPublished={reload} /> : null}
      {staff ? <AcceptanceLookup agreements={agreements} /> : null}
    </Page>
  );
}

function AgreementView({ agreement: a }: { agreement: Agreement }) {
  const { t, dateTime } = useConsole();
  return (
    <Panel title={`${a.currentVersion.title} (${a.id})`}>
      <dl className="facts">
        <dt>{t('version')}</dt>
        <dd>{a.currentVersion.version}</dd>
        <dt>{t('bindingVersion')}</dt>
        <dd>{a.bindingVersion}</dd>
        <dt>{t('accepted')}</dt>
        <dd>{a.acceptedCount}</dd>
        <dt>{t('pending')}</dt>
        <dd>{a.pendingCount > 0 ? <span className="badge badge-warn">{a.pendingCount}</span> : a.pendingCount}</dd>
      </dl>
      <h3>{t('versions')}</h3>
      <ol className="versions">
        {[...a.versions].reverse().map((v) => (
          <li key={v.version}>
            <details>
              <summary>
                v{v.version} · {v.title} · {dateTime(v.publishedAt)} · {v.publishedBy}
                {v.requiresReacceptance ? <span className="badge badge-info">{t('reacceptance')}</span> : null}
              </summary>
              <pre className="body-text">{v.body}</pre>
              <p className="muted">
                SHA-256 <code>{v.bodySha256}</code>
              </p>
            </details>
          </li>
        ))}
      </ol>
    </Panel>
  );
}

function AcceptanceLookup({ agreements }: { agreements: readonly Agreement[] }) {
  const { t, dateTime } = useConsole();
  const [draft, setDraft] = useState({ agreementId: '', memberId: '' });
  const [query, setQuery] = useState<{ agreementId: string; memberId: string } | null>(null);
  const state = useQuery<{
    agreementAcceptance: { acceptedVersion: number | null; acceptedAt: string | null; bindingVersion: number; pending: boolean };
  }>(AGREEMENT_ACCEPTANCE, query ?? {}, query === null);
  return (
    <Panel title={t('acceptance')}>
      <form
        className="filters"
        onSubmit={(ev) => {
          ev.preventDefault();
          if (draft.agreementId.trim() && draft.memberId.trim())
            setQuery({ agreementId: draft.agreementId.trim(), memberId: draft.memberId.trim() });
        }}
      >
        <div className="field">
          <label htmlFor="acc-agreement">{t('agreementId')}</label>
          <select id="acc-agreement" value={draft.agreementId} onChange={(ev) => setDraft({ ...draft, agreementId: ev.target.value })}>
            <option value="">—</option>
            {agreements.map((a) => (
              <option key={a.id} value={a.id}>
                {a.currentVersion.title} ({a.id})
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="acc-member">{t('memberId')}</label>
          <input id="acc-member" value={draft.memberId} onChange={(ev) => setDraft({ ...draft, memberId: ev.target.value })} />
        </div>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            {t('lookUp')}
          </button>
        </div>
      </form>
      {query ? (
        <Loaded state={state}>
          {({ agreementAcceptance: acc }) => (
            <dl className="facts">
              <dt>{t('status')}</dt>
              <dd>{acc.pending ? <Badge value="REQUESTED" tone="warn" /> : <span className="badge badge-ok">{t('accepted')}</span>}</dd>
              <dt>{t('version')}</dt>
              <dd>{acc.acceptedVersion ?? '—'}</dd>
              <dt>{t('bindingVersion')}</dt>
              <dd>{acc.bindingVersion}</dd>
              <dt>{t('accepted')}</dt>
              <dd>{dateTime(acc.acceptedAt)}</dd>
            </dl>
          )}
        </Loaded>
      ) : null}
    </Panel>
  );
}

/** A new agreement, or a new version of one: on the revision looked at, so two publishers never overwrite each other. */
function PublishForm({ agreements, onPublished }: { agreements: readonly Agreement[]; onPublished: () => void }) {
  const { t, client } = useConsole();
  const action = useAction();
  const [form, setForm] = useState({ agreementId: '', title: '', body: '', requiresReacceptance: false });
  const existing = agreements.find((a) => a.id === form.agreementId.trim());
  const ready = form.agreementId.trim() && form.title.trim() && form.body.trim();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) return;
    const id = form.agreementId.trim();
    const ok = await action.run(
      async () => {
        const input = {
          agreementId: id,
          title: form.title.trim(),
          body: form.body,
          requiresReacceptance: form.requiresReacceptance,
          commandId: newCommandId(),
          ...(existing ? { expectedRevision: existing.revision } : {}),
        };
        return (await client.request<{ publishAgreementVersion: Agreement }>(PUBLISH_AGREEMENT_VERSION, { input })).publishAgreementVersion;
      },
      (published) => t('versionPublished', { version: published.currentVersion.version }),
    );
    if (ok) {
      rememberId('agreement', id);
      setForm({ agreementId: '', title: '', body: '', requiresReacceptance: false });
      onPublished();
    }
  };
  return (
    <Panel title={t('publishVersion')}>
      <form onSubmit={(ev) => void submit(ev)}>
        <div className="grid-2">
          <Field label={t('agreementId')} id="p-agreement">
            <input
              id="p-agreement"
              required
              list="p-agreements"
              value={form.agreementId}
              onChange={(ev) => {
                const id = ev.target.value;
                const known = agreements.find((a) => a.id === id.trim());
                setForm({ ...form, agreementId: id, title: form.title || (known?.currentVersion.title ?? '') });
              }}
            />
            <datalist id="p-agreements">
              {agreements.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.currentVersion.title}
                </option>
              ))}
            </datalist>
          </Field>
          <Field label={t('title')} id="p-title">
            <input id="p-title" required value={form.title} onChange={(ev) => setForm({ ...form, title: ev.target.value })} />
          </Field>
        </div>
        <Field label={t('agreementText')} id="p-body">
          <textarea id="p-body" rows={6} required value={form.body} onChange={(ev) => setForm({ ...form, body: ev.target.value })} />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={form.requiresReacceptance}
            onChange={(ev) => setForm({ ...form, requiresReacceptance: ev.target.checked })}
          />{' '}
          {t('requiresReacceptanceLabel')}
        </label>
        <p>
          <button type="submit" className="primary" disabled={action.busy || !ready}>
            {t('publish')}
          </button>
        </p>
      </form>
      {action.outcome}
    </Panel>
  );
}
