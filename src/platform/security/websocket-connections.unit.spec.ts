import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { closeAt, WebSocketConnections, type ClosableSocket } from './websocket-connections.ts';

/** A TCP connection as far as the limiter is concerned: something that closes once. */
const tcp = () => new EventEmitter() as unknown as Duplex;
const closeTcp = (socket: Duplex) => socket.emit('close');

class FakeWebSocket extends EventEmitter implements ClosableSocket {
  readyState = 1;
  closes: { code: number; reason: string }[] = [];
  close(code: number, reason: string): void {
    this.closes.push({ code, reason });
    this.readyState = 3;
    this.emit('close');
  }
}

describe('WebSocket connections per address, then per member', () => {
  test('an address holds at most maxPerKey connections; a closed one gives its place back', () => {
    const limiter = new WebSocketConnections(2);
    const [a, b, c] = [tcp(), tcp(), tcp()];
    expect(limiter.admit(a, '10.0.0.1')).toBe(true);
    expect(limiter.admit(b, '10.0.0.1')).toBe(true);
    expect(limiter.admit(c, '10.0.0.1')).toBe(false);
    expect(limiter.admit(c, '10.0.0.2')).toBe(true);
    closeTcp(a);
    expect(limiter.count('address:10.0.0.1')).toBe(1);
    expect(limiter.admit(tcp(), '10.0.0.1')).toBe(true);
  });

  test("an authenticated connection leaves its address's count for its member's; the member has maxPerKey too", () => {
    const limiter = new WebSocketConnections(2);
    const [a, b, c] = [tcp(), tcp(), tcp()];
    for (const socket of [a, b]) limiter.admit(socket, '10.0.0.1');
    expect(limiter.authenticate(a, 'm-1')).toBe(true);
    expect(limiter.authenticate(a, 'm-1')).toBe(true);
    expect(limiter.authenticate(b, 'm-1')).toBe(true);
    expect({ address: limiter.count('address:10.0.0.1'), member: limiter.count('member:m-1') }).toEqual({ address: 0, member: 2 });
    limiter.admit(c, '10.0.0.1');
    expect(limiter.authenticate(c, 'm-1')).toBe(false);
    // Refused, it keeps its place under its address until it closes.
    expect(limiter.count('address:10.0.0.1')).toBe(1);
    for (const socket of [a, b, c]) closeTcp(socket);
    expect({ address: limiter.count('address:10.0.0.1'), member: limiter.count('member:m-1') }).toEqual({ address: 0, member: 0 });
  });
});

describe('closeAt', () => {
  test('closes the socket with the code and reason at the time given', async () => {
    const socket = new FakeWebSocket();
    closeAt(socket, Date.now() + 30, 4401, 'the token expired');
    expect(socket.closes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(socket.closes).toEqual([{ code: 4401, reason: 'the token expired' }]);
  });

  test('a socket that closed first is not closed again; a time past the longest timer is waited in steps, not at once', async () => {
    const early = new FakeWebSocket();
    closeAt(early, Date.now() + 30, 4401, 'late');
    early.close(1000, 'bye');
    const distant = new FakeWebSocket();
    closeAt(distant, Date.now() + 40 * 86_400_000, 4401, 'in forty days');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(early.closes).toEqual([{ code: 1000, reason: 'bye' }]);
    expect(distant.closes).toEqual([]);
    distant.close(1000, 'done');
  });
});
