import { SERVICE_PARTS } from '../../../src/bootstrap.ts';
import type { EventSourcingParts } from '../../../src/platform/infrastructure/event-sourcing.ts';

// Every service a spec starts keeps and reads the log index, on PostgreSQL too: the path EventStoreDB is served by
// (history, the moderation's evidence, the insights), run by the e2e specs where no EventStoreDB server can be had.
// See force-log-index.jest.config.js.
(SERVICE_PARTS as { logIndex?: EventSourcingParts['logIndex'] }).logIndex = 'always';
