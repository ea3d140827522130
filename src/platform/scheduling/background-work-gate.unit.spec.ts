import {
  BackgroundWorkGate,
  BUSY_SPACING_MS,
  BUSY_WAIT_MAX_MS,
  CAPPED_STEP_SECONDS,
  QUIET_MS,
  SETTLING_CONCURRENCY,
  SETTLING_SPACING_MS,
  SMALL_STEP,
  type DeliverySettings,
  type GateTimers,
  type Release,
} from './background-work-gate.ts';
import type { ForegroundLoad } from './foreground-load.ts';

/**
 * A load the test sets: requests in flight, how long since the last one ended; ending the last request
 * calls the idle listeners.
 */
class FakeLoad implements ForegroundLoad {
  requests = 0;
  sinceLast = Number.POSITIVE_INFINITY;
  readonly listeners = new Set<() => void>();
  requestsInFlight = () => this.requests;
  msSinceLastRequest = () => (this.requests > 0 ? 0 : this.sinceLast);
  onIdle(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  endRequests() {
    this.requests = 0;
    this.sinceLast = 0;
    for (const listener of [...this.listeners]) listener();
  }
}

/** Timers on a clock that moves only when the test says so. */
class FakeTimers implements GateTimers {
  time = 1_000;
  private timers: { at: number; fn: () => void }[] = [];
  now = () => this.time;
  setTimeout = (fn: () => void, ms: number) => {
    const timer = { at: this.time + ms, fn };
    this.timers.push(timer);
    return () => void (this.timers = this.timers.filter((t) => t !== timer));
  };
  get pending() {
    return this.timers.length;
  }
  async advance(ms: number) {
    const until = this.time + ms;
    for (;;) {
      const next = this.timers.filter((t) => t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.fn();
      await settle();
    }
    this.time = until;
    await settle();
  }
}

/** Lets resolved promises' continuations run. */
const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function setup(settings: Partial<DeliverySettings> = {}) {
  const load = new FakeLoad();
  const timers = new FakeTimers();
  const gate = new BackgroundWorkGate({ concurrency: 3, maxPerSecond: 0, ...settings }, load, timers);
  const granted: Release[] = [];
  /** Asks for `n` slots; each one granted is kept in `granted` (in the order given). */
  const ask = (n: number) => {
    for (let i = 0; i < n; i++) void gate.slot().then((release) => granted.push(release));
  };
  return { load, timers, gate, granted, ask };
}

describe('BackgroundWorkGate', () => {
  it('lets `concurrency` sends run at once while the instance is quiet, the next one when one ends', async () => {
    const { gate, granted, ask } = setup();
    ask(5);
    await settle();
    expect(granted).toHaveLength(3);
    expect(gate.sending).toBe(3);
    granted[0]!();
    granted[0]!(); // released twice: counted once
    await settle();
    expect(granted).toHaveLength(4);
    expect(gate.sending).toBe(3);
  });

  it('while requests are in flight, starts one send per BUSY_SPACING_MS, and is woken when the last request ends', async () => {
    const { load, timers, granted, ask } = setup();
    load.requests = 1;
    ask(3);
    await settle();
    expect(granted).toHaveLength(1);
    await timers.advance(BUSY_SPACING_MS - 1);
    expect(granted).toHaveLength(1);
    await timers.advance(1);
    expect(granted).toHaveLength(2);
    await timers.advance(SETTLING_SPACING_MS); // busy still: the busy spacing holds
    expect(granted).toHaveLength(2);
    for (const release of granted) release(); // ended: still busy, the spacing holds
    await settle();
    expect(granted).toHaveLength(2);
    load.endRequests(); // settling now, whose spacing has passed: the next starts at once, no timer needed
    await settle();
    expect(granted).toHaveLength(3);
  });

  it('while settling after a request, lets one send run at a time, one per SETTLING_SPACING_MS; all of `concurrency` once quiet', async () => {
    const { load, timers, granted, ask } = setup({ concurrency: 4 });
    load.sinceLast = QUIET_MS - 100;
    ask(4);
    await settle();
    expect(granted).toHaveLength(SETTLING_CONCURRENCY);
    granted[0]!(); // ended at once: the next still waits for the spacing
    await settle();
    expect(granted).toHaveLength(1);
    await timers.advance(SETTLING_SPACING_MS);
    expect(granted).toHaveLength(2);
    load.sinceLast = QUIET_MS;
    granted[1]!(); // the next release finds the instance quiet
    await settle();
    expect(granted).toHaveLength(4);
  });

  it('holds to maxPerSecond over time, idle or not, with a tenth of a second of burst', async () => {
    const { timers, granted, ask } = setup({ concurrency: 100, maxPerSecond: 50 });
    ask(30);
    await settle();
    expect(granted).toHaveLength(5); // 50/s: 5 at once
    await timers.advance(1_000);
    expect(granted).toHaveLength(5 + 25); // then one every 20 ms: at most 50 a second in all
    for (const release of granted) release();
  });

  it('giveWay: answers at once when not busy (small while settling); when busy waits for the last request to end, or BUSY_WAIT_MAX_MS', async () => {
    const { load, timers, gate } = setup();
    await expect(gate.giveWay()).resolves.toBe(false);
    load.sinceLast = QUIET_MS - 1;
    await expect(gate.giveWay()).resolves.toBe(true);

    load.requests = 2;
    let answer: boolean | undefined;
    void gate.giveWay().then((busy) => (answer = busy));
    await timers.advance(BUSY_WAIT_MAX_MS / 2);
    expect(answer).toBeUndefined();
    load.endRequests();
    await settle();
    expect(answer).toBe(true); // the request just ended: a small step

    load.requests = 1;
    answer = undefined;
    void gate.giveWay().then((busy) => (answer = busy));
    await timers.advance(BUSY_WAIT_MAX_MS - 1);
    expect(answer).toBeUndefined();
    await timers.advance(1);
    expect(answer).toBe(true); // still busy: the step goes ahead, small
  });

  it('stops listening and leaves no timer once nothing waits', async () => {
    const { load, timers, granted, ask } = setup({ concurrency: 1 });
    load.requests = 1;
    ask(2);
    await settle();
    expect(load.listeners.size).toBe(1);
    load.endRequests();
    granted[0]!();
    await timers.advance(SETTLING_SPACING_MS);
    expect(granted).toHaveLength(2);
    expect(load.listeners.size).toBe(0);
    expect(timers.pending).toBe(0);
  });

  it('run releases its slot whether the send succeeds or throws', async () => {
    const { gate } = setup({ concurrency: 1 });
    await expect(gate.run(async () => 'sent')).resolves.toBe('sent');
    await expect(gate.run(async () => Promise.reject(new Error('refused')))).rejects.toThrow('refused');
    expect(gate.sending).toBe(0);
  });

  it('sizes steps: whole when quiet, SMALL_STEP otherwise; claims within CAPPED_STEP_SECONDS of a cap', () => {
    const { gate } = setup();
    expect(gate.stepSize(500, false)).toBe(500);
    expect(gate.stepSize(500, true)).toBe(SMALL_STEP);
    expect(gate.stepSize(10, true)).toBe(10);
    expect(gate.claimSize(200, false)).toBe(200);
    const capped = setup({ maxPerSecond: 2 }).gate;
    expect(capped.claimSize(200, false)).toBe(2 * CAPPED_STEP_SECONDS);
    expect(capped.stepSize(500, false)).toBe(500); // reading the log sends nothing: not capped
  });

  it('refuses settings that would stop it or make no sense', () => {
    const load = new FakeLoad();
    expect(() => new BackgroundWorkGate({ concurrency: 0, maxPerSecond: 0 }, load)).toThrow(/concurrency/);
    expect(() => new BackgroundWorkGate({ concurrency: 2.5, maxPerSecond: 0 }, load)).toThrow(/concurrency/);
    expect(() => new BackgroundWorkGate({ concurrency: 1, maxPerSecond: -1 }, load)).toThrow(/maxPerSecond/);
  });
});
