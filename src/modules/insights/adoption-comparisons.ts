// Type-only imports: the benchmark loads the insights under plain Node (see insights-model.ts).
import type { GroupActivityHistory, GroupFacts, InsightsModel } from './insights-model.ts';
import type { GroupAdoptionFigures } from './insights-measures.ts';

const DAY_MS = 86_400_000;
/** A side with fewer groups than this is flagged: its share can swing with one group. */
export const MINIMUM_GROUPS_PER_SIDE = 5;
/** The before/after windows: this many weeks before the award day, and as many from it. */
export const WEEKS_AROUND_AWARD = 4;

/** One side of a comparison: the groups on it and their activity, summed as the adoption KPIs sum it. */
export interface ComparisonSide {
  readonly groups: number;
  /** Every group's members (before/after: each group's mean over its periods in the window). */
  readonly members: number;
  /** Of the groups whose reports count posters (readers): only those enter the share. */
  readonly posters: number;
  readonly readers: number;
  /** posters / the members of the groups whose reports count posters; null when there are none. */
  readonly postingShare: number | null;
  readonly readingShare: number | null;
  readonly sampleTooSmall: boolean;
}

interface Contrast {
  /** The side with the governance measure minus the other (after minus before); null when either share is. */
  readonly postingShareDifference: number | null;
  readonly readingShareDifference: number | null;
  /** Either side has fewer than MINIMUM_GROUPS_PER_SIDE groups. */
  readonly sampleTooSmall: boolean;
  /** What the comparison can and cannot show, in plain English, with this moment's group sizes. */
  readonly caveat: string;
}

export interface CertifiedOwnersComparison extends Contrast {
  readonly certified: ComparisonSide;
  readonly uncertified: ComparisonSide;
}

export interface AmbassadorComparison extends Contrast {
  readonly withAmbassador: ComparisonSide;
  readonly withoutAmbassador: ComparisonSide;
}

/** After minus before of each count a side reports; null where either side lacks it. */
export interface CountDifferences {
  /** Null when no group is compared. There is no difference of groups: both sides hold the same groups. */
  readonly membersDifference: number | null;
  /** Null when either side has no group whose reports count posters (its posters are then no figure but a 0 by default). */
  readonly postersDifference: number | null;
  readonly readersDifference: number | null;
}

export interface CertificationBeforeAfterComparison extends Contrast, CountDifferences {
  readonly weeks: number;
  readonly before: ComparisonSide;
  readonly after: ComparisonSide;
}

export interface AdoptionComparisons {
  readonly minimumGroupsPerSide: number;
  readonly certifiedOwners: CertifiedOwnersComparison;
  readonly ambassadorInDepartment: AmbassadorComparison;
  readonly beforeAfterCertification: CertificationBeforeAfterComparison;
}

/** What the measures already decided, so that a comparison uses the same rules as the KPIs it stands beside. */
export interface ComparisonFacts {
  /** Each group's latest period that had ended by then, as the adoption figures give it. */
  readonly latest: readonly GroupAdoptionFigures[];
  /** The groups OWNER_CERTIFICATION_COVERAGE counts as covered: owners, every one of them certified then. */
  readonly certifiedGroups: ReadonlySet<string>;
  /** The departments AMBASSADOR_DEPARTMENT_COVERAGE counts as covered: an ACTIVE ambassador who is still a member. */
  readonly departmentsWithAmbassador: ReadonlySet<string>;
}

/** A group's part in a side's sums. */
interface Contribution {
  members: number;
  postingMembers: number;
  posters: number;
  readingMembers: number;
  readers: number;
}

/**
 * The three comparisons at `at`, from the model as the log stood then. Pure: the model is read, never changed.
 * Certified vs not and ambassador vs not compare each group's latest ended period; before/after compares each
 * group with itself around its award day.
 */
export function compareAdoption(model: InsightsModel, at: number, facts: ComparisonFacts): AdoptionComparisons {
  // Each side summed as its groups come (the order of the answer), with no row made per group and point. Indexed loops
  // here and below: unlike for-of, they make no iterator per group at each point of a series (measured: a third of
  // what the comparisons allocated).
  const certified = emptySums();
  const uncertified = emptySums();
  const withAmbassador = emptySums();
  const withoutAmbassador = emptySums();
  const latest = facts.latest;
  for (let i = 0; i < latest.length; i++) {
    const group = latest[i]!;
    const { members, posters, readers } = group;
    addFigures(facts.certifiedGroups.has(group.groupId) ? certified : uncertified, members, posters, readers);
    const owners = model.groups.get(group.groupId)?.owners ?? NO_OWNERS;
    addFigures(
      hasAmbassadorNearby(model, owners, facts.departmentsWithAmbassador) ? withAmbassador : withoutAmbassador,
      members,
      posters,
      readers,
    );
  }
  const around = aroundFirstAward(model, at);
  const [isCertified, isNot] = [side(certified), side(uncertified)];
  const [hasAmbassador, hasNone] = [side(withAmbassador), side(withoutAmbassador)];
  const [before, after] = [side(around.before), side(around.after)];
  return {
    minimumGroupsPerSide: MINIMUM_GROUPS_PER_SIDE,
    certifiedOwners: {
      certified: isCertified,
      uncertified: isNot,
      ...contrast(isCertified, isNot, CERTIFIED_OWNERS_CAVEAT, ['with certified owners', 'without']),
    },
    ambassadorInDepartment: {
      withAmbassador: hasAmbassador,
      withoutAmbassador: hasNone,
      ...contrast(hasAmbassador, hasNone, AMBASSADOR_CAVEAT, ['with an ambassador nearby', 'without']),
    },
    beforeAfterCertification: {
      weeks: WEEKS_AROUND_AWARD,
      before,
      after,
      ...contrast(after, before, BEFORE_AFTER_CAVEAT, ['after the award', 'before']),
      ...countDifferences(after, before),
    },
  };
}

const NO_OWNERS: readonly string[] = [];

// ---------------------------------------------------------------- who is on which side

/**
 * Groups have no department of their own: a group's departments are those of its owners who are still members, and it
 * has an ambassador nearby when one of them has an active ambassador. A group without such owners has none.
 */
function hasAmbassadorNearby(model: InsightsModel, owners: readonly string[], departments: ReadonlySet<string>): boolean {
  for (let i = 0; i < owners.length; i++) {
    const owner = model.members.get(owners[i]!);
    if (owner?.active && departments.has(owner.department)) return true;
  }
  return false;
}

/**
 * Each group with a current owner who has ever been certified, aligned on the day (UTC) of the earliest first award
 * among its current owners: its periods that lie wholly in the WEEKS_AROUND_AWARD weeks before that day, and those that
 * lie wholly in as many weeks from it (ended by `at`). Only groups with a period on both sides count, so both sides hold
 * the same groups; each enters as its mean over its periods in the window, so a group weighs by its size, not by how
 * many of its weeks were reported.
 */
function aroundFirstAward(model: InsightsModel, at: number): { before: Sums; after: Sums } {
  const before = emptySums();
  const after = emptySums();
  const awardsKnown = model.firstAwards.size;
  for (const group of model.groups.values()) {
    let kept = aroundAward.get(group);
    if (kept === undefined) aroundAward.set(group, (kept = newAroundAward()));
    const owners = group.owners;
    // An owner coming grows the array, one going replaces it; first awards are only ever added, and never change.
    if (kept.owners !== owners || kept.ownerCount !== owners.length || (!kept.everyOwnerAwarded && kept.awardsKnown !== awardsKnown)) {
      findAwardDay(model, owners, kept, awardsKnown);
    }
    const awardDay = kept.awardDay;
    if (awardDay === null) continue;
    // A group's history, once it has one, is never replaced.
    const history = (kept.history ??= model.groupActivity.get(group.groupId));
    if (!history) continue;
    // Once the window after the award is over, every period that can count has ended by `at`: the means depend on the
    // group's periods in the windows and its award day only, and stay as they were until a report for a period in the
    // windows comes (most reports are for a later week) or the award day changes.
    const settled = kept.settled;
    let means: AroundMeans | null;
    if (
      settled !== null &&
      at >= awardDay + WINDOW_MS &&
      settled.awardDay === awardDay &&
      !history.recordedWithinSince(settled.revision, awardDay - WINDOW_MS, awardDay + WINDOW_MS)
    ) {
      // Nothing recorded up to now changes them: only what comes after is looked at next time.
      settled.revision = history.revision;
      means = settled.means;
    } else {
      means = meansAround(history, awardDay, at);
      if (at >= awardDay + WINDOW_MS) kept.settled = { awardDay, revision: history.revision, means };
    }
    if (means === null) continue;
    addContribution(before, means.before);
    addContribution(after, means.after);
  }
  return { before, after };
}

const WINDOW_MS = WEEKS_AROUND_AWARD * 7 * DAY_MS;

/** The day (UTC) of the earliest first award among the owners, kept with what it was worked out from. */
function findAwardDay(model: InsightsModel, owners: readonly string[], kept: AroundAward, awardsKnown: number): void {
  let award: number | null = null;
  let everyOwnerAwarded = true;
  for (const ownerId of owners) {
    const first = model.firstAwards.get(ownerId);
    if (first === undefined) everyOwnerAwarded = false;
    else if (award === null || first < award) award = first;
  }
  kept.owners = owners;
  kept.ownerCount = owners.length;
  kept.everyOwnerAwarded = everyOwnerAwarded;
  kept.awardsKnown = awardsKnown;
  kept.awardDay = award === null ? null : Math.floor(award / DAY_MS) * DAY_MS;
}

/** The group's means over its periods in each window that had ended by `at`; null unless it has a period in both. */
function meansAround(history: GroupActivityHistory, awardDay: number, at: number): AroundMeans | null {
  const earlier = emptySums();
  const later = emptySums();
  // Only the periods near the award day: not the group's whole history at every point of a series.
  history.forEachCandidateWithin(awardDay - WINDOW_MS, awardDay + WINDOW_MS, at, (period) => {
    if (period.endsAt > at) return;
    if (period.startsAt >= awardDay - WINDOW_MS && period.endsAt <= awardDay)
      addFigures(earlier, period.members, period.posters, period.readers);
    else if (period.startsAt >= awardDay && period.endsAt <= awardDay + WINDOW_MS)
      addFigures(later, period.members, period.posters, period.readers);
  });
  return earlier.count === 0 || later.count === 0 ? null : { before: meanOf(earlier), after: meanOf(later) };
}

interface AroundMeans {
  readonly before: Contribution;
  readonly after: Contribution;
}

/**
 * What aroundFirstAward worked out for a group, kept for the next point of the series: its award day (until its
 * owners change, or a first award comes while one of them has none), its history, and its means once its windows were
 * over.
 */
interface AroundAward {
  owners: readonly string[] | null;
  ownerCount: number;
  everyOwnerAwarded: boolean;
  /** How many members had a first award when the award day was worked out. */
  awardsKnown: number;
  /** The day (UTC) of the earliest first award among the owners; null: none has one. */
  awardDay: number | null;
  history: GroupActivityHistory | undefined;
  settled: SettledMeans | null;
}

function newAroundAward(): AroundAward {
  return { owners: null, ownerCount: 0, everyOwnerAwarded: false, awardsKnown: 0, awardDay: null, history: undefined, settled: null };
}

/** A group's means around an award day whose windows were over when they were worked out (null: not compared). */
interface SettledMeans {
  readonly awardDay: number;
  /** The history's revision when they were last found right: a report recorded since may change them. */
  revision: number;
  readonly means: AroundMeans | null;
}

/**
 * Kept with the group's facts in the model (a group created again gets new ones, and is worked out afresh), so a
 * series works each group out once rather than at each of its points, and the model lets them go with it. The means
 * are never changed once made: the sides only read them.
 */
const aroundAward = new WeakMap<GroupFacts, AroundAward>();

// ---------------------------------------------------------------- sums

/**
 * Counts and figures added up one by one, with no row kept per group: a side's groups, or a group's periods on one side
 * of its award day. Added in the order they come, always the same for the same log (the means are fractions: the order
 * fixes their rounding).
 */
interface Sums extends Contribution {
  count: number;
}

function emptySums(): Sums {
  return { count: 0, members: 0, postingMembers: 0, posters: 0, readingMembers: 0, readers: 0 };
}

/**
 * One group's (or period's) figures, as the adoption KPIs sum them: a group without members has no share to add; a
 * missing count leaves the group out of that share.
 */
function addFigures(sums: Sums, members: number, posters: number | null, readers: number | null): void {
  const postingMembers = members > 0 && posters !== null ? members : 0;
  const readingMembers = members > 0 && readers !== null ? members : 0;
  sums.count++;
  sums.members += members;
  sums.postingMembers += postingMembers;
  sums.posters += postingMembers > 0 ? posters! : 0;
  sums.readingMembers += readingMembers;
  sums.readers += readingMembers > 0 ? readers! : 0;
}

function addContribution(sums: Sums, row: Contribution): void {
  sums.count++;
  sums.members += row.members;
  sums.postingMembers += row.postingMembers;
  sums.posters += row.posters;
  sums.readingMembers += row.readingMembers;
  sums.readers += row.readers;
}

/** The group's mean over its periods on that side: it weighs by its size, not by how many of its weeks were reported. */
function meanOf(sums: Sums): Contribution {
  const n = sums.count;
  return {
    members: sums.members / n,
    postingMembers: sums.postingMembers / n,
    posters: sums.posters / n,
    readingMembers: sums.readingMembers / n,
    readers: sums.readers / n,
  };
}

function side(sums: Sums): ComparisonSide {
  return {
    groups: sums.count,
    members: sums.members,
    posters: sums.posters,
    readers: sums.readers,
    postingShare: ratio(sums.posters, sums.postingMembers),
    readingShare: ratio(sums.readers, sums.readingMembers),
    sampleTooSmall: sums.count < MINIMUM_GROUPS_PER_SIDE,
  };
}

function contrast(measured: ComparisonSide, other: ComparisonSide, base: string, [label, otherLabel]: [string, string]): Contrast {
  const sampleTooSmall = measured.sampleTooSmall || other.sampleTooSmall;
  const sentences = [base, GROUP_SIZE_CAVEAT];
  if (measured.groups > 0 && other.groups > 0) {
    sentences.push(
      `Groups average ${Math.round(measured.members / measured.groups)} members ${label}, ` +
        `${Math.round(other.members / other.groups)} ${otherLabel}.`,
    );
  }
  if (measured.groups === 0 && other.groups === 0) {
    sentences.push('No group has figures on either side yet: there is nothing to compare.');
  } else if (sampleTooSmall) {
    sentences.push(
      `With ${groupCount(measured.groups)} ${label} and ${other.groups} ${otherLabel} (fewer than ${MINIMUM_GROUPS_PER_SIDE} ` +
        'on a side), the difference may be chance: do not read anything into it yet.',
    );
  }
  return {
    postingShareDifference: difference(measured.postingShare, other.postingShare),
    readingShareDifference: difference(measured.readingShare, other.readingShare),
    sampleTooSmall,
    caveat: sentences.join(' '),
  };
}

/**
 * `later` minus `earlier` of each count. A share is null exactly when its side has no group that counts posters (or
 * readers): its 0 posters then mean "not counted", and a difference with it would be made up.
 */
function countDifferences(later: ComparisonSide, earlier: ComparisonSide): CountDifferences {
  const compared = later.groups > 0 && earlier.groups > 0;
  return {
    membersDifference: compared ? later.members - earlier.members : null,
    postersDifference: later.postingShare === null || earlier.postingShare === null ? null : later.posters - earlier.posters,
    readersDifference: later.readingShare === null || earlier.readingShare === null ? null : later.readers - earlier.readers,
  };
}

function groupCount(n: number): string {
  return n === 1 ? '1 group' : `${n} groups`;
}

function ratio(part: number, whole: number): number | null {
  return whole === 0 ? null : part / whole;
}

function difference(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a - b;
}

// ---------------------------------------------------------------- what a comparison can and cannot show

const CERTIFIED_OWNERS_CAVEAT =
  'Compares groups whose owners all held a current certification at this date with the other groups (groups without ' +
  'owners included). It shows whether the two differ, not why: a correlation, not proof that certification makes groups ' +
  'livelier. Owners of lively groups may be the ones who seek certification, and the groups may differ in topic, age ' +
  'or audience.';

const AMBASSADOR_CAVEAT =
  'Compares groups with an active ambassador in the department of at least one of their owners (groups have no ' +
  "department of their own) with the other groups, those whose owners' department is unknown included. A correlation, " +
  'not a cause: departments with an ambassador may differ in other ways (size, culture, how much they use the platform ' +
  'at all), and an ambassador need not reach every group of their department.';

const BEFORE_AFTER_CAVEAT =
  `Follows the same groups from the ${WEEKS_AROUND_AWARD} weeks before the day the first of their current owners was ` +
  `first certified to the ${WEEKS_AROUND_AWARD} weeks from that day, counting only report periods wholly inside a ` +
  'window (a period spanning the award day is left out) and only groups with a report on both sides. There is no ' +
  'comparison group: a change may come from anything else in those weeks (holidays, a campaign, the group growing or ' +
  'fading on its own), and the owner may not have owned the group all that time.';

const GROUP_SIZE_CAVEAT =
  'Shares are summed over members, so large groups weigh more than small ones, and small groups tend to have higher ' +
  'shares: a difference in group size alone can show as a difference here.';
