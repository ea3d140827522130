/**
 * Subscribers following the live feed (`governanceEvents` over graphql-ws), each with its own filter. A subscriber
 * whose connection ends (the service killed, its database restarted, a connection the fault injector dropped)
 * subscribes again with `afterPosition` = the last event it received, as a client is meant to; the checker then
 * proves that, across all its connections, it saw every event of its filter exactly once and in log order.
 *
 * With several instances (--instances N) each subscriber has a home instance (subscriber i on instance i mod N) and
 * connects to it directly, not through the load balancer, so the subscribers are on different instances; when its
 * home is not ready (killed, restarting) it resumes on the next instance that is, and goes home again at its next
 * reconnection once home is back. Each connection records the instance it was on.
 */
import { createClient, type Client } from 'graphql-ws';
import type { Role } from '../src/platform/auth/role.ts';
import type { SoakClient } from './client.ts';
import { delay, errorMessage, log } from './util.ts';

const SUBSCRIPTION = `subscription($filter: GovernanceHistoryFilter, $after: String) {
  governanceEvents(filter: $filter, afterPosition: $after) { position streamId revision type }
}`;

export interface ReceivedEvent {
  readonly position: string;
  readonly streamId: string;
  readonly revision: number;
  readonly type: string;
}

export interface SubscriberFilter {
  readonly category?: string;
  readonly eventTypes?: readonly string[];
  readonly actorId?: string;
}

export interface Connection {
  readonly afterPosition: string | null;
  readonly openedAt: string;
  closedAt: string | null;
  events: number;
  endedBy: string | null;
  /** The instance it was on (several instances only). */
  instance?: string;
}

/** An instance a subscriber may connect to directly. */
export interface SubscriberInstance {
  readonly name: string;
  readonly url: string;
}

export class Subscriber {
  readonly received: ReceivedEvent[] = [];
  readonly connections: Connection[] = [];
  private client: Client | undefined;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    readonly name: string,
    readonly filter: SubscriberFilter | null,
    private readonly actor: string,
    private readonly soak: SoakClient,
    /** Home first, then the others in order; empty: the soak client's URL (one instance). */
    private readonly instances: readonly SubscriberInstance[] = [],
  ) {}

  /** Home if it is ready, else the next instance that is (home when none is: the attempt fails and is retried). */
  private async pickInstance(): Promise<SubscriberInstance | undefined> {
    for (const instance of this.instances) {
      const ready = await fetch(`${instance.url}/health/ready`, { signal: AbortSignal.timeout(1_000) }).then(
        (r) => r.ok,
        () => false,
      );
      if (ready) return instance;
    }
    return this.instances[0];
  }

  /** Where the next connection resumes: after the last event received, or from the log's start ("0:0") at first. */
  get lastPosition(): string {
    return this.received.at(-1)?.position ?? '0:0';
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Ends the current connection abruptly (a dropped client connection); the subscriber resubscribes. */
  drop(): void {
    void this.client?.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.client?.dispose();
    await this.loop;
  }

  private async run(): Promise<void> {
    const token = await this.soak.token(this.actor, ['AUDITOR'] as Role[]);
    let failedInARow = 0;
    while (!this.stopped) {
      const instance = await this.pickInstance();
      const connection: Connection = {
        afterPosition: this.lastPosition,
        openedAt: new Date().toISOString(),
        closedAt: null,
        events: 0,
        endedBy: null,
        ...(instance ? { instance: instance.name } : {}),
      };
      this.connections.push(connection);
      const client = createClient({
        url: `${(instance?.url ?? this.soak.url).replace(/^http/, 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
        // A connection whose server vanished without closing it (SIGKILL) is noticed by the ping.
        keepAlive: 2_000,
      });
      this.client = client;
      await new Promise<void>((resolve) => {
        let active = true;
        const end = (reason: string) => {
          if (!active) return;
          active = false;
          connection.endedBy = reason;
          connection.closedAt = new Date().toISOString();
          resolve();
        };
        client.subscribe<{ governanceEvents: ReceivedEvent }>(
          { query: SUBSCRIPTION, variables: { filter: this.filter, after: connection.afterPosition } },
          {
            next: (message) => {
              if (!active) return;
              if (message.errors?.length)
                return end(
                  `errors: ${message.errors
                    .map((e) => e.message)
                    .join('; ')
                    .slice(0, 200)}`,
                );
              const event = message.data?.governanceEvents;
              if (!event) return;
              this.received.push({ position: event.position, streamId: event.streamId, revision: event.revision, type: event.type });
              connection.events++;
            },
            error: (error) => end(`error: ${describeError(error)}`),
            complete: () => end('complete'),
          },
        );
      });
      this.client = undefined;
      await Promise.resolve(client.dispose()).catch(() => undefined);
      // Behind the balancer every instance may be down at once (the drain and settle restart them all, slowly):
      // attempts that got nothing back off, up to 2 s, rather than counting dozens of failed connections.
      failedInARow = connection.events === 0 && this.instances.length > 0 ? failedInARow + 1 : 0;
      if (!this.stopped) await delay(Math.min(2_000, 250 * 2 ** Math.max(0, failedInARow - 1)));
    }
  }
}

function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    const close = error as { code: number; reason: string };
    return `closed ${close.code} ${close.reason}`.trim();
  }
  if (Array.isArray(error)) return error.map((e) => (e as { message?: string }).message ?? String(e)).join('; ');
  if (error && typeof error === 'object' && 'type' in error) return `socket ${(error as { type: string }).type}`;
  return errorMessage(error);
}

export function startSubscribers(soak: SoakClient, instances: readonly SubscriberInstance[] = []): Subscriber[] {
  // Subscriber i: instance i mod N first, then the others in order.
  const order = (i: number) => instances.map((_, k) => instances[(i + k) % instances.length]!);
  const subscribers = [
    new Subscriber('everything', null, 'soak-auditor-feed-1', soak, order(0)),
    new Subscriber('moderation cases', { category: 'moderation_case' }, 'soak-auditor-feed-2', soak, order(1)),
    new Subscriber(
      'expiries and renewals',
      { eventTypes: ['SanctionExpired', 'SanctionLifted', 'CertificationDueForRenewal', 'CertificationExpired'] },
      'soak-auditor-feed-3',
      soak,
      order(2),
    ),
    new Subscriber('the system actor', { actorId: 'system' }, 'soak-auditor-feed-4', soak, order(3)),
  ];
  for (const subscriber of subscribers) subscriber.start();
  log(
    `${subscribers.length} subscribers following governanceEvents` +
      (instances.length ? ` (directly on ${subscribers.map((s, i) => `${s.name}: ${order(i)[0]!.name}`).join(', ')})` : ''),
  );
  return subscribers;
}
