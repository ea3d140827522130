import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * Enums are written once, as a decider's `as const` array (issue 19): GraphQL enums are made from it with graphqlEnum
 * (src/platform/graphql/graphql-enum.ts) and SQL checks with sqlIn (src/platform/shared/sql.ts). This finds the ways to write them again.
 */
const ROOT = join(import.meta.dirname, '..', '..');

/** Files allowed to spell an enum another way, each with why; an entry whose file no longer does fails. */
const ALLOWED: Record<string, string> = {
  // auth is platform and src/platform/graphql imports auth (request context): graphqlEnum here would close a module cycle.
  'src/platform/auth/role.ts': 'TypeScript enum, registered directly',
  // src/modules/integrity is being changed by other work at the same time as this check was added: left for it to move.
  'src/modules/integrity/integrity.graphql.ts': 'TypeScript enum, registered directly',
};

const SECOND_SPELLINGS: [string, RegExp][] = [
  ['a TypeScript enum', /^\s*export\s+(const\s+)?enum\s/m],
  ['registerEnumType outside graphqlEnum', /\bregisterEnumType\s*\(/],
  ['a CHECK written as literals instead of sqlIn', /\bIN\s*\(\s*'/i],
];

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [relative(ROOT, path)] : [];
  });
}

describe('enums are written once', () => {
  const found = sourceFiles(join(ROOT, 'src'))
    .filter((file) => file !== 'src/platform/graphql/graphql-enum.ts')
    .flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      return SECOND_SPELLINGS.filter(([, pattern]) => pattern.test(text)).map(([what]) => ({ file, what }));
    });

  test('no enum is spelled a second time in src/ (TypeScript enum, registerEnumType, literal CHECK list)', () => {
    expect(found.filter(({ file }) => !(file in ALLOWED))).toEqual([]);
    expect(Object.keys(ALLOWED).filter((allowed) => !found.some(({ file }) => file === allowed))).toEqual([]);
  });

  test('the patterns find what they are for (so the check above cannot pass on nothing)', () => {
    const spelled = (text: string) => SECOND_SPELLINGS.filter(([, pattern]) => pattern.test(text)).map(([what]) => what);
    expect(spelled(`export enum Status {\n  OPEN = 'OPEN',\n}`)).toEqual(['a TypeScript enum']);
    expect(spelled(`registerEnumType(Status, { name: 'Status' });`)).toEqual(['registerEnumType outside graphqlEnum']);
    expect(spelled(`status text NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),`)).toEqual(['a CHECK written as literals instead of sqlIn']);
    expect(spelled('status text NOT NULL CHECK (status IN ${sqlIn(CASE_STATUSES)}),')).toEqual([]);
  });
});
