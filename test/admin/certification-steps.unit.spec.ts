// The certification steps the console offers (admin/src/certification-steps.ts) are exactly those the certification
// decider accepts, state by state. Here rather than beside the console's other specs: it reads the service's decider,
// which the console's own tsconfig does not compile.
import { certificationSteps, type CertificationChange } from '../../admin/src/certification-steps.ts';
import {
  certificationDecider,
  certificationStatusAt,
  type CertificationCommand,
  type CertificationState,
} from '../../src/modules/certification/certification.decider.ts';

describe('certification steps offered by the console', () => {
  const LEVELS = [
    { level: 1, name: 'Moderator', requiredProgrammes: [], validityMonths: 12 },
    { level: 2, name: 'Senior', requiredProgrammes: [], validityMonths: 12 },
    { level: 3, name: 'Lead', requiredProgrammes: [], validityMonths: 12 },
  ];
  const base = { memberId: 'm-1', actorId: 'cm-1' };
  const AWARDED = '2025-01-10T09:00:00.000Z';
  const IN_WINDOW = '2025-12-01T00:00:00.000Z';
  const MID = '2025-06-01T00:00:00.000Z';
  const AFTER_EXPIRY = '2026-02-01T00:00:00.000Z';
  const award = (level: number, at: string): CertificationCommand => ({
    type: 'AwardCertification',
    ...base,
    level,
    evidence: null,
    member: 'active',
    levels: LEVELS.filter((l) => l.level <= level),
    completedProgrammes: [],
    at,
  });
  const change = (kind: CertificationChange, at: string): CertificationCommand => {
    const type = {
      renew: 'RenewCertification',
      suspend: 'SuspendCertification',
      reinstate: 'ReinstateCertification',
      revoke: 'RevokeCertification',
    }[kind];
    return { type, ...base, reason: 'why', levels: LEVELS, at } as CertificationCommand;
  };
  const apply = (state: CertificationState, command: CertificationCommand): CertificationState =>
    certificationDecider.decide(command, state).reduce(certificationDecider.evolve, state);
  const accepted = (state: CertificationState, command: CertificationCommand): boolean => {
    try {
      certificationDecider.decide(command, state);
      return true;
    } catch {
      return false;
    }
  };

  const none = certificationDecider.initialState;
  const level1 = apply(none, award(1, AWARDED));
  const due = apply(level1, {
    type: 'MarkCertificationDueForRenewal',
    memberId: 'm-1',
    recordId: level1.status === 'NOT_CERTIFIED' ? '' : level1.current.recordId,
    expiresAt: level1.status === 'NOT_CERTIFIED' ? '' : level1.current.expiresAt,
    renewalWindowDays: 60,
    at: IN_WINDOW,
  });
  const level2 = apply(none, award(2, AWARDED));
  const cases: [string, CertificationState, string][] = [
    ['none', none, MID],
    ['certified at level 1', level1, MID],
    ['certified at level 2', level2, MID],
    ['due for renewal', due, IN_WINDOW],
    ['suspended', apply(level1, change('suspend', MID)), MID],
    ['expired by its date', level1, AFTER_EXPIRY],
    ['suspended past its expiry', apply(level1, change('suspend', MID)), AFTER_EXPIRY],
    ['revoked', apply(level1, change('revoke', MID)), MID],
  ];

  test.each(cases)('%s: exactly the steps the decider accepts', (_name, state, at) => {
    const status = certificationStatusAt(state, at);
    const steps = certificationSteps({ status, level: state.status === 'NOT_CERTIFIED' ? null : state.current.level }, [3, 1, 2]);
    const kinds: CertificationChange[] = ['renew', 'suspend', 'reinstate', 'revoke'];
    expect(steps.changes).toEqual(kinds.filter((kind) => accepted(state, change(kind, at))));
    expect(steps.awardLevels).toEqual([1, 2, 3].filter((level) => accepted(state, award(level, at))));
  });
});
