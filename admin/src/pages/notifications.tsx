// The e-mail delivery log (#21): every notification the service decided to send, what became of it and, when nobody
// was told, why. Community managers and auditors read it alike: an e-mail is retried by the service, not by hand.
import { useState } from 'react';
import { supports } from '../api/client.ts';
import { NOTIFICATION_DELIVERIES } from '../api/documents.ts';
import type { NotificationDeliveriesQuery } from '../api/generated/graphql.ts';
import { useConsole } from '../context.ts';
import { LIVE_INTERESTS } from '../live-interests.ts';
import { useLiveRefresh } from '../live-react.tsx';
import { labelKeyOf, NOTIFICATION_STATUSES, notificationStatusesOf, notificationTone, type NotificationFilter } from '../notifications.ts';
import { Empty, Loaded, Page, Pager, Panel, ScrollArea, useQuery } from '../ui.tsx';
import { Name } from './names.tsx';

const PAGE_SIZE = 25;

// The filter survives a visit to another page and back.
let remembered: NotificationFilter = 'ANY';

export function NotificationsPage() {
  const { t, capabilities } = useConsole();
  return (
    <Page title={t('area_notifications')}>
      {supports(capabilities, NOTIFICATION_DELIVERIES) ? (
        <>
          <p className="muted">{t('notifIntro')}</p>
          <DeliveryLog />
        </>
      ) : (
        <p className="notice">{t('unavailable')}</p>
      )}
    </Page>
  );
}

function DeliveryLog() {
  const { t, dateTime } = useConsole();
  const label = useLabel();
  const [filter, setFilterState] = useState<NotificationFilter>(remembered);
  const [after, setAfter] = useState<string | null>(null);
  const setFilter = (next: NotificationFilter) => {
    remembered = next;
    setFilterState(next);
    setAfter(null);
  };
  const state = useQuery<NotificationDeliveriesQuery>(NOTIFICATION_DELIVERIES, {
    status: notificationStatusesOf(filter),
    first: PAGE_SIZE,
    after,
  });
  useLiveRefresh(LIVE_INTERESTS.notifications, state.reload);
  return (
    <Panel title={t('notifLog')}>
      <div className="filters">
        <div className="field">
          <label htmlFor="n-status">{t('status')}</label>
          <select id="n-status" value={filter} onChange={(ev) => setFilter(ev.target.value as NotificationFilter)}>
            <option value="ANY">{t('anyStatus')}</option>
            <option value="NOT_TOLD">{t('notifNotTold')}</option>
            {NOTIFICATION_STATUSES.map((status) => (
              <option key={status} value={status}>
                {label('notifStatus_', status)}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-buttons">
          <button type="button" onClick={state.reload}>
            {t('refresh')}
          </button>
        </div>
      </div>
      <p className="muted">{t('notifRetryNote')}</p>
      <Loaded state={state}>
        {({ notificationDeliveries: log }) =>
          log.edges.length === 0 ? (
            <Empty />
          ) : (
            <>
              {log.edges.some(({ node }) => node.status === 'NOT_SENT_NO_SMTP') ? (
                <p className="notice notice-warn">{t('notifNoSmtp')}</p>
              ) : null}
              <ScrollArea label={t('notifLog')}>
                <table>
                  <caption className="sr-only">{t('notifLog')}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t('deliveryCreatedAt')}</th>
                      <th scope="col">{t('kind')}</th>
                      <th scope="col">{t('deliveryRecipient')}</th>
                      <th scope="col">{t('deliveryChannel')}</th>
                      <th scope="col">{t('status')}</th>
                      <th scope="col">{t('deliveryAttempts')}</th>
                      <th scope="col">{t('deliveryLastError')}</th>
                      <th scope="col">{t('deliverySentAt')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {log.edges.map(({ node }) => (
                      <tr key={node.notificationId}>
                        <td>{dateTime(node.createdAt)}</td>
                        <td>
                          {label('notifKind_', node.kind)}
                          <br />
                          <span className="muted" title={t('event')}>
                            {node.eventId}
                          </span>
                        </td>
                        <td>
                          <Name kind="member" id={node.recipientId} />
                        </td>
                        <td>{node.channel}</td>
                        <td>
                          <span className={`badge ${badgeClass(notificationTone(node.status))}`}>{label('notifStatus_', node.status)}</span>
                        </td>
                        <td>{node.attempts}</td>
                        {/* The service words its errors in English, whatever the console's language. */}
                        <td lang="en">{node.lastError ?? '—'}</td>
                        <td>{dateTime(node.sentAt)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </ScrollArea>
              <Pager connection={log} after={after} onPage={setAfter} />
            </>
          )
        }
      </Loaded>
    </Panel>
  );
}

/** `<prefix><value>` in the console's language, or the value itself when the API sent one the console has no label for. */
export function useLabel(): (prefix: string, value: string) => string {
  const { t } = useConsole();
  return (prefix, value) => {
    const key = labelKeyOf(prefix, value);
    return key ? t(key) : value;
  };
}

export function badgeClass(tone: string | undefined): string {
  return tone ? `badge-${tone}` : '';
}
