import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  forbiddenReach,
  moduleCycles,
  moduleEdges,
  moduleFolder,
  moduleOf,
  readImportGraph,
  type ImportGraph,
  type ModuleEdge,
} from './import-graph.ts';

/**
 * The dependency rules of src/, checked on the import graph as the compiler resolves it (issue 19: "boundaries
 * enforced by lint"). A module is a folder under src/modules/ (a domain) or src/platform/ (plumbing). Files directly
 * in src/ (main.ts, bootstrap.ts, app.module.ts) are the composition root: they assemble every module and are no
 * module themselves.
 */
const ROOT = join(import.meta.dirname, '..', '..');

const folders = (parent: string): string[] =>
  readdirSync(join(ROOT, parent)).filter((name) => statSync(join(ROOT, parent, name)).isDirectory());
/** The service's own plumbing (src/platform/): no domain rules, used by the domains. Folders without an index.ts are open. */
const PLATFORM = folders('src/platform');
/** The governance domains (src/modules/, and the views over them: me, insights, audit). Entered through their index.ts only. */
const DOMAINS = folders('src/modules');

/** What a decider must never load, even through other files: frameworks, the database and the outside world. */
const IMPURE =
  /^(@nestjs\/|typeorm($|\/)|pg($|\/|-)|express($|\/)|(node:)?(fs|fs\/promises|net|http|https|http2|tls|dns|dgram|child_process|cluster|worker_threads)$)/;

/**
 * Imports into another module's internal files that this change could not remove. Each entry says why; remove an
 * entry when its import goes (the spec fails on an entry that no longer matches anything, so the list only shrinks).
 */
const INTERNAL_IMPORTS_ALLOWED: Record<string, string> = {};

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
    expect(graph.importsOf('src/modules/members/member.decider.ts')).toContainEqual({
      specifier: '../../platform/shared/domain-error.ts',
      file: 'src/platform/shared/domain-error.ts',
      typeOnly: false,
    });
    // Library imports by name (#event-store) resolve to the library's files.
    expect(graph.importsOf('src/platform/infrastructure/event-sourcing.ts').map((edge) => edge.file)).toContain(
      'libs/event-store/src/index.ts',
    );
    expect(edges.length).toBeGreaterThan(100);
  });

  test('src/ holds the composition root, src/platform/ and src/modules/, and no name is both platform and module', () => {
    expect(folders('src').sort()).toEqual(['modules', 'platform']);
    expect(PLATFORM.length).toBeGreaterThanOrEqual(10);
    expect(DOMAINS.length).toBeGreaterThanOrEqual(12);
    expect(PLATFORM.filter((name) => DOMAINS.includes(name))).toEqual([]);
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
  const entry = `${moduleFolder(file)!}/index.ts`;
  return file !== entry && (DOMAINS.includes(moduleOf(file)!) || existsSync(join(ROOT, entry)));
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
      'src/modules/a/a.decider.ts': [['src/modules/b/index.ts']],
      'src/modules/b/index.ts': [['src/modules/b/b.queries.ts']],
      'src/modules/b/b.queries.ts': [['typeorm']],
    });
    expect(forbiddenReach(world, 'src/modules/a/a.decider.ts', (s) => IMPURE.test(s))).toEqual([
      'src/modules/a/a.decider.ts',
      'src/modules/b/index.ts',
      'src/modules/b/b.queries.ts',
      '"typeorm"',
    ]);
  });

  test('a type-only import does not make a decider impure', () => {
    const world = made({ 'src/modules/a/a.decider.ts': [['src/modules/b/index.ts', true]], 'src/modules/b/index.ts': [['pg']] });
    expect(forbiddenReach(world, 'src/modules/a/a.decider.ts', (s) => IMPURE.test(s))).toBeUndefined();
  });

  test('a cycle between modules is reported with the imports that close it', () => {
    const world = made({
      'src/modules/a/x.ts': [['src/modules/b/index.ts']],
      'src/modules/b/index.ts': [['src/modules/c/y.ts']],
      'src/modules/c/y.ts': [['src/modules/a/x.ts']],
      'src/modules/d/z.ts': [['src/modules/a/x.ts']],
    });
    expect(moduleCycles(moduleEdges(world))).toEqual([
      'a → b (src/modules/a/x.ts imports src/modules/b/index.ts) → c (src/modules/b/index.ts imports src/modules/c/y.ts) → a (src/modules/c/y.ts imports src/modules/a/x.ts)',
    ]);
  });
});
