/**
 * Subscribers following the live feed (`governanceEvents` over graphql-ws), each with its own filter. A subscriber
 * whose connection ends (the service killed, its database restarted, a connection the fault injector dropped)
 * subscribes again with `afterPosition` = the last event it received, as a client is meant to; the checker then
 * proves that, across all its connections, it saw every event of its filter exactly once and in log order.
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
  ) {}

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
    while (!this.stopped) {
      const connection: Connection = {
        afterPosition: this.lastPosition,
        openedAt: new Date().toISOString(),
        closedAt: null,
        events: 0,
        endedBy: null,
      };
      this.connections.push(connection);
      const client = createClient({
        url: `${this.soak.url.replace(/^http/, 'ws')}/graphql`,
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
      if (!this.stopped) await delay(250);
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

export function startSubscribers(soak: SoakClient): Subscriber[] {
  const subscribers = [
    new Subscriber('everything', null, 'soak-auditor-feed-1', soak),
    new Subscriber('moderation cases', { category: 'moderation_case' }, 'soak-auditor-feed-2', soak),
    new Subscriber(
      'expiries and renewals',
      { eventTypes: ['SanctionExpired', 'SanctionLifted', 'CertificationDueForRenewal', 'CertificationExpired'] },
      'soak-auditor-feed-3',
      soak,
    ),
    new Subscriber('the system actor', { actorId: 'system' }, 'soak-auditor-feed-4', soak),
  ];
  for (const subscriber of subscribers) subscriber.start();
  log(`${subscribers.length} subscribers following governanceEvents`);
  return subscribers;
}
