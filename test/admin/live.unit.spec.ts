// Live updates (admin/src/live.ts, live-interests.ts): which events make which page read its data again, the
// debounce and the reconnect backoff, and the feed's promises (one subscription at a time, nothing missed across a
// reconnect, refused for good means off, sign-out closes), on a clock of the spec's own. The interests are held
// against the service's own stream categories and notifying event types: a new one there fails here.
import { readFileSync } from 'node:fs';
import { buildSchema, parse, validate } from 'graphql';
import { ApiError } from '../../admin/src/api/client.ts';
import { LIVE_EVENTS, LOG_HEAD } from '../../admin/src/api/documents.ts';
import {
  backoffDelay,
  BACKOFF_MAX_MS,
  categoryOf,
  concerns,
  Debouncer,
  failureOf,
  isFinal,
  LiveFeed,
  liveUrl,
  mayFollowLive,
  STABLE_AFTER_MS,
  type LiveEvent,
  type LiveFailure,
  type LiveTransport,
  type Timers,
} from '../../admin/src/live.ts';
import {
  caseInterest,
  certificationInterest,
  groupInterest,
  LIVE_INTERESTS,
  NOTIFYING_EVENT_TYPES,
} from '../../admin/src/live-interests.ts';
import { CERTIFICATION_LEVEL_STREAM_CATEGORY } from '../../src/modules/certification/certification-level.decider.ts';
import { CERTIFICATION_STREAM_CATEGORY } from '../../src/modules/certification/certification/rules.ts';
import { GROUP_STREAM_CATEGORY } from '../../src/modules/groups/group.decider.ts';
import { MEMBER_STREAM_CATEGORY } from '../../src/modules/members/member.decider.ts';
import { MODERATION_CASE_STREAM_CATEGORY } from '../../src/modules/moderation/moderation-case.decider.ts';
import { NOTIFYING_EVENT_TYPES as SERVICE_NOTIFYING_EVENT_TYPES } from '../../src/modules/notifications/notification-rules.ts';
import { PRIVACY_STREAM_CATEGORY } from '../../src/modules/privacy/privacy.decider.ts';
import { HISTORY_READERS } from '../../src/modules/audit/audit-access.ts';

/** setTimeout and Date.now, advanced by hand. */
class ManualClock implements Timers {
  private time = 1_000_000;
  private next = 1;
  private readonly pending = new Map<number, { at: number; run: () => void }>();
  now = () => this.time;
  setTimeout = (run: () => void, ms: number) => {
    const id = this.next++;
    this.pending.set(id, { at: this.time + ms, run });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.pending.delete(handle as number);
  };
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.time = due[1].at;
      due[1].run();
    }
    this.time = until;
  }
  get timers(): number {
    return this.pending.size;
  }
}

const event = (streamId: string, type: string, actorId: string | null = 'cm-2'): LiveEvent => ({
  position: '9:0',
  streamId,
  type,
  actorId,
});

describe('which events refresh which page', () => {
  test("a stream's category is the part of its id before the first '-'", () => {
    expect(categoryOf('moderation_case-c-1')).toBe('moderation_case');
    expect(categoryOf('group-cycling')).toBe('group');
    expect(categoryOf('log_seal')).toBe('log_seal');
  });

  test('the queue follows every case and nothing of groups; a case page only its own stream', () => {
    expect(concerns(LIVE_INTERESTS.moderationQueue, event('moderation_case-c-9', 'ModerationCaseOpened'))).toBe(true);
    expect(concerns(LIVE_INTERESTS.moderationQueue, event('moderation_case-c-9', 'ModerationCaseClaimed'))).toBe(true);
    expect(concerns(LIVE_INTERESTS.moderationQueue, event('group-cycling', 'GroupCreated'))).toBe(false);
    expect(concerns(caseInterest('c-1'), event('moderation_case-c-1', 'ModerationCaseDecided'))).toBe(true);
    expect(concerns(caseInterest('c-1'), event('moderation_case-c-10', 'ModerationCaseDecided'))).toBe(false);
    expect(concerns(groupInterest('run'), event('group-run', 'GroupOwnerAssigned'))).toBe(true);
    expect(concerns(groupInterest('run'), event('group-running', 'GroupOwnerAssigned'))).toBe(false);
    expect(concerns(certificationInterest('m-1'), event('certification-m-1', 'CertificationAwarded'))).toBe(true);
  });

  test("the uncertified owners follow groups' owners as well as certifications; the delivery log the notifying events", () => {
    expect(concerns(LIVE_INTERESTS.certification, event('group-cycling', 'GroupOwnerAssigned'))).toBe(true);
    expect(concerns(LIVE_INTERESTS.certification, event('certification-m-1', 'CertificationAwarded'))).toBe(true);
    expect(concerns(LIVE_INTERESTS.notifications, event('moderation_case-c-1', 'ModerationCaseDecided'))).toBe(true);
    expect(concerns(LIVE_INTERESTS.notifications, event('moderation_case-c-1', 'ModerationCaseClaimed'))).toBe(false);
  });

  test("the categories are the service's own, and the delivery log follows exactly the events the outbox notifies for", () => {
    const service = new Set([
      MODERATION_CASE_STREAM_CATEGORY,
      PRIVACY_STREAM_CATEGORY,
      MEMBER_STREAM_CATEGORY,
      GROUP_STREAM_CATEGORY,
      CERTIFICATION_STREAM_CATEGORY,
      CERTIFICATION_LEVEL_STREAM_CATEGORY,
    ]);
    const used = Object.values(LIVE_INTERESTS).flatMap((interest) => ('categories' in interest ? interest.categories : []));
    expect(used.filter((category) => !service.has(category))).toEqual([]);
    expect([...NOTIFYING_EVENT_TYPES].sort()).toEqual([...SERVICE_NOTIFYING_EVENT_TYPES].sort());
  });

  test('only the roles the API lets follow the whole log subscribe', () => {
    expect([...HISTORY_READERS].sort()).toEqual(['AUDITOR', 'COMMUNITY_MANAGER']);
    for (const role of HISTORY_READERS) expect(mayFollowLive([role])).toBe(true);
    expect(mayFollowLive(['MEMBER', 'GROUP_OWNER', 'PRIVACY_OFFICER'])).toBe(false);
  });

  test('the socket is on the console’s own origin, wss under https', () => {
    expect(liveUrl({ protocol: 'https:', host: 'governance.example.org' })).toBe('wss://governance.example.org/graphql');
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:3000' })).toBe('ws://127.0.0.1:3000/graphql');
  });
});

describe('the documents', () => {
  test('the subscription and the position read are valid against the committed schema', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema.gql', import.meta.url), 'utf8'));
    for (const document of [LIVE_EVENTS, LOG_HEAD]) expect(validate(schema, parse(document.query)).map((e) => e.message)).toEqual([]);
    // And the check can fail: a field the schema does not have.
    expect(validate(schema, parse(LIVE_EVENTS.query.replace('streamId', 'streamName')))).not.toEqual([]);
  });
});

describe('debounce and backoff', () => {
  test('a burst is one read, 300 ms after its last event', () => {
    const clock = new ManualClock();
    let runs = 0;
    const debouncer = new Debouncer(() => (runs += 1), clock);
    debouncer.trigger();
    clock.advance(200);
    debouncer.trigger();
    clock.advance(299);
    expect(runs).toBe(0);
    clock.advance(1);
    expect(runs).toBe(1);
    clock.advance(5_000);
    expect(runs).toBe(1);
  });

  test('a steady stream of events still reads at least every 2 s; cancel drops the pending read', () => {
    const clock = new ManualClock();
    let runs = 0;
    const debouncer = new Debouncer(() => (runs += 1), clock);
    for (let i = 0; i < 20; i++) {
      debouncer.trigger();
      clock.advance(100);
    }
    expect(runs).toBe(1);
    debouncer.trigger();
    debouncer.cancel();
    clock.advance(1_000);
    expect(runs).toBe(1);
  });

  test('reconnects wait 0.5–1 s, then twice as long each time, never over a minute', () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1_000);
    expect(backoffDelay(3, () => 0)).toBe(4_000);
    expect(backoffDelay(3, () => 1)).toBe(8_000);
    expect(backoffDelay(6, () => 1)).toBe(BACKOFF_MAX_MS);
    expect(backoffDelay(1_000, () => 0.5)).toBe(45_000);
  });

  test('refused for good: not allowed or not offered; anything else may pass later', () => {
    const forbidden = failureOf([{ message: 'no', extensions: { code: 'FORBIDDEN' } }]);
    expect(forbidden).toEqual({ kind: 'refused', code: 'FORBIDDEN' });
    expect(isFinal(forbidden)).toBe(true);
    expect(isFinal(failureOf(new ApiError('GRAPHQL_VALIDATION_FAILED', 'no such field')))).toBe(true);
    expect(isFinal(failureOf([{ message: 'at most 10', extensions: { code: 'RATE_LIMITED' } }]))).toBe(false);
    expect(isFinal(failureOf(new ApiError('NETWORK', 'unreachable')))).toBe(false);
    expect(failureOf({ code: 4401, reason: 'the token expired' })).toEqual({ kind: 'closed', code: 4401 });
    expect(isFinal({ kind: 'closed', code: 4401 })).toBe(false);
    expect(isFinal({ kind: 'closed', code: 1008 })).toBe(false);
    expect(isFinal({ kind: 'closed', code: 4403 })).toBe(true);
    expect(failureOf(new Error('socket error'))).toEqual({ kind: 'network' });
  });
});

describe('the feed', () => {
  interface Attempt {
    readonly afterPosition: string;
    readonly handlers: Parameters<LiveTransport>[1];
    closed: boolean;
  }

  function setup(options: { head?: () => Promise<string> } = {}) {
    const clock = new ManualClock();
    const attempts: Attempt[] = [];
    let heads = 0;
    const transport: LiveTransport = (afterPosition, handlers) => {
      const attempt: Attempt = { afterPosition, handlers, closed: false };
      attempts.push(attempt);
      return () => {
        attempt.closed = true;
      };
    };
    const feed = new LiveFeed({
      head: options.head ?? (async () => `${++heads}:0`),
      transport,
      memberId: 'cm-1',
      timers: clock,
      random: () => 1,
    });
    const open = () => attempts.filter((attempt) => !attempt.closed);
    return { clock, attempts, feed, open };
  }

  const settle = () => new Promise((resolve) => setImmediate(resolve));

  test('subscribes from the position read just before; a concerning event reloads the page once, debounced', async () => {
    const { clock, attempts, feed } = setup();
    const reloads: string[] = [];
    feed.start();
    await settle();
    expect(attempts.map((attempt) => attempt.afterPosition)).toEqual(['1:0']);
    attempts[0]!.handlers.connected();
    expect(feed.current.status).toBe('live');
    feed.register(LIVE_INTERESTS.moderationQueue, () => reloads.push('queue'));
    feed.register(LIVE_INTERESTS.groups, () => reloads.push('groups'));
    attempts[0]!.handlers.event(event('moderation_case-c-1', 'ModerationCaseOpened'));
    attempts[0]!.handlers.event(event('moderation_case-c-1', 'ContentFlagged'));
    clock.advance(299);
    expect(reloads).toEqual([]);
    clock.advance(1);
    expect(reloads).toEqual(['queue']);
    expect(feed.current.refreshedAt).toBe(clock.now());
  });

  test("one's own change reloads the page too (another tab of theirs) but is no news", async () => {
    const { clock, attempts, feed } = setup();
    let reloads = 0;
    feed.start();
    await settle();
    attempts[0]!.handlers.connected();
    feed.register(LIVE_INTERESTS.moderationQueue, () => (reloads += 1));
    attempts[0]!.handlers.event(event('moderation_case-c-1', 'ModerationCaseClaimed', 'cm-1'));
    clock.advance(300);
    expect(reloads).toBe(1);
    expect(feed.current.refreshedAt).toBeNull();
  });

  test('a page registered before the position was read reads again once connected; one registered after does not', async () => {
    const { clock, attempts, feed } = setup();
    const reloads: string[] = [];
    feed.register(LIVE_INTERESTS.members, () => reloads.push('before'));
    feed.start();
    await settle();
    clock.advance(10);
    feed.register(LIVE_INTERESTS.groups, () => reloads.push('after'));
    attempts[0]!.handlers.connected();
    clock.advance(300);
    expect(reloads).toEqual(['before']);
  });

  test('a drop pauses, waits its backoff with never more than one subscription open, and reads every page again on reconnecting', async () => {
    const { clock, attempts, feed, open } = setup();
    const reloads: string[] = [];
    feed.start();
    await settle();
    attempts[0]!.handlers.connected();
    feed.register(LIVE_INTERESTS.groups, () => reloads.push('groups'));
    clock.advance(1_000);

    attempts[0]!.handlers.failed({ kind: 'closed', code: 1006 });
    expect(feed.current.status).toBe('paused');
    expect(open()).toEqual([]);
    // Late callbacks of the dropped subscription change nothing.
    attempts[0]!.handlers.event(event('group-g', 'GroupCreated'));
    attempts[0]!.handlers.connected();
    expect(feed.current.status).toBe('paused');

    clock.advance(999);
    await settle();
    expect(attempts).toHaveLength(1);
    clock.advance(1);
    await settle();
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.afterPosition).toBe('2:0');
    expect(open()).toHaveLength(1);
    attempts[1]!.handlers.failed({ kind: 'network' });
    clock.advance(1_999);
    await settle();
    expect(attempts).toHaveLength(2);
    clock.advance(1);
    await settle();
    expect(attempts).toHaveLength(3);
    expect(open()).toHaveLength(1);

    // Back: whatever happened meanwhile is read again (the page registered before this subscription's position).
    attempts[2]!.handlers.connected();
    expect(feed.current.status).toBe('live');
    clock.advance(300);
    expect(reloads).toEqual(['groups']);
    expect(clock.timers).toBe(0);
  });

  test('a subscription that stayed up a while starts the backoff afresh', async () => {
    const { clock, attempts, feed } = setup();
    feed.start();
    await settle();
    attempts[0]!.handlers.failed({ kind: 'network' });
    clock.advance(1_000);
    await settle();
    attempts[1]!.handlers.failed({ kind: 'network' });
    clock.advance(2_000);
    await settle();
    attempts[2]!.handlers.connected();
    clock.advance(STABLE_AFTER_MS);
    attempts[2]!.handlers.failed({ kind: 'network' });
    clock.advance(1_000);
    await settle();
    expect(attempts).toHaveLength(4);
  });

  test.each<[string, LiveFailure]>([
    ['FORBIDDEN', { kind: 'refused', code: 'FORBIDDEN' }],
    ['a service without the subscription', { kind: 'refused', code: 'GRAPHQL_VALIDATION_FAILED' }],
  ])('refused for good (%s): off, and never asked again', async (_why, failure) => {
    const { clock, attempts, feed, open } = setup();
    feed.start();
    await settle();
    attempts[0]!.handlers.failed(failure);
    expect(feed.current.status).toBe('off');
    clock.advance(10 * BACKOFF_MAX_MS);
    await settle();
    expect(attempts).toHaveLength(1);
    expect(open()).toEqual([]);
  });

  test('the position cannot be read (the service is down): paused, and tried again', async () => {
    let calls = 0;
    const { clock, attempts, feed } = setup({
      head: async () => {
        calls += 1;
        if (calls === 1) throw new ApiError('NETWORK', 'the service cannot be reached');
        return '5:0';
      },
    });
    feed.start();
    await settle();
    expect(feed.current.status).toBe('paused');
    expect(attempts).toHaveLength(0);
    clock.advance(1_000);
    await settle();
    expect(attempts.map((attempt) => attempt.afterPosition)).toEqual(['5:0']);
  });

  test('sign-out closes the subscription, cancels pending reads and retries, and the feed stays quiet', async () => {
    const { clock, attempts, feed, open } = setup();
    let reloads = 0;
    feed.start();
    await settle();
    attempts[0]!.handlers.connected();
    feed.register(LIVE_INTERESTS.moderationQueue, () => (reloads += 1));
    attempts[0]!.handlers.event(event('moderation_case-c-1', 'ModerationCaseOpened'));
    feed.stop();
    expect(open()).toEqual([]);
    expect(feed.current.status).toBe('off');
    clock.advance(10 * BACKOFF_MAX_MS);
    await settle();
    expect(reloads).toBe(0);
    expect(attempts).toHaveLength(1);
  });

  test('stopped while reading the position: no subscription is opened', async () => {
    let release: (position: string) => void = () => undefined;
    const { attempts, feed } = setup({ head: () => new Promise<string>((resolve) => (release = resolve)) });
    feed.start();
    feed.stop();
    release('7:0');
    await settle();
    expect(attempts).toHaveLength(0);
  });

  test('an unregistered page is not reloaded', async () => {
    const { clock, attempts, feed } = setup();
    let reloads = 0;
    feed.start();
    await settle();
    attempts[0]!.handlers.connected();
    const unregister = feed.register(LIVE_INTERESTS.moderationQueue, () => (reloads += 1));
    attempts[0]!.handlers.event(event('moderation_case-c-1', 'ModerationCaseOpened'));
    unregister();
    clock.advance(1_000);
    expect(reloads).toBe(0);
  });
});
