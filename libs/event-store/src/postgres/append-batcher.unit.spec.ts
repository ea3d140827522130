import { AppendBatcher } from './append-batcher.ts';

describe('append batcher', () => {
  test('callers released by one batch go together in the next one, not the first of them alone', async () => {
    const sizes: number[] = [];
    const batcher = new AppendBatcher<number, number>(
      async (requests) => {
        sizes.push(requests.length);
        await new Promise((resolve) => setTimeout(resolve, 1));
        return requests.map((r) => r * 10);
      },
      1,
      200,
    );
    // 8 writers, each appending 5 times in a row and awaiting every answer.
    const answers = await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        const got: number[] = [];
        for (let i = 0; i < 5; i++) got.push(await batcher.submit(w * 100 + i));
        return got;
      }),
    );
    expect(answers[3]).toEqual([3000, 3010, 3020, 3030, 3040]);
    expect(sizes).toEqual([8, 8, 8, 8, 8]);
  });

  test('no more batches in flight than allowed, and no batch larger than allowed', async () => {
    let inFlight = 0;
    let maxSeen = 0;
    const sizes: number[] = [];
    const batcher = new AppendBatcher<number, number>(
      async (requests) => {
        inFlight++;
        maxSeen = Math.max(maxSeen, inFlight);
        sizes.push(requests.length);
        await new Promise((resolve) => setTimeout(resolve, 2));
        inFlight--;
        return requests;
      },
      2,
      3,
    );
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => batcher.submit(i)));
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(maxSeen).toBe(2);
    expect(Math.max(...sizes)).toBe(3);
  });

  test('a failed batch fails each of its appends, and the next batch still runs', async () => {
    const batcher = new AppendBatcher<number, number>(
      async (requests) => {
        if (requests.some((r) => r < 3)) throw new Error('connection lost');
        return requests;
      },
      1,
      200,
    );
    const first = await Promise.allSettled([batcher.submit(1), batcher.submit(2)]);
    expect(first.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(batcher.submit(3)).resolves.toBe(3);
  });
});
