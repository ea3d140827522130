import {
  eventTypeFilter,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type EventStoreDBClient,
} from '@eventstore/db-client';
import { EventStoreUnavailableError, type EventStoreError } from '../errors.ts';
import type { SubscribeOptions, Subscription, SubscriptionMessage } from '../event-store.port.ts';
import { START, comparePositions, type LogPosition } from '../position.ts';
import {
  fromClientPosition,
  isAfter,
  isVisible,
  mapClientError,
  serverFilterSpec,
  toClientReadPosition,
  toRecordedEvent,
} from './eventstoredb-mapping.ts';
import { MessageSequencer } from './message-sequencer.ts';

type Signal =
  { readonly kind: 'caughtUp' } | { readonly kind: 'fellBehind' } | { readonly kind: 'checkpoint'; readonly position: LogPosition };

/** Above this many undelivered messages the client stream is paused, so a slow consumer holds back the server. */
export const HIGH_WATER = 512;
const LOW_WATER = 128;

/**
 * The port's subscription over the client's catch-up subscription to $all. The server narrows by category or
 * event type where it can (and always drops system events); every record is filtered again here.
 *
 * Checkpoints. During catch-up the server's own checkpoints (every 32 × multiplier records considered) and the
 * one at caught-up are passed on. Once live they are not enough: the 24.10 server sends a live checkpoint only
 * every `checkpointIntervalMultiplier × maxSearchWindow` committed records of $all (32 with this client's
 * defaults; SubscriptionsService.ProcessEventCommited counts them, Enumerator.AllSubscriptionFiltered.GoLive
 * forwards them, in EventStore v24.10.x src/EventStore.Core/Services/), and a consumer that commits on
 * checkpoints (the projection runner) would wait for 31 more appends. So once live, every record passed
 * (delivered or filtered out) becomes committable: a checkpoint at its position follows it as soon as the
 * client's buffer is drained, and a checkpoint still queued here is superseded by the next one, so a burst
 * costs the consumer one commit, not one per event.
 */
export class EventStoreDbSubscription implements Subscription {
  private readonly queue: SubscriptionMessage[] = [];
  private readonly sequencer = new MessageSequencer<Signal>();
  private readonly stream: AllStreamSubscription | undefined;
  private waiter: { resolve: (r: IteratorResult<SubscriptionMessage>) => void; reject: (e: unknown) => void } | undefined;
  private failure: EventStoreError | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;
  private paused = false;
  private live = false;
  /** The last record of $all this subscription has passed (delivered or filtered out), or a server checkpoint. */
  private lastSeen: LogPosition | undefined;
  private lastCheckpoint: LogPosition | undefined;
  /** A live checkpoint still waiting in the queue: a later one makes it redundant. */
  private queuedLiveCheckpoint: SubscriptionMessage | undefined;
  private readonly superseded = new WeakSet<SubscriptionMessage>();

  constructor(
    client: EventStoreDBClient,
    private readonly options: SubscribeOptions,
    private readonly onClose: (subscription: EventStoreDbSubscription) => void,
  ) {
    this.lastSeen = options.after;
    const spec = serverFilterSpec(options.filter);
    const filterOptions = {
      regex: spec.regex,
      checkpointInterval: 1,
      checkpointReached: (_: unknown, position: { commit: bigint; prepare: bigint }) =>
        this.signal({ kind: 'checkpoint', position: fromClientPosition(position) }),
    };
    try {
      this.stream = client.subscribeToAll({
        fromPosition: toClientReadPosition(options.after),
        filter: spec.filterOn === 'streamName' ? streamNameFilter(filterOptions) : eventTypeFilter(filterOptions),
      });
    } catch (error) {
      this.failure = mapClientError(error);
      return;
    }
    this.stream.on('data', (resolved: AllStreamResolvedEvent) => this.onData(resolved));
    this.stream.on('caughtUp', () => this.signal({ kind: 'caughtUp' }));
    this.stream.on('fellBehind', () => this.signal({ kind: 'fellBehind' }));
    // Stays attached after close: an 'error' without a listener would crash the process.
    this.stream.on('error', (error: Error) => this.fail(mapClientError(error)));
    this.stream.on('end', () => this.fail(new EventStoreUnavailableError('EventStoreDB ended the subscription to $all')));
  }

  [Symbol.asyncIterator](): AsyncIterator<SubscriptionMessage> {
    return {
      next: () => this.next(),
      return: async () => {
        await this.close();
        return { done: true, value: undefined };
      },
    };
  }

  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.queue.length = 0;
    this.settle({ done: true, value: undefined });
    this.closing = (async () => {
      if (this.stream) {
        try {
          await this.stream.unsubscribe();
        } catch {
          // Already gone: nothing left to stop.
        }
        this.stream.destroy();
      }
      this.onClose(this);
    })();
    return this.closing;
  }

  private next(): Promise<IteratorResult<SubscriptionMessage>> {
    let value = this.queue.shift();
    while (value && this.superseded.has(value)) value = this.queue.shift();
    if (value === this.queuedLiveCheckpoint) this.queuedLiveCheckpoint = undefined;
    if (value) {
      if (this.paused && this.queue.length <= LOW_WATER) {
        this.paused = false;
        this.stream?.resume();
      }
      return Promise.resolve({ done: false, value });
    }
    if (this.closed) return Promise.resolve({ done: true, value: undefined });
    if (this.failure) {
      // Delivered once, after every message that arrived before it; the iteration is over afterwards.
      const failure = this.failure;
      void this.close();
      return Promise.reject(failure);
    }
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  private onData(resolved: AllStreamResolvedEvent): void {
    if (this.closed) return;
    const record = resolved.event;
    if (record) {
      const position = fromClientPosition(record.position);
      if (isAfter(position, this.lastSeen)) {
        this.lastSeen = position;
        if (isVisible(record.streamId, record.type, this.options.filter)) {
          try {
            this.enqueue({ kind: 'event', event: toRecordedEvent(record) });
          } catch (error) {
            this.fail(mapClientError(error));
            return;
          }
        }
      }
    }
    for (const signal of this.sequencer.eventDelivered()) this.apply(signal);
    // Once live, what was just passed is committable when nothing more waits in the client's buffer (the 'data'
    // of its last buffered record is emitted after that record left the buffer, so the length is 0 by then).
    if (this.live && record && !this.closed && this.stream?.readableLength === 0) this.emitLiveCheckpoint();
  }

  private signal(signal: Signal): void {
    if (this.closed || !this.stream) return;
    for (const due of this.sequencer.signal(signal, this.stream.readableLength)) this.apply(due);
  }

  private apply(signal: Signal): void {
    switch (signal.kind) {
      case 'fellBehind':
        this.live = false;
        return;
      case 'caughtUp':
        this.live = true;
        this.emitCheckpoint(true);
        return;
      case 'checkpoint':
        if (isAfter(signal.position, this.lastSeen)) this.lastSeen = signal.position;
        this.emitCheckpoint(false);
        return;
    }
  }

  private emitCheckpoint(always: boolean): SubscriptionMessage | undefined {
    const checkpoint = this.lastSeen ?? START;
    if (!always && this.lastCheckpoint && comparePositions(checkpoint, this.lastCheckpoint) <= 0) return undefined;
    this.lastCheckpoint = checkpoint;
    const message: SubscriptionMessage = { kind: 'checkpoint', checkpoint, caughtUp: this.live };
    return this.enqueue(message) === 'queued' ? message : undefined;
  }

  /**
   * The checkpoint this adapter adds after live records. One still queued is superseded by the next: a later
   * checkpoint covers everything an earlier one did, so the consumer need not commit both. (The server's own
   * checkpoints and the one marking the switch to live are always passed on.)
   */
  private emitLiveCheckpoint(): void {
    const previous = this.queuedLiveCheckpoint;
    const queued = this.emitCheckpoint(false);
    if (!queued) return;
    if (previous) this.superseded.add(previous);
    this.queuedLiveCheckpoint = queued;
  }

  private enqueue(message: SubscriptionMessage): 'delivered' | 'queued' {
    if (this.waiter) {
      this.settle({ done: false, value: message });
      return 'delivered';
    }
    this.queue.push(message);
    if (!this.paused && this.queue.length >= HIGH_WATER && this.stream) {
      this.paused = true;
      this.stream.pause();
    }
    return 'queued';
  }

  private fail(error: EventStoreError): void {
    if (this.closed || this.failure) return;
    this.failure = error;
    const waiter = this.waiter;
    if (waiter) {
      // A waiting consumer means nothing is queued: the failure is next in line.
      this.waiter = undefined;
      void this.close();
      waiter.reject(error);
    }
  }

  private settle(result: IteratorResult<SubscriptionMessage>): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve(result);
  }
}
