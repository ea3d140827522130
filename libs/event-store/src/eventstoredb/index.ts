export { EventStoreDbEventStore } from './eventstoredb-event-store.ts';
// Between the e2e suite's services and the one server they share (see src/platform/infrastructure/event-sourcing.ts).
export { NamespacedEventStore } from '../stream-namespace.ts';
