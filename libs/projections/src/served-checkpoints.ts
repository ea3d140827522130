import { comparePositions, type LogPosition } from '#event-store';

/**
 * How far the generation that serves each projection (the one its read-model views point at) has been committed by
 * this process's own runners: what lets a read-your-writes wait end at the commit it waits for, without reading the
 * stored checkpoints again. Under the service benchmark's 200 mutations a second every waiter was woken by each
 * commit of each projection and read the checkpoints again (8 wake-ups per mutation at the median, measured while a
 * 10 M seeding loaded the machine; each read shared by the waiters of the moment), though the commit that answered it
 * had happened in this very process.
 *
 * What it holds is a lower bound of what serves: a projection this process stopped running (another instance took its
 * lock) keeps an older position here, never a newer one. Only an active generation's commits count, and a generation
 * swapped in replaces the entry even when the retiring one had gone further: the views then show the new one, which
 * may be a few events behind what the old one committed just before the swap.
 */
export class ServedCheckpoints {
  private readonly byName = new Map<string, { readonly generation: number; readonly position: LogPosition }>();

  /** A batch of the active generation `generation` of `name` committed up to `position`. */
  committed(name: string, generation: number, position: LogPosition): void {
    const known = this.byName.get(name);
    if (known && generation < known.generation) return; // retired since: its views are gone
    if (known && generation === known.generation && comparePositions(position, known.position) <= 0) return;
    this.byName.set(name, { generation, position });
  }

  /** The building generation `generation` of `name` now serves, with what it had committed (`position`). */
  swappedIn(name: string, generation: number, position: LogPosition): void {
    const known = this.byName.get(name);
    if (known && generation < known.generation) return;
    this.byName.set(name, { generation, position });
  }

  /** Whether the read models of `name` contain the log up to `position`, as far as this process knows. */
  reached(name: string, position: LogPosition): boolean {
    const known = this.byName.get(name);
    return known !== undefined && comparePositions(known.position, position) >= 0;
  }
}
