import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '#testing';
import { AppendNotifier, type AppendedBatch } from '../src/postgres/notifier.ts';

/**
 * Another instance's appends reach this one by NOTIFY. Without what they wrote, every subscription woke at each one,
 * read the tail and, when its position moved, wrote its checkpoint: with two instances, each NOTIFY of one (up to 20
 * a second under load) cost the other about a query per projection, for events most of them do not take.
 */
describe('append notifier across processes', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  const notifiers: AppendNotifier[] = [];
  const notify = (payload: string) => pool.query(`SELECT pg_notify('es_events', $1)`, [payload]);
  const notifier = (minIntervalMs = 0) => {
    const made = new AppendNotifier(database.url, notify, minIntervalMs);
    notifiers.push(made);
    return made;
  };

  beforeAll(async () => {
    database = await createTestDatabase('notifier');
    pool = new pg.Pool({ connectionString: database.url, max: 2 });
  });
  afterAll(async () => {
    await Promise.all(notifiers.map((n) => n.close()));
    await pool?.end();
    await database?.drop();
  });

  /** What `receiver`'s waiters are told of the next notification, once it listens. */
  async function heard(receiver: AppendNotifier, send: () => void): Promise<AppendedBatch | undefined> {
    const told: (AppendedBatch | undefined)[] = [];
    const doorbell = receiver.doorbell((batch) => (told.push(batch), true));
    try {
      // Listening takes a connection: wait until it is there (a notification before it would not be heard).
      await receiver.listening();
      const mark = doorbell.mark();
      send();
      await doorbell.wait(5_000, undefined, mark);
      expect(told).toHaveLength(1);
      return told[0];
    } finally {
      doorbell.close();
    }
  }

  test("another process's notification says which categories and event types were written, and up to where", async () => {
    const sender = notifier();
    const receiver = notifier();
    const batch = await heard(receiver, () =>
      sender.appended({ categories: new Set(['group']), types: new Set(['GroupOwnerAssigned']), position: { commit: 42n, prepare: 7n } }),
    );
    expect(batch).toEqual({
      categories: new Set(['group']),
      types: new Set(['GroupOwnerAssigned']),
      position: { commit: 42n, prepare: 7n },
    });
  });

  test('appends coalesced into one notification are told together; one whose detail is unknown makes it a plain one', async () => {
    const sender = notifier(300);
    const receiver = notifier();
    // The first goes at once; the appends after it wait for the interval, and go together.
    await heard(receiver, () =>
      sender.appended({ categories: new Set(['group']), types: new Set(['GroupCreated']), position: { commit: 1n, prepare: 1n } }),
    );
    const together = await heard(receiver, () => {
      sender.appended({ categories: new Set(['member']), types: new Set(['MemberRegistered']), position: { commit: 3n, prepare: 1n } });
      sender.appended({ categories: new Set(['group']), types: new Set(['GroupOwnerAssigned']), position: { commit: 2n, prepare: 5n } });
    });
    expect(together).toEqual({
      categories: new Set(['member', 'group']),
      types: new Set(['MemberRegistered', 'GroupOwnerAssigned']),
      position: { commit: 3n, prepare: 1n },
    });
    const plain = await heard(receiver, () => {
      sender.appended({ categories: new Set(['member']), types: new Set(['MemberRegistered']), position: { commit: 4n, prepare: 1n } });
      sender.appended();
    });
    expect(plain).toBeUndefined();
  });

  test('hurry(): appends held back by the interval are announced at once when someone here waits for another process to take them', async () => {
    // An interval far beyond the test's patience: without hurry() the second notification would come 10 s later.
    const sender = notifier(10_000);
    const receiver = notifier();
    const position = (commit: bigint) => ({ commit, prepare: 1n });
    await heard(receiver, () =>
      sender.appended({ categories: new Set(['group']), types: new Set(['GroupCreated']), position: position(20n) }),
    );
    const started = performance.now();
    const hurried = await heard(receiver, () => {
      sender.appended({ categories: new Set(['group']), types: new Set(['GroupOwnerAssigned']), position: position(21n) });
      sender.hurry();
    });
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(hurried).toEqual({ categories: new Set(['group']), types: new Set(['GroupOwnerAssigned']), position: position(21n) });
    // With nothing left to announce, hurry() sends nothing (and the interval still holds later appends back).
    const told: (AppendedBatch | undefined)[] = [];
    const doorbell = receiver.doorbell((batch) => (told.push(batch), true));
    try {
      sender.hurry();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(told).toEqual([]);
    } finally {
      doorbell.close();
    }
  });

  test("a process ignores its own notifications, and a plain one (an older version's) wakes every waiter", async () => {
    const sender = notifier();
    const receiver = notifier();
    expect(await heard(receiver, () => void notify('an-older-signature'))).toBeUndefined();

    const told: (AppendedBatch | undefined)[] = [];
    const doorbell = sender.doorbell((batch) => (told.push(batch), true));
    try {
      await sender.listening();
      // Heard by the receiver, not by the sender itself (which wakes its own waiters directly, once).
      await heard(receiver, () =>
        sender.appended({ categories: new Set(['group']), types: new Set(['GroupCreated']), position: { commit: 9n, prepare: 1n } }),
      );
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(told).toHaveLength(1);
    } finally {
      doorbell.close();
    }
  });
});
