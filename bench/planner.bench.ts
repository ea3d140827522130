/**
 * The simulated year's planner (bench/insights.bench.ts), as the scale benchmark uses it: its time and memory, and a
 * check that the planner that streams the log (planLog) gives the very commands of the planner that held the year in
 * memory. One JSON object on stdout.
 *
 * Measure one planner in this process (the time to plan every command, as seeding would read them, and the heap):
 *
 *   node --experimental-transform-types --conditions=source --no-warnings bench/planner.bench.ts --planner-events 1000000
 *   … bench/planner.bench.ts --planner-events 1000000 --planner-code baseline    (the planner of --planner-baseline)
 *
 * `new` is planLog as bench/scale.bench.ts calls it (about --planner-events events in all, --planner-activity-groups
 * groups' snapshots); `baseline` is planYear, planActivity and the sort of both as the scale benchmark of the baseline
 * commit ran them. The heap: the largest heapUsed seen every 10,000 commands (new; the stream is read as seeding reads
 * it, the commands dropped) or once the plan is made (baseline, which holds it all), garbage included; the largest
 * heap after a full collection (every 500,000 commands, or once planned), what the planner holds; maxRss is the
 * process's peak.
 *
 * Check equality (seconds at 100,000 events, about a minute at 1,000,000):
 *
 *   … bench/planner.bench.ts --planner-check --planner-events 100000,1000000
 *
 * For each count: the baseline commit's YearPlan at the rate planLog calibrates, cut and merged with its planActivity
 * as its planYear and scale benchmark did, against planLog's stream at that rate; and the baseline's planYear and
 * planActivity (the insights benchmark's plan: that many year events, the snapshots on top) against this tree's. Each side is a SHA-256 over every command's JSON
 * in order. The baseline's insights.bench.ts is written beside this file for the run (bench/.planner-baseline-*.ts,
 * removed at the end) so that its imports resolve, with its YearPlan exported.
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { now, reportAndExit, round, wholeNumberFlag } from './bench-server.ts';
import * as current from './insights.bench.ts';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
/** The last commit whose planner held the year in memory. */
const DEFAULT_BASELINE = '0bd7297';
const WEEKS = 53;

interface Command {
  readonly at: number;
  readonly streamId: string;
  readonly events: readonly { type: string }[];
}

interface BaselineModule {
  planYear(events: number, seed: number): { commands: Command[]; events: number };
  planActivity(year: readonly Command[], groups: number, seed: number): { commands: Command[]; events: number };
  YearPlan: new (seed: number, rate: number) => { build(): { commands: Command[]; events: number } };
}

const { values } = parseArgs({
  options: {
    'planner-events': { type: 'string', default: '1000000' },
    'planner-seed': { type: 'string', default: '42' },
    'planner-activity-groups': { type: 'string', default: '2000' },
    'planner-code': { type: 'string', default: 'new' },
    'planner-baseline': { type: 'string', default: DEFAULT_BASELINE },
    'planner-check': { type: 'boolean', default: false },
  },
});
const counts = values['planner-events'].split(',').map((raw) => wholeNumberFlag('planner-events', raw, 20_000));
const seed = wholeNumberFlag('planner-seed', values['planner-seed'], 0);
const activityGroups = wholeNumberFlag('planner-activity-groups', values['planner-activity-groups'], 0);
const baselineCommit = values['planner-baseline'];
if (!/^[0-9a-f]{7,40}$/.test(baselineCommit)) throw new Error('--planner-baseline must be a commit hash');
const code = values['planner-code'];
if (code !== 'new' && code !== 'baseline') throw new Error('--planner-code must be new or baseline');

/** The baseline's insights.bench.ts, imported from a copy beside this file (its imports are relative), YearPlan exported. */
async function importBaseline(): Promise<BaselineModule> {
  const source = execFileSync('git', ['show', `${baselineCommit}:bench/insights.bench.ts`], { cwd: BENCH_DIR, encoding: 'utf8' });
  const file = join(BENCH_DIR, `.planner-baseline-${randomBytes(4).toString('hex')}.ts`);
  writeFileSync(file, `${source}\nexport { YearPlan };\n`);
  try {
    return (await import(pathToFileURL(file).href)) as BaselineModule;
  } finally {
    rmSync(file);
  }
}

/** The scale benchmark's split: the snapshots are about one per group and week, the year makes up the rest. */
const yearTarget = (events: number) => Math.max(10_000, events - activityGroups * WEEKS);

function digest(commands: Iterable<Command>) {
  const hash = createHash('sha256');
  let count = 0;
  let events = 0;
  for (const command of commands) {
    hash.update(JSON.stringify(command));
    hash.update('\n');
    count++;
    events += command.events.length;
  }
  return { commands: count, events, sha256: hash.digest('hex') };
}

/** As the baseline's planYear cut its plan and its scale benchmark merged the snapshots in, at a given rate. */
function baselineLog(baseline: BaselineModule, events: number, rate: number): Command[] {
  const plan = new baseline.YearPlan(seed, rate).build();
  const year: Command[] = current.commandsUpTo(plan.commands, events).commands;
  if (activityGroups === 0) return year;
  return [...year, ...baseline.planActivity(year, activityGroups, seed).commands].sort((a, b) => a.at - b.at);
}

function insightsLog(planner: Pick<BaselineModule, 'planYear' | 'planActivity'>, events: number): Command[] {
  const plan = planner.planYear(events, seed);
  if (activityGroups === 0) return plan.commands;
  return [...plan.commands, ...planner.planActivity(plan.commands, activityGroups, seed).commands].sort((a, b) => a.at - b.at);
}

async function check() {
  const baseline = await importBaseline();
  const results = [];
  for (const events of counts) {
    const target = yearTarget(events);
    const started = now();
    const plan = current.planLog({ events: target, seed, activityGroups });
    const streamed = digest(plan.stream());
    const held = digest(baselineLog(baseline, target, plan.rate));
    // The insights benchmark plans --insights-events year events, the snapshots on top.
    const insightsBaseline = digest(insightsLog(baseline, events));
    const insightsCurrent = digest(insightsLog(current as unknown as BaselineModule, events));
    const equal = streamed.sha256 === held.sha256 && insightsBaseline.sha256 === insightsCurrent.sha256;
    results.push({
      events,
      rate: plan.rate,
      planLog: { ...streamed, askedYearEvents: target, yearEvents: plan.yearEvents, yearCutAt: plan.yearCutAt },
      baselineAtThatRate: held,
      insightsPlan: { baseline: insightsBaseline, current: insightsCurrent },
      equal,
      ms: Math.round(now() - started),
    });
    process.stderr.write(`planner: ${events} events: ${equal ? 'equal' : 'DIFFERENT'}\n`);
  }
  return { baseline: baselineCommit, seed, activityGroups, results, equal: results.every((r) => r.equal) };
}

/** The heap in use after a full garbage collection (exposed here, so the command line needs no --expose-gc). */
function heapAfterCollection(): number {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

async function measure() {
  const events = counts[0]!;
  const target = yearTarget(events);
  const megabytes = (bytes: number) => round(bytes / 2 ** 20, 1);
  const loadAtStart = round(loadavg()[0]!, 2);
  let peakHeap = 0;
  let peakRetained = 0;
  let commands = 0;
  let planned = 0;
  const started = now();
  if (code === 'new') {
    const plan = current.planLog({ events: target, seed, activityGroups });
    for (const command of plan.stream()) {
      planned += command.events.length;
      if (++commands % 10_000 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
      if (commands % 500_000 === 0) peakRetained = Math.max(peakRetained, heapAfterCollection());
    }
  } else {
    const log = insightsLog(await importBaseline(), target);
    peakHeap = process.memoryUsage().heapUsed;
    peakRetained = heapAfterCollection();
    // Read after the collection, so the plan was still held during it.
    commands = log.length;
    for (const command of log) planned += command.events.length;
  }
  return {
    code: code === 'new' ? 'planLog' : `baseline ${baselineCommit}`,
    askedEvents: events,
    events: planned,
    commands,
    planMs: Math.round(now() - started),
    peakHeapUsedMb: megabytes(Math.max(peakHeap, process.memoryUsage().heapUsed)),
    // What the planner holds: the heap after a full collection, every 500,000 commands (new) or once planned (baseline).
    // The full collections are in planMs (a few hundred ms at 10 M).
    peakHeapAfterCollectionMb: megabytes(peakRetained),
    maxRssMb: megabytes(process.resourceUsage().maxRSS * 1024),
    loadAverage1m: { atStart: loadAtStart, atEnd: round(loadavg()[0]!, 2) },
  };
}

await reportAndExit(async () => {
  const output = values['planner-check'] ? await check() : await measure();
  // Exits 1 when the plans differ.
  return { output, failed: 'equal' in output && !output.equal };
});
