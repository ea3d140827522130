import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** setTimeout fires at once for a longer delay (2^31 - 1 ms, about 24.8 days): longer ones are waited in steps. */
const LONGEST_TIMER_MS = 2_147_483_647;

/** A WebSocket as these hooks use it (ws's WebSocket, from graphql-ws's `ctx.extra.socket`). */
export interface ClosableSocket {
  readonly readyState: number;
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
}

/**
 * Counts the open WebSocket connections of each key and refuses one more than `maxPerKey`. A connection counts for
 * the address it comes from from its upgrade on, initialised or not, until it authenticates (a valid token in its
 * connection_init); then it counts for its member instead, so that members behind one proxy do not share a limit
 * meant for anonymous callers. Whatever happens, its place is given back when its TCP connection closes.
 */
export class WebSocketConnections {
  private readonly open = new Map<string, number>();
  /** Per TCP connection: the key it counts for now. */
  private readonly held = new WeakMap<object, { key: string }>();

  constructor(readonly maxPerKey: number) {}

  /**
   * Puts every upgrade of `server` through `admit` before the handlers already listening (Nest's graphql-ws server,
   * registered when GraphQL starts): a refused one never reaches them. Call once, after they are registered.
   */
  guardUpgrades(server: Server): void {
    const handlers = server.listeners('upgrade') as ((request: IncomingMessage, socket: Duplex, head: Buffer) => void)[];
    server.removeAllListeners('upgrade');
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!this.admit(socket, request.socket.remoteAddress)) {
        refuseUpgrade(socket, `at most ${this.maxPerKey} WebSocket connections per address until they authenticate`);
        return;
      }
      for (const handler of handlers) handler.call(server, request, socket, head);
    });
  }

  /** Takes a place for the connection `socket` of `address`; false when the address holds `maxPerKey` already. */
  admit(socket: Duplex, address: string | undefined): boolean {
    const held = { key: `address:${address ?? 'unknown'}` };
    if (!this.acquire(held.key)) return false;
    this.held.set(socket, held);
    socket.once('close', () => this.release(held.key));
    return true;
  }

  /**
   * The connection authenticated as `memberId`: it leaves its address's count for its member's. False (and it keeps
   * its place) when the member holds `maxPerKey` connections already.
   */
  authenticate(socket: object, memberId: string): boolean {
    const held = this.held.get(socket);
    const key = `member:${memberId}`;
    if (!held || held.key === key) return true;
    if (!this.acquire(key)) return false;
    this.release(held.key);
    held.key = key;
    return true;
  }

  count(key: string): number {
    return this.open.get(key) ?? 0;
  }

  private acquire(key: string): boolean {
    const count = this.open.get(key) ?? 0;
    if (count >= this.maxPerKey) return false;
    this.open.set(key, count + 1);
    return true;
  }

  private release(key: string): void {
    const count = (this.open.get(key) ?? 1) - 1;
    if (count <= 0) this.open.delete(key);
    else this.open.set(key, count);
  }
}

/**
 * Closes `socket` with `code` and `reason` at `at` (epoch ms), unless it closes first: the timer goes with the
 * connection, so a token valid for days holds nothing once its connection is gone.
 */
export function closeAt(socket: ClosableSocket, at: number, code: number, reason: string): void {
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    const wait = at - Date.now();
    if (wait <= 0) return socket.close(code, reason);
    timer = setTimeout(arm, Math.min(wait, LONGEST_TIMER_MS));
    // The close comes from the client's side of things: it must not keep the process alive at shutdown.
    timer.unref();
  };
  socket.once('close', () => clearTimeout(timer));
  arm();
}

/** 429 before the upgrade: the client learns why, and no WebSocket (nor graphql-ws state) exists for it. */
function refuseUpgrade(socket: Duplex, message: string): void {
  const body = `${message}\n`;
  // Node's HTTP server no longer watches an upgraded socket's errors: a client that resets it must not crash the process.
  socket.on('error', () => socket.destroy());
  socket.once('finish', () => socket.destroy());
  socket.end(
    'HTTP/1.1 429 Too Many Requests\r\n' +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}
