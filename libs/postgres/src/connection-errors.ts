import type pg from 'pg';
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '57']; // connection exception, insufficient resources, operator intervention
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** True when the error says the server cannot be reached or stopped serving, rather than that the request was wrong. */
export function isUnavailableError(error: unknown): boolean {
  // Duck-typed: errors raised by Node's own sockets may come from another realm (test VMs), failing instanceof.
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string') {
    if (UNAVAILABLE_NODE_CODES.has(code)) return true;
    if (code.length === 5 && UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2))) return true;
  }
  return /Connection terminated|connection timeout|Client has encountered a connection error|timeout exceeded when trying to connect|Cannot use a pool after calling end/i.test(
    String(message),
  );
}

/**
 * Every client of `pool` listens for its own 'error'. pg-pool listens only while a client is idle in the pool: a client
 * checked out and waiting between two queries (holding an advisory lock while other work runs, say) whose backend is
 * terminated (a PostgreSQL restart) emits 'error' with nobody listening, and that ends the process (found by the soak).
 * The error is not lost: the client's next query fails with it, and the pool discards a client that failed.
 */
export function guardPoolClients(pool: Pick<pg.Pool, 'on'>): void {
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
}

/**
 * Ends `pool` and waits until every one of its connections has closed. pg-pool's end() resolves once it has asked its
 * idle clients to end, not once they have: a database stopped right after (the embedded one at shutdown) then
 * terminates connections still closing, and each says so as an error ("terminating connection due to administrator
 * command"). The pool emits 'remove' when a client's connection has ended. Gives up waiting after `timeoutMs`.
 */
export async function endPoolFully(pool: pg.Pool, timeoutMs = 5_000): Promise<void> {
  const open = pool.totalCount;
  let removed = 0;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      if (++removed >= open) resolve();
    });
  });
  await pool.end();
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([allClosed, new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
  clearTimeout(timer);
}
