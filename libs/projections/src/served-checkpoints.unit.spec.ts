import type { LogPosition } from '#event-store';
import { ServedCheckpoints } from './served-checkpoints.ts';

const at = (n: number): LogPosition => ({ commit: BigInt(n), prepare: 0n });

describe('ServedCheckpoints: what this process knows its read models contain', () => {
  test('nothing is known of a projection before a commit of it', () => {
    expect(new ServedCheckpoints().reached('groups', at(1))).toBe(false);
  });

  test('a commit covers its position and every earlier one, not a later one', () => {
    const served = new ServedCheckpoints();
    served.committed('groups', 1, at(10));
    expect(served.reached('groups', at(9))).toBe(true);
    expect(served.reached('groups', at(10))).toBe(true);
    expect(served.reached('groups', at(11))).toBe(false);
    expect(served.reached('members', at(1))).toBe(false);
  });

  test('a commit that arrives late (older position, same generation) does not move it back', () => {
    const served = new ServedCheckpoints();
    served.committed('groups', 1, at(20));
    served.committed('groups', 1, at(15));
    expect(served.reached('groups', at(20))).toBe(true);
  });

  test('a generation swapped in replaces what the retiring one had committed past it', () => {
    const served = new ServedCheckpoints();
    served.committed('groups', 1, at(160));
    served.swappedIn('groups', 2, at(150));
    expect(served.reached('groups', at(150))).toBe(true);
    expect(served.reached('groups', at(155))).toBe(false);
    // The retired generation's last commit, reported after the swap: its views are gone, it does not count.
    served.committed('groups', 1, at(170));
    expect(served.reached('groups', at(155))).toBe(false);
    served.committed('groups', 2, at(170));
    expect(served.reached('groups', at(170))).toBe(true);
  });

  test('a newer generation that this process finds active (swapped in by another instance) counts from its commits', () => {
    const served = new ServedCheckpoints();
    served.committed('groups', 1, at(100));
    served.committed('groups', 3, at(90));
    expect(served.reached('groups', at(95))).toBe(false);
    expect(served.reached('groups', at(90))).toBe(true);
    served.swappedIn('groups', 2, at(500));
    expect(served.reached('groups', at(95))).toBe(false);
  });
});
