// The admin console in a real browser: Debian's Chromium (headless, background networking off) driven by
// playwright-core, against the service on the test PostgreSQL with the console bundle Vite builds. A community
// manager signs in (development sign-in), decides a case from the queue, sees the member's standing change, opens
// the audit history and time-travels the case's stream, creates a group and assigns its owner, filters the e-mail
// delivery log, registers a webhook (its secret shown once) and disables it after a confirmation. A group owner
// whose token carries only MEMBER then finds their group's queue, follows their certification module by module,
// records their own self-paced module, and is offered claim and decide only once certified. An auditor filters the
// history, compares a stream then and now, checks the hash chain (partly in Dutch) and is offered no change anywhere;
// a privacy officer lists a member in the directory and erases another after the console asks again; a plain member,
// on a phone, opens their own standing from the top bar and accepts what waits for them. On a phone (390 px, in
// English and Dutch) and a tablet (820 px), the queue, a case, insights and audit fit the screen. axe-core (axe.ts)
// checks every page visited; after a claim or a decision, the focus goes to what came of it, never to <body>.
//
// Chromium: the binary PATH finds; when missing, installed with apt-get if this process may (root), else the spec
// is skipped with one line saying why. `ADMIN_SCREENSHOTS=1` (npm run screenshots:admin) also writes the README's
// screenshots of the queue, the audit view, a group owner's certification and the insights into docs/.
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { caseStreamId } from '../../admin/src/moderation.ts';
import { startTestService, type TestService } from '../support/test-service.ts';
import { consoleBundle } from './console-bundle.ts';
import { expectNoSeriousA11yViolations } from './axe.ts';
import { findOrInstallChromium } from './chromium.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const SECRET = 'browser-e2e-generated-development-secret-0123456789';
const SCREENSHOTS = process.env.ADMIN_SCREENSHOTS === '1' ? join(ROOT, 'docs') : null;
const UI_TIMEOUT_MS = 10_000;

const lookup = await findOrInstallChromium();
if (lookup.kind === 'missing') {
  process.stdout.write(`\n[browser] admin console browser spec skipped: ${lookup.why}\n`);
  describe.skip(`the admin console in Chromium (skipped: ${lookup.why})`, () => {
    test('sign in, decide a case, see the standing, time-travel its stream', () => undefined);
  });
} else {
  if (lookup.installedInMs !== undefined) {
    process.stdout.write(
      `\n[browser] chromium was missing: installed Debian's package with apt-get in ${Math.round(lookup.installedInMs / 1000)} s\n`,
    );
  }
  describeBrowserSpec(lookup.path);
}

function describeBrowserSpec(executablePath: string): void {
  describe('the admin console in Chromium', () => {
    let browser: Browser;
    let t: TestService;
    let removeBundle: (() => Promise<void>) | undefined;
    let page: Page;
    const pageErrors: string[] = [];

    const post = async <T>(query: string, variables: Record<string, unknown>, token: string): Promise<T> => {
      const answer = await t.graphql<T>(query, variables, { token });
      if (answer.errors) throw new Error(`seeding failed: ${JSON.stringify(answer.errors)}`);
      return answer.data!;
    };

    async function devToken(memberId: string, ...roles: string[]): Promise<string> {
      const response = await fetch(`${t.service.url}/admin/dev-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ memberId, roles }),
      });
      return ((await response.json()) as { token: string }).token;
    }

    /** axe-core on the page as it shows now (axe.ts): serious or critical violations fail the test. */
    const a11y = (label: string) => expectNoSeriousA11yViolations(page, label);

    /** Waits until the locator shows, then answers its text. */
    async function textOf(locator: Locator): Promise<string> {
      await locator.waitFor({ state: 'visible' });
      return (await locator.innerText()).trim();
    }

    beforeAll(async () => {
      const bundle = await consoleBundle();
      removeBundle = bundle.remove;
      // The build, the service (which reads the bundle per request) and the browser start together.
      await Promise.all([
        bundle.build(),
        startTestService({
          auth: { mode: 'hs256', secret: SECRET, source: 'generated development secret' },
          // A webhook key of its own: none generated into the working tree's DATA_DIR.
          env: { ADMIN_BUNDLE_DIR: bundle.dir, WEBHOOK_SIGNING_KEY: 'browser-e2e-webhook-signing-key-0123456789abcdef' },
        }).then((service) => {
          t = service;
        }),
        chromium
          .launch({
            executablePath,
            headless: true,
            args: ['--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
          })
          .then((launched) => {
            browser = launched;
          }),
      ]);
    }, 120_000);

    /** Runs the steps; when one fails, keeps what the page showed then (a screenshot) next to the report. */
    async function inBrowser(steps: () => Promise<void>): Promise<void> {
      try {
        await steps();
      } catch (error) {
        if (page && !page.isClosed()) {
          const path = join(tmpdir(), `admin-console-failure-${Date.now()}.png`);
          await page.screenshot({ path, fullPage: true }).catch(() => undefined);
          process.stdout.write(`\n[browser] the page when the step failed: ${path}\n`);
        }
        throw error;
      }
    }

    afterAll(async () => {
      await browser?.close();
      await t?.close();
      await removeBundle?.();
    });

    test('sign in, decide a case from the queue, see the standing change, time-travel the case in the audit view, create a group', async () => {
      // What a community manager finds on a working day: an agreement to cite, a group, members, reported posts.
      const cm = await devToken('cm-seed', 'COMMUNITY_MANAGER');
      await post(
        `mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { id } }`,
        { input: { agreementId: 'code-of-conduct', title: 'Code of conduct', body: 'Be kind.', requiresReacceptance: false } },
        cm,
      );
      await post(
        `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
        { input: { groupId: 'cycling', name: 'Cycling club' } },
        cm,
      );
      for (const [memberId, displayName, department] of [
        ['jan.devries', 'Jan de Vries', 'Sales'],
        ['sanne.bakker', 'Sanne Bakker', 'Finance'],
        ['pieter.jansen', 'Pieter Jansen', 'IT'],
      ] as const) {
        await post(
          `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
          { input: { memberId, displayName, department } },
          cm,
        );
      }
      const reports = [
        {
          reporter: 'emma.visser',
          contentId: 'post-1042',
          authorId: 'jan.devries',
          reason: 'HARASSMENT',
          note: 'Insulting replies in the ride thread',
        },
        { reporter: 'lucas.smit', contentId: 'post-1043', authorId: 'sanne.bakker', reason: 'SPAM', note: 'Selling bikes, again' },
        { reporter: 'emma.visser', contentId: 'comment-77', authorId: 'pieter.jansen', reason: 'MISINFORMATION', note: null },
        { reporter: 'noah.mulder', contentId: 'post-1042', authorId: 'jan.devries', reason: 'HARASSMENT', note: 'Same thread' },
      ];
      let caseId = '';
      for (const report of reports) {
        const reported = await post<{ reportContent: { id: string } }>(
          `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
          {
            input: {
              contentId: report.contentId,
              contentType: report.contentId.startsWith('post') ? 'post' : 'comment',
              authorId: report.authorId,
              groupId: 'cycling',
              reason: report.reason,
              ...(report.note ? { note: report.note } : {}),
            },
          },
          await devToken(report.reporter, 'MEMBER'),
        );
        if (report.contentId === 'post-1042') caseId = reported.reportContent.id;
      }

      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
      });

      await inBrowser(async () => {
        // Sign in: the development sign-in, as a community manager (who also reads the audit).
        await page.goto(`${t.service.url}/admin`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await page.getByLabel('Member id').fill('cm-1');
        await a11y('sign-in');
        expect(await page.getByRole('checkbox', { name: /COMMUNITY_MANAGER/ }).isChecked()).toBe(true);
        await page.getByRole('button', { name: 'Sign in' }).click();

        // The queue, with its counts: the reported post is one case with two flags.
        await page.getByRole('heading', { name: 'Moderation', level: 1 }).waitFor();
        expect(await textOf(page.getByText('Signed in as'))).toContain('cm-1');
        const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: caseId }) });
        expect(await textOf(row)).toMatch(/Open[\s\S]*jan\.devries[\s\S]*\b2 Harassment/);
        expect(await page.getByRole('row').count()).toBe(1 + 3);
        await a11y('moderation queue');
        if (SCREENSHOTS) {
          await mkdir(SCREENSHOTS, { recursive: true });
          await page.screenshot({ path: join(SCREENSHOTS, 'admin-queue.png'), fullPage: true });
        }

        // The case, and its author's standing before the decision.
        await row.getByRole('link', { name: caseId }).click();
        await page.getByRole('heading', { name: `Case ${caseId}`, level: 1 }).waitFor();
        await page.getByRole('link', { name: 'jan.devries' }).click();
        expect(await textOf(page.getByTestId('standing'))).toBe('Not suspended');
        await a11y('standing');
        await page.goBack();
        await page.getByRole('heading', { name: `Case ${caseId}`, level: 1 }).waitFor();
        await page.getByLabel('Outcome').waitFor();
        await a11y('case');

        // The decision: a suspension citing the code of conduct, with the keyboard-usable form.
        await page.getByLabel('Outcome').selectOption('SUSPEND_MEMBER');
        await page.getByLabel('Reason').fill('Repeated insults in the ride thread');
        const guideline = page.getByLabel('Guideline');
        await guideline.locator('option[value="code-of-conduct@1"]').waitFor({ state: 'attached' });
        await guideline.selectOption('code-of-conduct@1');
        await page.getByLabel('Section').fill('2');
        await page.getByLabel('Suspended until (last day)').fill('2099-12-31');
        await page.getByRole('button', { name: 'Record the decision' }).click();
        expect(await textOf(page.getByText('The decision is recorded.'))).toBeTruthy();
        // The form is gone with the decision: the focus goes to what came of it, not to <body>.
        await page.locator('[data-testid="case-result"]:focus').waitFor();
        expect(await textOf(page.locator('dd', { hasText: /Revision/ }).first())).toMatch(/Decided/);
        // The sanction's end in one phrase (it read "Until until lifted" without a date).
        expect(await textOf(page.getByTestId('sanction-end'))).toMatch(/^until 31 Dec 2099/);
        await a11y('case, decided');

        // The standing changed: suspended, with the case as the active sanction.
        await page.getByRole('link', { name: 'jan.devries' }).click();
        expect(await textOf(page.getByTestId('standing'))).toBe('Suspended');
        const sanctions = page.getByRole('region', { name: 'Active sanctions' });
        expect(await textOf(sanctions)).toContain(caseId);

        // The audit view: the history of the case's stream, and its state at revision 0 next to the current one.
        await page.getByRole('navigation').getByRole('link', { name: 'Audit' }).click();
        await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
        const streamId = caseStreamId(caseId);
        await page.locator('#h-streamId').fill(streamId);
        await page.getByRole('region', { name: 'Governance history' }).getByRole('button', { name: 'Apply' }).click();
        const history = page.getByRole('region', { name: 'Governance history' });
        await history.getByText('ModerationCaseDecided').waitFor();
        expect(await textOf(history.locator('tbody'))).toContain('ModerationCaseOpened');
        await history
          .getByRole('button', { name: `Time travel: ${streamId}` })
          .first()
          .click();
        const travel = page.getByRole('region', { name: 'Time travel' });
        expect(await travel.getByLabel('Stream id').inputValue()).toBe(streamId);
        await travel.getByRole('radio', { name: 'At revision' }).check();
        await travel.getByRole('spinbutton', { name: 'At revision' }).fill('0');
        await travel.getByRole('button', { name: 'Compare' }).click();
        expect(await textOf(travel.getByRole('heading', { name: /^Then: Revision 0/ }))).toBeTruthy();
        const now = await textOf(travel.getByRole('heading', { name: /^Now: Revision/ }));
        expect(Number(/Revision (\d+)/.exec(now)?.[1])).toBeGreaterThan(0);
        expect(await textOf(travel.getByRole('status'))).toMatch(/^Changed: .*status/);
        await a11y('audit, time travel');
        if (SCREENSHOTS) {
          // The history and the time travel, the top of the audit view.
          const box = (await travel.boundingBox())!;
          const scrollY = await page.evaluate<number>('window.scrollY');
          const clip = { x: 0, y: 0, width: 1280, height: Math.ceil(scrollY + box.y + box.height + 24) };
          await page.screenshot({ path: join(SCREENSHOTS, 'admin-audit.png'), fullPage: true, clip });
        }

        // In Dutch (#22): the same history with its event types, who acted and on what authority in words (the type
        // itself beside them, as the filter takes it), and the read models' states.
        await page.getByRole('button', { name: 'Nederlands' }).click();
        const geschiedenis = page.getByRole('region', { name: 'Governance-geschiedenis' });
        await geschiedenis.getByRole('columnheader', { name: 'Uitgevoerd door' }).waitFor();
        const decided = geschiedenis.getByRole('row').filter({ hasText: 'ModerationCaseDecided' });
        expect(await textOf(decided)).toMatch(
          /Over zaak besloten\s+ModerationCaseDecided[\s\S]*cm-1[\s\S]*Bevoegdheid: de rol Communitymanager/,
        );
        const opened = await textOf(geschiedenis.getByRole('row').filter({ hasText: 'ModerationCaseOpened' }));
        expect(opened).toMatch(/Zaak geopend\s+ModerationCaseOpened[\s\S]*Bevoegdheid: elk aangemeld lid mag inhoud melden/);
        const readModels = await textOf(page.getByRole('region', { name: 'Leesmodellen' }).locator('tbody'));
        expect(readModels).toMatch(/Bijgewerkt|Haalt achterstand in/);
        expect(readModels).not.toMatch(/\b(running|rebuilding|catching_up|failed|standby|stopped)\b/);
        await a11y('audit (nl)');
        // A refused change in Dutch: the console's line for CONFLICT, then what the service said, in English, kept.
        await page.getByRole('navigation').getByRole('link', { name: 'Groepen' }).click();
        await page.getByRole('heading', { name: 'Groepen', level: 1 }).waitFor();
        await page.getByLabel('Naam', { exact: true }).fill('Fietsclub');
        await page.getByLabel('Groep-id').fill('cycling');
        await page.getByLabel('Groep-id').press('Enter');
        const refusal = page.getByTestId('error');
        expect(await textOf(refusal)).toMatch(
          /^Dit kan niet in de huidige toestand, of iemand anders heeft het intussen gewijzigd\.\s+De service meldde \(in het Engels\): group cycling already exists CONFLICT$/,
        );
        // Quoted (the quotation marks are the browser's, outside innerText) and marked as English for screen readers.
        expect(await refusal.locator('q[lang="en"]').innerText()).toBe('group cycling already exists');
        await a11y('groups, refused (nl)');
        await page.getByRole('button', { name: 'English' }).click();

        // One of the community manager's forms: a group created, an owner assigned, by keyboard.
        await page.getByRole('navigation').getByRole('link', { name: 'Groups' }).click();
        await page.getByLabel('Name', { exact: true }).fill('Running club');
        await page.getByLabel('Group id').fill('running');
        await page.getByLabel('Group id').press('Enter');
        // The group goes by its name; the owner is picked from the member directory (a name typed resolves to the id).
        await page.getByRole('heading', { name: 'Group Running club', level: 1 }).waitFor();
        await page.getByLabel('Member', { exact: true }).fill('sanne.bakker');
        await page.getByLabel('Member', { exact: true }).press('Enter');
        expect(await textOf(page.getByText('The owner is assigned.'))).toBeTruthy();
        expect(await textOf(page.getByRole('region', { name: 'Owners' }).locator('tbody'))).toContain('sanne.bakker');
        await a11y('group');

        // Removing an owner is asked again first (the last owner: the group is left without one); cancelled here.
        await page.getByRole('button', { name: 'Remove owner Sanne Bakker (sanne.bakker)' }).click();
        const confirmation = page.getByTestId('confirmation');
        expect(await textOf(confirmation)).toContain('Remove Sanne Bakker (sanne.bakker), the last owner of Running club?');
        expect(await page.evaluate<string | undefined>('document.activeElement?.dataset.testid')).toBe('confirmation');
        await confirmation.getByRole('button', { name: 'Cancel' }).click();
        expect(await page.getByTestId('confirmation').count()).toBe(0);
        expect(await textOf(page.getByRole('region', { name: 'Owners' }).locator('tbody'))).toContain('Sanne Bakker');

        // Her certification, looked up by name: only the steps its status allows (none certified yet: no change).
        await page.getByRole('navigation').getByRole('link', { name: 'Certification' }).click();
        await page.getByRole('heading', { name: 'Certification', level: 1 }).waitFor();
        // The picker offers the directory (a name typed resolves to its id once the list is there).
        await page.locator('#c-member-options option[value="sanne.bakker"]').waitFor({ state: 'attached' });
        await page.getByLabel('Member', { exact: true }).fill('Sanne Bakker');
        await page.getByLabel('Member', { exact: true }).press('Enter');
        expect(await textOf(page.getByTestId('certification-of'))).toBe('Sanne Bakker sanne.bakker');
        expect(await textOf(page.getByTestId('no-change'))).toBe('No change can be made to this certification: award a level instead.');
        expect(await page.getByLabel('Step').count()).toBe(0);
        await a11y('certification');

        // A new version of the code of conduct starts from its current text; its line diff and whom it asks to accept
        // again are shown before it is published.
        await page.getByRole('navigation').getByRole('link', { name: 'Agreements' }).click();
        await page.getByRole('heading', { name: 'Agreements', level: 1 }).waitFor();
        const publish = page.getByRole('region', { name: 'Publish a version' });
        await publish.getByLabel('Agreement id').fill('code-of-conduct');
        // Typed before the list arrived or after, the current text is loaded into the form.
        // Polled from here: page.waitForFunction compiles its predicate in the page, which the console's CSP refuses
        // (no 'unsafe-eval') once the first check is false.
        const text = publish.getByLabel('Text', { exact: true });
        for (const deadline = Date.now() + UI_TIMEOUT_MS; (await text.inputValue()) !== 'Be kind.'; await page.waitForTimeout(50)) {
          if (Date.now() > deadline) throw new Error(`the current text was not loaded: ${await text.inputValue()}`);
        }
        await text.fill('Be kind.\nNo advertising.');
        await publish.getByRole('checkbox', { name: /must accept this version again/ }).check();
        await publish.getByRole('button', { name: 'Review before publishing' }).click();
        const diff = publish.getByTestId('agreement-diff');
        expect(await textOf(diff.locator('.diff-added'))).toBe('+ No advertising.');
        expect(await diff.locator('.diff-removed').count()).toBe(0);
        expect(await textOf(publish.getByTestId('publish-impact'))).toBe(
          'This version requires re-acceptance: 0 members who accepted must accept it again; 3 active members will then have it pending.',
        );
        await publish.getByRole('button', { name: 'Publish', exact: true }).click();
        await publish.getByText('Version 2 is published.').waitFor();
        await a11y('agreements');

        // Adoption: before any usage report, the page says how to import one; after one, it charts and compares.
        const adoption = page.getByRole('navigation').getByRole('link', { name: 'Adoption' });
        await adoption.click();
        await page.getByRole('heading', { name: 'Adoption', level: 1 }).waitFor();
        await page.getByRole('heading', { name: 'No activity imported yet' }).waitFor();
        expect(await textOf(page.locator('pre code'))).toBe('npm run -s import-activity -- <file.csv>');
        await a11y('adoption, empty');
        const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
        const csv = [
          'group_id,period_start,period_end,members,posters,readers,last_activity',
          `cycling,${day(60)},${day(40)},40,0,0,${day(45)}`,
          `running,${day(15)},${day(9)},10,3,8,${day(10)}`,
        ].join('\n');
        const imported = await post<{ importGroupActivity: { rowsImported: number } }>(
          `mutation($input: ImportGroupActivityInput!) { importGroupActivity(input: $input) { rowsImported } }`,
          { input: { csv, format: 'GENERIC' } },
          cm,
        );
        expect(imported.importGroupActivity.rowsImported).toBe(2);
        await page.getByRole('navigation').getByRole('link', { name: 'Groups' }).click();
        await page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
        await adoption.click();
        // 3 posters of 50 members; one group active in the last 30 days, one not.
        expect(await textOf(page.getByRole('article', { name: 'Posting share (members who posted)' }))).toContain('6 %');
        expect(await textOf(page.getByRole('article', { name: 'Groups without activity for 30 days' }))).toContain('1');
        const comparisons = page.getByRole('region', { name: 'Comparisons' });
        expect(await textOf(comparisons)).toContain('What this can and cannot show');
        // Two groups in all: every comparison is flagged as too small a sample.
        expect(await comparisons.getByText('Sample too small').count()).toBeGreaterThanOrEqual(2);
        const attention = page.getByRole('region', { name: 'Groups needing attention' });
        expect(await textOf(attention.locator('tbody tr').first())).toMatch(/Cycling club \(cycling\)[\s\S]*Nobody posted or read/);
        await page.locator('.kpi canvas').first().waitFor();
        await a11y('adoption');

        // Insights: every KPI by its short title (the consent rate too, measured per purpose only), and per scope: a
        // target set from the form for one department shows on that department's row, held to its own target.
        await page.getByRole('navigation').getByRole('link', { name: 'Insights' }).click();
        await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor();
        // The cards come with the KPIs' answer, after the heading: counted once one of them shows.
        expect(await textOf(page.getByRole('article', { name: 'Consent rate' }))).toContain('Measured per purpose only');
        expect(await page.locator('article.kpi').count()).toBe(20);
        const backlog = await textOf(page.getByRole('article', { name: 'Moderation backlog' }));
        // Two cases still open of the three reported; the API's description stays as the secondary text.
        expect(backlog).toMatch(/Cases open or in review\.[\s\S]*\b2\b/);
        const setTarget = page.getByRole('region', { name: 'Set a KPI target' });
        await setTarget.getByLabel('KPI').selectOption({ label: 'Ambassadors per 100 members' });
        await setTarget.getByLabel(/^Scope/).fill('Sales');
        await setTarget.getByLabel('Target', { exact: true }).fill('0.75');
        await setTarget.getByRole('button', { name: 'Save' }).click();
        expect(await textOf(setTarget.getByText('The target is set.'))).toBeTruthy();
        await a11y('insights');
        if (SCREENSHOTS) {
          // The top of the page: the header and the first rows of KPI cards with their trends.
          await page.evaluate('window.scrollTo(0, 0)');
          await page.locator('.kpi canvas').nth(5).waitFor();
          await page.screenshot({
            path: join(SCREENSHOTS, 'admin-insights.png'),
            fullPage: true,
            clip: { x: 0, y: 0, width: 1280, height: 1000 },
          });
        }
        const byDepartment = page.getByRole('region', { name: 'By department' });
        // Sales misses its own target (no ambassador yet): first, the others after it by name, with no target.
        const sales = byDepartment.locator('tbody tr').first();
        await byDepartment.getByText('Missing a target: 1 of 3').waitFor();
        expect(await textOf(sales)).toMatch(/^Sales\s+0 \/ 100 members\s+≥ 0\.75 \/ 100 members \(own target\)\s+✗$/);
        expect(await textOf(byDepartment.locator('tbody tr').nth(1))).toBe('Finance\t0 / 100 members');
        // The decision recorded above: its decider's appeal rate (none appealed).
        expect(await textOf(page.getByRole('region', { name: 'By decider' }).locator('tbody tr', { hasText: 'cm-1' }))).toMatch(
          /cm-1\s+0 %/,
        );
        // In Dutch: the short titles and the tables too.
        await page.getByRole('button', { name: 'Nederlands' }).click();
        await page.getByRole('heading', { name: 'Inzichten', level: 1 }).waitFor();
        await page.getByRole('article', { name: 'Ambassadeurs per 100 leden' }).waitFor();
        expect(await textOf(page.getByRole('region', { name: 'Per afdeling' }).locator('tbody tr').first())).toMatch(
          /^Sales\s+0 \/ 100 leden\s+≥ 0,75 \/ 100 leden \(eigen doel\)\s+✗$/,
        );
        await a11y('insights (nl)');
        await page.getByRole('button', { name: 'English' }).click();
        await page.getByRole('heading', { name: 'Insights', level: 1 }).waitFor();

        // Notifications: the delivery log, which says why nobody was told when nobody was.
        await page.getByRole('navigation').getByRole('link', { name: 'Notifications' }).click();
        await page.getByRole('heading', { name: 'Notifications', level: 1 }).waitFor();
        await page.getByRole('region', { name: 'Delivery log' }).getByRole('combobox', { name: 'Status' }).selectOption('NOT_TOLD');
        await a11y('notifications');

        // Webhooks: one registered from the form for the moderation cases, its secret shown once with the notice to
        // copy it now, then disabled after a confirmation.
        await page.getByRole('navigation').getByRole('link', { name: 'Webhooks' }).click();
        await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
        await page.getByText('No webhook is registered yet.').waitFor();
        const register = page.getByRole('region', { name: 'Register a webhook' });
        await register.getByLabel('URL', { exact: true }).fill('https://hooks.example.invalid/workflows/abcd');
        await register.getByLabel('Description (optional)').fill('Team channel');
        await register.locator('summary', { hasText: /^moderation_case/ }).click();
        await register.getByRole('checkbox', { name: 'Every event of moderation_case' }).check();
        await register.getByRole('button', { name: 'Register', exact: true }).click();
        const secret = page.getByTestId('webhook-secret');
        expect(await textOf(secret.getByRole('heading'))).toBe('Copy the secret now: it is not shown again');
        expect(await secret.getByLabel('Signing secret').inputValue()).toMatch(/^whsec_/);
        await a11y('webhooks, secret shown');
        await secret.getByRole('button', { name: 'I have stored it' }).click();
        expect(await page.getByTestId('webhook-secret').count()).toBe(0);
        const webhook = page.getByTestId('webhook');
        expect(await textOf(webhook)).toMatch(/https:\/\/hooks\.example\.invalid\/…abcd[\s\S]*Active[\s\S]*Categories: moderation_case/);
        await webhook.getByRole('button', { name: 'Disable', exact: true }).click();
        await webhook.getByRole('button', { name: 'Yes, disable it' }).click();
        expect(await textOf(webhook.getByText('The webhook is disabled.'))).toBeTruthy();
        expect(await textOf(webhook)).toContain('Disabled by a community manager');
        await webhook.getByRole('button', { name: 'Enable', exact: true }).waitFor();
        await a11y('webhooks');

        // Nothing the CSP refused, no script error along the way.
        expect(pageErrors).toEqual([]);
      });
      await context.close();
    }, 90_000);

    test("a group owner whose token carries only MEMBER: their groups' queue, their certification module by module, a self-paced module recorded, the gate explained before they act", async () => {
      // An owner by governance state only: a community manager assigns them, the token says MEMBER.
      const cm = await devToken('cm-seed', 'COMMUNITY_MANAGER');
      const owner = 'olivia.devries';
      await post(
        `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
        { input: { memberId: owner, displayName: 'Olivia de Vries', department: 'Marketing' } },
        cm,
      );
      await post(
        `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
        { input: { groupId: 'photo', name: 'Photography club' } },
        cm,
      );
      await post(
        `mutation($input: AssignGroupOwnerInput!) { assignGroupOwner(input: $input) { id } }`,
        { input: { groupId: 'photo', memberId: owner } },
        cm,
      );
      await post(
        `mutation($input: SetGroupCertificationRequirementInput!) { setGroupCertificationRequirement(input: $input) { id } }`,
        { input: { groupId: 'photo', required: true } },
        cm,
      );
      await post(
        `mutation($input: DefineTrainingProgrammeInput!) { defineTrainingProgramme(input: $input) { id } }`,
        {
          input: {
            programmeId: 'moderation-101',
            title: 'Moderation basics',
            modules: [
              { id: 'guidelines', title: 'Community guidelines', required: true, selfPaced: true },
              { id: 'hard-cases', title: 'Hard cases workshop', required: true, selfPaced: false },
            ],
          },
        },
        cm,
      );
      await post(
        `mutation($input: DefineCertificationLevelInput!) { defineCertificationLevel(input: $input) { level } }`,
        { input: { level: 1, name: 'Foundation', requiredProgrammes: ['moderation-101'], validityMonths: 12 } },
        cm,
      );
      await post(
        `mutation($input: EnrolInTrainingInput!) { enrolInTraining(input: $input) { status } }`,
        { input: { programmeId: 'moderation-101', memberId: owner } },
        cm,
      );
      await post(
        `mutation($input: CompleteTrainingModuleInput!) { completeTrainingModule(input: $input) { status } }`,
        { input: { programmeId: 'moderation-101', memberId: owner, moduleId: 'hard-cases' } },
        cm,
      );
      const reported = await post<{ reportContent: { id: string } }>(
        `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
        { input: { contentId: 'photo-9', contentType: 'post', authorId: 'lucas.smit', groupId: 'photo', reason: 'SPAM' } },
        await devToken('emma.visser', 'MEMBER'),
      );
      const caseId = reported.reportContent.id;

      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
      });

      await inBrowser(async () => {
        await page.goto(`${t.service.url}/admin`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await page.getByLabel('Member id').fill(owner);
        await page.getByRole('checkbox', { name: /COMMUNITY_MANAGER/ }).uncheck();
        await page.getByRole('checkbox', { name: /\bMEMBER\b/ }).check();
        await page.getByRole('button', { name: 'Sign in' }).click();

        // What the API serves them, and nothing else: the queue of their group first.
        await page.getByRole('heading', { name: 'Moderation', level: 1 }).waitFor();
        const nav = page.getByRole('navigation');
        expect(await nav.getByRole('link').allInnerTexts()).toEqual([
          'Moderation',
          'Groups',
          'My certification',
          'Agreements',
          'My privacy',
        ]);
        expect(await textOf(page.getByText('Signed in as'))).toContain(owner);
        const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: caseId }) });
        expect(await textOf(row)).toMatch(/Open[\s\S]*photo/);
        await a11y('moderation queue, owner');

        // My certification: no level yet; for level 1, one of two modules done, which one remains; the group's requirement.
        await nav.getByRole('link', { name: 'My certification' }).click();
        await page.getByRole('heading', { name: 'My certification', level: 1 }).waitFor();
        expect(await textOf(page.getByTestId('my-level'))).toBe('Not certified yet.');
        const groups = page.getByRole('region', { name: 'My groups' });
        expect(await textOf(groups.locator('tbody'))).toMatch(/Photography club[\s\S]*Yes[\s\S]*Not until you are certified/);
        const next = page.getByRole('region', { name: 'For level 1 (Foundation)' });
        expect(await textOf(next.getByTestId('next-level-progress'))).toBe(
          'Moderation basics: 1 of 2 modules done. Still to do: Community guidelines.',
        );
        // Their own self-paced module, recorded by themself (the workshop was recorded by a community manager).
        const training = page.getByRole('region', { name: 'My training' });
        await training.getByRole('button', { name: 'I have completed “Community guidelines”' }).click();
        expect(await textOf(training.getByText('Your completion is recorded.'))).toBeTruthy();
        await next.getByText('Nothing is missing.').waitFor();
        expect(await textOf(training.getByTestId('module-progress'))).toBe('2 of 2 modules done.');
        expect(await page.evaluate<string>('document.activeElement.id')).toBe('programme-moderation-101');
        await a11y('my certification');
        if (SCREENSHOTS) {
          await page.evaluate('window.scrollTo(0, 0)');
          await page.screenshot({ path: join(SCREENSHOTS, 'admin-owner.png'), fullPage: true });
        }

        // The case: the gate explained, and neither claim nor decide offered while they are not certified.
        await nav.getByRole('link', { name: 'Moderation' }).click();
        await page.getByRole('link', { name: caseId }).click();
        await page.getByRole('heading', { name: `Case ${caseId}`, level: 1 }).waitFor();
        expect(await textOf(page.getByTestId('case-bar'))).toContain('Group photo requires certified owners');
        expect(await page.getByRole('button', { name: 'Claim this case' }).count()).toBe(0);
        expect(await page.getByRole('button', { name: 'Record the decision' }).count()).toBe(0);
        await a11y('case, owner not certified');

        // Certified (a community manager awards the level): claim and decide, every outcome but a suspension.
        await post(
          `mutation($input: AwardCertificationInput!) { awardCertification(input: $input) { status } }`,
          { input: { memberId: owner, level: 1 } },
          cm,
        );
        await page.getByRole('button', { name: 'Refresh' }).click();
        // Claimed, the claim button goes: the focus goes to what came of it, not to <body>.
        await page.getByRole('button', { name: 'Claim this case' }).click();
        expect(await textOf(page.getByText('You claimed the case.'))).toBeTruthy();
        expect(await page.getByRole('button', { name: 'Claim this case' }).count()).toBe(0);
        await page.locator('[data-testid="case-result"]:focus').waitFor();
        await a11y('case, claimed by its owner');
        const outcomes = await page.getByLabel('Outcome').locator('option').allInnerTexts();
        expect(outcomes).toEqual(['Choose an outcome', 'No action', 'Hide the content', 'Remove the content', 'Warn the member']);
        await page.getByLabel('Outcome').selectOption('HIDE_CONTENT');
        await page.getByLabel('Reason').fill('Advertising in the photo club');
        await page.getByRole('button', { name: 'Record the decision' }).click();
        expect(await textOf(page.getByText('The decision is recorded.'))).toBeTruthy();
        await page.locator('[data-testid="case-result"]:focus').waitFor();

        await nav.getByRole('link', { name: 'My certification' }).click();
        expect(await textOf(page.getByTestId('my-level'))).toMatch(/^Level 1 \(Foundation\) Certified until /);
        expect(await textOf(page.getByRole('region', { name: 'My groups' }).locator('tbody'))).toContain(
          'You may claim and decide its cases.',
        );
        await a11y('my certification, certified');

        expect(pageErrors).toEqual([]);
      });
      await context.close();
    }, 60_000);

    /** A fresh tab at the given size, its script errors and refused requests collected in `errors`. */
    async function openTab(width: number, height: number, errors: string[]) {
      const context = await browser.newContext({ viewport: { width, height }, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()}`);
      });
      return context;
    }

    /** Polls until the check holds (page.waitForFunction compiles in the page, which the console's CSP refuses). */
    async function until(check: () => Promise<boolean>, what: string): Promise<void> {
      for (const deadline = Date.now() + UI_TIMEOUT_MS; !(await check()); await page.waitForTimeout(50)) {
        if (Date.now() > deadline) throw new Error(`still not so after ${UI_TIMEOUT_MS} ms: ${what}`);
      }
    }

    /** The development sign-in, with exactly these roles ticked. */
    async function signInAs(memberId: string, ...roles: string[]): Promise<void> {
      await page.goto(`${t.service.url}/admin`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await page.getByLabel('Member id').fill(memberId);
      for (const role of ['COMMUNITY_MANAGER', 'GROUP_OWNER', 'MEMBER', 'AUDITOR', 'PRIVACY_OFFICER']) {
        await page.getByRole('checkbox', { name: new RegExp(`\\b${role}$`) }).setChecked(roles.includes(role));
      }
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Signed in as').waitFor();
    }

    test('an auditor (AUDITOR only): filters the history, compares a stream then and now, checks the hash chain, in English and Dutch, and is offered no change anywhere', async () => {
      const cm = await devToken('cm-seed', 'COMMUNITY_MANAGER');
      await post(
        `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
        { input: { groupId: 'books', name: 'Book club' } },
        cm,
      );
      const reported = await post<{ reportContent: { id: string } }>(
        `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
        { input: { contentId: 'review-12', contentType: 'post', authorId: 'lucas.smit', groupId: 'books', reason: 'SPAM' } },
        await devToken('emma.visser', 'MEMBER'),
      );
      const caseId = reported.reportContent.id;
      // Claimed by a community manager: in review, still to decide (what an auditor may read, never do).
      await post(`mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { id } }`, { input: { caseId } }, cm);
      const streamId = caseStreamId(caseId);
      const errors: string[] = [];
      const context = await openTab(1280, 800, errors);

      await inBrowser(async () => {
        await signInAs('audrey.auditor', 'AUDITOR');
        const nav = page.getByRole('navigation', { name: 'Governance console' });
        await nav.getByRole('link', { name: 'Audit' }).click();
        await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
        await a11y('audit, auditor');

        // The history, filtered to the case's stream and its claim.
        const history = page.getByRole('region', { name: 'Governance history' });
        await history.getByLabel('Stream id').fill(streamId);
        await history.getByLabel('Event types (comma separated)').fill('ModerationCaseClaimed');
        await history.getByRole('button', { name: 'Apply' }).click();
        // Only the filtered events (the list before the filter may show other claims): every row a claim of this stream.
        await until(async () => {
          const rows = await history.locator('tbody tr').allInnerTexts();
          return rows.length > 0 && rows.every((row) => row.includes('ModerationCaseClaimed') && row.includes(streamId));
        }, 'the history filtered to the claim of the case');
        expect(await textOf(history.locator('tbody tr').first())).toMatch(/ModerationCaseClaimed[\s\S]*cm-seed/);
        await a11y('audit, history filtered');

        // The stream at revision 0 next to now: opened then, in review now.
        await history
          .getByRole('button', { name: `Time travel: ${streamId}` })
          .first()
          .click();
        const travel = page.getByRole('region', { name: 'Time travel' });
        expect(await travel.getByLabel('Stream id').inputValue()).toBe(streamId);
        await travel.getByRole('radio', { name: 'At revision' }).check();
        await travel.getByRole('spinbutton', { name: 'At revision' }).fill('0');
        await travel.getByRole('button', { name: 'Compare' }).click();
        await travel.getByRole('heading', { name: /^Then: Revision 0/ }).waitFor();
        expect(Number(/Revision (\d+)/.exec(await textOf(travel.getByRole('heading', { name: /^Now: Revision/ })))?.[1])).toBeGreaterThan(
          0,
        );
        expect(await textOf(travel.getByRole('status'))).toMatch(/^Changed: .*status/);
        await a11y('audit, time travel, auditor');

        // The integrity check: the case's stream, then the whole log.
        const integrity = page.getByRole('region', { name: 'Integrity check' });
        await integrity.getByLabel('Stream id').fill(streamId);
        await integrity.getByRole('button', { name: 'Verify', exact: true }).click();
        expect(await textOf(integrity.getByRole('status'))).toMatch(/^The hash chain is intact: [1-9]\d* events verified\.$/);
        await integrity.getByRole('button', { name: 'Verify the whole log' }).click();
        expect(await textOf(integrity.getByRole('status'))).toMatch(/^The hash chain is intact: [1-9]\d* events verified\.$/);
        // Read models are shown, never rebuilt by an auditor.
        await page.getByRole('region', { name: 'Read models' }).locator('tbody tr').first().waitFor();
        expect(await page.getByRole('button', { name: /^Rebuild/ }).count()).toBe(0);
        await a11y('audit, integrity checked');

        // In Dutch: the same audit view, and the integrity check again.
        await page.getByRole('button', { name: 'Nederlands' }).click();
        await page.getByRole('region', { name: 'Governance-geschiedenis' }).locator('tbody tr').first().waitFor();
        const integriteit = page.getByRole('region', { name: 'Integriteitscontrole' });
        await integriteit.getByRole('button', { name: 'Controleren', exact: true }).click();
        expect(await textOf(integriteit.getByRole('status'))).toMatch(/^De hashketen is intact: [1-9]\d* gebeurtenissen gecontroleerd\.$/);
        await a11y('audit, integrity checked (nl)');

        // A case, in Dutch: why it is read only, and no claim nor decision offered.
        const navNl = page.getByRole('navigation', { name: 'Governance-console' });
        await navNl.getByRole('link', { name: 'Moderatie' }).click();
        await page.getByRole('heading', { name: 'Moderatie', level: 1 }).waitFor();
        await page.getByRole('link', { name: caseId }).click();
        await page.getByRole('heading', { name: new RegExp(`${caseId}$`), level: 1 }).waitFor();
        expect(await textOf(page.locator('dd', { hasText: /Revisie/ }).first())).toBeTruthy();
        expect(
          await page
            .getByRole('button')
            .filter({ hasText: /claim|besluit|beslissing/i })
            .count(),
        ).toBe(0);
        expect(await page.locator('main form').count()).toBe(0);
        await a11y('case, auditor (nl)');

        // Groups, in Dutch: the list, without the form to create one.
        await navNl.getByRole('link', { name: 'Groepen' }).click();
        await page.getByRole('heading', { name: 'Groepen', level: 1 }).waitFor();
        await page.getByRole('link', { name: 'Book club' }).first().waitFor();
        expect(await page.getByRole('region', { name: 'Groep aanmaken' }).count()).toBe(0);
        await a11y('groups, auditor (nl)');
        await page.getByRole('link', { name: 'Book club' }).first().click();
        await page.getByRole('heading', { name: /Book club/, level: 1 }).waitFor();
        expect(await page.locator('main form').count()).toBe(0);
        await a11y('group, auditor (nl)');
        await page.getByRole('button', { name: 'English' }).click();

        // The other areas an auditor reads: nothing there offers a change either.
        for (const area of ['Members', 'Agreements', 'Webhooks']) {
          await nav.getByRole('link', { name: area }).click();
          await page.getByRole('heading', { name: area, level: 1 }).waitFor();
          await page
            .locator('main .loading')
            .waitFor({ state: 'detached' })
            .catch(() => undefined);
          expect({ area, publish: await page.getByRole('region', { name: 'Publish a version' }).count() }).toEqual({ area, publish: 0 });
          expect({ area, register: await page.getByRole('region', { name: 'Register a webhook' }).count() }).toEqual({ area, register: 0 });
          await a11y(`${area.toLowerCase()}, auditor`);
        }
        expect(errors).toEqual([]);
      });
      await context.close();
    }, 60_000);

    test("a privacy officer (PRIVACY_OFFICER only): a member's directory listing changed, an erasure requested after the console asks again, and seen completed", async () => {
      const cm = await devToken('cm-seed', 'COMMUNITY_MANAGER');
      for (const [memberId, displayName, department] of [
        ['daan.kok', 'Daan Kok', 'Legal'],
        ['erik.leaving', 'Erik Leaving', 'Legal'],
      ] as const) {
        await post(
          `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
          { input: { memberId, displayName, department } },
          cm,
        );
      }
      const errors: string[] = [];
      const context = await openTab(1280, 800, errors);

      await inBrowser(async () => {
        await signInAs('pia.privacy', 'PRIVACY_OFFICER');
        const nav = page.getByRole('navigation', { name: 'Governance console' });
        await nav.getByRole('link', { name: 'Privacy requests' }).click();
        await page.getByRole('heading', { name: 'Privacy requests', level: 1 }).waitFor();
        await a11y('privacy');

        // Daan's settings: not listed in the directory (listing is opt-in), then listed.
        await page.getByLabel('Member', { exact: true }).fill('daan.kok');
        await page.getByRole('button', { name: 'Look up' }).click();
        const settings = page.getByRole('region', { name: 'Settings' }).first();
        await page.getByRole('heading', { name: 'Daan Kok (daan.kok)' }).waitFor();
        const listed = page.getByRole('checkbox', { name: 'Listed in the directory' });
        expect(await listed.isChecked()).toBe(false);
        expect(await textOf(settings.locator('dd').first())).toBe('No');
        await a11y('privacy, a member');
        await listed.check();
        await page.getByRole('button', { name: 'Save' }).click();
        expect(await textOf(page.getByText('The settings are saved.'))).toBeTruthy();
        await settings.locator('dd', { hasText: /^Yes$/ }).first().waitFor();
        await a11y('privacy, settings saved');

        // Erik's erasure: asked again first (cancelled once: nothing recorded), then confirmed.
        await page.getByLabel('Member', { exact: true }).fill('erik.leaving');
        await page.getByRole('button', { name: 'Look up' }).click();
        await page.getByRole('heading', { name: 'Erik Leaving (erik.leaving)' }).waitFor();
        const erasure = page.getByRole('region', { name: 'Erasure request' });
        await erasure.getByRole('button', { name: 'Request erasure' }).click();
        const confirmation = page.getByTestId('confirmation');
        expect(await textOf(confirmation)).toContain('Erik Leaving (erik.leaving)');
        expect(await page.evaluate<string | undefined>('document.activeElement?.dataset.testid')).toBe('confirmation');
        await a11y('privacy, erasure asked again');
        await confirmation.getByRole('button', { name: 'Cancel' }).click();
        expect(await page.getByTestId('confirmation').count()).toBe(0);
        expect(await textOf(erasure)).toContain('No erasure');
        await erasure.getByRole('button', { name: 'Request erasure' }).click();
        await confirmation.getByLabel('Reason (optional)').fill('Asked by the member on leaving');
        await confirmation.getByRole('button', { name: 'Yes, erase' }).click();
        await erasure.locator('dd', { hasText: 'Completed' }).waitFor();
        expect(await erasure.getByRole('button', { name: 'Request erasure' }).count()).toBe(0);
        await a11y('privacy, erased');

        // In Dutch: the same member, the request completed.
        await page.getByRole('button', { name: 'Nederlands' }).click();
        await page.getByRole('region', { name: 'Verzoek tot verwijdering' }).locator('dd', { hasText: 'Afgerond' }).waitFor();
        await a11y('privacy, erased (nl)');
        expect(errors).toEqual([]);
      });
      await context.close();
    }, 60_000);

    test('a member (MEMBER only) on a phone (390 px): their own standing, a pending agreement accepted with its button, in English and Dutch', async () => {
      const cm = await devToken('cm-seed', 'COMMUNITY_MANAGER');
      const member = 'mila.janssen';
      await post(
        `mutation($input: RegisterMemberInput!) { registerMember(input: $input) { id } }`,
        { input: { memberId: member, displayName: 'Mila Janssen', department: 'HR' } },
        cm,
      );
      await post(
        `mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { id } }`,
        { input: { agreementId: 'house-rules', title: 'House rules', body: 'Stay on topic.', requiresReacceptance: false } },
        cm,
      );
      await post(
        `mutation($input: PublishAgreementVersionInput!) { publishAgreementVersion(input: $input) { id } }`,
        { input: { agreementId: 'photo-policy', title: 'Fotobeleid', body: 'Vraag toestemming.', requiresReacceptance: false } },
        cm,
      );
      const errors: string[] = [];
      const context = await openTab(390, 844, errors);

      await inBrowser(async () => {
        await signInAs(member, 'MEMBER');
        const nav = page.getByRole('navigation', { name: 'Governance console' });
        await page.getByRole('heading', { name: 'My certification', level: 1 }).waitFor();
        expect(await nav.getByRole('link').allInnerTexts()).toEqual(['My certification', 'Agreements', 'My privacy']);
        await a11y('home, member at 390 px');

        // Their own standing, from their id in the top bar (there was no way to it but typing its address); read only.
        await page.getByRole('banner').getByRole('link', { name: member }).click();
        expect(await textOf(page.getByTestId('standing'))).toBe('Not suspended');
        expect(await page.locator('main form').count()).toBe(0);
        await a11y('own standing at 390 px');

        // The agreement waiting for them, accepted with its button.
        await nav.getByRole('link', { name: 'Agreements' }).click();
        await page.getByRole('heading', { name: 'Agreements', level: 1 }).waitFor();
        const pending = page.getByRole('region', { name: 'Waiting for your acceptance' });
        await pending.getByRole('button', { name: 'I accept “House rules” (version 1)' }).waitFor();
        await a11y('agreements, pending, at 390 px');
        await pending.getByRole('button', { name: 'I accept “House rules” (version 1)' }).click();
        expect(await textOf(page.getByText('Your acceptance is recorded.'))).toBeTruthy();
        await until(
          async () => (await page.getByRole('button', { name: 'I accept “House rules” (version 1)' }).count()) === 0,
          'the accepted agreement no longer waiting',
        );
        // The acknowledgement, with the focus on it rather than on <body>.
        expect(await textOf(page.getByText('Your acceptance is recorded.'))).toBeTruthy();
        expect(await page.evaluate<string>('document.activeElement.className')).toBe('action-outcome');
        await a11y('agreements, accepted, at 390 px');

        // In Dutch: what is left, accepted one by one (the photo policy, and the code of conduct when an earlier walk
        // published it); the last one takes the list away, and the acknowledgement stays.
        await page.getByRole('button', { name: 'Nederlands' }).click();
        const wacht = page.getByRole('region', { name: 'Wacht op jouw acceptatie' });
        await wacht.getByRole('button', { name: 'Ik accepteer „Fotobeleid” (versie 1)' }).waitFor();
        await a11y('agreements, pending, at 390 px (nl)');
        for (let left = await wacht.getByRole('button').count(); left > 0; left -= 1) {
          await wacht.getByRole('button').first().click();
          await until(async () => (await wacht.getByRole('button').count()) === left - 1, `${left - 1} agreements left to accept`);
        }
        expect(await textOf(page.getByText('Je acceptatie is vastgelegd.'))).toBeTruthy();
        expect(await page.evaluate<string>('document.activeElement.className')).toBe('action-outcome');
        await a11y('agreements, all accepted, at 390 px (nl)');
        await page.getByRole('banner').getByRole('link', { name: member }).click();
        expect(await textOf(page.getByTestId('standing'))).toBe('Niet geschorst');
        await a11y('own standing at 390 px (nl)');

        // Their own privacy: consent is theirs alone to give, and they choose to be listed in the directory.
        await page.getByRole('link', { name: 'Mijn privacy', exact: true }).click();
        await page.getByRole('heading', { level: 1, name: 'Mijn privacy' }).waitFor();
        await page.getByRole('button', { name: 'Toestemming geven' }).click();
        await page.getByText('Je toestemming is vastgelegd.').waitFor();
        await page.getByRole('button', { name: 'Toestemming intrekken' }).waitFor();
        await a11y('my privacy, consent given, at 390 px (nl)');
        const settings = page.getByRole('form', { name: 'Instellingen' });
        await settings.getByRole('checkbox').check();
        await settings.getByRole('button', { name: 'Opslaan' }).click();
        await page.getByText('De instellingen zijn opgeslagen.').waitFor();
        expect(errors).toEqual([]);
      });
      await context.close();
    }, 60_000);

    test('phone (390 px) and tablet (820 px): the queue, a case, insights and audit fit the screen, and axe finds nothing serious', async () => {
      const cm = await devToken('cm-seed', 'COMMUNITY_MANAGER');
      await post(
        `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
        { input: { groupId: 'chess', name: 'Chess club' } },
        cm,
      );
      const reported = await post<{ reportContent: { id: string } }>(
        `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
        {
          input: {
            contentId: 'board-3',
            contentType: 'post',
            authorId: 'lucas.smit',
            groupId: 'chess',
            reason: 'SPAM',
            note: 'Links to a shop',
          },
        },
        await devToken('emma.visser', 'MEMBER'),
      );
      const caseId = reported.reportContent.id;

      /** The page scrolls only down: nothing wider than the screen (the elements that stick out, when something does). */
      async function expectNoSidewaysScroll(label: string): Promise<void> {
        const wide = await page.evaluate<{ scrollWidth: number; clientWidth: number; culprits: string[] }>(`(() => {
          const root = document.scrollingElement;
          const culprits = [...document.querySelectorAll('body *')]
            .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1)
            .slice(0, 5)
            .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ').join('.') : ''));
          return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, culprits };
        })()`);
        expect({ label, culprits: wide.scrollWidth > wide.clientWidth ? wide.culprits : [] }).toEqual({ label, culprits: [] });
        expect(wide.scrollWidth).toBeLessThanOrEqual(wide.clientWidth);
      }

      // One tab, signed in once, turned from phone to phone in Dutch to tablet (as a tablet turns, the layout follows).
      const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      await inBrowser(async () => {
        await page.goto(`${t.service.url}/admin`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await a11y('sign-in at 390 px');
        await page.getByLabel('Member id').fill('cm-phone');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Moderation', level: 1 }).waitFor();
        // A page that does not exist has its heading too.
        await page.goto(`${t.service.url}/admin/no-such-page`);
        await page.getByRole('heading', { name: 'This page does not exist.', level: 1 }).waitFor();
        await a11y('not found at 390 px');

        for (const [width, height, language] of [
          [390, 844, 'en'],
          [390, 844, 'nl'],
          [820, 1180, 'en'],
        ] as const) {
          const at = `${width} px${language === 'nl' ? ' (nl)' : ''}`;
          const nl = language === 'nl';
          const name = (en: string, dutch: string) => (nl ? dutch : en);
          await page.setViewportSize({ width, height });
          await page.getByRole('button', { name: nl ? 'Nederlands' : 'English' }).click();
          const nav = page.getByRole('navigation', { name: name('Governance console', 'Governance-console') });
          await nav.getByRole('link', { name: name('Moderation', 'Moderatie') }).click();

          // The queue: its first case on the first screen, without scrolling sideways.
          await page.getByRole('heading', { name: name('Moderation', 'Moderatie'), level: 1 }).waitFor();
          await page.getByRole('link', { name: caseId }).waitFor();
          await expectNoSidewaysScroll(`queue at ${at}`);
          const first = page.locator('main tbody tr').first().getByRole('link');
          const box = (await first.boundingBox())!;
          expect(box.y + box.height).toBeLessThanOrEqual(height);
          await a11y(`queue at ${at}`);

          // A case.
          await page.getByRole('link', { name: caseId }).click();
          await page.getByRole('heading', { name: new RegExp(`${caseId}$`), level: 1 }).waitFor();
          await page.locator('.quote', { hasText: 'Links to a shop' }).waitFor();
          await expectNoSidewaysScroll(`case at ${at}`);
          await a11y(`case at ${at}`);

          // Insights: the header (title, as-of and the trend step) stays within the screen.
          await nav.getByRole('link', { name: name('Insights', 'Inzichten') }).click();
          await page.getByRole('heading', { name: name('Insights', 'Inzichten'), level: 1 }).waitFor();
          await page.locator('article.kpi').first().waitFor();
          const header = await page.evaluate<{ right: number; scrollWidth: number; clientWidth: number }>(`(() => {
              const h = document.querySelector('.page-header');
              return { right: Math.max(...[...h.querySelectorAll('*')].map((el) => el.getBoundingClientRect().right)), scrollWidth: h.scrollWidth, clientWidth: h.clientWidth };
            })()`);
          expect(header.scrollWidth).toBeLessThanOrEqual(header.clientWidth);
          expect(header.right).toBeLessThanOrEqual(width);
          await expectNoSidewaysScroll(`insights at ${at}`);
          await a11y(`insights at ${at}`);

          // Audit: the history and the read models.
          await nav.getByRole('link', { name: 'Audit' }).click();
          await page.getByRole('heading', { name: 'Audit', level: 1 }).waitFor();
          await page
            .getByRole('region', { name: name('Read models', 'Leesmodellen') })
            .locator('tbody tr')
            .first()
            .waitFor();
          await page
            .getByRole('region', { name: name('Governance history', 'Governance-geschiedenis') })
            .locator('tbody tr')
            .first()
            .waitFor();
          await expectNoSidewaysScroll(`audit at ${at}`);
          await a11y(`audit at ${at}`);
        }
        expect(errors).toEqual([]);
      });
      await context.close();
    }, 60_000);

    test('live updates (#22): the open queue and case follow what another community manager does, without a click', async () => {
      const cm = await devToken('cm-seed', 'COMMUNITY_MANAGER');
      const other = await devToken('cm-other', 'COMMUNITY_MANAGER');
      await post(
        `mutation($input: CreateGroupInput!) { createGroup(input: $input) { id } }`,
        { input: { groupId: 'hiking', name: 'Hiking club' } },
        cm,
      );
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(`console: ${message.text()}`);
      });
      // The tab's live connection, as the browser opens it.
      const socket = page.waitForEvent('websocket', (ws) => ws.url().endsWith('/graphql'));

      await inBrowser(async () => {
        await page.goto(`${t.service.url}/admin`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await page.getByLabel('Member id').fill('cm-live');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Moderation', level: 1 }).waitFor();
        // One WebSocket, on the console's own origin (the CSP's connect-src 'self' lets it through), and live.
        expect((await socket).url()).toBe(`${t.service.url.replace(/^http/, 'ws')}/graphql`);
        await page.locator('[data-testid="live-status"][data-live="live"]').waitFor();
        expect(await textOf(page.getByTestId('live-status'))).toBe('● Live');
        await a11y('moderation queue, live');

        // A member reports a post (over the API, not in this tab): the case appears in the open queue.
        const reported = await post<{ reportContent: { id: string } }>(
          `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
          { input: { contentId: 'trail-5', contentType: 'post', authorId: 'lucas.smit', groupId: 'hiking', reason: 'SPAM' } },
          await devToken('emma.visser', 'MEMBER'),
        );
        const caseId = reported.reportContent.id;
        const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: caseId }) });
        expect(await textOf(row)).toMatch(/Open[\s\S]*Hiking club[\s\S]*Unassigned/);
        // The top bar says the page was brought up to date.
        expect(await textOf(page.getByTestId('live-status'))).toMatch(/^● Updated \d{2}:\d{2}:\d{2}$/);

        // Another community manager claims it: the row shows it in review, and theirs.
        await post(
          `mutation($input: ClaimModerationCaseInput!) { claimModerationCase(input: $input) { id } }`,
          { input: { caseId } },
          other,
        );
        await row.filter({ hasText: 'In review' }).filter({ hasText: 'cm-other' }).waitFor();

        // The case page, open while they decide it: it shows the decision, and offers nothing more to do.
        await row.getByRole('link', { name: caseId }).click();
        await page.getByRole('heading', { name: `Case ${caseId}`, level: 1 }).waitFor();
        expect(await textOf(page.locator('dd', { hasText: /Revision/ }).first())).toMatch(/In review/);
        await post(
          `mutation($input: DecideModerationCaseInput!) { decideModerationCase(input: $input) { id } }`,
          { input: { caseId, outcome: 'NO_ACTION', reason: 'A trail report, not an advert' } },
          other,
        );
        await page
          .locator('dd', { hasText: /Revision/ })
          .filter({ hasText: 'Decided' })
          .first()
          .waitFor();
        expect(await page.getByRole('button', { name: 'Record the decision' }).count()).toBe(0);
        // The case's own history panel followed as well.
        await page.getByRole('region', { name: 'History' }).getByText('ModerationCaseDecided').waitFor();
        await a11y('case, decided elsewhere');

        // Nothing the CSP refused (the WebSocket included), no script error.
        expect(errors).toEqual([]);
      });
      await context.close();
    }, 60_000);

    test('live updates (#22): with the socket refused, the console says they are paused and Refresh still works', async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB', timezoneId: 'Europe/Amsterdam' });
      // Every attempt at the live connection is closed at once, as a proxy without WebSocket support would.
      let attempts = 0;
      await context.routeWebSocket(/\/graphql$/, (ws) => {
        attempts += 1;
        void ws.close({ code: 1013, reason: 'try again later' });
      });
      page = await context.newPage();
      page.setDefaultTimeout(UI_TIMEOUT_MS);

      await inBrowser(async () => {
        await page.goto(`${t.service.url}/admin`);
        await page.getByRole('heading', { name: 'Sign in' }).waitFor();
        await page.getByLabel('Member id').fill('cm-offline');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('heading', { name: 'Moderation', level: 1 }).waitFor();
        expect(await textOf(page.locator('[data-testid="live-status"][data-live="paused"]'))).toBe('○ Live updates paused: use Refresh');

        const reported = await post<{ reportContent: { id: string } }>(
          `mutation($input: ReportContentInput!) { reportContent(input: $input) { id } }`,
          { input: { contentId: 'trail-6', contentType: 'post', authorId: 'lucas.smit', reason: 'SPAM' } },
          await devToken('noah.mulder', 'MEMBER'),
        );
        await page.getByRole('button', { name: 'Refresh' }).click();
        await page.getByRole('link', { name: reported.reportContent.id }).waitFor();
        await a11y('moderation queue, live paused');
        // Tried again after its backoff (1 s, then 2 s...), never all at once.
        expect(attempts).toBeGreaterThanOrEqual(1);
        expect(attempts).toBeLessThanOrEqual(3);
      });
      await context.close();
    }, 60_000);
  });
}
