import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * The project's import graph, read with the TypeScript compiler's own parser and module resolution (tsconfig.json's
 * paths and package.json `imports` included), so what it sees is what the build resolves. Used by the module
 * boundary spec; kept free of the spec so the rules below can be checked on small made-up graphs too.
 */

/** One `import`/`export … from`/`import()` of a file. `typeOnly` imports are erased from the JavaScript. */
export interface ImportEdge {
  readonly specifier: string;
  /** Project-relative path (forward slashes) of the resolved file; undefined for packages and node built-ins. */
  readonly file: string | undefined;
  readonly typeOnly: boolean;
}

export interface ImportGraph {
  /** Project-relative paths of the source files under the scanned folder (specs excluded). */
  readonly files: readonly string[];
  importsOf(file: string): readonly ImportEdge[];
}

export function readImportGraph(root: string, folder = 'src'): ImportGraph {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(root, 'tsconfig.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic(diagnostic) {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
      },
    },
  );
  if (!parsed) throw new Error('tsconfig.json could not be read');
  const toRelative = (absolute: string): string => relative(root, absolute).split(sep).join('/');
  const cache = new Map<string, readonly ImportEdge[]>();
  return {
    files: sourceFilesUnder(join(root, folder)).map(toRelative),
    importsOf(file) {
      let edges = cache.get(file);
      if (!edges) {
        const absolute = join(root, file);
        edges = importDeclarationsOf(absolute).map(({ specifier, typeOnly }) => {
          const resolved = ts.resolveModuleName(specifier, absolute, parsed.options, ts.sys).resolvedModule;
          const inProject = resolved && !resolved.isExternalLibraryImport && !resolved.resolvedFileName.includes('/node_modules/');
          return { specifier, typeOnly, file: inProject ? toRelative(resolve(resolved.resolvedFileName)) : undefined };
        });
        cache.set(file, edges);
      }
      return edges;
    },
  };
}

function sourceFilesUnder(directory: string, found: string[] = []): string[] {
  for (const name of readdirSync(directory).sort()) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) sourceFilesUnder(path, found);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.includes('.spec.')) found.push(path);
  }
  return found;
}

function importDeclarationsOf(path: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(path, readFileSync(path, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      found.push({ specifier: node.moduleSpecifier.text, typeOnly: isTypeOnlyImport(node.importClause) });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      const typeOnly = node.isTypeOnly || (named !== undefined && named.length > 0 && named.every((element) => element.isTypeOnly));
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (
      // `await import('…')`: loaded later, but still loaded by this file.
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** `import type {…}` and `import { type A, type B }` (nothing else named) leave no import in the JavaScript. */
function isTypeOnlyImport(clause: ts.ImportClause | undefined): boolean {
  if (!clause) return false; // `import './x.ts'` is run for its effects
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return (
    bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly)
  );
}

/**
 * The shortest chain of run-time imports from `start` to a package or built-in `forbidden` accepts, as
 * `start → … → file → "package"`; undefined when none is reachable.
 */
export function forbiddenReach(graph: ImportGraph, start: string, forbidden: (specifier: string) => boolean): string[] | undefined {
  const cameFrom = new Map<string, string | undefined>([[start, undefined]]);
  const chainTo = (file: string): string[] => {
    const chain: string[] = [];
    for (let at: string | undefined = file; at !== undefined; at = cameFrom.get(at)) chain.unshift(at);
    return chain;
  };
  for (let queue = [start]; queue.length > 0;) {
    const next: string[] = [];
    for (const file of queue) {
      for (const edge of graph.importsOf(file)) {
        if (edge.typeOnly) continue;
        if (edge.file === undefined) {
          if (forbidden(edge.specifier)) return [...chainTo(file), `"${edge.specifier}"`];
        } else if (!cameFrom.has(edge.file)) {
          cameFrom.set(edge.file, file);
          next.push(edge.file);
        }
      }
    }
    queue = next;
  }
  return undefined;
}

/** An import of a file of one module (a folder under src/modules/ or src/platform/) by a file of another. */
export interface ModuleEdge {
  readonly from: string;
  readonly to: string;
  readonly importer: string;
  readonly imported: string;
  readonly typeOnly: boolean;
}

/**
 * `src/modules/members/read-models/x.ts` → `members`, `src/platform/auth/role.ts` → `auth`; files directly in src/
 * (the composition root) belong to none.
 */
export function moduleOf(file: string): string | undefined {
  return moduleFolder(file)?.split('/')[2];
}

/** `src/modules/members/read-models/x.ts` → `src/modules/members`. */
export function moduleFolder(file: string): string | undefined {
  const parts = file.split('/');
  return parts[0] === 'src' && (parts[1] === 'modules' || parts[1] === 'platform') && parts.length > 3
    ? parts.slice(0, 3).join('/')
    : undefined;
}

export function moduleEdges(graph: ImportGraph): ModuleEdge[] {
  const edges: ModuleEdge[] = [];
  for (const importer of graph.files) {
    const from = moduleOf(importer);
    if (from === undefined) continue;
    for (const edge of graph.importsOf(importer)) {
      const to = edge.file === undefined ? undefined : moduleOf(edge.file);
      if (to !== undefined && to !== from) edges.push({ from, to, importer, imported: edge.file!, typeOnly: edge.typeOnly });
    }
  }
  return edges;
}

/**
 * Every cycle between modules, one per strongly connected group of modules, each step with the import that makes
 * it: `members → privacy (src/modules/members/a.ts imports src/modules/privacy/b.ts) → members (…)`.
 */
export function moduleCycles(edges: readonly ModuleEdge[]): string[] {
  const next = new Map<string, Map<string, ModuleEdge>>();
  for (const edge of edges) {
    if (!next.has(edge.from)) next.set(edge.from, new Map());
    if (!next.get(edge.from)!.has(edge.to)) next.get(edge.from)!.set(edge.to, edge);
  }
  const cycles: string[] = [];
  for (const group of stronglyConnected(next)) {
    if (group.length < 2) continue;
    // The shortest way back to the group's first module, through the group only.
    const [first] = [...group].sort();
    const inGroup = new Set(group);
    const cameFrom = new Map<string, ModuleEdge>();
    const queue = [first!];
    while (queue.length > 0 && !cameFrom.has(first!)) {
      const at = queue.shift()!;
      for (const [to, edge] of next.get(at) ?? []) {
        if (inGroup.has(to) && !cameFrom.has(to)) {
          cameFrom.set(to, edge);
          queue.push(to);
        }
      }
    }
    const steps: ModuleEdge[] = [];
    for (let at = first!; steps.length === 0 || at !== first;) {
      const edge = cameFrom.get(at)!;
      steps.unshift(edge);
      at = edge.from;
    }
    cycles.push(first + steps.map((step) => ` → ${step.to} (${step.importer} imports ${step.imported})`).join(''));
  }
  return cycles.sort();
}

/** Tarjan's algorithm: the groups of modules that can each reach every other in the group. */
function stronglyConnected(next: ReadonlyMap<string, ReadonlyMap<string, unknown>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const groups: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node)!);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node)?.keys() ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      groups.push(group);
    }
  };
  for (const node of next.keys()) if (!index.has(node)) visit(node);
  return groups;
}
