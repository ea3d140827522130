import { FakeClock } from './fake-clock.ts';

describe('FakeClock', () => {
  test('tells the time it was given, as an ISO string or a Date, until it is set', () => {
    const clock = new FakeClock('2025-06-01T12:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2025-06-01T12:00:00.000Z');
    clock.set(new Date('2025-06-02T00:00:00.000Z'));
    expect(clock.now().toISOString()).toBe('2025-06-02T00:00:00.000Z');
    clock.set('2025-06-03T00:00:00.000Z');
    expect(clock.now().toISOString()).toBe('2025-06-03T00:00:00.000Z');
  });

  test('a Date it answered or was given can be changed without moving the clock', () => {
    const start = new Date('2025-06-01T12:00:00.000Z');
    const clock = new FakeClock(start);
    start.setUTCFullYear(2030);
    clock.now().setUTCFullYear(2031);
    expect(clock.now().toISOString()).toBe('2025-06-01T12:00:00.000Z');
  });
});
