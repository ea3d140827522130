import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { forbiddenReach, moduleCycles, moduleEdges, moduleOf, readImportGraph, type ImportGraph, type ModuleEdge } from './import-graph.ts';

/**
 * The dependency rules of src/, checked on the import graph as the compiler resolves it (issue 19: "boundaries
 * enforced by lint"). A module is a folder directly under src/. Files directly in src/ (main.ts, bootstrap.ts,
 * app.module.ts) are the composition root: they assemble every module and are no module themselves.
 */
const ROOT = join(import.meta.dirname, '..', '..');

/** The service's own plumbing: no domain rules, used by the domains. Folders without an index.ts are open. */
const PLATFORM = [
  'admin',
  'auth',
  'command',
  'config',
  'graphql',
  'health',
  'infrastructure',
  'observability',
  'scheduling',
  'security',
  'shared',
];
/** The governance domains (and the views over them: me, insights, audit). Entered through their index.ts only. */
const DOMAINS = [
  'adoption',
  'agreements',
  'ambassadors',
  'audit',
  'certification',
  'groups',
  'insights',
  'integrity',
  'me',
  'members',
  'moderation',
  'privacy',
  'training',
];

/** What a decider must never load, even through other files: frameworks, the database and the outside world. */
const IMPURE =
  /^(@nestjs\/|typeorm($|\/)|pg($|\/|-)|express($|\/)|(node:)?(fs|fs\/promises|net|http|https|http2|tls|dns|dgram|child_process|cluster|worker_threads)$)/;

/**
 * Imports into another module's internal files that this change could not remove. Each entry says why; remove an
 * entry when its import goes (the spec fails on an entry that no longer matches anything, so the list only shrinks).
 */
const INTERNAL_IMPORTS_ALLOWED: Record<string, string> = {
  // src/audit/ is being changed by other work at the same time as this check was added: left for it to fix.
  'src/audit/event-type-catalog.ts → src/insights/kpi-target.decider.ts':
    'audit in flight elsewhere; insights/index.ts already exports both names',
  'src/audit/stream-deciders.ts → src/insights/kpi-target.decider.ts':
    'audit in flight elsewhere; insights/index.ts already exports both names',
  'src/audit/event-type-catalog.ts → src/integrity/log-seal.ts':
    'audit in flight elsewhere; integrity/index.ts exports all its schemas at once, the catalogue needs them per stream',
  'src/audit/event-type-catalog.ts → src/integrity/operator-actions.decider.ts':
    'audit in flight elsewhere; integrity/index.ts exports all its schemas at once, the catalogue needs them per stream',
  'src/audit/event-type-catalog.ts → src/integrity/read-model-operations.decider.ts':
    'audit in flight elsewhere; integrity/index.ts exports all its schemas at once, the catalogue needs them per stream',
};

/**
 * Platform code that depends on a domain module (a smell: plumbing should not know the domains; the composition
 * root hands them over). Same rule as above: each entry says why, and stale entries fail.
 */
const PLATFORM_TO_DOMAIN_ALLOWED: Record<string, string> = {};

const graph: ImportGraph = readImportGraph(ROOT);
const edges: ModuleEdge[] = moduleEdges(graph);
const key = (edge: ModuleEdge): string => `${edge.importer} → ${edge.imported}`;

describe('module boundaries', () => {
  test('the graph is read: every decider and its imports are found (guards the rules below against passing on nothing)', () => {
    const deciders = graph.files.filter((file) => file.endsWith('.decider.ts'));
    expect(deciders.length).toBeGreaterThanOrEqual(16);
    expect(graph.importsOf('src/members/member.decider.ts')).toContainEqual({
      specifier: '../shared/domain-error.ts',
      file: 'src/shared/domain-error.ts',
      typeOnly: false,
    });
    // Library imports by name (#event-store) resolve to the library's files.
    expect(graph.importsOf('src/infrastructure/event-sourcing.ts').map((edge) => edge.file)).toContain('libs/event-store/src/index.ts');
    expect(edges.length).toBeGreaterThan(100);
  });

  test('every folder under src/ is either platform or a domain', () => {
    const folders = readdirSync(join(ROOT, 'src')).filter((name) => statSync(join(ROOT, 'src', name)).isDirectory());
    expect(folders.filter((folder) => !PLATFORM.includes(folder) && !DOMAINS.includes(folder))).toEqual([]);
    expect([...PLATFORM, ...DOMAINS].filter((folder) => !folders.includes(folder))).toEqual([]);
  });

  test('no decider loads @nestjs, typeorm, pg, express or node I/O, even indirectly (type-only imports are erased)', () => {
    const impure = graph.files
      .filter((file) => file.endsWith('.decider.ts'))
      .map((decider) => forbiddenReach(graph, decider, (specifier) => IMPURE.test(specifier)))
      .filter((chain) => chain !== undefined)
      .map((chain) => chain.join(' → '));
    expect(impure).toEqual([]);
  });

  // Run-time imports: a type-only import is erased, so it cannot make two modules load each other. (members reads
  // privacy's event types that way, while privacy calls members at run time: see members.projection.ts.)
  test('no cycle between modules (run-time imports)', () => {
    expect(moduleCycles(edges.filter((edge) => !edge.typeOnly))).toEqual([]);
  });

  test("no module imports another module's internal files: only its index.ts", () => {
    const internal = edges.filter((edge) => isInternal(edge.imported)).map(key);
    expect(internal.filter((found) => !(found in INTERNAL_IMPORTS_ALLOWED))).toEqual([]);
    // An allowance whose import is gone goes too.
    expect(Object.keys(INTERNAL_IMPORTS_ALLOWED).filter((allowed) => !internal.includes(allowed))).toEqual([]);
  });

  test('platform code does not import domain modules', () => {
    const found = edges.filter((edge) => PLATFORM.includes(edge.from) && DOMAINS.includes(edge.to)).map(key);
    expect(found.filter((edge) => !(edge in PLATFORM_TO_DOMAIN_ALLOWED))).toEqual([]);
    expect(Object.keys(PLATFORM_TO_DOMAIN_ALLOWED).filter((allowed) => !found.includes(allowed))).toEqual([]);
  });
});

/** A domain's files other than its index.ts; a platform folder's only when it has an index.ts (its public surface). */
function isInternal(file: string): boolean {
  const module = moduleOf(file)!;
  const entry = `src/${module}/index.ts`;
  return file !== entry && (DOMAINS.includes(module) || existsSync(join(ROOT, entry)));
}

describe('the rules on made-up graphs (they can fail)', () => {
  const made = (imports: Record<string, [string, boolean?][]>): ImportGraph => ({
    files: Object.keys(imports),
    importsOf: (file) =>
      (imports[file] ?? []).map(([target, typeOnly = false]) => ({
        specifier: target,
        file: target.startsWith('src/') ? target : undefined,
        typeOnly,
      })),
  });

  test('a decider reaching typeorm through another module is reported with the whole chain', () => {
    const world = made({
      'src/a/a.decider.ts': [['src/b/index.ts']],
      'src/b/index.ts': [['src/b/b.queries.ts']],
      'src/b/b.queries.ts': [['typeorm']],
    });
    expect(forbiddenReach(world, 'src/a/a.decider.ts', (s) => IMPURE.test(s))).toEqual([
      'src/a/a.decider.ts',
      'src/b/index.ts',
      'src/b/b.queries.ts',
      '"typeorm"',
    ]);
  });

  test('a type-only import does not make a decider impure', () => {
    const world = made({ 'src/a/a.decider.ts': [['src/b/index.ts', true]], 'src/b/index.ts': [['pg']] });
    expect(forbiddenReach(world, 'src/a/a.decider.ts', (s) => IMPURE.test(s))).toBeUndefined();
  });

  test('a cycle between modules is reported with the imports that close it', () => {
    const world = made({
      'src/a/x.ts': [['src/b/index.ts']],
      'src/b/index.ts': [['src/c/y.ts']],
      'src/c/y.ts': [['src/a/x.ts']],
      'src/d/z.ts': [['src/a/x.ts']],
    });
    expect(moduleCycles(moduleEdges(world))).toEqual([
      'a → b (src/a/x.ts imports src/b/index.ts) → c (src/b/index.ts imports src/c/y.ts) → a (src/c/y.ts imports src/a/x.ts)',
    ]);
  });
});
