// Webhook management (#21): the webhooks with their status and what they hear; registering one, rotating its secret
// (each answers the secret once, shown here with a notice to copy it now), disabling (after a confirmation) and
// enabling it; per webhook its deliveries, and the dead letters of every webhook with "retry". Community managers
// make the changes; auditors read. Every change carries the revision the list showed: a concurrent change answers
// CONFLICT, and the list is read again either way.
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { can } from '../access.ts';
import { ApiError, supports } from '../api/client.ts';
import {
  DISABLE_WEBHOOK,
  ENABLE_WEBHOOK,
  GOVERNANCE_EVENT_TYPES,
  REGISTER_WEBHOOK,
  RETRY_WEBHOOK_DELIVERY,
  ROTATE_WEBHOOK_SECRET,
  WEBHOOK_DELIVERIES,
  WEBHOOKS,
} from '../api/documents.ts';
import type {
  GovernanceEventTypesQuery,
  RegisterWebhookMutation,
  RotateWebhookSecretMutation,
  WebhookDeliveriesQuery,
  WebhookDeliveryStatus,
  WebhooksQuery,
} from '../api/generated/graphql.ts';
import { useConsole } from '../context.ts';
import { eventCategoryLabel, eventTypeLabel, type Label } from '../governance-labels.ts';
import { newCommandId } from '../moderation.ts';
import { Empty, Field, Loaded, Page, Pager, Panel, ScrollArea, useAction, useQuery, Words } from '../ui.tsx';
import {
  EMPTY_REGISTER_FORM,
  eventCategoriesOf,
  hearsEverything,
  mayRetry,
  previousSecretSignsUntil,
  registerInput,
  registerProblems,
  toggled,
  typeEntry,
  WEBHOOK_DELIVERY_STATUSES,
  webhookChangeInput,
  webhookChanges,
  webhookDeliveryTone,
  type RegisterForm,
  type WebhookChange,
} from '../webhooks.ts';
import { badgeClass, useLabel } from './notifications.tsx';

type Webhook = WebhooksQuery['webhooks'][number];

/** A secret just answered by registerWebhook or rotateWebhookSecret: on screen until dismissed, never stored. */
interface ShownSecret {
  readonly webhookId: string;
  readonly urlHint: string;
  readonly secret: string;
  /** When it replaced another (rotation): the previous one signs too for a while. */
  readonly rotatedAt: string | null;
}

const DELIVERIES_PAGE_SIZE = 20;

export function WebhooksPage() {
  const { t, capabilities } = useConsole();
  return (
    <Page title={t('area_webhooks')}>
      {supports(capabilities, WEBHOOKS) ? (
        <>
          <p className="muted">{t('webhookIntro')}</p>
          <Webhooks />
        </>
      ) : (
        <p className="notice">{t('unavailable')}</p>
      )}
    </Page>
  );
}

function Webhooks() {
  const { t, me, capabilities } = useConsole();
  const list = useQuery<WebhooksQuery>(WEBHOOKS);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  // Bumped by every change, so that the deliveries shown are read again too.
  const [changes, setChanges] = useState(0);
  const changed = () => {
    list.reload();
    setChanges((n) => n + 1);
  };
  const mayManage = can(me.roles, 'manage');
  return (
    <>
      {secret ? <SecretNotice shown={secret} onDismiss={() => setSecret(null)} /> : null}
      <div className="filter-buttons">
        <button type="button" onClick={changed}>
          {t('refresh')}
        </button>
      </div>
      <Loaded state={list}>
        {({ webhooks }) =>
          webhooks.length === 0 ? (
            <p className="muted">{t('webhookNone')}</p>
          ) : (
            <>
              {webhooks.map((webhook) => (
                <WebhookCard
                  key={webhook.webhookId}
                  webhook={webhook}
                  mayManage={mayManage}
                  changes={changes}
                  onChanged={changed}
                  onSecret={setSecret}
                />
              ))}
            </>
          )
        }
      </Loaded>
      {mayManage && supports(capabilities, REGISTER_WEBHOOK) ? (
        <RegisterWebhookForm
          onRegistered={(answer) => {
            setSecret({ webhookId: answer.webhook.webhookId, urlHint: answer.webhook.urlHint, secret: answer.secret, rotatedAt: null });
            changed();
          }}
        />
      ) : null}
      {supports(capabilities, WEBHOOK_DELIVERIES) ? (
        <Panel title={t('webhookDeadLetters')}>
          <p className="muted">{t('webhookDeadLettersIntro')}</p>
          <Deliveries webhookId={null} initialStatus="FAILED" mayManage={mayManage} changes={changes} onChanged={changed} />
        </Panel>
      ) : null}
    </>
  );
}

/** The secret, this once: copy it now. After a rotation, until when the previous one still signs. */
function SecretNotice({ shown, onDismiss }: { shown: ShownSecret; onDismiss: () => void }) {
  const { t, dateTime } = useConsole();
  const [copied, setCopied] = useState<'copied' | 'failed' | null>(null);
  const field = useRef<HTMLInputElement>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    // The one thing to do now: move there (keyboard and screen-reader users included).
    heading.current?.focus();
  }, [shown.secret]);
  const copy = async () => {
    field.current?.select();
    try {
      await navigator.clipboard.writeText(shown.secret);
      setCopied('copied');
    } catch {
      setCopied('failed');
    }
  };
  const until = previousSecretSignsUntil(shown.rotatedAt, new Date());
  return (
    <div className="notice notice-warn" role="alert" data-testid="webhook-secret">
      <h2 ref={heading} tabIndex={-1}>
        {t('webhookSecretTitle')}
      </h2>
      <p>{t('webhookSecretBody', { url: shown.urlHint })}</p>
      {until ? <p>{t('webhookSecretRotated', { at: dateTime(until.toISOString()) })}</p> : null}
      <div className="field">
        <label htmlFor="webhook-secret">{t('webhookSecretLabel')}</label>
        <input id="webhook-secret" ref={field} readOnly value={shown.secret} onFocus={(ev) => ev.target.select()} spellCheck={false} />
      </div>
      <div className="filter-buttons">
        <button type="button" className="primary" onClick={() => void copy()}>
          {t('webhookCopy')}
        </button>
        <button type="button" onClick={onDismiss}>
          {t('webhookSecretStored')}
        </button>
      </div>
      {copied ? (
        <p role="status" className={copied === 'failed' ? 'problem' : ''}>
          {t(copied === 'copied' ? 'webhookCopied' : 'webhookCopyFailed')}
        </p>
      ) : null}
    </div>
  );
}

function WebhookCard({
  webhook,
  mayManage,
  changes,
  onChanged,
  onSecret,
}: {
  webhook: Webhook;
  mayManage: boolean;
  changes: number;
  onChanged: () => void;
  onSecret: (secret: ShownSecret) => void;
}) {
  const { t, dateTime, capabilities, language } = useConsole();
  const label = useLabel();
  const [showDeliveries, setShowDeliveries] = useState(false);
  const until = previousSecretSignsUntil(webhook.rotatedAt, new Date());
  const titleId = `webhook-${webhook.webhookId}`;
  return (
    <article className="card" aria-labelledby={titleId} data-testid="webhook">
      <h2 id={titleId}>
        <code>{webhook.urlHint}</code>{' '}
        <span className={`badge ${webhook.status === 'ACTIVE' ? 'badge-ok' : 'badge-bad'}`}>{label('webhookStatus_', webhook.status)}</span>
      </h2>
      {webhook.description ? <p>{webhook.description}</p> : null}
      <dl className="facts">
        <dt>{t('webhookHears')}</dt>
        <dd>
          {hearsEverything(webhook) ? (
            t('webhookHearsEverything')
          ) : (
            <>
              {webhook.categories.length > 0 ? (
                <>
                  {t('webhookCategories')}: <Terms values={webhook.categories} label={(c) => eventCategoryLabel(language, c)} />
                  <br />
                </>
              ) : null}
              {webhook.eventTypes.length > 0 ? (
                <>
                  {t('webhookEventTypes')}: <Terms values={webhook.eventTypes} label={(type) => eventTypeLabel(language, type)} />
                </>
              ) : null}
            </>
          )}
        </dd>
        {webhook.status === 'DISABLED' ? (
          <>
            <dt>{t('status')}</dt>
            <dd>
              {label('webhookDisabledReason_', webhook.disabledReason ?? '')}{' '}
              {t('webhookDisabledSince', { at: dateTime(webhook.disabledAt) })}
            </dd>
          </>
        ) : null}
        {webhook.lastError ? (
          <>
            <dt>{t('deliveryLastError')}</dt>
            <dd lang="en">{webhook.lastError}</dd>
          </>
        ) : null}
        <dt>{t('webhookSecret')}</dt>
        <dd>
          {t('webhookSecretVersion', { version: webhook.secretVersion })}
          {until ? <span className="muted"> · {t('webhookPreviousSecretUntil', { at: dateTime(until.toISOString()) })}</span> : null}
        </dd>
        <dt>{t('webhookRegistered')}</dt>
        <dd>{t('webhookRegisteredBy', { at: dateTime(webhook.registeredAt), by: webhook.registeredBy })}</dd>
        <dt>{t('id')}</dt>
        <dd>
          <code>{webhook.webhookId}</code>
        </dd>
      </dl>
      {mayManage ? <WebhookChanges webhook={webhook} onChanged={onChanged} onSecret={onSecret} /> : null}
      {supports(capabilities, WEBHOOK_DELIVERIES) ? (
        <>
          <button type="button" aria-expanded={showDeliveries} onClick={() => setShowDeliveries((shown) => !shown)}>
            {t(showDeliveries ? 'webhookHideDeliveries' : 'webhookShowDeliveries')}
          </button>
          {showDeliveries ? (
            <section aria-label={t('webhookDeliveries')}>
              <h3>{t('webhookDeliveries')}</h3>
              <Deliveries
                webhookId={webhook.webhookId}
                initialStatus={null}
                mayManage={mayManage}
                changes={changes}
                onChanged={onChanged}
              />
            </section>
          ) : null}
        </>
      ) : null}
    </article>
  );
}

const CHANGE_DOCUMENTS = { rotate: ROTATE_WEBHOOK_SECRET, disable: DISABLE_WEBHOOK, enable: ENABLE_WEBHOOK } as const;
const CHANGE_LABELS = { rotate: 'webhookRotate', disable: 'webhookDisable', enable: 'webhookEnable' } as const;
const CHANGE_DONE = { rotate: 'webhookRotatedDone', disable: 'webhookDisabledDone', enable: 'webhookEnabledDone' } as const;

/** Rotate, disable (once confirmed, with an optional reason) or enable, on the revision shown. */
function WebhookChanges({
  webhook,
  onChanged,
  onSecret,
}: {
  webhook: Webhook;
  onChanged: () => void;
  onSecret: (secret: ShownSecret) => void;
}) {
  const { t, client, capabilities } = useConsole();
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const change = async (which: WebhookChange) => {
    const ok = await action.run(async () => {
      const input = webhookChangeInput(webhook, which === 'disable' ? reason : '', newCommandId());
      try {
        if (which === 'rotate') {
          const { rotateWebhookSecret: answer } = await client.request<RotateWebhookSecretMutation>(ROTATE_WEBHOOK_SECRET, { input });
          onSecret({
            webhookId: answer.webhook.webhookId,
            urlHint: answer.webhook.urlHint,
            secret: answer.secret,
            rotatedAt: answer.webhook.rotatedAt,
          });
        } else {
          await client.request(CHANGE_DOCUMENTS[which], { input });
        }
      } catch (error) {
        if (error instanceof ApiError && error.code === 'CONFLICT') {
          // Someone else changed it: show it as it is now, and say so.
          onChanged();
          throw error.withHeadline(t('webhookConflict'));
        }
        throw error;
      }
    }, t(CHANGE_DONE[which]));
    if (ok) {
      setConfirming(false);
      setReason('');
      onChanged();
    }
  };
  const offered = webhookChanges(webhook.status).filter((which) => supports(capabilities, CHANGE_DOCUMENTS[which]));
  const reasonId = `disable-reason-${webhook.webhookId}`;
  return (
    <div>
      {confirming ? (
        <div className="notice notice-warn" role="group" aria-label={t('webhookDisable')}>
          <p>{t('webhookDisableConfirm')}</p>
          <Field label={t('reasonOptional')} id={reasonId}>
            <input id={reasonId} value={reason} onChange={(ev) => setReason(ev.target.value)} />
          </Field>
          <div className="filter-buttons">
            <button type="button" className="primary" disabled={action.busy} onClick={() => void change('disable')}>
              {t('webhookDisableConfirmButton')}
            </button>
            <button type="button" disabled={action.busy} onClick={() => setConfirming(false)}>
              {t('webhookCancel')}
            </button>
          </div>
        </div>
      ) : (
        <div className="filter-buttons">
          {offered.map((which) => (
            <button
              key={which}
              type="button"
              disabled={action.busy}
              // Disabling stops deliveries: asked again first. Rotating and enabling lose nothing.
              onClick={() => (which === 'disable' ? setConfirming(true) : void change(which))}
            >
              {t(CHANGE_LABELS[which])}
            </button>
          ))}
        </div>
      )}
      {action.outcome}
    </div>
  );
}

function RegisterWebhookForm({ onRegistered }: { onRegistered: (answer: RegisterWebhookMutation['registerWebhook']) => void }) {
  const { t, client, capabilities, language } = useConsole();
  const action = useAction();
  const [form, setForm] = useState<RegisterForm>(EMPTY_REGISTER_FORM);
  const [attempted, setAttempted] = useState(false);
  // One id per webhook being registered: sending the form again after a lost answer gives the same webhook and secret.
  const [commandId, setCommandId] = useState(newCommandId);
  const types = useQuery<GovernanceEventTypesQuery>(GOVERNANCE_EVENT_TYPES, {}, !supports(capabilities, GOVERNANCE_EVENT_TYPES));
  const problems = registerProblems(form);
  const shown = attempted ? problems : {};
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setAttempted(true);
    if (Object.keys(problems).length > 0) return;
    const ok = await action.run(async () => {
      const { registerWebhook: answer } = await client.request<RegisterWebhookMutation>(REGISTER_WEBHOOK, {
        input: registerInput(form, commandId),
      });
      onRegistered(answer);
    }, t('webhookRegisteredDone'));
    if (ok) {
      setForm(EMPTY_REGISTER_FORM);
      setAttempted(false);
      setCommandId(newCommandId());
    }
  };
  return (
    <Panel title={t('webhookRegisterTitle')}>
      <form onSubmit={(ev) => void submit(ev)} noValidate>
        <Field
          label={t('webhookUrl')}
          id="w-url"
          hint={t('webhookUrlHint')}
          problem={shown.url ? t(`webhookProblem_${shown.url}`) : undefined}
        >
          <input
            id="w-url"
            inputMode="url"
            autoComplete="off"
            spellCheck={false}
            required
            aria-describedby={`w-url-hint${shown.url ? ' w-url-problem' : ''}`}
            aria-invalid={shown.url ? true : undefined}
            value={form.url}
            onChange={(ev) => setForm({ ...form, url: ev.target.value })}
          />
        </Field>
        <Field label={t('webhookDescription')} id="w-description">
          <input id="w-description" value={form.description} onChange={(ev) => setForm({ ...form, description: ev.target.value })} />
        </Field>
        <fieldset className="field">
          <legend>{t('webhookScope')}</legend>
          <label className="check">
            <input type="radio" name="w-scope" checked={form.scope === 'all'} onChange={() => setForm({ ...form, scope: 'all' })} />{' '}
            {t('webhookScopeAll')}
          </label>
          <label className="check">
            <input type="radio" name="w-scope" checked={form.scope === 'chosen'} onChange={() => setForm({ ...form, scope: 'chosen' })} />{' '}
            {t('webhookScopeChosen')}
          </label>
          {form.scope === 'chosen' ? (
            <Loaded state={types}>
              {({ governanceEventTypes }) => (
                // Keyed on the registration: a new one starts with every category folded again.
                <div key={commandId}>
                  {eventCategoriesOf(governanceEventTypes).map(({ category, types: names }) => {
                    const whole = form.categories.includes(category);
                    const chosen = whole
                      ? names.length
                      : names.filter((name) => form.eventTypes.includes(typeEntry(category, name))).length;
                    return (
                      <details key={category}>
                        <summary>
                          <code>{category}</code> <Words label={eventCategoryLabel(language, category)} />{' '}
                          {chosen > 0 ? <span className="muted">({t('webhookChosenCount', { count: chosen })})</span> : null}
                        </summary>
                        <label className="check">
                          <input
                            type="checkbox"
                            checked={whole}
                            onChange={() => setForm({ ...form, categories: toggled(form.categories, category) })}
                          />{' '}
                          {t('webhookWholeCategory', { category })}
                        </label>
                        {names.map((name) => (
                          <label key={name} className="check">
                            <input
                              type="checkbox"
                              // A whole category hears each of its types already.
                              disabled={whole}
                              checked={whole || form.eventTypes.includes(typeEntry(category, name))}
                              onChange={() => setForm({ ...form, eventTypes: toggled(form.eventTypes, typeEntry(category, name)) })}
                            />{' '}
                            <code>{name}</code> <Words label={eventTypeLabel(language, name)} />
                          </label>
                        ))}
                      </details>
                    );
                  })}
                </div>
              )}
            </Loaded>
          ) : null}
          {shown.events ? (
            <p className="problem" role="alert">
              {t(`webhookProblem_${shown.events}`)}
            </p>
          ) : null}
        </fieldset>
        <button type="submit" className="primary" disabled={action.busy}>
          {t('webhookRegisterButton')}
        </button>
      </form>
      {action.outcome}
    </Panel>
  );
}

/**
 * A webhook's deliveries (or, without one, every webhook's), filtered by status, a page at a time; a dead letter is
 * retried from here. Read again after a retry, after a CONFLICT, and whenever the page reports a change.
 */
function Deliveries({
  webhookId,
  initialStatus,
  mayManage,
  changes,
  onChanged,
}: {
  webhookId: string | null;
  initialStatus: WebhookDeliveryStatus | null;
  mayManage: boolean;
  changes: number;
  onChanged: () => void;
}) {
  const { t, client, dateTime, capabilities } = useConsole();
  const label = useLabel();
  const action = useAction();
  const [status, setStatus] = useState<WebhookDeliveryStatus | null>(initialStatus);
  const [after, setAfter] = useState<string | null>(null);
  const state = useQuery<WebhookDeliveriesQuery>(WEBHOOK_DELIVERIES, {
    webhookId,
    status: status ? [status] : null,
    first: DELIVERIES_PAGE_SIZE,
    after,
  });
  const { reload } = state;
  const seen = useRef(changes);
  useEffect(() => {
    if (seen.current === changes) return;
    seen.current = changes;
    reload();
  }, [changes, reload]);
  const retry = async (messageId: string) => {
    await action.run(async () => {
      try {
        await client.request(RETRY_WEBHOOK_DELIVERY, { messageId });
      } finally {
        // Retried, or no longer FAILED (CONFLICT): either way the list is stale now.
        onChanged();
      }
    }, t('webhookRetriedDone'));
  };
  const mayRetryHere = mayManage && supports(capabilities, RETRY_WEBHOOK_DELIVERY);
  const statusId = `d-status-${webhookId ?? 'all'}`;
  return (
    <>
      <div className="filters">
        <div className="field">
          <label htmlFor={statusId}>{t('status')}</label>
          <select
            id={statusId}
            value={status ?? ''}
            onChange={(ev) => {
              setStatus(ev.target.value ? (ev.target.value as WebhookDeliveryStatus) : null);
              setAfter(null);
            }}
          >
            <option value="">{t('anyStatus')}</option>
            {WEBHOOK_DELIVERY_STATUSES.map((s) => (
              <option key={s} value={s}>
                {label('webhookDeliveryStatus_', s)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {action.outcome}
      <Loaded state={state}>
        {({ webhookDeliveries: deliveries }) =>
          deliveries.edges.length === 0 ? (
            <Empty />
          ) : (
            <>
              <ScrollArea label={t('webhookDeliveries')}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t('deliveryCreatedAt')}</th>
                      {webhookId === null ? <th scope="col">{t('webhook')}</th> : null}
                      <th scope="col">{t('event')}</th>
                      <th scope="col">{t('status')}</th>
                      <th scope="col">{t('deliveryAttempts')}</th>
                      <th scope="col">{t('deliveryLastError')}</th>
                      <th scope="col">{t('webhookNextAttempt')}</th>
                      <th scope="col">{t('deliverySentAt')}</th>
                      {mayRetryHere ? <th scope="col">{t('actions')}</th> : null}
                    </tr>
                  </thead>
                  <tbody>
                    {deliveries.edges.map(({ node }) => (
                      <tr key={node.messageId}>
                        <td>{dateTime(node.createdAt)}</td>
                        {webhookId === null ? (
                          <td>
                            <code>{node.webhookId}</code>
                          </td>
                        ) : null}
                        <td>
                          <code>{node.eventType}</code>
                          <br />
                          <span className="muted" title={t('webhookMessageId')}>
                            {node.messageId}
                          </span>
                        </td>
                        <td>
                          <span className={`badge ${badgeClass(webhookDeliveryTone(node.status))}`}>
                            {label('webhookDeliveryStatus_', node.status)}
                          </span>
                        </td>
                        <td>{node.attempts}</td>
                        {/* The service words its errors in English, whatever the console's language. */}
                        <td lang="en">{node.lastError ?? '—'}</td>
                        <td>{dateTime(node.nextAttemptAt)}</td>
                        <td>{dateTime(node.sentAt)}</td>
                        {mayRetryHere ? (
                          <td>
                            {mayRetry(node.status) ? (
                              <button type="button" disabled={action.busy} onClick={() => void retry(node.messageId)}>
                                {t('webhookRetry')}
                              </button>
                            ) : null}
                          </td>
                        ) : null}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollArea>
              <Pager connection={deliveries} after={after} onPage={setAfter} />
            </>
          )
        }
      </Loaded>
    </>
  );
}

/** The service's terms (categories, event types) as it spells them, each followed by its words. */
function Terms({ values, label }: { values: readonly string[]; label: (value: string) => Label }) {
  return (
    <>
      {values.map((value, i) => {
        const words = label(value);
        return (
          <span key={value}>
            {i > 0 ? ', ' : null}
            <code>{value}</code>
            {words.english ? null : <> ({words.text})</>}
          </span>
        );
      })}
    </>
  );
}
