// The console's pages and components say nothing in English that the language switch cannot change: every word a
// person reads comes from MESSAGES (admin/src/i18n.ts) in the chosen language. Read with the TypeScript parser, the
// obvious places are checked: text between JSX tags, string literals given to attributes a person reads or hears
// (aria-label, title, placeholder, alt, label), a string literal as a JSX child, and a literal fallback (`?? 'system'`)
// inside JSX. What is not words in a language (a command, a unit, a code) is listed below with why.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import ts from 'typescript';

const ADMIN = resolve(import.meta.dirname, '../../admin/src');

/** Texts that are not English words, by file: what they are is said beside each. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  // The CLI command to import a usage report: typed as it is, in any language.
  'pages/adoption.tsx': ['npm run -s import-activity -- &lt;file.csv&gt;'],
  // The name of the hash algorithm.
  'pages/agreements.tsx': ['SHA-256'],
  // Each language's own name on the switch, in that language (lang is set on each button).
  'app.tsx': ['English', 'Nederlands'],
};

const READ_ATTRIBUTES = new Set(['aria-label', 'title', 'placeholder', 'alt', 'label', 'aria-description']);
const WORDS = /\p{L}{2,}/u;

function tsxFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : tsxFiles(path);
    return entry.name.endsWith('.tsx') ? [path] : [];
  });
}

/** Every text a person would read that is written into the file itself, with its line. */
function hardCodedTexts(file: string, text = readFileSync(file, 'utf8')): { line: number; text: string }[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const found: { line: number; text: string }[] = [];
  const add = (node: ts.Node, text: string) => {
    if (WORDS.test(text)) found.push({ line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1, text: text.trim() });
  };
  const inJsx = (node: ts.Node): boolean => {
    for (let at: ts.Node | undefined = node.parent; at; at = at.parent) {
      if (ts.isJsxExpression(at)) return true;
      if (ts.isFunctionLike(at) || ts.isSourceFile(at)) return false;
    }
    return false;
  };
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) add(node, node.text);
    else if (ts.isJsxAttribute(node) && node.initializer && ts.isStringLiteral(node.initializer)) {
      if (READ_ATTRIBUTES.has(node.name.getText(source))) add(node, node.initializer.text);
    } else if (ts.isJsxExpression(node) && node.expression && ts.isStringLiteralLike(node.expression)) {
      if (!ts.isJsxAttribute(node.parent) || READ_ATTRIBUTES.has(node.parent.name.getText(source))) add(node, node.expression.text);
    } else if (
      ts.isBinaryExpression(node) &&
      node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken &&
      ts.isStringLiteralLike(node.right) &&
      // An enum value as a default (`unit ?? 'COUNT'`) is a value handed on, not a word shown.
      !/^[A-Z][A-Z0-9_]*$/.test(node.right.text) &&
      inJsx(node)
    ) {
      add(node.right, node.right.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('no hard-coded English in the console', () => {
  const files = tsxFiles(ADMIN);

  test('every page and component is read (a moved folder would make this pass on nothing)', () => {
    const names = files.map((file) => relative(ADMIN, file));
    expect(names).toEqual(expect.arrayContaining(['app.tsx', 'ui.tsx', 'pages/audit.tsx', 'pages/case.tsx', 'pages/webhooks.tsx']));
    expect(names.filter((name) => name.startsWith('pages/')).length).toBeGreaterThanOrEqual(15);
  });

  test('no words written into JSX: they come from MESSAGES, in the chosen language', () => {
    const offending = files.flatMap((file) => {
      const name = relative(ADMIN, file);
      const allowed = ALLOWED[name] ?? [];
      return hardCodedTexts(file)
        .filter(({ text }) => !allowed.includes(text))
        .map(({ line, text }) => `${name}:${line} ${JSON.stringify(text)}`);
    });
    expect(offending).toEqual([]);
  });

  test('the scan finds what it looks for (a fixture with each kind)', () => {
    const fixture = [
      'export function Row({ event }: { event: { actorId: string | null } }) {',
      '  const { t } = useConsole();',
      '  return (',
      '    <nav aria-label="pagination" className="pager" id="x">',
      '      <th>Actor</th>',
      "      <td>{'Until'} {t('untilLifted')}</td>",
      "      <td>{event.actorId ?? 'system'}</td>",
      "      <td>{t('actor')} · #{event.actorId ?? '—'}</td>",
      '    </nav>',
      '  );',
      '}',
    ].join('\n');
    expect(hardCodedTexts('fixture.tsx', fixture).map(({ text }) => text)).toEqual(['pagination', 'Actor', 'Until', 'system']);
  });
});
