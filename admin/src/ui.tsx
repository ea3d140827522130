import { useCallback, useEffect, useLayoutEffect, useRef, useState, type MouseEvent, type ReactNode, type RefObject } from 'react';
import { ApiError } from './api/client.ts';
import type { ConsoleDocument } from './api/documents.ts';
import { useConsole } from './context.ts';
import { describeError } from './errors.ts';
import type { Label } from './governance-labels.ts';
import type { MessageKey } from './i18n.ts';
import { hrefFor, type Route } from './routes.ts';

export interface QueryState<T> {
  readonly data: T | null;
  readonly error: Error | null;
  readonly loading: boolean;
  readonly reload: () => void;
  readonly setData: (data: T) => void;
}

/** Runs a query when the variables change (skipped while `skip`); the latest answer wins. */
export function useQuery<T>(document: ConsoleDocument, variables: Record<string, unknown> = {}, skip = false): QueryState<T> {
  const { client } = useConsole();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [loading, setLoading] = useState(!skip);
  const [generation, setGeneration] = useState(0);
  const key = JSON.stringify(variables);
  const latest = useRef(0);
  useEffect(() => {
    if (skip) {
      setLoading(false);
      return;
    }
    const run = ++latest.current;
    setLoading(true);
    setError(null);
    client.request<T>(document, JSON.parse(key) as Record<string, unknown>).then(
      (answer) => {
        if (run !== latest.current) return;
        setData(answer);
        setLoading(false);
      },
      (failure: unknown) => {
        if (run !== latest.current) return;
        setError(failure instanceof Error ? failure : new Error(String(failure)));
        setLoading(false);
      },
    );
  }, [client, document, key, skip, generation]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, loading, reload, setData };
}

export function Link({ to, children, className, current }: { to: Route; children: ReactNode; className?: string; current?: boolean }) {
  const { navigate } = useConsole();
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={hrefFor(to)} onClick={onClick} className={className} aria-current={current ? 'page' : undefined}>
      {children}
    </a>
  );
}

export function ErrorNotice({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const { t } = useConsole();
  if (error instanceof ApiError && error.code === 'GRAPHQL_VALIDATION_FAILED') {
    // A feature this service does not offer (introspection is off in production, so the console tried it).
    return (
      <p className="notice" role="status">
        {t('unavailable')}
      </p>
    );
  }
  return (
    <div className="notice notice-error" role="alert" data-testid="error">
      <ErrorText error={error} />
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          {t('retry')}
        </button>
      ) : null}
    </div>
  );
}

/** A label in words, or the service's own term marked as English when the console has no words for it yet. */
export function Words({ label }: { label: Label }) {
  return label.english ? <span lang="en">{label.text}</span> : <>{label.text}</>;
}

export function Loading() {
  const { t } = useConsole();
  return (
    <p className="muted" role="status" aria-live="polite">
      {t('loading')}
    </p>
  );
}

/** Loading, error or the content of a query. */
export function Loaded<T>({ state, children }: { state: QueryState<T>; children: (data: T) => ReactNode }) {
  if (state.error) return <ErrorNotice error={state.error} onRetry={state.reload} />;
  if (state.loading && !state.data) return <Loading />;
  return state.data ? <>{children(state.data)}</> : null;
}

export function Page({ title, children, actions }: { title: string; children: ReactNode; actions?: ReactNode }) {
  useEffect(() => {
    document.title = title;
  }, [title]);
  return (
    // Not a named region: <main> is the page's landmark already, and a region named like the page would repeat the
    // name of a panel titled the same (axe's landmark-unique).
    <section>
      <header className="page-header">
        <h1 id="page-title" tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </header>
      {children}
    </section>
  );
}

export function Panel({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="panel" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

export function Badge({ value, tone }: { value: string | null | undefined; tone?: 'ok' | 'warn' | 'bad' | 'info' }) {
  const { e } = useConsole();
  return <span className={`badge ${tone ? `badge-${tone}` : ''}`}>{e(value)}</span>;
}

export function toneOf(status: string | null | undefined): 'ok' | 'warn' | 'bad' | 'info' | undefined {
  switch (status) {
    case 'CERTIFIED':
    case 'ACTIVE':
    case 'COMPLETED':
    case 'CLOSED':
    case 'VISIBLE':
      return 'ok';
    case 'DUE_FOR_RENEWAL':
    case 'IN_REVIEW':
    case 'APPEALED':
    case 'NOMINATED':
    case 'REQUESTED':
    case 'HIDDEN':
      return 'warn';
    case 'EXPIRED':
    case 'REVOKED':
    case 'SUSPENDED':
    case 'NOT_CERTIFIED':
    case 'REMOVED':
    case 'REJECTED':
      return 'bad';
    case 'OPEN':
      return 'info';
    default:
      return undefined;
  }
}

export function Field({
  label,
  id,
  children,
  hint,
  problem,
}: {
  label: string;
  id: string;
  children: ReactNode;
  hint?: string;
  problem?: string | undefined;
}) {
  return (
    <div className={`field ${problem ? 'field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {problem ? (
        <p className="problem" id={`${id}-problem`} role="alert">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

export interface Connection<N> {
  readonly totalCount?: number;
  readonly pageInfo: { readonly hasNextPage: boolean; readonly endCursor: string | null };
  readonly edges: readonly { readonly node: N }[];
}

/** Page controls for a Relay connection: the first page, and the next one from the end cursor. */
export function Pager({
  connection,
  after,
  onPage,
  of,
}: {
  connection: Connection<unknown>;
  after: string | null;
  onPage: (after: string | null) => void;
  /** What is paged, on a page with more than one pager: each navigation landmark needs a name of its own. */
  of?: string;
}) {
  const { t } = useConsole();
  return (
    <nav className="pager" aria-label={of ? `${t('pagination')}: ${of}` : t('pagination')}>
      {typeof connection.totalCount === 'number' ? (
        <span className="muted">
          {t('total')}: {connection.totalCount}
        </span>
      ) : null}
      <button type="button" disabled={after === null} onClick={() => onPage(null)}>
        {t('previous')}
      </button>
      <button type="button" disabled={!connection.pageInfo.hasNextPage} onClick={() => onPage(connection.pageInfo.endCursor)}>
        {t('next')}
      </button>
    </nav>
  );
}

export function Empty() {
  const { t } = useConsole();
  return <p className="muted">{t('noResults')}</p>;
}

export function Json({ value, label }: { value: unknown; label?: string }) {
  const [ref, scrolls] = useScrolls<HTMLPreElement>();
  return (
    <pre className="json" ref={ref} tabIndex={scrolls ? 0 : undefined} role={label ? 'group' : undefined} aria-label={label}>
      {JSON.stringify(value, null, 2)}
    </pre>
  );
}

/**
 * Whether an element's content overflows it (it scrolls): a scrolling region must then be reachable by keyboard
 * (axe's scrollable-region-focusable), and only then, so a table that fits is no extra tab stop.
 */
export function useScrolls<E extends HTMLElement>(): [RefObject<E | null>, boolean] {
  const ref = useRef<E>(null);
  const [scrolls, setScrolls] = useState(false);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setScrolls(element.scrollWidth > element.clientWidth + 1 || element.scrollHeight > element.clientHeight + 1);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    for (const child of Array.from(element.children)) observer.observe(child);
    return () => observer.disconnect();
  });
  return [ref, scrolls];
}

/**
 * A table's frame, scrolled sideways when the table is wider than the screen: focusable then (tabindex 0), with a
 * name, so keyboard users can scroll it and screen readers say what it holds. A group, not a region: a page holds
 * several, and landmarks must be named uniquely.
 */
export function ScrollArea({ label, children }: { label: string; children: ReactNode }) {
  const [ref, scrolls] = useScrolls<HTMLDivElement>();
  return (
    <div className="table-wrap" ref={ref} role="group" aria-label={label} tabIndex={scrolls ? 0 : undefined}>
      {children}
    </div>
  );
}

/**
 * After a change, the control that made it may be gone (a claim button once claimed, a form once decided, a
 * confirmation once confirmed): focus would fall to <body>, and keyboard users would start again from the top. Then
 * (and only then: a status message does not move focus otherwise) the focus goes to what came of the change, or to
 * the page's heading.
 */
export function useFocusWhenLost<E extends HTMLElement>(): [RefObject<E | null>, () => void] {
  const ref = useRef<E>(null);
  const [generation, setGeneration] = useState(0);
  useEffect(() => {
    if (generation === 0) return;
    const frame = requestAnimationFrame(() => {
      const active = document.activeElement;
      if (active && active !== document.body && active.isConnected) return;
      (ref.current ?? document.getElementById('page-title'))?.focus();
    });
    return () => cancelAnimationFrame(frame);
  }, [generation]);
  return [ref, useCallback(() => setGeneration((g) => g + 1), [])];
}

export function useMessage(): [string | null, (key: MessageKey | null) => void] {
  const { t } = useConsole();
  const [message, setMessage] = useState<MessageKey | null>(null);
  return [message ? t(message) : null, setMessage];
}

export interface Action {
  readonly busy: boolean;
  /** Runs a change; answers whether it went through. Shows the problem, or `done` (of its result) as a status message. */
  readonly run: <T>(change: () => Promise<T>, done: string | ((result: T) => string)) => Promise<boolean>;
  readonly outcome: ReactNode;
}

/**
 * One change made from a small form: busy while it runs, then what came of it (announced to screen readers).
 * `onStale` reads again what the change was made on: called when the API answers CONFLICT (someone changed it
 * meanwhile), so the page shows it as it is now next to a notice saying so, the way the case page does.
 */
export function useAction(onStale?: () => void): Action {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<Error | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const stale = useRef(onStale);
  stale.current = onStale;
  const [outcomeRef, focusIfLost] = useFocusWhenLost<HTMLDivElement>();
  const run = useCallback(
    async <T,>(change: () => Promise<T>, message: string | ((result: T) => string)) => {
      setBusy(true);
      setFailure(null);
      setDone(null);
      try {
        const result = await change();
        setDone(typeof message === 'string' ? message : message(result));
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.code === 'CONFLICT') stale.current?.();
        setFailure(error instanceof Error ? error : new Error(String(error)));
        return false;
      } finally {
        setBusy(false);
        focusIfLost();
      }
    },
    [focusIfLost],
  );
  const shown = failure ? (
    failure instanceof ApiError && failure.code === 'CONFLICT' && onStale ? (
      <StaleNotice error={failure} />
    ) : (
      <ErrorNotice error={failure} />
    )
  ) : done ? (
    <p className="notice notice-ok" role="status">
      {done}
    </p>
  ) : null;
  const outcome = shown ? (
    <div className="action-outcome" ref={outcomeRef} tabIndex={-1}>
      {shown}
    </div>
  ) : null;
  return { busy, run, outcome };
}

/** A change refused because what it was made on changed meanwhile: the page was read again; look before retrying. */
export function StaleNotice({ error }: { error: Error }) {
  const { t } = useConsole();
  return (
    <div className="notice notice-conflict" role="alert" data-testid="conflict">
      <p>
        <strong>{t('staleTitle')}</strong> {t('staleBody')}
      </p>
      <ServiceSaid error={error} />
    </div>
  );
}

/** A failure in the console's language (errors.ts), then what the service said in English when it says more. */
export function ErrorText({ error }: { error: Error }) {
  const { language } = useConsole();
  const { headline } = describeError(language, error);
  return (
    <>
      <p>
        <strong>{headline}</strong>
      </p>
      <ServiceSaid error={error} />
    </>
  );
}

/** The service's own (English) words about a failure, with its code: secondary to the console's line, never dropped. */
export function ServiceSaid({ error }: { error: Error }) {
  const { t, language } = useConsole();
  const { detail, code } = describeError(language, error);
  if (!detail && !code) return null;
  return (
    <p className="muted" data-testid="service-said">
      {detail ? (
        <>
          {t('errorServiceSaid')} <q lang="en">{detail}</q>{' '}
        </>
      ) : null}
      {code ? <code>{code}</code> : null}
    </p>
  );
}

/**
 * A high-impact change asked again before it is made: what it will do, a confirm and a cancel button. Focus moves to
 * the question, so keyboard and screen-reader users hear it.
 */
export function Confirmation({
  label,
  children,
  confirm,
  busy,
  onConfirm,
  onCancel,
}: {
  label: string;
  children: ReactNode;
  confirm: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useConsole();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <div className="notice notice-warn" role="group" aria-label={label} tabIndex={-1} ref={ref} data-testid="confirmation">
      {children}
      <div className="filter-buttons">
        <button type="button" className="primary" disabled={busy} onClick={onConfirm}>
          {confirm}
        </button>
        <button type="button" disabled={busy} onClick={onCancel}>
          {t('cancel')}
        </button>
      </div>
    </div>
  );
}
