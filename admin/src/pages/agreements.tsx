import { useEffect, useState, type FormEvent } from 'react';
import { can, canSee } from '../access.ts';
import { ACCEPT_AGREEMENT, AGREEMENT_ACCEPTANCE, MY_PENDING_AGREEMENTS, PUBLISH_AGREEMENT_VERSION } from '../api/documents.ts';
import { useConsole } from '../context.ts';
import { newCommandId } from '../moderation.ts';
import { changesSomething, lineDiff, publishImpact } from '../agreements.ts';
import { Badge, Confirmation, Empty, Field, Loaded, Loading, Page, Panel, useAction, useQuery } from '../ui.tsx';
import { forgetNames, IdPicker, Name, useResolve } from './names.tsx';
import { useAgreements, type Agreement } from './shared.tsx';

export function AgreementsPage() {
  const { t, me } = useConsole();
  const { agreements, loading, reload } = useAgreements();
  const pending = useQuery<{ myPendingAgreements: { id: string; currentVersion: { version: number; title: string } }[] }>(
    MY_PENDING_AGREEMENTS,
  );
  const staff = canSee(me, 'members');

  return (
    <Page title={t('area_agreements')}>
      <Loaded state={pending}>
        {({ myPendingAgreements }) => (
          // Rendered with none left too: the acknowledgement of the last one accepted stays on screen.
          <PendingForYou
            pending={myPendingAgreements}
            onAccepted={() => {
              pending.reload();
              reload();
            }}
          />
        )}
      </Loaded>
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

/**
 * The agreements the signed-in member has still to accept, each with its Accept button (the current version, the one
 * they read below). Accepted, or CONFLICT (a newer version came meanwhile): the list is read again.
 */
function PendingForYou({
  pending,
  onAccepted,
}: {
  pending: readonly { id: string; currentVersion: { version: number; title: string } }[];
  onAccepted: () => void;
}) {
  const { t, client } = useConsole();
  const action = useAction(onAccepted);
  const accept = async (agreementId: string, version: number) => {
    const ok = await action.run(
      () => client.request(ACCEPT_AGREEMENT, { input: { agreementId, version, commandId: newCommandId() } }),
      t('agreementAccepted'),
    );
    if (ok) onAccepted();
  };
  return (
    <>
      {pending.length > 0 ? (
        <div className="notice notice-warn" role="region" aria-label={t('pendingForYou')} data-testid="pending-for-you">
          <p>
            <strong>{t('pendingForYou')}</strong> {t('pendingForYouHint')}
          </p>
          <ul>
            {pending.map((a) => (
              <li key={a.id}>
                {a.currentVersion.title}{' '}
                <span className="muted">
                  ({a.id}, v{a.currentVersion.version})
                </span>{' '}
                <button
                  type="button"
                  className="primary"
                  disabled={action.busy}
                  onClick={() => void accept(a.id, a.currentVersion.version)}
                >
                  {t('acceptAgreement', { title: a.currentVersion.title, version: a.currentVersion.version })}
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {/* Beside the list, not in it: accepting the last one removes the list, never what came of it. */}
      {action.outcome}
    </>
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
                v{v.version} · {v.title} · {dateTime(v.publishedAt)} · <Name kind="member" id={v.publishedBy} />
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
  const resolveMember = useResolve('member');
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
            setQuery({ agreementId: draft.agreementId.trim(), memberId: resolveMember(draft.memberId) });
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
        <IdPicker
          kind="member"
          id="acc-member"
          label={t('member')}
          value={draft.memberId}
          onChange={(memberId) => setDraft({ ...draft, memberId })}
        />
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

/** The text of an agreement's current version (what a new version starts from and is compared with). */
function currentText(agreement: Agreement): { title: string; body: string } {
  const current = agreement.versions.find((v) => v.version === agreement.currentVersion.version);
  return { title: agreement.currentVersion.title, body: current?.body ?? '' };
}

const EMPTY_PUBLISH = { agreementId: '', title: '', body: '', requiresReacceptance: false };

/**
 * A new agreement, or a new version of one: a new version starts from the current text, and before it is published
 * the page shows what changed (line by line) and whom it asks to accept it; on the revision looked at, so two
 * publishers never overwrite each other (a CONFLICT reads the agreements again and keeps the text typed).
 */
function PublishForm({ agreements, onPublished }: { agreements: readonly Agreement[]; onPublished: () => void }) {
  const { t, client } = useConsole();
  const action = useAction(onPublished);
  const [form, setForm] = useState(EMPTY_PUBLISH);
  const [reviewing, setReviewing] = useState(false);
  // The agreement whose current text the form holds: loaded once per agreement chosen, never over what was typed.
  const [basedOn, setBasedOn] = useState<string | null>(null);
  const existing = agreements.find((a) => a.id === form.agreementId.trim()) ?? null;
  const ready = form.agreementId.trim() && form.title.trim() && form.body.trim();
  const chooseAgreement = (id: string) => {
    const known = agreements.find((a) => a.id === id.trim());
    setReviewing(false);
    setBasedOn(known?.id ?? null);
    // Choosing an existing agreement loads its current text, to be edited into the next version.
    setForm(known ? { ...form, agreementId: id, ...currentText(known) } : { ...form, agreementId: id });
  };
  // An id typed before the list arrived: its text is loaded when it does (unless something was typed meanwhile).
  useEffect(() => {
    if (!existing || basedOn === existing.id || form.body !== '') return;
    setBasedOn(existing.id);
    setForm((current) => ({ ...current, ...currentText(existing) }));
  }, [existing, basedOn, form.body]);
  const publish = async () => {
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
    setReviewing(false);
    if (ok) {
      forgetNames(client, 'agreement');
      setBasedOn(null);
      setForm(EMPTY_PUBLISH);
      onPublished();
    }
  };
  const review = (event: FormEvent) => {
    event.preventDefault();
    if (ready) setReviewing(true);
  };
  return (
    <Panel title={t('publishVersion')}>
      <form onSubmit={review}>
        <div className="grid-2">
          <Field label={t('agreementId')} id="p-agreement" hint={t('agreementIdHint')}>
            <input
              id="p-agreement"
              required
              list="p-agreements"
              aria-describedby="p-agreement-hint"
              value={form.agreementId}
              onChange={(ev) => chooseAgreement(ev.target.value)}
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
            <input
              id="p-title"
              required
              value={form.title}
              onChange={(ev) => {
                setReviewing(false);
                setForm({ ...form, title: ev.target.value });
              }}
            />
          </Field>
        </div>
        <Field
          label={t('agreementText')}
          id="p-body"
          hint={existing ? t('startsFromCurrent', { version: existing.currentVersion.version }) : undefined}
        >
          <textarea
            id="p-body"
            rows={8}
            required
            aria-describedby={existing ? 'p-body-hint' : undefined}
            value={form.body}
            onChange={(ev) => {
              setReviewing(false);
              setForm({ ...form, body: ev.target.value });
            }}
          />
        </Field>
        <label className="check">
          <input
            type="checkbox"
            checked={form.requiresReacceptance}
            onChange={(ev) => {
              setReviewing(false);
              setForm({ ...form, requiresReacceptance: ev.target.checked });
            }}
          />{' '}
          {t('requiresReacceptanceLabel')}
        </label>
        <p>
          <button type="submit" className="primary" disabled={action.busy || !ready || reviewing}>
            {t('reviewBeforePublishing')}
          </button>
          {existing ? (
            <>
              {' '}
              <button type="button" disabled={action.busy} onClick={() => chooseAgreement(form.agreementId)}>
                {t('startAgainFromCurrent')}
              </button>
            </>
          ) : null}
        </p>
      </form>
      {reviewing && ready ? (
        <Confirmation
          label={t('reviewBeforePublishing')}
          confirm={t('publish')}
          busy={action.busy}
          onConfirm={() => void publish()}
          onCancel={() => setReviewing(false)}
        >
          <PublishReview existing={existing} title={form.title.trim()} body={form.body} requiresReacceptance={form.requiresReacceptance} />
        </Confirmation>
      ) : null}
      {action.outcome}
    </Panel>
  );
}

/** What publishing will do: the lines changed from the current version, and whom it asks to accept (again). */
function PublishReview({
  existing,
  title,
  body,
  requiresReacceptance,
}: {
  existing: Agreement | null;
  title: string;
  body: string;
  requiresReacceptance: boolean;
}) {
  const { t } = useConsole();
  const impact = publishImpact(existing, requiresReacceptance);
  const before = existing ? currentText(existing) : null;
  const diff = before ? lineDiff(before.body, body) : null;
  return (
    <>
      <p data-testid="publish-impact">
        <strong>
          {impact.kind === 'first'
            ? t('impactFirst')
            : impact.kind === 'reacceptance'
              ? t('impactReacceptance', { count: impact.mustAcceptAgain, pending: impact.pendingAfter })
              : t('impactNone', { version: existing?.bindingVersion ?? null })}
        </strong>
      </p>
      {before && diff ? (
        <>
          <p>
            {t('changesFrom', { version: existing?.currentVersion.version ?? null })}
            {before.title !== title ? ` ${t('titleChanged', { from: before.title, to: title })}` : ''}
          </p>
          {changesSomething(diff) ? (
            <pre className="diff" data-testid="agreement-diff" aria-label={t('textChanges')} tabIndex={0}>
              {diff.map((line, i) => (
                <span key={i} className={`diff-${line.kind}`}>
                  {line.kind === 'added' ? '+ ' : line.kind === 'removed' ? '- ' : '  '}
                  {line.text}
                  {'\n'}
                </span>
              ))}
            </pre>
          ) : (
            <p className="muted">{t('textUnchanged')}</p>
          )}
        </>
      ) : null}
    </>
  );
}
