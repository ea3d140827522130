// The console's words for what the governance log says in the service's terms (admin/src/governance-labels.ts),
// against the service itself: every event type and stream category governanceEventTypes lists, every read model
// state, every authority the service records has English and Dutch words. Here rather than beside the console's other
// specs: it reads the service's catalogue and sources, which the console's own tsconfig does not compile.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProjectionState, ProjectionStatus } from '#projections';
import {
  authorityLabel,
  eventCategoryLabel,
  eventTypeLabel,
  FIXED_AUTHORITY_TEXTS,
  projectionStateLabel,
  sanctionEnd,
} from '../../admin/src/governance-labels.ts';
import { LANGUAGES, MESSAGES } from '../../admin/src/i18n.ts';
import { EventTypeCatalog } from '../../src/modules/audit/event-type-catalog.ts';
import { CERTIFICATION_DUE_AUTHORITY, CERTIFICATION_EXPIRY_AUTHORITY } from '../../src/modules/certification/certification-renewal.ts';
import { ownerAuthority } from '../../src/modules/groups/group-ownership.ts';
import { projectionStatusView } from '../../src/modules/audit/rebuild-projection.use-case.ts';
import { GOVERNANCE_STREAMS } from '../../src/modules/index.ts';
import { LEAVER_AUTHORITY } from '../../src/modules/leavers/leaver-consequences.ts';
import { leaverErasureAuthority } from '../../src/modules/leavers/leaver-erasure.ts';
import { SANCTION_EXPIRY_AUTHORITY } from '../../src/modules/moderation/sanction-expiry.ts';
import { COMMUNITY_MANAGER_DIGEST_AUTHORITY } from '../../src/modules/notifications/community-manager-digest.scheduler.ts';
import { ROLES } from '../../src/platform/auth/role.ts';

const CATALOG = new EventTypeCatalog(GOVERNANCE_STREAMS).entries;
const SRC = resolve(import.meta.dirname, '../../src');

/** Words in both languages, none of them the service's term itself, and Dutch not the English. */
function expectWords(value: string, label: (language: 'en' | 'nl', value: string) => { text: string; english: boolean }): void {
  const en = label('en', value);
  const nl = label('nl', value);
  expect([value, en.english, nl.english]).toEqual([value, false, false]);
  expect([value, nl.text === en.text]).toEqual([value, false]);
}

describe('event types and categories in words', () => {
  test('every event type the service knows (governanceEventTypes) has English and Dutch words', () => {
    expect(CATALOG.length).toBeGreaterThan(50);
    for (const { type } of CATALOG) expectWords(type, eventTypeLabel);
    expect(eventTypeLabel('nl', 'ModerationCaseDecided')).toEqual({ text: 'Over zaak besloten', english: false });
  });

  test('every category events are recorded in has words too', () => {
    for (const category of new Set(CATALOG.map((entry) => entry.category))) {
      const en = eventCategoryLabel('en', category);
      const nl = eventCategoryLabel('nl', category);
      // "Privacy" and "Webhooks" are Dutch words as well.
      expect([category, en.english, nl.english]).toEqual([category, false, false]);
    }
    expect(eventCategoryLabel('nl', 'moderation_case').text).toBe('Moderatiezaken');
  });

  test('no words for a type or category the service no longer has (a rename would leave them behind)', () => {
    const types = new Set(CATALOG.map((entry) => entry.type));
    const categories = new Set(CATALOG.map((entry) => entry.category));
    const keys = Object.keys(MESSAGES.en);
    expect(keys.filter((key) => key.startsWith('eventType_') && !types.has(key.slice('eventType_'.length)))).toEqual([]);
    expect(keys.filter((key) => key.startsWith('eventCategory_') && !categories.has(key.slice('eventCategory_'.length)))).toEqual([]);
  });

  test('a type the console meets before it has words for it shows as the service wrote it, marked English', () => {
    expect(eventTypeLabel('nl', 'SomethingNew')).toEqual({ text: 'SomethingNew', english: true });
    expect(eventTypeLabel('nl', 'toString')).toEqual({ text: 'toString', english: true });
  });
});

describe('read model states in words', () => {
  test('every ProjectionState (libs/projections), as the API answers it (upper-cased), has English and Dutch words', () => {
    // A Record over the type: a state added to ProjectionState fails the type check until it is listed here.
    const states: Record<ProjectionState, true> = {
      running: true,
      rebuilding: true,
      catching_up: true,
      failed: true,
      standby: true,
      stopped: true,
    };
    for (const state of Object.keys(states) as ProjectionState[]) {
      // As the projections query answers it (projectionStatusView upper-cases it).
      const answered = projectionStatusView({ name: 'members', checkpoint: null, lag: 0, state } as ProjectionStatus).state;
      expectWords(answered, projectionStateLabel);
    }
    expect(projectionStateLabel('nl', 'CATCHING_UP').text).toBe('Haalt achterstand in');
  });
});

/** Every .ts file under src/, specs left out. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') && !entry.name.includes('.spec.') ? [path] : [];
  });
}

describe('authorities in words', () => {
  test("the authorities the service's schedulers and roles record have English and Dutch words", () => {
    const recorded = [
      SANCTION_EXPIRY_AUTHORITY,
      CERTIFICATION_DUE_AUTHORITY,
      CERTIFICATION_EXPIRY_AUTHORITY,
      LEAVER_AUTHORITY,
      leaverErasureAuthority(30),
      COMMUNITY_MANAGER_DIGEST_AUTHORITY,
      ownerAuthority('cycling', 4),
      'webhook delivery: every attempt failed since 2026-01-02T03:04:05.000Z',
      ...ROLES.map((role) => `role:${role}`),
    ];
    for (const authority of recorded) expectWords(authority, authorityLabel);
    expect(authorityLabel('nl', ownerAuthority('cycling', 4)).text).toBe('beheerder van groep cycling sinds revisie 4');
    expect(authorityLabel('nl', leaverErasureAuthority(30)).text).toContain('30 dagen na het vertrek');
    expect(authorityLabel('nl', 'role:COMMUNITY_MANAGER').text).toBe('de rol Communitymanager');
  });

  test('every fixed authority text in src/ has words, and every one the console has words for is still in src/', () => {
    const text = sources(SRC)
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
    // Where the service writes a fixed authority: `authority: '…'`, an `authorize` answering a literal, a scheduler's
    // constant, the training use cases' self authority, and any 'automation: …' text.
    const patterns = [
      /authority: '([^']+)'/g,
      /authorize: [^\n]*?=>[^\n]*?'([^']+)'/g,
      /authorize: [^\n]*?=>[^\n]*?'[^']+' : '([^']+)'/g,
      /_AUTHORITY = '([^']+)'/g,
      /forSelfOrAnyone\([^\n]*?, '([^']+)'\)/g,
      /'(automation: [^']+)'/g,
      /return '(self)'/g,
      /recorded: '([^']+)'/g,
    ];
    const found = new Set(patterns.flatMap((pattern) => [...text.matchAll(pattern)].map((match) => match[1]!)));
    expect(found.size).toBeGreaterThanOrEqual(14);
    for (const authority of found) expect([authority, authorityLabel('nl', authority).english]).toEqual([authority, false]);
    for (const authority of FIXED_AUTHORITY_TEXTS) expect([authority, text.includes(`'${authority}'`)]).toEqual([authority, true]);
  });

  test('an authority the console does not know shows as recorded, marked English', () => {
    expect(authorityLabel('nl', 'COMMUNITY_MANAGER')).toEqual({ text: 'COMMUNITY_MANAGER', english: true });
  });
});

describe("a sanction's end", () => {
  test('one phrase: "until lifted" or "until" a date, never both (it read "Until until lifted", "Tot tot opheffing")', () => {
    expect(sanctionEnd('en', null)).toBe('until lifted');
    expect(sanctionEnd('nl', null)).toBe('tot opheffing');
    expect(sanctionEnd('nl', '2099-12-31T12:00:00.000Z')).toMatch(/^tot 31 dec 2099/);
    expect(sanctionEnd('en', '2099-12-31T12:00:00.000Z')).toMatch(/^until 31 Dec 2099/);
    for (const language of LANGUAGES) {
      for (const until of [null, '2099-12-31T12:00:00.000Z'])
        expect(sanctionEnd(language, until)).not.toMatch(/^(until|tot) (until|tot)\b/i);
    }
  });
});
