import { EventSchemaRegistry } from '#event-store';
import { SERVICE_PARTS } from '../../bootstrap.ts';
import { EventTypeCatalog } from './event-type-catalog.ts';
import { GOVERNANCE_STREAMS } from '../index.ts';
import { streamDecidersOf } from './stream-deciders.ts';

const EVENT_TYPES = new EventTypeCatalog(GOVERNANCE_STREAMS);
const STREAM_DECIDERS = streamDecidersOf(GOVERNANCE_STREAMS);

describe('the event type catalog (governanceEventTypes)', () => {
  test('lists every event type the service registers, once, with the registry’s current schema version', () => {
    const registry = new EventSchemaRegistry();
    for (const schema of SERVICE_PARTS.schemas) registry.register(schema);
    const listed = EVENT_TYPES.entries.map((entry) => entry.type);
    expect([...listed].sort()).toEqual(registry.types().sort());
    for (const entry of EVENT_TYPES.entries) expect(entry.schemaVersion).toBe(registry.require(entry.type).schemaVersion);
  });

  test('each category is one a module records streams in, and every such category has its types', () => {
    const categories = new Set(EVENT_TYPES.entries.map((entry) => entry.category));
    expect([...categories].sort()).toEqual(STREAM_DECIDERS.categories);
  });

  test('sorted by category then type, e.g. the member stream’s', () => {
    const member = EVENT_TYPES.entries.filter((entry) => entry.category === 'member');
    expect(member).toEqual([
      { category: 'member', type: 'MemberLeft', schemaVersion: 1 },
      { category: 'member', type: 'MemberRegistered', schemaVersion: 1 },
      { category: 'member', type: 'MemberUpdated', schemaVersion: 1 },
    ]);
    const pairs = EVENT_TYPES.entries.map((entry) => [entry.category, entry.type]);
    expect(pairs).toEqual([...pairs].sort(([c1, t1], [c2, t2]) => (c1! < c2! ? -1 : c1! > c2! ? 1 : t1! < t2! ? -1 : 1)));
  });

  test('the version is the definition’s current one (an upcast type says its newest)', () => {
    const catalog = new EventTypeCatalog([
      { category: 'widget', schemas: [{ type: 'WidgetMade', schemaVersion: 3 }, { type: 'WidgetGone' }] },
    ]);
    expect(catalog.entries).toEqual([
      { category: 'widget', type: 'WidgetGone', schemaVersion: 1 },
      { category: 'widget', type: 'WidgetMade', schemaVersion: 3 },
    ]);
    expect(catalog.has('WidgetMade')).toBe(true);
    expect(catalog.has('widgetmade')).toBe(false);
  });

  test('a type in two categories is refused: the catalog would not say where it is recorded', () => {
    expect(
      () =>
        new EventTypeCatalog([
          { category: 'a', schemas: [{ type: 'Same' }] },
          { category: 'b', schemas: [{ type: 'Same' }] },
        ]),
    ).toThrow(/registered twice/);
  });
});
