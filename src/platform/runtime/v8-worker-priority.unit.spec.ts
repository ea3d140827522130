import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lowerV8WorkerPriority } from './v8-worker-priority.ts';

const MODULE = fileURLToPath(new URL('./v8-worker-priority.ts', import.meta.url));
const onLinux = process.platform === 'linux';
// The child inherits this process's nice (0 unless the tests run under `nice`).
const inherited = getPriority(0);

/** Runs the function in a fresh Node (not in Jest's own process) and reads back each of its threads' name and nice. */
function inChild(nice: number, workersAlreadyAt?: number): { result: { lowered: number }; threads: { name: string; nice: number }[] } {
  const script = `
    import { readdirSync, readFileSync } from 'node:fs';
    import { getPriority, setPriority } from 'node:os';
    import { lowerV8WorkerPriority } from ${JSON.stringify(MODULE)};
    if (${workersAlreadyAt ?? 'undefined'} !== undefined) {
      for (const tid of readdirSync('/proc/self/task')) {
        if (readFileSync('/proc/self/task/' + tid + '/comm', 'utf8').trim() === 'V8Worker') setPriority(Number(tid), ${workersAlreadyAt});
      }
    }
    const result = lowerV8WorkerPriority(${nice});
    const threads = readdirSync('/proc/self/task').map((tid) => ({
      name: readFileSync('/proc/self/task/' + tid + '/comm', 'utf8').trim(),
      nice: getPriority(Number(tid)),
    }));
    console.log(JSON.stringify({ result, threads }));
  `;
  const run = spawnSync(process.execPath, ['--experimental-transform-types', '--no-warnings', '--input-type=module', '-e', script], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`the child failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ReturnType<typeof inChild>;
}

describe("V8's worker threads run below the event loop", () => {
  (onLinux && inherited < 19 ? test : test.skip)(
    'every V8Worker thread gets the nice given; the main thread and the others keep theirs',
    () => {
      const { result, threads } = inChild(19);
      const workers = threads.filter((t) => t.name === 'V8Worker');
      const others = threads.filter((t) => t.name !== 'V8Worker');
      expect(workers.length).toBeGreaterThan(0);
      expect(others.map((t) => t.name)).toContain('MainThread');
      expect(result).toEqual({ lowered: workers.length });
      expect(workers.map((t) => t.nice)).toEqual(workers.map(() => 19));
      expect(others.map((t) => t.nice)).toEqual(others.map(() => inherited));
    },
  );

  (onLinux ? test : test.skip)('nice 0 changes nothing', () => {
    const { result, threads } = inChild(0);
    expect(result).toEqual({ lowered: 0, skipped: 'V8_WORKER_NICE=0' });
    expect(threads.every((t) => t.nice === inherited)).toBe(true);
  });

  (onLinux && inherited < 19 ? test : test.skip)('threads already nicer are left alone (raising their priority needs privilege)', () => {
    const { result, threads } = inChild(Math.max(10, inherited), 19);
    expect(result).toEqual({ lowered: 0 });
    expect(threads.filter((t) => t.name === 'V8Worker').map((t) => t.nice)).toEqual(
      threads.filter((t) => t.name === 'V8Worker').map(() => 19),
    );
  });

  test('without /proc it does nothing and says why', () => {
    expect(lowerV8WorkerPriority(19, '/nonexistent/task')).toEqual({ lowered: 0, skipped: 'no /nonexistent/task (not Linux)' });
  });

  test('only threads named V8Worker are touched; a thread that ends while it looks is passed over', () => {
    // A fake task directory whose "threads" are ids no process has (the kernel answers ESRCH for them).
    const dir = mkdtempSync(join(tmpdir(), 'tasks-'));
    const thread = (tid: string, comm?: string) => {
      mkdirSync(join(dir, tid));
      if (comm) writeFileSync(join(dir, tid, 'comm'), `${comm}\n`);
    };
    try {
      thread('999999991', 'MainThread');
      thread('999999992'); // no comm: the thread ended before its name was read
      thread('999999993', 'V8Worker'); // ended after: ESRCH, passed over without failing the start
      expect(lowerV8WorkerPriority(19, dir)).toEqual({ lowered: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
