import type { DynamicModule, Type } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { Decider, DeciderEvent, EventSchemaDefinition, GovernanceEventStore, StoredEvent } from '#event-store';
import type { AnyProjection } from '#projections';
import type { AppConfig } from '../config/config.ts';
import type { ReadModelEntity } from '../infrastructure/read-model-data-source.ts';
import { readModelEntitiesOf } from '../infrastructure/read-model-table.ts';
import type { Clock } from '../shared/clock.ts';

/**
 * One stream category a module writes: the decider that folds it (the command side's, and time travel's through
 * streamStateAt) and the event schemas stored in it (registered once, listed by governanceEventTypes).
 */
export interface StreamDeclaration {
  readonly category: string;
  readonly decider: Decider<never, unknown, DeciderEvent>;
  readonly schemas: readonly EventSchemaDefinition[];
  /**
   * The stream id is `<category>-<memberId>`: the stream is about that one member, so a privacy officer handling that
   * member's requests may read it. Streams keyed by two ids (an enrolment, an acceptance) are not: their id does not
   * say unambiguously where the member id starts.
   */
  readonly memberKeyed: boolean;
}

/** `stream(GROUP_STREAM_CATEGORY, groupDecider, GROUP_EVENT_SCHEMAS)`; `{ memberKeyed: true }` for a member's own stream. */
export function stream<Command, State, Event extends DeciderEvent>(
  category: string,
  decider: Decider<Command, State, Event>,
  schemas: readonly EventSchemaDefinition[],
  options: { readonly memberKeyed?: boolean } = {},
): StreamDeclaration {
  return { category, decider: decider as unknown as StreamDeclaration['decider'], schemas, memberKeyed: options.memberKeyed ?? false };
}

/** What a module's background work is given: every instance runs it, the streams make it exactly-once. */
export interface SchedulerContext {
  readonly events: GovernanceEventStore;
  /** The read models, through the one data source every read goes through. */
  readonly readModels: DataSource;
  readonly clock: Clock;
  readonly config: AppConfig;
  /** Forgets every digest of commands' inputs (an erasure's step: they may hold the member's personal data). */
  readonly forgetCommandInputs: () => Promise<void>;
  /**
   * Resolves once the named read models hold every event of the log's head at the call (whichever instance runs their
   * projections); ProjectionTimeoutError after the read-model wait. For work that reports what a read model says: read
   * while it lags, it would tell of a past moment as if it were now.
   */
  readonly readModelsCaughtUp: (readModels: readonly string[]) => Promise<void>;
}

export interface BackgroundWork {
  start(): void;
  stop(): Promise<void>;
}

/**
 * What a module is made of, in one place: each module's index.ts exports one, and src/modules/index.ts lists them
 * (MODULES). Everything that once listed the modules by hand (the event schema registry, the projection runner, the
 * read side's entities, the schedulers, the Nest modules, streamStateAt's deciders and the event type catalogue) is
 * built from that list, so adding a module is writing it and adding it there.
 */
export interface GovernanceModule {
  /** The folder's name, for messages and the architecture spec. */
  readonly name: string;
  readonly streams: readonly StreamDeclaration[];
  readonly projections: readonly AnyProjection<StoredEvent>[];
  /**
   * The TypeORM entities its read models are read through: those of its projections' `readModelTable`s, gathered by
   * `governanceModule`, so a module lists none by hand.
   */
  readonly readModelEntities: readonly ReadModelEntity[];
  readonly schedulers: (context: SchedulerContext) => readonly BackgroundWork[];
  /** Its resolvers and command handlers; absent for a module that serves nothing over GraphQL. */
  readonly nestModule?: Type<unknown> | DynamicModule;
}

/** A manifest with the parts a module does not have left empty, and the read side's entities taken from its projections. */
export function governanceModule(
  parts: Pick<GovernanceModule, 'name'> &
    Partial<Omit<GovernanceModule, 'name' | 'readModelEntities'>> & { readonly readModelEntities?: readonly ReadModelEntity[] },
): GovernanceModule {
  const projections = parts.projections ?? [];
  return {
    streams: [],
    schedulers: () => [],
    ...parts,
    projections,
    readModelEntities: [...(parts.readModelEntities ?? []), ...readModelEntitiesOf(projections)],
  };
}
