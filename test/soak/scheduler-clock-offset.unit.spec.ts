import { ConfigError, loadConfig } from '../../src/platform/config/config.ts';

/** SCHEDULER_CLOCK_OFFSET_MS: how the soak makes the schedulers' clock jump; never in production. */
describe('SCHEDULER_CLOCK_OFFSET_MS', () => {
  test('is 0 unless set, and may move the clock either way', () => {
    expect(loadConfig({}).schedulerClockOffsetMs).toBe(0);
    expect(loadConfig({ SCHEDULER_CLOCK_OFFSET_MS: '2160000000' }).schedulerClockOffsetMs).toBe(2_160_000_000);
    expect(loadConfig({ NODE_ENV: 'test', SCHEDULER_CLOCK_OFFSET_MS: '-10800000' }).schedulerClockOffsetMs).toBe(-10_800_000);
  });

  test('is refused in production and when it is not a whole number of milliseconds within ten years', () => {
    const production = {
      NODE_ENV: 'production',
      AUTH_JWT_SECRET: 'x'.repeat(40),
      AUTH_ALLOW_SHARED_SECRET_IN_PRODUCTION: 'true',
      LOG_SEALING: 'off',
    };
    expect(loadConfig({ ...production, SCHEDULER_CLOCK_OFFSET_MS: '0' }).schedulerClockOffsetMs).toBe(0);
    expect(() => loadConfig({ ...production, SCHEDULER_CLOCK_OFFSET_MS: '1000' })).toThrow(
      /SCHEDULER_CLOCK_OFFSET_MS .*NODE_ENV=production/,
    );
    expect(() => loadConfig({ SCHEDULER_CLOCK_OFFSET_MS: '1.5' })).toThrow(ConfigError);
    expect(() => loadConfig({ SCHEDULER_CLOCK_OFFSET_MS: String(11 * 365 * 86_400_000) })).toThrow(ConfigError);
  });
});
