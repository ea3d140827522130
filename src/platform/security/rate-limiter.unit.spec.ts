import { RateLimiter } from './rate-limiter.ts';
import { SubscriptionLimiter } from './subscription-limiter.ts';

describe('RateLimiter (a token bucket per key)', () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  test('a minute’s worth passes at once, the next request is refused with the time until one more would pass', () => {
    const limiter = new RateLimiter(60, clock);
    for (let i = 0; i < 60; i++) expect(limiter.take('member:a').allowed).toBe(true);
    expect(limiter.take('member:a')).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
  });

  test('the bucket refills continuously at the configured rate, never beyond its size', () => {
    const limiter = new RateLimiter(6, clock); // one request every 10 s
    for (let i = 0; i < 6; i++) limiter.take('k');
    expect(limiter.take('k')).toMatchObject({ allowed: false, retryAfterSeconds: 10 });
    now += 4_000;
    expect(limiter.take('k')).toMatchObject({ allowed: false, retryAfterSeconds: 6 });
    now += 6_000;
    expect(limiter.take('k')).toMatchObject({ allowed: true, remaining: 0 });
    now += 3_600_000; // an hour idle: full again, not more
    for (let i = 0; i < 6; i++) expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.take('k').allowed).toBe(false);
  });

  test('keys are independent', () => {
    const limiter = new RateLimiter(1, clock);
    expect(limiter.take('member:a').allowed).toBe(true);
    expect(limiter.take('member:a').allowed).toBe(false);
    expect(limiter.take('member:b').allowed).toBe(true);
    expect(limiter.take('address:127.0.0.1').allowed).toBe(true);
  });

  test('0 per minute turns it off', () => {
    const limiter = new RateLimiter(0, clock);
    expect(limiter.enabled).toBe(false);
    for (let i = 0; i < 1_000; i++) expect(limiter.take('k').allowed).toBe(true);
    expect(limiter.size).toBe(0);
  });

  test('a flood of new keys does not grow memory without bound; a forgotten key starts with a full bucket', () => {
    const limiter = new RateLimiter(2, clock, 100);
    limiter.take('member:busy');
    limiter.take('member:busy');
    for (let i = 0; i < 1_000; i++) limiter.take(`address:${i}`);
    expect(limiter.size).toBeLessThanOrEqual(100);
    // The busy member's bucket was the least recently used: forgotten, so full again (never less than it was).
    expect(limiter.take('member:busy').allowed).toBe(true);
  });

  test('a clock that goes backwards neither adds nor removes requests', () => {
    const limiter = new RateLimiter(2, clock);
    limiter.take('k');
    limiter.take('k');
    now -= 60_000;
    expect(limiter.take('k').allowed).toBe(false);
  });
});

describe('SubscriptionLimiter (live subscriptions per key)', () => {
  test('at most maxPerKey per key across connections; completing one frees its place; closing a connection frees all of it', () => {
    const limiter = new SubscriptionLimiter(2);
    const a = {};
    const b = {};
    expect(limiter.acquire(a, '1', 'member:x')).toBe(true);
    expect(limiter.acquire(b, '1', 'member:x')).toBe(true);
    expect(limiter.acquire(b, '2', 'member:x')).toBe(false);
    expect(limiter.acquire(b, '2', 'member:y')).toBe(true);
    limiter.release(a, '1');
    expect(limiter.count('member:x')).toBe(1);
    expect(limiter.acquire(a, '3', 'member:x')).toBe(true);
    limiter.releaseAll(b);
    expect(limiter.count('member:x')).toBe(1);
    expect(limiter.count('member:y')).toBe(0);
  });

  test('releasing twice, or what was never taken, changes nothing; the same subscription id counts once', () => {
    const limiter = new SubscriptionLimiter(1);
    const connection = {};
    expect(limiter.acquire(connection, '1', 'k')).toBe(true);
    expect(limiter.acquire(connection, '1', 'k')).toBe(true);
    expect(limiter.count('k')).toBe(1);
    limiter.release(connection, '1');
    limiter.release(connection, '1');
    limiter.release({}, '9');
    limiter.releaseAll(connection);
    expect(limiter.count('k')).toBe(0);
    expect(limiter.acquire(connection, '2', 'k')).toBe(true);
  });
});
