// Live updates (issue #22): one governanceEvents subscription per signed-in tab, shared by every open page. A page
// says which events concern it (live-interests.ts) and reads its data again, debounced, when one arrives. The
// subscription is a convenience: refused, dropped or never offered, the pages work as before (their Refresh button),
// and the tab says that live updates are paused.
import { createClient as createWsClient } from 'graphql-ws/client';
import { ApiError, type GraphQLClient } from './api/client.ts';
import { LIVE_EVENTS, LOG_HEAD } from './api/documents.ts';

/** What a page needs of an event to know whether it concerns it. */
export interface LiveEvent {
  readonly position: string;
  readonly streamId: string;
  readonly type: string;
  readonly actorId: string | null;
}

/** The events a page reads its data again for: any of these matches. */
export interface LiveInterest {
  /** Stream categories (the part of the stream id before its first '-', e.g. moderation_case). */
  readonly categories?: readonly string[];
  readonly streamIds?: readonly string[];
  readonly eventTypes?: readonly string[];
}

export function categoryOf(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}

export function concerns(interest: LiveInterest, event: Pick<LiveEvent, 'streamId' | 'type'>): boolean {
  return (
    (interest.streamIds?.includes(event.streamId) ?? false) ||
    (interest.categories?.includes(categoryOf(event.streamId)) ?? false) ||
    (interest.eventTypes?.includes(event.type) ?? false)
  );
}

/**
 * Who may follow the whole log (the API's HISTORY_READERS, src/modules/audit/audit-access.ts). Anyone else would be
 * refused (FORBIDDEN): the console does not ask, and their pages refresh by hand as before.
 */
export const LIVE_READERS: readonly string[] = ['COMMUNITY_MANAGER', 'AUDITOR'];

export function mayFollowLive(roles: readonly string[]): boolean {
  return LIVE_READERS.some((role) => roles.includes(role));
}

// ---------------------------------------------------------------- timing

export interface Timers {
  readonly now: () => number;
  readonly setTimeout: (run: () => void, ms: number) => unknown;
  readonly clearTimeout: (handle: unknown) => void;
}

export const REAL_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** A burst of events (a decision appends several) is one read, 300 ms after the last of them... */
export const DEBOUNCE_MS = 300;
/** ...but a page under a steady stream of events is still read again at least this often. */
export const DEBOUNCE_MAX_WAIT_MS = 2_000;

/** Calls `run` once `quietMs` passed without another `trigger`, and at the latest `maxWaitMs` after the first one. */
export class Debouncer {
  private timer: unknown = null;
  private firstAt: number | null = null;

  constructor(
    private readonly run: () => void,
    private readonly timers: Timers,
    private readonly quietMs = DEBOUNCE_MS,
    private readonly maxWaitMs = DEBOUNCE_MAX_WAIT_MS,
  ) {}

  trigger(): void {
    const now = this.timers.now();
    this.firstAt ??= now;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    const wait = Math.max(0, Math.min(this.quietMs, this.firstAt + this.maxWaitMs - now));
    this.timer = this.timers.setTimeout(() => this.fire(), wait);
  }

  cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.firstAt = null;
  }

  private fire(): void {
    this.timer = null;
    this.firstAt = null;
    this.run();
  }
}

export const BACKOFF_BASE_MS = 1_000;
export const BACKOFF_MAX_MS = 60_000;
/** A subscription that stayed up this long was working: the next failure starts the backoff afresh. */
export const STABLE_AFTER_MS = 30_000;

/**
 * The wait before reconnect attempt `attempt` (0-based): doubling from 1 s up to a minute, each a random time in
 * its upper half, so that the tabs a restart of the service dropped together do not all come back at once.
 */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

// ---------------------------------------------------------------- failures

/** Why the subscription ended: refused by the API (its error code), the socket closed (its code), or unreachable. */
export type LiveFailure =
  { readonly kind: 'refused'; readonly code: string } | { readonly kind: 'closed'; readonly code: number } | { readonly kind: 'network' };

/**
 * Codes after which asking again cannot help: not allowed, or a service without the subscription. Everything else
 * (rate limited, too many subscriptions or connections, a token that expired and is renewed, a restart) may pass later.
 */
const FINAL_CODES: readonly string[] = ['FORBIDDEN', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST', 'BAD_USER_INPUT'];

export function isFinal(failure: LiveFailure): boolean {
  if (failure.kind === 'refused') return FINAL_CODES.includes(failure.code);
  // 4403: graphql-ws's Forbidden.
  return failure.kind === 'closed' && failure.code === 4403;
}

/** A graphql-ws sink error (GraphQL errors, a CloseEvent, or anything else) or an HTTP ApiError, as a LiveFailure. */
export function failureOf(error: unknown): LiveFailure {
  if (error instanceof ApiError) return error.code === 'NETWORK' ? { kind: 'network' } : { kind: 'refused', code: error.code };
  if (Array.isArray(error)) return { kind: 'refused', code: codeOf(error) };
  if (typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'number') {
    return { kind: 'closed', code: (error as { code: number }).code };
  }
  return { kind: 'network' };
}

function codeOf(errors: readonly unknown[]): string {
  const code = (errors[0] as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

// ---------------------------------------------------------------- the feed

/**
 * connecting: starting (or starting again); live: subscribed; paused: dropped or refused for now, trying again;
 * off: refused for good (not allowed, not offered): the pages refresh by hand.
 */
export type LiveStatus = 'connecting' | 'live' | 'paused' | 'off';

export interface LiveSnapshot {
  readonly status: LiveStatus;
  /** When a page was last read again for someone else's change (for the "updated" notice). */
  readonly refreshedAt: number | null;
}

/** One subscription from `afterPosition` on; answers how to end it. Callbacks after the end are ignored. */
export type LiveTransport = (
  afterPosition: string,
  handlers: {
    readonly connected: () => void;
    readonly event: (event: LiveEvent) => void;
    readonly failed: (failure: LiveFailure) => void;
  },
) => () => void;

export interface LiveFeedOptions {
  /** The log's current position ("0:0" for an empty log), read before each subscription. */
  readonly head: () => Promise<string>;
  readonly transport: LiveTransport;
  /** The signed-in member: their own changes refresh the page too (another tab of theirs) but show no notice. */
  readonly memberId: string;
  readonly timers?: Timers;
  readonly random?: () => number;
}

interface Registration {
  readonly interest: LiveInterest;
  readonly debouncer: Debouncer;
  readonly registeredAt: number;
  /** Whether the pending read is for someone else's change. */
  noticed: boolean;
}

/**
 * The tab's one subscription. At most one is open at any time: each attempt ends the previous one first, and a new
 * attempt starts only from a timer after a failure. Each subscription starts at the log position read just before
 * it, so nothing recorded after that read is missed; pages registered before the read may have missed something
 * (in the gap before it, or while the socket was down) and read their data once again.
 */
export class LiveFeed {
  private snapshot: LiveSnapshot = { status: 'connecting', refreshedAt: null };
  private readonly registrations = new Set<Registration>();
  private readonly listeners = new Set<() => void>();
  private readonly timers: Timers;
  private readonly random: () => number;
  private attempt = 0;
  private generation = 0;
  private close: (() => void) | null = null;
  private retry: unknown = null;
  private stopped = true;

  constructor(private readonly options: LiveFeedOptions) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    void this.connect();
  }

  /** Sign-out (or the tab's session ends): the subscription is closed and nothing is retried. */
  stop(): void {
    this.stopped = true;
    this.generation += 1;
    this.close?.();
    this.close = null;
    if (this.retry !== null) this.timers.clearTimeout(this.retry);
    this.retry = null;
    for (const registration of this.registrations) registration.debouncer.cancel();
    this.set({ status: 'off' });
  }

  /** A page's interest; `reload` runs (debounced) for each concerning event. Answers the unregistration. */
  register(interest: LiveInterest, reload: () => void): () => void {
    const registration: Registration = {
      interest,
      registeredAt: this.timers.now(),
      noticed: false,
      debouncer: new Debouncer(() => {
        if (registration.noticed) this.set({ refreshedAt: this.timers.now() });
        registration.noticed = false;
        reload();
      }, this.timers),
    };
    this.registrations.add(registration);
    return () => {
      registration.debouncer.cancel();
      this.registrations.delete(registration);
    };
  }

  get current(): LiveSnapshot {
    return this.snapshot;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private set(change: Partial<LiveSnapshot>): void {
    const next = { ...this.snapshot, ...change };
    if (next.status === this.snapshot.status && next.refreshedAt === this.snapshot.refreshedAt) return;
    this.snapshot = next;
    for (const listener of this.listeners) listener();
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.close?.();
    this.close = null;
    const startedAt = this.timers.now();
    let head: string;
    try {
      head = await this.options.head();
    } catch (error) {
      if (generation === this.generation) this.failed(failureOf(error), startedAt);
      return;
    }
    if (generation !== this.generation) return;
    const headReadAt = this.timers.now();
    let connectedAt: number | null = null;
    this.close = this.options.transport(head, {
      connected: () => {
        if (generation !== this.generation) return;
        connectedAt = this.timers.now();
        this.set({ status: 'live' });
        for (const registration of this.registrations) if (registration.registeredAt <= headReadAt) registration.debouncer.trigger();
      },
      event: (event) => {
        if (generation !== this.generation) return;
        for (const registration of this.registrations) {
          if (!concerns(registration.interest, event)) continue;
          if (event.actorId !== this.options.memberId) registration.noticed = true;
          registration.debouncer.trigger();
        }
      },
      failed: (failure) => {
        if (generation !== this.generation) return;
        this.close?.();
        this.close = null;
        this.failed(failure, connectedAt ?? startedAt);
      },
    });
  }

  private failed(failure: LiveFailure, since: number): void {
    this.generation += 1;
    if (this.stopped) return;
    if (isFinal(failure)) {
      this.set({ status: 'off' });
      return;
    }
    if (this.timers.now() - since >= STABLE_AFTER_MS) this.attempt = 0;
    this.set({ status: 'paused' });
    const delay = backoffDelay(this.attempt, this.random);
    this.attempt += 1;
    this.retry = this.timers.setTimeout(() => {
      this.retry = null;
      if (!this.stopped) void this.connect();
    }, delay);
  }
}

// ---------------------------------------------------------------- the API

/** ws(s)://<this host>/graphql: the same origin as the console (connect-src 'self' covers it). */
export function liveUrl(location: { readonly protocol: string; readonly host: string }, path = '/graphql'): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
}

/** The newest event's position, read over HTTP with the console's client (its sign-out on UNAUTHENTICATED included). */
export function logHead(client: GraphQLClient): () => Promise<string> {
  return async () => {
    const answer = await client.request<{ governanceHistory: { edges: { node: { position: string } }[] } }>(LOG_HEAD);
    // An empty log: from its start ("0:0", the position before the first event).
    return answer.governanceHistory.edges[0]?.node.position ?? '0:0';
  };
}

interface LiveEventsResult {
  readonly data?: { governanceEvents?: { position: string; streamId: string; type: string; metadata: { actorId: string | null } } } | null;
  readonly errors?: readonly unknown[];
}

/**
 * graphql-ws, one connection per subscription: it opens with the subscription and closes when it ends (lazy). Its
 * own retries are off: every drop reaches LiveFeed, which decides when to try again and re-reads what was missed.
 */
export function graphqlWsTransport(url: string, token: () => string | null): LiveTransport {
  return (afterPosition, handlers) => {
    let ended = false;
    const end = (failure: LiveFailure) => {
      if (ended) return;
      ended = true;
      handlers.failed(failure);
    };
    const client = createWsClient({
      url,
      lazy: true,
      retryAttempts: 0,
      // Pings keep proxies from closing an idle connection and reveal a dead one.
      keepAlive: 25_000,
      connectionParams: () => {
        const current = token();
        return current ? { authorization: `Bearer ${current}` } : {};
      },
      on: { connected: () => handlers.connected() },
    });
    const unsubscribe = client.subscribe<NonNullable<LiveEventsResult['data']>>(
      { query: LIVE_EVENTS.query, operationName: 'LiveGovernanceEvents', variables: { afterPosition } },
      {
        next: (result: LiveEventsResult) => {
          const event = result.data?.governanceEvents;
          if (event) {
            handlers.event({ position: event.position, streamId: event.streamId, type: event.type, actorId: event.metadata.actorId });
          } else if (result.errors?.length) {
            // Refused by the resolver (its authorization): a result with errors, then the end.
            end({ kind: 'refused', code: codeOf(result.errors) });
          }
        },
        error: (error: unknown) => end(failureOf(error)),
        // The service ended the subscription (it is shutting down): as a drop.
        complete: () => end({ kind: 'network' }),
      },
    );
    return () => {
      ended = true;
      unsubscribe();
      void client.dispose();
    };
  };
}

/** The feed of a signed-in tab, or null for a member who may not follow the log. */
export function createLiveFeed(options: {
  readonly client: GraphQLClient;
  readonly token: () => string | null;
  readonly roles: readonly string[];
  readonly memberId: string;
  readonly url: string;
}): LiveFeed | null {
  if (!mayFollowLive(options.roles)) return null;
  return new LiveFeed({
    head: logHead(options.client),
    transport: graphqlWsTransport(options.url, options.token),
    memberId: options.memberId,
  });
}
