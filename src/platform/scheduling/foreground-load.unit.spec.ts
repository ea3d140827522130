import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { processForegroundLoad } from './foreground-load.ts';

describe('processForegroundLoad', () => {
  it('counts the HTTP requests being served, from their start to their answer, and says when the last one ended', async () => {
    const load = processForegroundLoad();
    const held: ServerResponse[] = [];
    const server = createServer((_req, res) => void held.push(res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    let idle = 0;
    const stop = load.onIdle(() => idle++);
    try {
      const before = load.requestsInFlight();
      const answered = [0, 1].map(
        () =>
          new Promise<number>((resolve, reject) =>
            request({ port, host: '127.0.0.1', method: 'POST' }, (res) => res.resume().on('end', () => resolve(res.statusCode!)))
              .on('error', reject)
              .end('{}'),
          ),
      );
      while (held.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(load.requestsInFlight()).toBe(before + 2);
      expect(load.msSinceLastRequest()).toBe(0);
      held[0]!.end();
      await answered[0];
      await new Promise((resolve) => setImmediate(resolve));
      expect(load.requestsInFlight()).toBe(before + 1);
      expect(idle).toBe(0);
      held[1]!.end();
      await answered[1];
      await new Promise((resolve) => setImmediate(resolve));
      expect(load.requestsInFlight()).toBe(before);
      expect(idle).toBe(before === 0 ? 1 : 0);
      if (before === 0) expect(load.msSinceLastRequest()).toBeGreaterThan(0);
      if (before === 0) expect(load.msSinceLastRequest()).toBeLessThan(5_000);
    } finally {
      stop();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
