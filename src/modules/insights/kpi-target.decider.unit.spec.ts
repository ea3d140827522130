import { foldState } from '#event-store';
import { DeciderSpecification } from '#testing';
import { DomainError, type DomainErrorCode } from '../../platform/shared/domain-error.ts';
import { KPI_IDS, KPI_DEFINITIONS, requireScope, kpiDefinition, targetMet } from './kpi-catalogue.ts';
import {
  isKpiTargetEvent,
  KPI_TARGET_EVENT_SCHEMAS,
  KPI_TARGET_EVENT_TYPES,
  kpiTargetDecider,
  kpiTargetStreamId,
  type KpiTargetEvent,
  type KpiTargetSet,
  type SetKpiTarget,
  type ClearKpiTarget,
} from './kpi-target.decider.ts';

const spec = DeciderSpecification.for(kpiTargetDecider);
const AT = '2025-03-03T09:00:00.000Z';
const LATER = '2025-03-10T09:00:00.000Z';

const set = (kpi: string, value: number, scope: string | null = null, at = AT): SetKpiTarget => ({
  type: 'SetKpiTarget',
  kpi,
  scope,
  value,
  actorId: 'cm-1',
  at,
});
const clear = (kpi: string, scope: string | null = null, at = LATER): ClearKpiTarget => ({
  type: 'ClearKpiTarget',
  kpi,
  scope,
  actorId: 'cm-2',
  at,
});
const targetSet = (data: Partial<KpiTargetSet['data']> = {}): KpiTargetEvent => ({
  type: 'KpiTargetSet',
  data: { kpi: 'MODERATION_BACKLOG', scope: null, value: 10, direction: 'AT_MOST', setBy: 'cm-1', setAt: AT, ...data },
});

const refusedWith = (code: DomainErrorCode, message?: RegExp) => (error: unknown) =>
  error instanceof DomainError && error.code === code && (message === undefined || message.test(error.message));

describe('KPI target decider', () => {
  test('a community manager sets a target; the KPI gives its direction', () => {
    spec.given([]).when(set('MODERATION_BACKLOG', 10)).then([targetSet()]);
    spec
      .given([])
      .when(set('AGREEMENT_ACCEPTANCE_RATE', 0.95, 'coc'))
      .then([targetSet({ kpi: 'AGREEMENT_ACCEPTANCE_RATE', scope: 'coc', value: 0.95, direction: 'AT_LEAST' })]);
  });

  test('the same target again records nothing; another value is a new event', () => {
    spec
      .given([targetSet()])
      .when(set('MODERATION_BACKLOG', 10, null, LATER))
      .then([]);
    spec
      .given([targetSet()])
      .when(set('MODERATION_BACKLOG', 5, null, LATER))
      .then([targetSet({ value: 5, setAt: LATER })]);
  });

  test('clearing a set target records who cleared it; clearing nothing records nothing', () => {
    spec
      .given([targetSet()])
      .when(clear('MODERATION_BACKLOG'))
      .then([{ type: 'KpiTargetCleared', data: { kpi: 'MODERATION_BACKLOG', scope: null, clearedBy: 'cm-2', clearedAt: LATER } }]);
    spec.given([]).when(clear('MODERATION_BACKLOG')).then([]);
    spec
      .given([
        targetSet(),
        { type: 'KpiTargetCleared', data: { kpi: 'MODERATION_BACKLOG', scope: null, clearedBy: 'cm-2', clearedAt: LATER } },
      ])
      .when(clear('MODERATION_BACKLOG'))
      .then([]);
  });

  test('setting after clearing sets again', () => {
    const cleared: KpiTargetEvent = {
      type: 'KpiTargetCleared',
      data: { kpi: 'MODERATION_BACKLOG', scope: null, clearedBy: 'cm-2', clearedAt: LATER },
    };
    spec
      .given([targetSet(), cleared])
      .when(set('MODERATION_BACKLOG', 10, null, LATER))
      .then([targetSet({ setAt: LATER })]);
    expect(foldState(kpiTargetDecider, [targetSet(), cleared])).toEqual({
      status: 'cleared',
      kpi: 'MODERATION_BACKLOG',
      scope: null,
      clearedBy: 'cm-2',
      clearedAt: LATER,
    });
  });

  test('an unknown KPI, a scope the KPI does not take, or a missing required scope is refused', () => {
    spec
      .given([])
      .when(set('POSTS_PER_DAY', 3))
      .thenThrows(refusedWith('BAD_USER_INPUT', /^kpi must be one of OWNER_CERTIFICATION_COVERAGE, /));
    spec
      .given([])
      .when(set('MODERATION_BACKLOG', 3, 'Sales'))
      .thenThrows(refusedWith('BAD_USER_INPUT', /MODERATION_BACKLOG has no scopes/));
    spec
      .given([])
      .when(set('CONSENT_RATE', 0.5))
      .thenThrows(refusedWith('BAD_USER_INPUT', /CONSENT_RATE is measured per purpose/));
    spec
      .given([])
      .when(set('CONSENT_RATE', 0.5, 'News Letter'))
      .thenThrows(refusedWith('BAD_USER_INPUT', /consent purpose/));
    spec
      .given([])
      .when(set('TRAINING_COMPLETION_RATE', 0.5, 'not an id'))
      .thenThrows(refusedWith('BAD_USER_INPUT', /programme id/));
    spec.given([]).when(clear('MODERATION_BACKLOG', 'Sales')).thenThrows(refusedWith('BAD_USER_INPUT'));
  });

  test('a share is from 0 to 1; any other value from 0; never NaN or infinite', () => {
    spec
      .given([])
      .when(set('OWNER_CERTIFICATION_COVERAGE', 80))
      .thenThrows(refusedWith('BAD_USER_INPUT', /from 0 to 1/));
    spec
      .given([])
      .when(set('MODERATION_BACKLOG', -1))
      .thenThrows(refusedWith('BAD_USER_INPUT', /from 0/));
    spec.given([]).when(set('MODERATION_BACKLOG', Number.NaN)).thenThrows(refusedWith('BAD_USER_INPUT'));
    spec.given([]).when(set('MODERATION_BACKLOG', Number.POSITIVE_INFINITY)).thenThrows(refusedWith('BAD_USER_INPUT'));
    spec
      .given([])
      .when(set('OWNER_CERTIFICATION_COVERAGE', 1))
      .then([targetSet({ kpi: 'OWNER_CERTIFICATION_COVERAGE', value: 1, direction: 'AT_LEAST' })]);
    spec
      .given([])
      .when(set('MODERATION_BACKLOG', 0))
      .then([targetSet({ value: 0 })]);
  });

  test('an adoption share takes a group id as scope; the group counts take none', () => {
    spec
      .given([])
      .when(set('ADOPTION_POSTING_SHARE', 0.1, 'g-sales'))
      .then([targetSet({ kpi: 'ADOPTION_POSTING_SHARE', scope: 'g-sales', value: 0.1, direction: 'AT_LEAST' })]);
    expect(kpiTargetStreamId('ADOPTION_POSTING_SHARE', 'g-sales')).toBe('kpi_target-ADOPTION_POSTING_SHARE-g-sales');
    spec
      .given([])
      .when(set('ADOPTION_READING_SHARE', 0.5, 'g sales'))
      .thenThrows(refusedWith('BAD_USER_INPUT', /group id/));
    spec
      .given([])
      .when(set('ADOPTION_GROUPS_INACTIVE_30_DAYS', 3, 'g-sales'))
      .thenThrows(refusedWith('BAD_USER_INPUT', /no scopes/));
    spec
      .given([])
      .when(set('ADOPTION_GROUPS_INACTIVE_30_DAYS', 3))
      .then([targetSet({ kpi: 'ADOPTION_GROUPS_INACTIVE_30_DAYS', value: 3, direction: 'AT_MOST' })]);
  });

  test('a department scope is free text, trimmed', () => {
    spec
      .given([])
      .when(set('AMBASSADORS_PER_100_MEMBERS', 2, '  Sales & Marketing '))
      .then([targetSet({ kpi: 'AMBASSADORS_PER_100_MEMBERS', scope: 'Sales & Marketing', value: 2, direction: 'AT_LEAST' })]);
  });

  test('stream ids: kpi_target-<kpi>[-<scope>], a scope that is not an id encoded so that no two scopes share a stream', () => {
    expect(kpiTargetStreamId('MODERATION_BACKLOG', null)).toBe('kpi_target-MODERATION_BACKLOG');
    expect(kpiTargetStreamId('AGREEMENT_ACCEPTANCE_RATE', 'coc-2025')).toBe('kpi_target-AGREEMENT_ACCEPTANCE_RATE-coc-2025');
    expect(kpiTargetStreamId('AMBASSADORS_PER_100_MEMBERS', 'Sales & Marketing')).toBe(
      `kpi_target-AMBASSADORS_PER_100_MEMBERS-~${Buffer.from('Sales & Marketing').toString('base64url')}`,
    );
    // An id can never start with "~", so an encoded scope never meets a plain one.
    const encoded = kpiTargetStreamId('AMBASSADORS_PER_100_MEMBERS', 'R&D').split('-').slice(2).join('-');
    expect(kpiTargetStreamId('AMBASSADORS_PER_100_MEMBERS', encoded)).not.toBe(kpiTargetStreamId('AMBASSADORS_PER_100_MEMBERS', 'R&D'));
  });

  test('event types, schemas (nothing personal) and the catalogue agree', () => {
    expect(KPI_TARGET_EVENT_SCHEMAS).toEqual([{ type: 'KpiTargetSet' }, { type: 'KpiTargetCleared' }]);
    expect(KPI_TARGET_EVENT_TYPES.every((type) => isKpiTargetEvent({ type }))).toBe(true);
    expect(isKpiTargetEvent({ type: 'MemberRegistered' })).toBe(false);
    expect([...KPI_DEFINITIONS.keys()]).toEqual([...KPI_IDS]);
    for (const kpi of KPI_IDS) {
      const definition = kpiDefinition(kpi);
      // A KPI measured only per scope has scopes; the whole catalogue names no stream-breaking character.
      if (definition.scopeRequired) expect(definition.scopeKind).not.toBe('NONE');
      expect(kpi).toMatch(/^[A-Z0-9_]+$/);
    }
    expect(requireScope(kpiDefinition('CONSENT_RATE'), ' newsletter ')).toBe('newsletter');
  });

  test('met: at least / at most, and null without a value or a target', () => {
    expect(targetMet('AT_LEAST', 0.8, 0.8)).toBe(true);
    expect(targetMet('AT_LEAST', 0.79, 0.8)).toBe(false);
    expect(targetMet('AT_MOST', 3, 3)).toBe(true);
    expect(targetMet('AT_MOST', 4, 3)).toBe(false);
    expect(targetMet('AT_MOST', null, 3)).toBeNull();
    expect(targetMet('AT_LEAST', 0.5, null)).toBeNull();
  });
});
