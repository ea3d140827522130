import type { DataSource } from 'typeorm';
import { handleCommand, type GovernanceEventStore, type StoredEvent } from '#event-store';
import type { ProjectionRunner } from '#projections';
import { testMetadata } from '../../../../test/support/event-metadata.ts';
import { expectPagingBothWays } from '../../../../test/support/paging.ts';
import { startTestEventSourcing, type TestEventSourcing } from '../../../../test/support/test-event-sourcing.ts';
import {
  GROUP_MAPPING_EVENT_SCHEMAS,
  groupMappingDecider,
  groupMappingStreamId,
  type GroupMappingCommand,
} from '../group-mapping.decider.ts';
import { GROUP_MAPPINGS_PROJECTION, groupMappingsProjection } from './group-mappings.projection.ts';
import { externalMappingsFor, groupMappingsOf, listGroupMappings, MAPPING_CURSORS, mappingKeyOf } from './group-mappings.queries.ts';

describe('external group mappings read model', () => {
  let eventSourcing: TestEventSourcing;
  let readModels: DataSource;
  let governance: GovernanceEventStore;
  let runner: ProjectionRunner<StoredEvent>;

  beforeEach(async () => {
    eventSourcing = await startTestEventSourcing(
      { schemas: GROUP_MAPPING_EVENT_SCHEMAS, projections: [groupMappingsProjection] },
      'group_mappings_read_model',
    );
    ({ readModels, events: governance, runner } = eventSourcing);
  });
  afterEach(async () => {
    await eventSourcing.close();
  });

  const AT = '2026-12-01T09:00:00.000Z';
  async function run(command: Omit<GroupMappingCommand, 'actorId' | 'at' | 'groupExists'>) {
    const result = await handleCommand({
      store: governance,
      streamId: groupMappingStreamId(command.format),
      decider: groupMappingDecider,
      command: { ...command, groupExists: true, actorId: 'cm-1', at: AT } as GroupMappingCommand,
      metadata: testMetadata(AT, { authority: 'COMMUNITY_MANAGER' }),
    });
    await runner.waitForPosition(result.position, [GROUP_MAPPINGS_PROJECTION]);
  }

  test('follows mappings and unmappings; an import finds ids as they are and names trimmed, in any case', async () => {
    await run({ type: 'MapExternalGroup', format: 'GENERIC', externalId: 'guid-1', externalName: 'Verkoop NL', groupId: 'g-sales' });
    await run({
      type: 'MapExternalGroup',
      format: 'VIVA_ENGAGE_GROUPS_ACTIVITY',
      externalId: null,
      externalName: 'Verkoop NL',
      groupId: 'g-eng',
    });
    expect(await groupMappingsOf(readModels, 'GENERIC', 'g-sales')).toEqual([
      { format: 'GENERIC', externalId: 'guid-1', externalName: null, groupId: 'g-sales', mappedBy: 'cm-1', mappedAt: new Date(AT) },
      { format: 'GENERIC', externalId: null, externalName: 'Verkoop NL', groupId: 'g-sales', mappedBy: 'cm-1', mappedAt: new Date(AT) },
    ]);
    // Each platform's mappings are its own: the same name means another group on Viva Engage.
    const generic = await externalMappingsFor(readModels, 'GENERIC', ['guid-1', 'guid-2'], ['verkoop nl']);
    expect([...generic.byId]).toEqual([['guid-1', 'g-sales']]);
    expect([...generic.byName]).toEqual([['verkoop nl', 'g-sales']]);
    expect([...(await externalMappingsFor(readModels, 'VIVA_ENGAGE_GROUPS_ACTIVITY', [], ['verkoop nl'])).byName]).toEqual([
      ['verkoop nl', 'g-eng'],
    ]);

    await run({ type: 'UnmapExternalGroup', format: 'GENERIC', externalId: null, externalName: ' verkoop nl ', groupId: 'g-sales' });
    expect((await groupMappingsOf(readModels, 'GENERIC', 'g-sales')).map((mapping) => mapping.externalId)).toEqual(['guid-1']);
    expect((await externalMappingsFor(readModels, 'GENERIC', [], ['verkoop nl'])).byName.size).toBe(0);
  });

  test('lists every mapping by platform, ids before names, paging both ways', async () => {
    for (const n of [1, 2, 3]) {
      await run({ type: 'MapExternalGroup', format: 'GENERIC', externalId: `guid-${n}`, externalName: `Group ${n}`, groupId: `g-${n}` });
    }
    await run({
      type: 'MapExternalGroup',
      format: 'VIVA_ENGAGE_GROUPS_ACTIVITY',
      externalId: null,
      externalName: 'Ünïcode Grüppe',
      groupId: 'g-1',
    });
    const all = await listGroupMappings(readModels, { direction: 'forward', size: 100, cursor: null });
    const keys = all.nodes.map(mappingKeyOf);
    expect(all.totalCount).toBe(7);
    expect(keys.slice(0, 3)).toEqual(['GENERIC:id:guid-1', 'GENERIC:id:guid-2', 'GENERIC:id:guid-3']);
    expect(keys.at(-1)).toBe('VIVA_ENGAGE_GROUPS_ACTIVITY:name:ünïcode grüppe');
    await expectPagingBothWays(
      async (request) => {
        const page = await listGroupMappings(readModels, request);
        return { ids: page.nodes.map(mappingKeyOf), pageInfo: page };
      },
      keys,
      2,
    );
    expect(() => MAPPING_CURSORS.decode(MAPPING_CURSORS.encode('not a key'), 'after')).toThrow(/not a valid cursor/);
  });
});
