const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The first day of outOfOrderRecordedAt's log: 10 March 2025, 00:00 UTC. */
export const OUT_OF_ORDER_DAY0 = Date.UTC(2025, 2, 10);

/**
 * The recorded time (ms since the epoch) of the i-th of 60 events in log order, for history tests of time windows:
 * five days of 12 events an hour apart, except that the last event of each day is recorded just after the next
 * midnight and the first just before its own (so each day's rows lie on both sides of the next day's in log order),
 * one event late in the log on the first day (50) and one early in the log on the last (5): a query must never
 * assume that time follows the log.
 */
export function outOfOrderRecordedAt(i: number): number {
  if (i === 50) return OUT_OF_ORDER_DAY0 + 2 * HOUR;
  if (i === 5) return OUT_OF_ORDER_DAY0 + 4 * DAY + 20 * HOUR;
  const d = Math.floor(i / 12);
  if (i % 12 === 11) return OUT_OF_ORDER_DAY0 + (d + 1) * DAY + 500;
  if (i % 12 === 0 && d > 0) return OUT_OF_ORDER_DAY0 + d * DAY - 500;
  return OUT_OF_ORDER_DAY0 + d * DAY + (i % 12) * HOUR;
}
