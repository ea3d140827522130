import { EventSchemaRegistry, type EventSchemaDefinition } from '#event-store';

export interface EventTypeEntry {
  readonly category: string;
  readonly type: string;
  readonly schemaVersion: number;
}

/**
 * Every event type the service stores, with the stream category it is recorded in and its current schema version:
 * what governanceEventTypes answers and what the history filter's `eventTypes` is checked against. The versions are
 * the schema registry's own (the definitions registered as the service registers them); the categories come from
 * which stream each module declares them for in its manifest (GOVERNANCE_STREAMS), as the service registers them.
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
