// "My certification": where a member stands, as pure functions the page renders (unit-tested without a browser).

import type { CertificationStatus } from './access.ts';

export interface ProgrammeModule {
  readonly moduleId: string;
  readonly title: string;
  readonly required: boolean;
  readonly selfPaced: boolean;
}

export interface Programme {
  readonly id: string;
  readonly title: string;
  readonly revision: number;
  readonly modules: readonly ProgrammeModule[];
}

export interface Enrolment {
  readonly programmeId: string;
  readonly status: string;
  readonly completedModules: readonly string[];
  readonly remainingRequiredModules: readonly string[];
  readonly programmeRevision: number;
}

export interface ModuleProgress extends ProgrammeModule {
  readonly done: boolean;
}

export interface ProgrammeProgress {
  readonly done: number;
  readonly total: number;
  /** Every module, in the programme's order, with whether the member completed it. */
  readonly modules: readonly ModuleProgress[];
  /** The modules not done yet that the enrolment needs (or, not enrolled, every required module). */
  readonly remaining: readonly ModuleProgress[];
  /** Whether the member may record a module themself now: enrolled and not withdrawn or failed. */
  readonly running: boolean;
}

const ENDED = ['WITHDRAWN', 'FAILED'];

/**
 * How far a member is in a programme. The enrolment keeps the modules of the programme revision it was made in; the
 * API serves the programme as it is now, so when the two differ the modules come from the enrolment (its completed
 * and remaining required modules), titled from the programme where the ids still match.
 */
export function programmeProgress(programme: Programme | null, enrolment: Enrolment | null): ProgrammeProgress {
  const completed = new Set(enrolment?.completedModules ?? []);
  const known = new Map((programme?.modules ?? []).map((m) => [m.moduleId, m]));
  const sameRevision = programme !== null && (enrolment === null || enrolment.programmeRevision === programme.revision);
  const modules: ModuleProgress[] = sameRevision
    ? programme.modules.map((m) => ({ ...m, done: completed.has(m.moduleId) }))
    : [
        ...(enrolment?.completedModules ?? []).map((id) => ({ ...moduleOf(known, id, true), done: true })),
        ...(enrolment?.remainingRequiredModules ?? []).map((id) => ({ ...moduleOf(known, id, true), done: false })),
      ];
  const remaining = enrolment && !sameRevision ? modules.filter((m) => !m.done) : modules.filter((m) => !m.done && m.required);
  return {
    done: modules.filter((m) => m.done).length,
    total: modules.length,
    modules,
    remaining,
    running: enrolment !== null && !ENDED.includes(enrolment.status),
  };
}

function moduleOf(known: ReadonlyMap<string, ProgrammeModule>, id: string, required: boolean): ProgrammeModule {
  return known.get(id) ?? { moduleId: id, title: id, required, selfPaced: false };
}

/**
 * Whether an owner may moderate a group's cases with their certification as it is (the certification gate): a
 * lapsed certification bars every owner; having none bars the owners of a group that requires certification.
 */
export type GateStanding = 'allowed' | 'lapsed' | 'required';

export function gateStanding(status: CertificationStatus, requiresCertification: boolean, certificationGate = true): GateStanding {
  // CERTIFICATION_GATE=off: the service checks no owner's certification.
  if (!certificationGate) return 'allowed';
  if (status === 'EXPIRED' || status === 'SUSPENDED' || status === 'REVOKED') return 'lapsed';
  if (status === 'NOT_CERTIFIED' && requiresCertification) return 'required';
  return 'allowed';
}

/** A module as `defineTrainingProgramme` takes it. */
export interface ModuleInput {
  readonly id: string;
  readonly title: string;
  readonly required: boolean;
  readonly selfPaced: boolean;
}

export type ModuleProblem = { readonly line: number; readonly kind: 'noTitle' | 'badId' | 'duplicate' };

const MODULE_ID = /^[A-Za-z0-9._:@-]{1,100}$/;
const REQUIRED_WORDS = ['required', 'verplicht'];
const SELF_PACED_WORDS = ['self-paced', 'selfpaced', 'zelfstandig'];

/**
 * A programme's modules as typed, one a line: `id | title | flags`, the flags any of "required" and "self-paced"
 * (or the Dutch "verplicht", "zelfstandig"); blank lines are skipped. Problems name the line (from 1).
 */
export function parseModules(text: string): { modules: ModuleInput[]; problems: ModuleProblem[] } {
  const modules: ModuleInput[] = [];
  const problems: ModuleProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const line = index + 1;
    const [id = '', title = '', ...rest] = raw.split('|').map((part) => part.trim());
    const flags = rest
      .join(' ')
      .toLowerCase()
      .split(/[\s,]+/)
      .filter(Boolean);
    if (!MODULE_ID.test(id)) problems.push({ line, kind: 'badId' });
    else if (modules.some((m) => m.id === id)) problems.push({ line, kind: 'duplicate' });
    else if (title === '') problems.push({ line, kind: 'noTitle' });
    else
      modules.push({
        id,
        title,
        required: flags.some((f) => REQUIRED_WORDS.includes(f)),
        selfPaced: flags.some((f) => SELF_PACED_WORDS.includes(f)),
      });
  });
  return { modules, problems };
}
