import { EventSchemaRegistry, type EventSchemaDefinition } from '#event-store';
import {
  ACCEPTANCE_STREAM_CATEGORY,
  AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS,
  AGREEMENT_EVENT_SCHEMAS,
  AGREEMENT_STREAM_CATEGORY,
} from '../agreements/index.ts';
import { GROUP_ACTIVITY_EVENT_SCHEMAS, GROUP_ACTIVITY_STREAM_CATEGORY } from '../adoption/index.ts';
import { AMBASSADOR_EVENT_SCHEMAS, AMBASSADOR_STREAM_CATEGORY } from '../ambassadors/index.ts';
import {
  CERTIFICATION_EVENT_SCHEMAS,
  CERTIFICATION_LEVEL_EVENT_SCHEMAS,
  CERTIFICATION_LEVEL_STREAM_CATEGORY,
  CERTIFICATION_STREAM_CATEGORY,
} from '../certification/index.ts';
import { GROUP_EVENT_SCHEMAS, GROUP_STREAM_CATEGORY } from '../groups/index.ts';
import { KPI_TARGET_EVENT_SCHEMAS, KPI_TARGET_STREAM_CATEGORY } from '../insights/kpi-target.decider.ts';
import { LOG_SEAL_STREAM_CATEGORY, OPERATOR_STREAM_CATEGORY, READ_MODEL_STREAM_CATEGORY } from '../integrity/index.ts';
import { LOG_SEAL_EVENT_SCHEMAS } from '../integrity/log-seal.ts';
import { OPERATOR_ACTION_EVENT_SCHEMAS } from '../integrity/operator-actions.decider.ts';
import { READ_MODEL_OPERATION_EVENT_SCHEMAS } from '../integrity/read-model-operations.decider.ts';
import { MEMBER_EVENT_SCHEMAS, MEMBER_STREAM_CATEGORY } from '../members/index.ts';
import {
  MODERATION_CASE_EVENT_SCHEMAS,
  MODERATION_CASE_STREAM_CATEGORY,
  MODERATOR_NOTE_EVENT_SCHEMAS,
  MODERATOR_NOTES_STREAM_CATEGORY,
} from '../moderation/index.ts';
import { PRIVACY_EVENT_SCHEMAS, PRIVACY_STREAM_CATEGORY } from '../privacy/index.ts';
import {
  TRAINING_ENROLMENT_EVENT_SCHEMAS,
  TRAINING_ENROLMENT_STREAM_CATEGORY,
  TRAINING_PROGRAMME_EVENT_SCHEMAS,
  TRAINING_PROGRAMME_STREAM_CATEGORY,
} from '../training/index.ts';

export interface EventTypeEntry {
  readonly category: string;
  readonly type: string;
  readonly schemaVersion: number;
}

/**
 * Every event type the service stores, with the stream category it is recorded in and its current schema version:
 * what governanceEventTypes answers and what the history filter's `eventTypes` is checked against. The versions are
 * the schema registry's own (the definitions registered as the service registers them); the categories come from
 * which stream each module appends its definitions to. A unit spec checks that it lists exactly the schemas the
 * service registers (SERVICE_PARTS), so a new event type that is not added here fails the build's tests.
 */
export class EventTypeCatalog {
  readonly entries: readonly EventTypeEntry[];
  private readonly known: ReadonlySet<string>;

  constructor(byCategory: readonly { readonly category: string; readonly schemas: readonly EventSchemaDefinition[] }[]) {
    const registry = new EventSchemaRegistry();
    const entries: EventTypeEntry[] = [];
    for (const { category, schemas } of byCategory) {
      for (const schema of schemas) {
        registry.register(schema); // refuses a type listed twice
        entries.push({ category, type: schema.type, schemaVersion: registry.require(schema.type).schemaVersion });
      }
    }
    // Code-unit order, not the locale's: the same answer on every server.
    const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    this.entries = entries.sort((a, b) => compare(a.category, b.category) || compare(a.type, b.type));
    this.known = new Set(entries.map((entry) => entry.type));
  }

  has(type: string): boolean {
    return this.known.has(type);
  }
}

export const EVENT_TYPE_CATALOG = new EventTypeCatalog([
  { category: MEMBER_STREAM_CATEGORY, schemas: MEMBER_EVENT_SCHEMAS },
  { category: GROUP_STREAM_CATEGORY, schemas: GROUP_EVENT_SCHEMAS },
  { category: MODERATION_CASE_STREAM_CATEGORY, schemas: MODERATION_CASE_EVENT_SCHEMAS },
  { category: MODERATOR_NOTES_STREAM_CATEGORY, schemas: MODERATOR_NOTE_EVENT_SCHEMAS },
  { category: PRIVACY_STREAM_CATEGORY, schemas: PRIVACY_EVENT_SCHEMAS },
  { category: TRAINING_PROGRAMME_STREAM_CATEGORY, schemas: TRAINING_PROGRAMME_EVENT_SCHEMAS },
  { category: TRAINING_ENROLMENT_STREAM_CATEGORY, schemas: TRAINING_ENROLMENT_EVENT_SCHEMAS },
  { category: CERTIFICATION_LEVEL_STREAM_CATEGORY, schemas: CERTIFICATION_LEVEL_EVENT_SCHEMAS },
  { category: CERTIFICATION_STREAM_CATEGORY, schemas: CERTIFICATION_EVENT_SCHEMAS },
  { category: AMBASSADOR_STREAM_CATEGORY, schemas: AMBASSADOR_EVENT_SCHEMAS },
  { category: AGREEMENT_STREAM_CATEGORY, schemas: AGREEMENT_EVENT_SCHEMAS },
  { category: ACCEPTANCE_STREAM_CATEGORY, schemas: AGREEMENT_ACCEPTANCE_EVENT_SCHEMAS },
  { category: KPI_TARGET_STREAM_CATEGORY, schemas: KPI_TARGET_EVENT_SCHEMAS },
  { category: GROUP_ACTIVITY_STREAM_CATEGORY, schemas: GROUP_ACTIVITY_EVENT_SCHEMAS },
  { category: LOG_SEAL_STREAM_CATEGORY, schemas: LOG_SEAL_EVENT_SCHEMAS },
  { category: READ_MODEL_STREAM_CATEGORY, schemas: READ_MODEL_OPERATION_EVENT_SCHEMAS },
  { category: OPERATOR_STREAM_CATEGORY, schemas: OPERATOR_ACTION_EVENT_SCHEMAS },
]);
