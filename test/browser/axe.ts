import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

/**
 * axe-core in the page under test (#22): the console's CSP allows only its own scripts, so a <script> tag (inline,
 * as page.addScriptTag inserts it) would be refused and reported as a console error; page.evaluate runs outside the
 * page's CSP. The source is read once per test file.
 */
const require = createRequire(import.meta.url);
let source: Promise<string> | undefined;

/** The impacts that fail a test; moderate and minor findings are printed, not failed on... */
const FAILING = new Set(['serious', 'critical']);
/** ...but for the moderate ones #22 found and fixed, kept fixed: landmarks named twice, a page without an h1. */
const FAILING_RULES = new Set(['landmark-unique', 'page-has-heading-one']);

interface AxeNode {
  readonly target: readonly unknown[];
  readonly failureSummary?: string;
}
interface AxeViolation {
  readonly id: string;
  readonly impact: string | null;
  readonly help: string;
  readonly nodes: readonly AxeNode[];
}

/** Runs axe-core on the page as it is now; fails with the rule ids and their targets when one is serious or critical (or one of FAILING_RULES). */
export async function expectNoSeriousA11yViolations(page: Page, label: string): Promise<void> {
  source ??= readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(await source);
  // Every rule axe runs by default (WCAG 2.x A/AA and its best practices), in the whole document.
  const violations = await page.evaluate<AxeViolation[]>(
    `window.axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    })))`,
  );
  const describe = (v: AxeViolation) =>
    `  ${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    at ${JSON.stringify(n.target)}`).join('\n')}`;
  const fails = (v: AxeViolation) => FAILING.has(v.impact ?? '') || FAILING_RULES.has(v.id);
  const failing = violations.filter(fails);
  const other = violations.filter((v) => !fails(v));
  if (other.length > 0) process.stdout.write(`\n[axe] ${label}: moderate or minor\n${other.map(describe).join('\n')}\n`);
  if (failing.length > 0) throw new Error(`axe-core on ${label}: serious or critical violations\n${failing.map(describe).join('\n')}`);
}
