import pg from 'pg';
import { logger } from '../observability/logger.ts';

/** A server session as pg_stat_activity names it: its pid and when it started (a pid alone is reused). */
export interface SessionIdentity {
  readonly pid: number;
  /** backend_start as text, to the microsecond (a JavaScript Date would drop them, and never compare equal again). */
  readonly started: string;
}

const RECONNECT_MS = 1_000;

/**
 * One connection this instance keeps open for as long as it runs, so that others can tell it is alive: the rows it
 * holds name this session, and a session that is gone (the process stopped or was killed: the server sees the socket
 * close at once) is an instance that no longer serves them. A machine that vanishes without closing its sockets is
 * noticed through TCP keepalives, asked of the server for this session: within about 25 s instead of hours.
 *
 * Lost (the database restarted, the network broke), it reconnects every second and announces its new identity, so
 * that the owner can hold its rows under it again.
 */
export class HolderSession {
  private client: pg.Client | undefined;
  private current: SessionIdentity | undefined;
  private stopping = false;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionOptions: pg.ClientConfig,
    private readonly onIdentity: (identity: SessionIdentity) => void,
  ) {}

  /** The session's identity, or undefined while it has none (not connected yet, or reconnecting). */
  get identity(): SessionIdentity | undefined {
    return this.current;
  }

  /** Connects; when the database does not answer, keeps trying in the background. */
  async open(): Promise<void> {
    try {
      await this.connect();
    } catch (error) {
      logger.warn('limits session: cannot connect; retrying', { error: (error as Error).message });
      this.reconnectLater();
    }
  }

  async close(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retry);
    const client = this.client;
    this.client = undefined;
    this.current = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ ...this.connectionOptions, application_name: 'limits-holder' });
    const lost = () => this.lost(client);
    client.on('error', lost);
    client.on('end', lost);
    try {
      await client.connect();
      await client.query('SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3');
      const { rows } = await client.query<SessionIdentity>(
        'SELECT pid, backend_start::text AS started FROM pg_stat_activity WHERE pid = pg_backend_pid()',
      );
      if (!rows[0]) throw new Error('pg_stat_activity does not show this session');
      if (this.stopping) throw new Error('closing');
      this.client = client;
      this.current = rows[0];
    } catch (error) {
      client.off('end', lost);
      await client.end().catch(() => undefined);
      throw error;
    }
    this.onIdentity(this.current);
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = undefined;
    this.current = undefined;
    client.end().catch(() => undefined);
    if (this.stopping) return;
    logger.warn('limits session lost; reconnecting');
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.stopping) return;
    this.retry = setTimeout(() => {
      this.connect().catch(() => this.reconnectLater());
    }, RECONNECT_MS);
    this.retry.unref();
  }
}
