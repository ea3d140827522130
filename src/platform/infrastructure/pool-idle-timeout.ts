/**
 * How long the service's pools let a connection sit idle: 0, never closed while the service runs. With pg's default
 * (10 s) a pool shrank between bursts (it hands out the connection released last, so the others idle), and the next
 * burst waited while connections opened: the service benchmark's mutation spikes of 100–450 ms sat at the moments a
 * pool grew, with 10–22 requests waiting 48–169 ms for a connection (README: What the stalls are). The pools are
 * small and fixed (PostgreSQL's max_connections is planned for their sizes), so holding them costs nothing planned.
 */
export const SERVICE_POOL_IDLE_TIMEOUT_MS = 0;
