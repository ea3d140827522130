import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { operatorActionsDecider, type GovernanceLogExported, type RecordGovernanceLogExport } from './operator-actions.decider.ts';

const exportBy = (actorId: string, at: string, category: string | null = null): RecordGovernanceLogExport => ({
  type: 'RecordGovernanceLogExport',
  scope: { from: null, to: null, category },
  actorId,
  at,
});
const exported = (exportedBy: string, exportedAt: string, category: string | null = null): GovernanceLogExported => ({
  type: 'GovernanceLogExported',
  data: { exportedBy, exportedAt, from: null, to: null, category },
});

describe('operator actions', () => {
  const spec = DeciderSpecification.for(operatorActionsDecider);

  test('an export of the log is recorded with who, when and which part, every time', () => {
    spec
      .given([])
      .when(exportBy('auditor-1', '2026-03-01T10:00:00.000Z', 'member'))
      .then([exported('auditor-1', '2026-03-01T10:00:00.000Z', 'member')]);
    spec
      .given([exported('auditor-1', '2026-03-01T10:00:00.000Z')])
      .when(exportBy('auditor-1', '2026-03-01T10:00:00.000Z'))
      .then([exported('auditor-1', '2026-03-01T10:00:00.000Z')]);
  });

  test('the stream folds to how many exports and the last one', () => {
    expect(
      foldState(operatorActionsDecider, [
        exported('auditor-1', '2026-03-01T10:00:00.000Z'),
        exported('cm-1', '2026-03-02T10:00:00.000Z', 'group'),
      ]),
    ).toEqual({
      logExports: 2,
      lastLogExport: { exportedBy: 'cm-1', exportedAt: '2026-03-02T10:00:00.000Z', from: null, to: null, category: 'group' },
    });
  });
});
