import { Component, lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState, type ComponentType, type ReactNode } from 'react';
import { canSee, homeArea, visibleAreas, type Area } from './access.ts';
import { createClient, loadCapabilities, type Capabilities } from './api/client.ts';
import { ME } from './api/documents.ts';
import { clearToken, completeOidcSignIn, loadSignInConfig, storedToken, type SignInConfig } from './auth/session.ts';
import { Console, useConsole, type ConsoleContext, type Me } from './context.ts';
import { errorLine } from './errors.ts';
import { enumLabel, formatDate, formatDateTime, initialLanguage, LANGUAGES, translate, type Language } from './i18n.ts';
import type { LiveFeed } from './live.ts';
import { LiveContext, LiveIndicator } from './live-react.tsx';
import { SignInPage } from './pages/signin.tsx';
import { hrefFor, parseRoute, type Route } from './routes.ts';
import { ErrorNotice, Loading, Link, Page } from './ui.tsx';

const LANGUAGE_KEY = 'governance-console.language';
let callbackHandled = false;
/** Set by a navigation; the page navigated to takes the focus once it is on screen (its code may still be loading). */
let titleFocusPending = false;

/**
 * Each page is a chunk of its own, fetched when first shown: the sign-in needs none of them, and only the pages
 * that draw trends (insights, adoption) fetch Chart.js. The sign-in page stays in the entry: it is the first screen.
 */
function lazyPage<P extends object>(load: () => Promise<ComponentType<P>>) {
  return lazy(async () => ({ default: await load() }));
}
const AdoptionPage = lazyPage(() => import('./pages/adoption.tsx').then((m) => m.AdoptionPage));
const AgreementsPage = lazyPage(() => import('./pages/agreements.tsx').then((m) => m.AgreementsPage));
const AmbassadorsPage = lazyPage(() => import('./pages/ambassadors.tsx').then((m) => m.AmbassadorsPage));
const AuditPage = lazyPage(() => import('./pages/audit.tsx').then((m) => m.AuditPage));
const CasePage = lazyPage(() => import('./pages/case.tsx').then((m) => m.CasePage));
const CertificationPage = lazyPage(() => import('./pages/certification.tsx').then((m) => m.CertificationPage));
const MyCertificationPage = lazyPage(() => import('./pages/certification.tsx').then((m) => m.MyCertificationPage));
const GroupPage = lazyPage(() => import('./pages/groups.tsx').then((m) => m.GroupPage));
const GroupsPage = lazyPage(() => import('./pages/groups.tsx').then((m) => m.GroupsPage));
const InsightsPage = lazyPage(() => import('./pages/insights.tsx').then((m) => m.InsightsPage));
const MembersPage = lazyPage(() => import('./pages/members.tsx').then((m) => m.MembersPage));
const ModerationPage = lazyPage(() => import('./pages/moderation.tsx').then((m) => m.ModerationPage));
const NotificationsPage = lazyPage(() => import('./pages/notifications.tsx').then((m) => m.NotificationsPage));
const PrivacyPage = lazyPage(() => import('./pages/privacy.tsx').then((m) => m.PrivacyPage));
const MyPrivacyPage = lazyPage(() => import('./pages/privacy.tsx').then((m) => m.MyPrivacyPage));
const StandingPage = lazyPage(() => import('./pages/standing.tsx').then((m) => m.StandingPage));
const TrainingPage = lazyPage(() => import('./pages/training.tsx').then((m) => m.TrainingPage));
const WebhooksPage = lazyPage(() => import('./pages/webhooks.tsx').then((m) => m.WebhooksPage));

function useRoute(): [Route, (route: Route, replace?: boolean) => void] {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.pathname));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((next: Route, replace = false) => {
    const href = hrefFor(next);
    if (replace) window.history.replaceState(null, '', href);
    else window.history.pushState(null, '', href);
    setRoute(next);
    window.scrollTo(0, 0);
    // Move focus to the new page's heading, for keyboard and screen-reader users: once it shows (TitleFocus).
    titleFocusPending = next.name !== 'signin';
  }, []);
  return [route, navigate];
}

export function App() {
  const [language, setLanguageState] = useState<Language>(() => initialLanguage(localStorage.getItem(LANGUAGE_KEY)));
  const [route, navigate] = useRoute();
  const [signIn, setSignIn] = useState<SignInConfig | null>(null);
  const [token, setToken] = useState<string | null>(() => storedToken());
  const [problem, setProblem] = useState<string | null>(null);
  const [session, setSession] = useState<{ me: Me; capabilities: Capabilities } | null>(null);

  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(LANGUAGE_KEY, next);
    setLanguageState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const signOut = useCallback(
    (message: string | null = null) => {
      clearToken();
      setToken(null);
      setSession(null);
      setProblem(message);
      navigate({ name: 'signin' }, true);
    },
    [navigate],
  );

  // One client for the whole session: switching the language does not refetch anything.
  const languageRef = useRef(language);
  languageRef.current = language;
  const client = useMemo(
    () =>
      createClient({
        endpoint: '/graphql',
        token: () => storedToken(),
        onUnauthenticated: () => signOut(translate(languageRef.current, 'sessionExpired')),
      }),
    [signOut],
  );

  useEffect(() => {
    loadSignInConfig().then(setSignIn, (error: Error) => setProblem(errorLine(languageRef.current, error)));
  }, []);

  // The identity provider's redirect back: exchange the code, then go where the person was going.
  useEffect(() => {
    if (route.name !== 'callback' || !signIn || callbackHandled) return;
    if (signIn.mode !== 'oidc') {
      navigate({ name: 'signin' }, true);
      return;
    }
    // Once per page load: the code can be exchanged only once (and StrictMode runs effects twice in development).
    callbackHandled = true;
    completeOidcSignIn(signIn, window.location.search).then(
      (returnTo) => {
        setToken(storedToken());
        navigate(parseRoute(returnTo), true);
      },
      (error: Error) => {
        setProblem(`${translate(language, 'signInFailed')}: ${error.message}`);
        navigate({ name: 'signin' }, true);
      },
    );
  }, [route.name, signIn, navigate, language]);

  useEffect(() => {
    if (!token) return;
    let cancelled = false;
    Promise.all([client.request<{ me: Me }>(ME), loadCapabilities(client)]).then(
      ([answer, capabilities]) => {
        if (!cancelled) setSession({ me: answer.me, capabilities });
      },
      (error: Error) => {
        if (!cancelled) setProblem(errorLine(languageRef.current, error));
      },
    );
    return () => {
      cancelled = true;
    };
  }, [token, client]);

  // Live updates (live.ts): one subscription for the tab while signed in, closed on sign-out (the session ends). A
  // chunk of its own (graphql-ws), fetched once signed in: the sign-in page does without it. Should it fail to load,
  // the pages simply refresh by hand.
  const [live, setLive] = useState<LiveFeed | null>(null);
  useEffect(() => {
    if (!session) return;
    let ended = false;
    let feed: LiveFeed | null = null;
    import('./live.ts').then(
      ({ createLiveFeed, liveUrl }) => {
        if (ended) return;
        feed = createLiveFeed({
          client,
          token: storedToken,
          roles: session.me.roles,
          memberId: session.me.id,
          url: liveUrl(window.location),
        });
        feed?.start();
        setLive(feed);
      },
      () => undefined,
    );
    return () => {
      ended = true;
      feed?.stop();
      setLive(null);
    };
  }, [session, client]);

  const t = useCallback(
    (key: Parameters<typeof translate>[1], values?: Parameters<typeof translate>[2]) => translate(language, key, values),
    [language],
  );

  if (route.name === 'callback')
    return (
      <Shell language={language} setLanguage={setLanguage}>
        {problem ? <p role="alert">{problem}</p> : <p>{t('completingSignIn')}</p>}
      </Shell>
    );

  if (!token || (route.name === 'signin' && !session)) {
    return (
      <Shell language={language} setLanguage={setLanguage}>
        <SignInPage
          t={t}
          language={language}
          config={signIn}
          problem={problem}
          returnTo={route.name === 'signin' ? '/admin/' : window.location.pathname}
          onToken={(next) => {
            setProblem(null);
            setToken(next);
            if (route.name === 'signin') navigate({ name: 'home' }, true);
          }}
        />
      </Shell>
    );
  }

  if (!session) {
    return (
      <Shell language={language} setLanguage={setLanguage}>
        {problem ? (
          <ErrorNoticeStandalone message={problem} onSignOut={() => signOut(null)} label={t('signOut')} />
        ) : (
          <p role="status">{t('loading')}</p>
        )}
      </Shell>
    );
  }

  const context: ConsoleContext = {
    language,
    setLanguage,
    t,
    e: (value) => enumLabel(language, value),
    date: (value) => formatDate(language, value),
    dateTime: (value) => formatDateTime(language, value),
    client,
    me: session.me,
    capabilities: session.capabilities,
    token: storedToken,
    navigate,
  };

  return (
    <Console.Provider value={context}>
      <LiveContext.Provider value={live}>
        <Layout route={route} onSignOut={() => signOut(null)}>
          <CurrentPage route={route} />
          <TitleFocus route={route} />
        </Layout>
      </LiveContext.Provider>
    </Console.Provider>
  );
}

function ErrorNoticeStandalone({ message, onSignOut, label }: { message: string; onSignOut: () => void; label: string }) {
  return (
    <div className="notice notice-error" role="alert">
      <p>{message}</p>
      <button type="button" onClick={onSignOut}>
        {label}
      </button>
    </div>
  );
}

function LanguageSwitch({ language, setLanguage }: { language: Language; setLanguage: (l: Language) => void }) {
  return (
    <div className="language-switch" role="group" aria-label={translate(language, 'language')}>
      {LANGUAGES.map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={l === language} onClick={() => setLanguage(l)}>
          {l === 'en' ? 'English' : 'Nederlands'}
        </button>
      ))}
    </div>
  );
}

/** The frame before signing in: title and language switch. */
function Shell({ language, setLanguage, children }: { language: Language; setLanguage: (l: Language) => void; children: ReactNode }) {
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">{translate(language, 'appTitle')}</span>
        <LanguageSwitch language={language} setLanguage={setLanguage} />
      </header>
      <main id="main" className="main narrow">
        {children}
      </main>
    </div>
  );
}

function Layout({ route, children, onSignOut }: { route: Route; children: ReactNode; onSignOut: () => void }) {
  const { t, e, me, language, setLanguage } = useConsole();
  const areas = visibleAreas(me);
  const current = areaOf(route);
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('appTitle')}</span>
        <div className="who">
          <span>
            {/* Their own id leads to their own standing: the one place a member without a staff role finds it. */}
            {t('signedInAs')}{' '}
            <strong>
              <Link to={{ name: 'standing', memberId: me.id }}>{me.id}</Link>
            </strong>
          </span>
          <span className="muted"> · {me.roles.map((r) => e(r)).join(', ')}</span>
          {me.ownedGroups.length > 0 ? (
            <span className="muted"> · {t('ownerOf', { groups: me.ownedGroups.map((g) => g.name).join(', ') })}</span>
          ) : null}
        </div>
        <LiveIndicator />
        <LanguageSwitch language={language} setLanguage={setLanguage} />
        <button type="button" onClick={onSignOut}>
          {t('signOut')}
        </button>
      </header>
      <div className="body">
        <nav className="sidenav" aria-label={t('appTitle')}>
          <ul>
            {areas.map((area) => (
              <li key={area}>
                <Link to={{ name: 'area', area }} className={area === current ? 'active' : ''} current={area === current}>
                  {t(`area_${area}`)}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" className="main" tabIndex={-1}>
          <PageBoundary key={hrefFor(route)}>
            <Suspense fallback={<Loading />}>{children}</Suspense>
          </PageBoundary>
        </main>
      </div>
    </div>
  );
}

function areaOf(route: Route): Area | null {
  switch (route.name) {
    case 'area':
      return route.area;
    case 'case':
      return 'moderation';
    case 'standing':
      return 'members';
    case 'group':
      return 'groups';
    default:
      return null;
  }
}

/**
 * A page's chunk that fails to load (the network, or a release since this tab loaded index.html removed it) shows
 * as a notice whose retry reloads: a fresh index.html names the chunks of the release served now. Keyed by the
 * route, so the next navigation starts afresh.
 */
class PageBoundary extends Component<{ children: ReactNode }, { error: Error | null }> {
  override state: { error: Error | null } = { error: null };
  static getDerivedStateFromError(error: unknown) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
  override render() {
    return this.state.error ? <ErrorNotice error={this.state.error} onRetry={() => window.location.reload()} /> : this.props.children;
  }
}

/**
 * Beside the page in the same Suspense boundary, so its effect runs only once the page's chunk has loaded and the
 * page is on screen with its heading.
 */
function TitleFocus({ route }: { route: Route }) {
  useEffect(() => {
    if (!titleFocusPending) return;
    titleFocusPending = false;
    requestAnimationFrame(() => document.getElementById('page-title')?.focus());
  }, [route]);
  return null;
}

function CurrentPage({ route }: { route: Route }) {
  const { me, t } = useConsole();
  if (route.name === 'home' || route.name === 'signin') return <AreaPage area={homeArea(me)} />;
  // With a heading of their own, as every page has (#22): screen-reader users move by headings.
  if (route.name === 'notFound') return <Page title={t('notFound')}>{null}</Page>;
  if (route.name === 'case') return <CasePage key={route.caseId} caseId={route.caseId} />;
  if (route.name === 'standing') return <StandingPage key={route.memberId} memberId={route.memberId} />;
  if (route.name === 'group') return <GroupPage key={route.groupId} groupId={route.groupId} />;
  if (route.name === 'callback') return <Loading />;
  return <AreaPage area={route.area} />;
}

function AreaPage({ area }: { area: Area }) {
  const { me, t } = useConsole();
  if (!canSee(me, area))
    return (
      <Page title={t(`area_${area}`)}>
        <ErrorNotice error={new Error(t('notAllowed'))} />
      </Page>
    );
  switch (area) {
    case 'moderation':
      return <ModerationPage />;
    case 'members':
      return <MembersPage />;
    case 'groups':
      return <GroupsPage />;
    case 'training':
      return <TrainingPage />;
    case 'certification':
      return <CertificationPage />;
    case 'myCertification':
      return <MyCertificationPage />;
    case 'ambassadors':
      return <AmbassadorsPage />;
    case 'agreements':
      return <AgreementsPage />;
    case 'privacy':
      return <PrivacyPage />;
    case 'myPrivacy':
      return <MyPrivacyPage />;
    case 'audit':
      return <AuditPage />;
    case 'insights':
      return <InsightsPage />;
    case 'adoption':
      return <AdoptionPage />;
    case 'notifications':
      return <NotificationsPage />;
    case 'webhooks':
      return <WebhooksPage />;
  }
}
