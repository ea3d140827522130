// The React side of live updates (live.ts): the tab's feed in a context, the hook a page registers its interest
// with, and the small status line in the top bar.
import { createContext, useContext, useEffect, useRef, useSyncExternalStore } from 'react';
import { useConsole } from './context.ts';
import type { Language } from './i18n.ts';
import type { LiveFeed, LiveInterest, LiveSnapshot } from './live.ts';

/** The signed-in tab's feed; null when the member may not follow the log (their pages refresh by hand). */
export const LiveContext = createContext<LiveFeed | null>(null);

/**
 * Reads the page's data again (each of `reloads`, debounced) when an event of `interest` is recorded. Null: no
 * interest (yet). Registered once per interest; the latest `reloads` are the ones called.
 */
export function useLiveRefresh(interest: LiveInterest | null, ...reloads: (() => void)[]): void {
  const feed = useContext(LiveContext);
  const latest = useRef(reloads);
  latest.current = reloads;
  const key = interest ? JSON.stringify(interest) : null;
  useEffect(() => {
    if (!feed || key === null) return;
    return feed.register(JSON.parse(key) as LiveInterest, () => {
      for (const reload of latest.current) reload();
    });
  }, [feed, key]);
}

const OFF: LiveSnapshot = { status: 'off', refreshedAt: null };
const NO_FEED = { subscribe: () => () => undefined, current: OFF };

export function useLiveStatus(): LiveSnapshot {
  const feed = useContext(LiveContext) ?? NO_FEED;
  return useSyncExternalStore(
    (listener) => feed.subscribe(listener),
    () => feed.current,
  );
}

// Here rather than in i18n.ts: that file is being translated by hand meanwhile; these may move there later.
const TEXTS: Readonly<Record<Language, { live: string; updated: string; paused: string; title: string }>> = {
  en: {
    live: 'Live',
    updated: 'Updated {time}',
    paused: 'Live updates paused: use Refresh',
    title: 'Open pages show changes by others as they are recorded',
  },
  nl: {
    live: 'Live',
    updated: 'Bijgewerkt om {time}',
    paused: 'Live-updates gepauzeerd: gebruik Vernieuwen',
    title: 'Open pagina’s tonen wijzigingen van anderen zodra ze zijn vastgelegd',
  },
};

export function liveText(language: Language, status: LiveSnapshot['status'], refreshedAt: number | null): string | null {
  const texts = TEXTS[language];
  if (status === 'paused') return texts.paused;
  if (status !== 'live') return null;
  if (refreshedAt === null) return texts.live;
  const time = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', { timeStyle: 'medium' }).format(refreshedAt);
  return texts.updated.replace('{time}', time);
}

/**
 * The top bar's line: "Live", "Updated 14:02:11" once a page was read again for someone else's change, or "Live
 * updates paused" while the subscription is down. Nothing for a member without live updates, or while connecting.
 */
export function LiveIndicator() {
  const { language } = useConsole();
  const { status, refreshedAt } = useLiveStatus();
  const text = liveText(language, status, refreshedAt);
  if (text === null) return null;
  return (
    <span className="muted live-status" role="status" data-testid="live-status" data-live={status} title={TEXTS[language].title}>
      {status === 'live' ? '● ' : '○ '}
      {text}
    </span>
  );
}
