import { AppendNotifier } from './notifier.ts';

describe('append notifier', () => {
  test('NOTIFYs at most once per interval, and once more after the last append', async () => {
    const sent: number[] = [];
    const started = performance.now();
    // Never listens (no doorbell is marked or waited on), so it never connects: the URL is not used.
    const notifier = new AppendNotifier('postgres://unused', async () => void sent.push(performance.now() - started), 200);
    try {
      for (let i = 0; i < 5; i++) notifier.appended();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sent).toHaveLength(1); // the first at once
      for (let i = 0; i < 5; i++) notifier.appended();
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(sent).toHaveLength(2); // the appends after it, together, one interval later
      expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(190);
      notifier.appended();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(sent).toHaveLength(3); // an interval has passed since: at once
    } finally {
      await notifier.close();
    }
  });

  test('a closed notifier sends nothing more, not even what it held back', async () => {
    let sent = 0;
    const notifier = new AppendNotifier('postgres://unused', async () => void sent++, 100);
    notifier.appended();
    notifier.appended();
    await notifier.close();
    await new Promise((resolve) => setTimeout(resolve, 200));
    notifier.appended();
    expect(sent).toBe(1);
  });

  test("wakes this process's waiters on its own appends directly", async () => {
    const notifier = new AppendNotifier('postgres://127.0.0.1:1/unused', async () => undefined);
    try {
      const doorbell = notifier.doorbell(() => true);
      const mark = doorbell.mark();
      notifier.appended();
      const started = performance.now();
      await doorbell.wait(10_000, undefined, mark);
      doorbell.close();
      expect(performance.now() - started).toBeLessThan(1_000);
    } finally {
      await notifier.close();
    }
  });
});
