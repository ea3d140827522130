import { channel } from 'node:diagnostics_channel';
import { performance } from 'node:perf_hooks';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What background work asks before it takes the event loop: is the process serving requests right now? */
export interface ForegroundLoad {
  /** HTTP requests this process is serving right now (from their first byte to the end of their answer). */
  requestsInFlight(): number;
  /** Milliseconds since the last request in flight ended: 0 while one is, Infinity if there never was one. */
  msSinceLastRequest(): number;
  /** Calls `listener` each time the last request in flight ends; answers the function that stops it. */
  onIdle(listener: () => void): () => void;
}

/**
 * Kept on the channel, not in the module or on globalThis: the channel is the process's, while a module loaded again
 * (each Jest test file has its own module registry and its own global object) would otherwise subscribe again,
 * adding one more 'close' listener to every response for as long as the process lives.
 */
const SHARED = Symbol.for('governance.processForegroundLoad');
const REQUEST_START = 'http.server.request.start';

/**
 * The process's own load, one for the whole process: every HTTP request its servers take, through node:http's
 * diagnostics channel, so the API's framework needs no hook (in the service the API is the only server; in a test,
 * a webhook receiver in the same process counts too). WebSocket subscriptions are not requests and do not count.
 *
 * The event loop's delay (node:perf_hooks monitorEventLoopDelay) was tried as a second signal and left out: on a
 * machine shared with other work it measures the neighbours as much as the process (100 to 300 ms late with no
 * request in flight, under test suites), and held deliveries back with nothing to give way to.
 */
export function processForegroundLoad(): ForegroundLoad {
  const requests = channel(REQUEST_START) as ReturnType<typeof channel> & { [SHARED]?: ForegroundLoad };
  const existing = requests[SHARED];
  if (existing) return existing;
  let inFlight = 0;
  let lastEndedAt = Number.NEGATIVE_INFINITY;
  const listeners = new Set<() => void>();
  requests.subscribe((message) => {
    const { response } = message as { request: IncomingMessage; response: ServerResponse };
    inFlight++;
    // 'close' comes once, whether the answer was sent or the client went away before it.
    response.once('close', () => {
      if (--inFlight > 0) return;
      lastEndedAt = performance.now();
      for (const listener of [...listeners]) listener();
    });
  });

  const shared: ForegroundLoad = {
    requestsInFlight: () => inFlight,
    msSinceLastRequest: () => (inFlight > 0 ? 0 : performance.now() - lastEndedAt),
    onIdle: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  requests[SHARED] = shared;
  return shared;
}
