import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import { StreamNotFoundError } from '#event-store';
import { eventually } from '#testing';
import { Role } from '../../src/platform/auth/role.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

const REGISTER = `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id displayName revision } }`;
const REQUESTS = 20;

type Outcome =
  | { kind: 'answered'; memberId: string; status: number; body: { data?: { registerMember?: { id: string } } | null; errors?: unknown[] } }
  | { kind: 'connection error'; memberId: string; error: string };

/** Log lines the service writes (JSON on stdout) while `run` runs. */
async function captureLogs<T>(run: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const lines: Record<string, unknown>[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    for (const line of text.split('\n')) {
      if (line.startsWith('{')) {
        try {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not one of ours
        }
      }
    }
    return (write as (...args: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  try {
    return { result: await run(), lines };
  } finally {
    process.stdout.write = write;
  }
}

describe('graceful shutdown', () => {
  let t: TestService;
  let db: pg.Client | undefined;

  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await db?.end();
    // The service is closed by the test; only its database is left to drop.
    await t?.database.drop();
  });

  test('close() during a burst of mutations: each one is answered with its data or refused at the connection; none is half-done', async () => {
    const manager = await t.token('cm-shutdown', Role.COMMUNITY_MANAGER);
    const url = `${t.service.url}/graphql`;

    // One member before the burst, so that the projections have a checkpoint to keep.
    const warmUp = await t.graphql(REGISTER, { input: { memberId: 'warm-up', displayName: 'W', department: 'Ops' } }, { token: manager });
    expect(warmUp.errors).toBeUndefined();

    // Requests the server has received and not answered yet.
    const server = t.service.app.getHttpServer() as Server;
    let inFlight = 0;
    let received = 0;
    let halfReceived!: () => void;
    const halfIsIn = new Promise<void>((resolve) => (halfReceived = resolve));
    server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
      inFlight++;
      if (++received === REQUESTS / 2) halfReceived();
      response.on('close', () => inFlight--);
    });

    const burst = Array.from({ length: REQUESTS }, (_, i) => `shut-${i}-${randomUUID().slice(0, 6)}`);
    const outcomes: Promise<Outcome>[] = burst.map(async (memberId): Promise<Outcome> => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${manager}` },
          body: JSON.stringify({
            query: REGISTER,
            variables: { input: { memberId, displayName: `Member ${memberId}`, department: 'Ops' } },
          }),
        });
        return { kind: 'answered', memberId, status: response.status, body: (await response.json()) as never };
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        return { kind: 'connection error', memberId, error: `${(error as Error).message}: ${cause?.code ?? cause?.message ?? ''}` };
      }
    });

    // Close once half the burst has reached the server: those are being handled, the others are still on their way.
    await halfIsIn;
    const inFlightAtClose = inFlight;
    const { result: closeMs, lines } = await captureLogs(async () => {
      const started = Date.now();
      await t.service.close();
      const elapsed = Date.now() - started;
      // Anything that still goes wrong after close (a pool noticing its connections went) shows within a moment.
      await new Promise((resolve) => setTimeout(resolve, 300));
      return elapsed;
    });
    const settled = await Promise.all(outcomes);
    expect(inFlightAtClose).toBeGreaterThan(1);
    expect(closeMs).toBeLessThan(5_000);

    const answered = settled.filter((o) => o.kind === 'answered');
    const refused = settled.filter((o) => o.kind === 'connection error');
    // Every answer is a success with the member it registered: no 500, no "saved but the views did not catch up".
    for (const outcome of answered) {
      expect({ memberId: outcome.memberId, status: outcome.status, errors: outcome.body.errors }).toEqual({
        memberId: outcome.memberId,
        status: 200,
        errors: undefined,
      });
      expect(outcome.body.data?.registerMember?.id).toBe(outcome.memberId);
    }
    expect(answered.length).toBeGreaterThan(0);
    expect(answered.length + refused.length).toBe(REQUESTS);
    expect(received).toBeGreaterThanOrEqual(answered.length);

    // What the store and the database hold after the stop: read with connections of our own (the service's are closed).
    const log = await t.openEventLog();
    const stored = new Map<string, number>();
    try {
      for (const id of burst) {
        const events = await log.readStream(`member-${id}`).catch((error: unknown) => {
          if (error instanceof StreamNotFoundError) return [];
          throw error;
        });
        if (events.length > 0) stored.set(`member-${id}`, events.length);
      }
    } finally {
      await log.close();
    }
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    for (const outcome of answered)
      expect({ member: outcome.memberId, events: stored.get(`member-${outcome.memberId}`) }).toEqual({
        member: outcome.memberId,
        events: 1,
      });
    // A refused request was refused before it ran: nothing is stored for it (it is safe to send again).
    for (const outcome of refused)
      expect({ member: outcome.memberId, events: stored.get(`member-${outcome.memberId}`) ?? 0 }).toEqual({
        member: outcome.memberId,
        events: 0,
      });

    // The projections stopped at a checkpoint that covers every answered member.
    const { rows: generations } = await db.query<{ name: string; checkpoint: string | null }>(
      `SELECT name, checkpoint FROM projection_generations WHERE status = 'active' AND name IN ('groups', 'members') ORDER BY name`,
    );
    expect(generations.map((g) => g.name)).toEqual(['groups', 'members']);
    for (const generation of generations)
      expect({ name: generation.name, checkpoint: generation.checkpoint }).toEqual({
        name: generation.name,
        checkpoint: expect.any(String),
      });
    const { rows: projected } = await db.query<{ member_id: string }>(
      `SELECT member_id FROM read_models.members WHERE member_id = ANY($1)`,
      [answered.map((o) => o.memberId)],
    );
    expect(projected.map((r) => r.member_id).sort()).toEqual(answered.map((o) => o.memberId).sort());

    // Shutting down warns about nothing and fails nothing (no lost pool connections, no projection errors).
    const complaints = lines.filter((line) => line.level === 'warn' || line.level === 'error');
    expect(complaints).toEqual([]);
  });
});

describe('graceful shutdown with a live subscription open', () => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService();
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  test('close() ends the subscription and resolves within a few seconds, warning about nothing', async () => {
    const manager = await t.token('cm-subscriber', Role.COMMUNITY_MANAGER);
    const client = createClient({
      url: `${t.service.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${manager}` },
      retryAttempts: 0,
    });
    const seen: unknown[] = [];
    let ended!: (how: string) => void;
    const end = new Promise<string>((resolve) => (ended = resolve));
    client.subscribe(
      { query: `subscription { governanceEvents(afterPosition: "0:0") { position type } }` },
      { next: (message) => seen.push(message.data), error: () => ended('error'), complete: () => ended('complete') },
    );
    await t.graphql(REGISTER, { input: { memberId: 'live-1', displayName: 'L', department: 'Ops' } }, { token: manager });
    await eventually(() => expect(seen).toHaveLength(1));

    try {
      const { result: closeMs, lines } = await captureLogs(async () => {
        const started = Date.now();
        await t.service.close();
        return Date.now() - started;
      });
      expect(closeMs).toBeLessThan(5_000);
      expect(await end).toMatch(/^(error|complete)$/);
      expect(lines.filter((line) => line.level === 'warn' || line.level === 'error')).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});

describe('shutdown behind a load balancer (SHUTDOWN_GRACE_MS)', () => {
  let t: TestService;

  beforeAll(async () => {
    t = await startTestService({ env: { SHUTDOWN_GRACE_MS: '1500' } });
  });
  afterAll(async () => {
    await t?.database.drop();
  });

  test('readiness turns 503 at once while queries and mutations are still served; then the instance stops taking connections', async () => {
    const manager = await t.token('cm-grace', Role.COMMUNITY_MANAGER);
    expect((await fetch(`${t.service.url}/health/ready`)).status).toBe(200);

    const started = Date.now();
    const closed = t.service.close();
    const ready = await fetch(`${t.service.url}/health/ready`);
    expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 503, body: { status: 'stopping' } });
    expect((await fetch(`${t.service.url}/health/live`)).status).toBe(200);
    const registered = await t.graphql(
      REGISTER,
      { input: { memberId: 'grace-1', displayName: 'G', department: 'Ops' } },
      { token: manager },
    );
    expect(registered).toMatchObject({ status: 200, data: { registerMember: { id: 'grace-1', displayName: 'G', revision: 0 } } });

    await closed;
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
    await expect(fetch(`${t.service.url}/health/live`)).rejects.toThrow();
  });
});
