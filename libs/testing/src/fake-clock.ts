/**
 * A clock a test moves by hand, for what reads the time through a `Clock` (`{ now(): Date }`, e.g. the schedulers).
 * `now()` answers a copy, so a caller that changes the Date it got does not move the clock.
 */
export class FakeClock {
  private current: Date;

  constructor(at: Date | string) {
    this.current = new Date(at);
  }

  now(): Date {
    return new Date(this.current);
  }

  set(at: Date | string): void {
    this.current = new Date(at);
  }
}
