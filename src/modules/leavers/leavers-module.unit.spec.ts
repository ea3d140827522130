import { loadConfig } from '../../platform/config/config.ts';
import type { DueWorkScheduler } from '../../platform/scheduling/due-work-scheduler.ts';
import { LEAVER_CONSEQUENCES_SCHEDULER, LEAVER_ERASURE_SCHEDULER, leaversModule } from './index.ts';

/** The names of the schedulers the module runs with this environment (nothing is started). */
function schedulersWith(env: NodeJS.ProcessEnv): string[] {
  const works = leaversModule.schedulers({
    events: {} as never,
    readModels: {} as never,
    clock: { now: () => new Date() },
    config: loadConfig(env),
    forgetCommandInputs: () => Promise.resolve(),
    readModelsCaughtUp: () => Promise.resolve(),
  });
  return works.map((work) => (work as DueWorkScheduler<unknown>).name);
}

describe('the leavers module', () => {
  test('LEAVER_ERASURE_AFTER_DAYS unset: leavers are never erased by the service on its own', () => {
    expect(schedulersWith({})).toEqual([LEAVER_CONSEQUENCES_SCHEDULER]);
    expect(loadConfig({}).leaverErasureAfterDays).toBeNull();
  });

  test('LEAVER_ERASURE_AFTER_DAYS set: the retention rule runs beside the consequences', () => {
    expect(schedulersWith({ LEAVER_ERASURE_AFTER_DAYS: '90' })).toEqual([LEAVER_CONSEQUENCES_SCHEDULER, LEAVER_ERASURE_SCHEDULER]);
    expect(loadConfig({ LEAVER_ERASURE_AFTER_DAYS: '0' }).leaverErasureAfterDays).toBe(0);
  });

  test('a LEAVER_ERASURE_AFTER_DAYS that is not a number of days stops the start, saying what is right', () => {
    for (const value of ['-1', 'soon', '1.5', '99999']) {
      expect(() => loadConfig({ LEAVER_ERASURE_AFTER_DAYS: value })).toThrow(
        /LEAVER_ERASURE_AFTER_DAYS must be a whole number from 0 to 36500/,
      );
    }
  });
});
