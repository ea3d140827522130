import { foldState, type Decider } from './handle-command.ts';

type Event = { type: 'Added'; data: { n: number } } | { type: 'Reset'; data: Record<string, never> };
const counter: Decider<{ add: number }, number, Event> = {
  initialState: 0,
  evolve: (state, event) => (event.type === 'Added' ? state + event.data.n : 0),
  decide: (command) => [{ type: 'Added', data: { n: command.add } }],
};

describe('foldState', () => {
  const history = [
    { type: 'Added', data: { n: 2 } },
    { type: 'Added', data: { n: 3 } },
    { type: 'Reset', data: {} },
    { type: 'Added', data: { n: 7 } },
  ];

  test('folds evolve over the events from the initial state', () => {
    expect(foldState(counter, [])).toBe(0);
    expect(foldState(counter, history)).toBe(7);
  });

  test('the state as of a revision is the fold of the events up to it', () => {
    expect(foldState(counter, history.slice(0, 2))).toBe(5);
  });

  test('continues from a given state', () => {
    expect(foldState(counter, history.slice(2), foldState(counter, history.slice(0, 2)))).toBe(7);
  });
});
