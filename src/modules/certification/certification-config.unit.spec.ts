import { ConfigError, loadConfig } from '../../platform/config/config.ts';

describe('CERTIFICATION_RENEWAL_WINDOW_DAYS', () => {
  test('defaults to 60 days', () => expect(loadConfig({}).certificationRenewalWindowDays).toBe(60));

  test.each([
    ['0', 0],
    ['7', 7],
    ['3650', 3650],
  ])('%s is read as %p', (value, days) =>
    expect(loadConfig({ CERTIFICATION_RENEWAL_WINDOW_DAYS: value }).certificationRenewalWindowDays).toBe(days),
  );

  test.each(['-1', '3651', '1.5', 'sixty'])('%s is refused, saying what would be right', (value) => {
    let error: unknown;
    try {
      loadConfig({ CERTIFICATION_RENEWAL_WINDOW_DAYS: value });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      `CERTIFICATION_RENEWAL_WINDOW_DAYS must be a whole number from 0 to 3650 (got "${value}")`,
    ]);
  });
});
