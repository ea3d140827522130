import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the scheduling priority of V8's worker threads (named `V8Worker` on Linux) to `nice`, leaving the main
 * thread, which runs the event loop and so answers every request, where it was.
 *
 * Why: those threads compile hot functions with TurboFan and help the garbage collector. When a request path turns
 * hot, V8 optimises many of its functions at once on up to four such threads; on the two-core machine of the service
 * benchmark that took 1–1.8 cores for about 80 ms (`perf` showed TurboFan phases on `V8Worker` threads and the event
 * loop and PostgreSQL nearly off the cores), and the slowest `group(id)` queries of most runs clustered there
 * (README: "The query cluster: V8's compiler threads"). At a lower priority they run on cores the event loop and the
 * database do not need, and yield to them otherwise; nothing is skipped, optimised code only arrives a little later.
 *
 * Linux only: elsewhere (no `/proc/self/task`) it does nothing and says so. `nice` 0 leaves every thread alone; a
 * thread already at `nice` or lower priority is left as it is (the count says how many were lowered).
 */
export function lowerV8WorkerPriority(nice: number, tasksDir = '/proc/self/task'): { lowered: number; skipped?: string } {
  if (nice === 0) return { lowered: 0, skipped: 'V8_WORKER_NICE=0' };
  let tids: string[];
  try {
    tids = readdirSync(tasksDir);
  } catch {
    return { lowered: 0, skipped: `no ${tasksDir} (not Linux)` };
  }
  let lowered = 0;
  for (const tid of tids) {
    let name: string;
    try {
      name = readFileSync(`${tasksDir}/${tid}/comm`, 'utf8').trim();
    } catch {
      continue; // the thread ended while we looked
    }
    if (name !== 'V8Worker') continue;
    try {
      // On Linux, setpriority(PRIO_PROCESS, tid) changes that one thread. Raising a nice value needs no privilege;
      // lowering one does, so a process started nicer than `nice` (e.g. under `nice -n 19`) keeps its threads' value.
      if (getPriority(Number(tid)) >= nice) continue;
      setPriority(Number(tid), nice);
      lowered++;
    } catch (error) {
      // The thread ended while we looked (ESRCH), or a sandbox forbids it: a start is never refused for a priority.
      if ((error as { info?: { code?: string } }).info?.code === 'ESRCH') continue;
      return { lowered, skipped: `setpriority refused: ${(error as Error).message}` };
    }
  }
  return { lowered };
}
