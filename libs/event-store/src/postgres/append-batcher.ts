/**
 * Group commit: appends that arrive while earlier ones are in flight wait and then go together in one
 * transaction, so N concurrent callers pay for one commit instead of N, with full durability.
 */
export interface BatchRunner<Request, Response> {
  (requests: readonly Request[]): Promise<readonly Response[]>;
}

interface Pending<Request, Response> {
  readonly request: Request;
  resolve(response: Response): void;
  reject(error: unknown): void;
}

export class AppendBatcher<Request, Response> {
  private readonly queue: Pending<Request, Response>[] = [];
  private inFlight = 0;
  private pumpScheduled = false;

  constructor(
    private readonly run: BatchRunner<Request, Response>,
    private readonly maxInFlight: number,
    private readonly maxBatchSize: number,
  ) {}

  submit(request: Request): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.schedulePump();
    });
  }

  /**
   * Dispatches once the current turn of the event loop is over, not at the first submit: callers released by a
   * finished batch submit again one after the other within the same turn, and sent at once the first of them
   * would take the free slot alone (measured: every other transaction carried one append).
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatchSize);
      this.inFlight++;
      this.run(batch.map((p) => p.request))
        .then(
          (responses) => batch.forEach((p, i) => p.resolve(responses[i] as Response)),
          (error: unknown) => batch.forEach((p) => p.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          this.schedulePump();
        });
    }
  }
}
