import { DeciderSpecification } from '#testing';
import { readModelOperationsDecider, type RequestReadModelRebuild } from './read-model-operations.decider.ts';

const request = (at: string, actorId = 'cm-1'): RequestReadModelRebuild => ({
  type: 'RequestReadModelRebuild',
  readModel: 'members',
  generation: 3,
  actorId,
  at,
});

describe('read-model operations', () => {
  const spec = DeciderSpecification.for(readModelOperationsDecider);

  test('a rebuild request is recorded with who asked, when, and the generation it replaces', () => {
    spec
      .given([])
      .when(request('2026-03-01T10:00:00.000Z'))
      .then([
        {
          type: 'ReadModelRebuildRequested',
          data: { readModel: 'members', generation: 3, requestedBy: 'cm-1', requestedAt: '2026-03-01T10:00:00.000Z' },
        },
      ]);
  });

  test('every request is recorded, also one after another', () => {
    spec
      .given([
        {
          type: 'ReadModelRebuildRequested',
          data: { readModel: 'members', generation: 2, requestedBy: 'cm-2', requestedAt: '2026-02-01T10:00:00.000Z' },
        },
      ])
      .when(request('2026-03-01T10:00:00.000Z'))
      .then([
        {
          type: 'ReadModelRebuildRequested',
          data: { readModel: 'members', generation: 3, requestedBy: 'cm-1', requestedAt: '2026-03-01T10:00:00.000Z' },
        },
      ]);
  });
});
