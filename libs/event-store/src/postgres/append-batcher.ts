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

  constructor(
    private readonly run: BatchRunner<Request, Response>,
    private readonly maxInFlight: number,
    private readonly maxBatchSize: number,
  ) {}

  submit(request: Request): Promise<Response> {
    return new Promise<Response>((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
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
          this.pump();
        });
    }
  }
}
