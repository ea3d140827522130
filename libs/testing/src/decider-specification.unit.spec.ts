import { DeciderSpecification } from './decider-specification.ts';

// A tiny decider: a case that is opened once and closed once.
type Command = { type: 'OpenCase'; data: { caseId: string; at: string } } | { type: 'CloseCase'; data: { at: string } };
type Event = { type: 'CaseOpened'; data: { caseId: string; at: string } } | { type: 'CaseClosed'; data: { at: string } };
type State = { status: 'none' } | { status: 'open'; caseId: string } | { status: 'closed'; caseId: string };

class CaseAlreadyOpenError extends Error {
  override readonly name = 'CaseAlreadyOpenError';
}
class CaseNotOpenError extends Error {
  override readonly name = 'CaseNotOpenError';
}

const caseDecider = {
  initialState: { status: 'none' } as State,
  evolve(state: State, event: Event): State {
    switch (event.type) {
      case 'CaseOpened':
        return { status: 'open', caseId: event.data.caseId };
      case 'CaseClosed':
        if (state.status !== 'open') throw new Error('evolve: CaseClosed on a case that is not open');
        return { status: 'closed', caseId: state.caseId };
    }
  },
  decide(command: Command, state: State): Event[] {
    switch (command.type) {
      case 'OpenCase':
        if (state.status !== 'none') throw new CaseAlreadyOpenError('case is already open');
        return [{ type: 'CaseOpened', data: command.data }];
      case 'CloseCase':
        if (state.status === 'closed') return [];
        if (state.status !== 'open') throw new CaseNotOpenError('case is not open');
        return [{ type: 'CaseClosed', data: command.data }];
    }
  },
};

const opened: Event = { type: 'CaseOpened', data: { caseId: 'c1', at: '2025-01-01T00:00:00Z' } };
const spec = DeciderSpecification.for(caseDecider);

describe('DeciderSpecification', () => {
  test('given nothing, when a command, then its events', () => {
    spec.when({ type: 'OpenCase', data: { caseId: 'c1', at: '2025-01-01T00:00:00Z' } }).then([opened]);
  });

  test('given history, when a command, then its events', () => {
    spec
      .given([opened])
      .when({ type: 'CloseCase', data: { at: '2025-01-02T00:00:00Z' } })
      .then([{ type: 'CaseClosed', data: { at: '2025-01-02T00:00:00Z' } }]);
  });

  test('then([]) for a command that changes nothing', () => {
    spec
      .given([opened, { type: 'CaseClosed', data: { at: 'x' } }])
      .when({ type: 'CloseCase', data: { at: 'y' } })
      .then([]);
  });

  test('thenThrows takes an error class or a predicate', () => {
    spec
      .given([opened])
      .when({ type: 'OpenCase', data: { caseId: 'c1', at: 'x' } })
      .thenThrows(CaseAlreadyOpenError);
    spec
      .when({ type: 'CloseCase', data: { at: 'x' } })
      .thenThrows((e) => e instanceof CaseNotOpenError && e.message === 'case is not open');
  });

  test('then fails when other events are decided', () => {
    expect(() => spec.when({ type: 'OpenCase', data: { caseId: 'c1', at: 'x' } }).then([opened])).toThrow();
  });

  test('then fails when decide throws', () => {
    expect(() =>
      spec
        .given([opened])
        .when({ type: 'OpenCase', data: { caseId: 'c1', at: 'x' } })
        .then([]),
    ).toThrow(CaseAlreadyOpenError);
  });

  test('thenThrows fails when nothing is thrown, or something else is', () => {
    expect(() => spec.when({ type: 'OpenCase', data: { caseId: 'c1', at: 'x' } }).thenThrows(CaseAlreadyOpenError)).toThrow(
      /expected decide to throw/,
    );
    expect(() => spec.when({ type: 'CloseCase', data: { at: 'x' } }).thenThrows(CaseAlreadyOpenError)).toThrow(/threw CaseNotOpenError/);
    expect(() => spec.when({ type: 'CloseCase', data: { at: 'x' } }).thenThrows(() => false)).toThrow(/does not satisfy/);
  });

  test('then fails when evolve cannot take the decided events', () => {
    const broken = { ...caseDecider, decide: (): Event[] => [{ type: 'CaseClosed', data: { at: 'x' } }] };
    expect(() =>
      DeciderSpecification.for(broken)
        .when({ type: 'CloseCase', data: { at: 'x' } })
        .then([{ type: 'CaseClosed', data: { at: 'x' } }]),
    ).toThrow(/not open/);
  });
});
