/**
 * Puts out-of-band signals back in order with the events of a Node Readable.
 *
 * The client's subscription is a Transform stream: events are pushed into its readable buffer, but 'caughtUp'
 * and filter checkpoints are EventEmitter callbacks fired while the *following* server message is transformed,
 * possibly before earlier events have left the buffer. At the moment a signal fires, every event pushed before
 * it has either been delivered already or is still buffered, so the signal belongs right after event number
 * `delivered + bufferedCount` (the stream's readableLength in object mode). The sequencer holds each signal
 * until that many events have been delivered.
 */
export class MessageSequencer<Signal> {
  private delivered = 0;
  private readonly pending: { readonly after: number; readonly signal: Signal }[] = [];

  /** Records a signal raised while `bufferedCount` earlier events were not delivered yet; returns the signals due now. */
  signal(signal: Signal, bufferedCount: number): Signal[] {
    this.pending.push({ after: this.delivered + bufferedCount, signal });
    return this.due();
  }

  /** Counts one delivered event; returns the signals that now follow it. */
  eventDelivered(): Signal[] {
    this.delivered++;
    return this.due();
  }

  get deliveredCount(): number {
    return this.delivered;
  }

  private due(): Signal[] {
    const out: Signal[] = [];
    while (this.pending.length > 0 && this.pending[0]!.after <= this.delivered) out.push(this.pending.shift()!.signal);
    return out;
  }
}
