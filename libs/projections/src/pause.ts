/**
 * The waits of a loop that sleeps between attempts (a projection runner, the log sealer), which stop() or new work must
 * be able to cut short. A wait that begins once its owner is stopping ends at once: stop() ends the wait under way, and
 * one begun after it (a cycle that ended because stop() closed its subscriptions) would hold stop() for its whole delay.
 */
export class Pause {
  private endWait: (() => void) | undefined;

  constructor(private readonly stopping: () => boolean) {}

  for(ms: number): Promise<void> {
    if (this.stopping()) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.endWait = () => {
        this.endWait = undefined;
        done();
      };
    });
  }

  /** Ends the wait under way, if there is one. */
  end(): void {
    this.endWait?.();
  }
}
