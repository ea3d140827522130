import { createHash, randomUUID } from 'node:crypto';
import { comparePositions, type GovernanceAppendResult, type GovernanceHistoryPage, type ReadHistoryOptions } from '#event-store';
import { eventually } from '#testing';
import { Role } from '../../src/platform/auth/role.ts';
import { EXPORT_PAGE_BYTES, exportLine } from '../../src/modules/audit/audit-export.ts';
import { testMetadata } from '../support/event-metadata.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

/**
 * Issue 15, item 14: one export of large events added ~125 MB to the service's memory, because a page was 500 events
 * whatever their size. What an export holds at once is the page it read: every page the log gives the export is
 * measured here (as the NDJSON it becomes) through the service's own store, and must stay within EXPORT_PAGE_BYTES,
 * for one export and for two at once. An event larger than that is a page alone.
 */
describe('GET /audit/export holds one bounded page at a time, whatever the size of the events', () => {
  let t: TestService;
  let auditor: string;
  const run = randomUUID().slice(0, 8);
  /** Every page read while exporting: its bytes, and how many pages were held at that moment (concurrent exports). */
  const pages: { bytes: number; events: number }[] = [];
  const LARGE = 300_000;
  const HUGE = Math.round(EXPORT_PAGE_BYTES * 1.5);
  const COUNT = 24;

  beforeAll(async () => {
    t = await startTestService({ env: { RATE_LIMIT_PER_MINUTE: '0', SCHEDULER_INTERVAL_MS: '3600000' } });
    auditor = await t.token(`auditor-${run}`, Role.AUDITOR);
    const metadata = testMetadata(new Date().toISOString(), { actorId: `cm-${run}` });
    // Appended directly to the store (of a type the export knows, in a category of their own in this fresh database): no
    // mutation takes events this large, yet the log may hold them (imports, older versions, long texts).
    let last: GovernanceAppendResult | undefined;
    for (let i = 0; i < COUNT; i += 1) {
      const agreementId = `bulky-${run}-${i}`;
      const body = String.fromCharCode(97 + (i % 26)).repeat(i === COUNT / 2 ? HUGE : LARGE);
      const data = {
        agreementId,
        version: 1,
        title: 'Imported',
        body,
        bodySha256: createHash('sha256').update(body, 'utf8').digest('hex'),
        requiresReacceptance: false,
        publishedBy: metadata.actorId,
        publishedAt: metadata.occurredAt,
      };
      last = await t.service.eventSourcing.events.append(`agreement-${agreementId}`, [{ type: 'AgreementVersionPublished', data }], {
        expectedRevision: 'any',
        metadata,
      });
    }
    // An export covers the log up to its readable head, which waits for every older transaction of the PostgreSQL
    // server (other tests' included): the export starts once the last event is readable.
    await eventually(async () =>
      expect(comparePositions(await t.service.eventSourcing.store.headPosition(), last!.position)).toBeGreaterThanOrEqual(0),
    );
    // The seam: the service's own store instance, which the export controller reads its pages from.
    const events = t.service.eventSourcing.events;
    const readHistory = events.readHistory.bind(events);
    events.readHistory = async (options: ReadHistoryOptions): Promise<GovernanceHistoryPage> => {
      const page = await readHistory(options);
      pages.push({ bytes: page.events.reduce((sum, event) => sum + Buffer.byteLength(exportLine(event)), 0), events: page.events.length });
      return page;
    };
  });
  afterAll(async () => {
    await t?.close();
  });

  const exportAll = async () => {
    const response = await fetch(`${t.service.url}/audit/export?category=agreement`, { headers: { authorization: `Bearer ${auditor}` } });
    expect(response.status).toBe(200);
    return response.text();
  };

  const checked = (body: string) => {
    const lines = body.split('\n').slice(0, -1);
    const summary = JSON.parse(lines.at(-1)!) as { count: number; sha256: string };
    const eventLines = lines.slice(0, -1);
    expect(eventLines).toHaveLength(COUNT);
    expect(summary.count).toBe(COUNT);
    expect(summary.sha256).toBe(
      createHash('sha256')
        .update(eventLines.map((line) => `${line}\n`).join(''), 'utf8')
        .digest('hex'),
    );
    return eventLines.map((line) => (JSON.parse(line) as { streamId: string }).streamId);
  };

  test('one export: every page within the cap, a larger event alone, and the whole log exported in order', async () => {
    pages.length = 0;
    const streams = checked(await exportAll());
    expect(streams).toEqual(Array.from({ length: COUNT }, (_, i) => `agreement-bulky-${run}-${i}`));
    const largest = Math.max(...pages.map((page) => page.bytes));
    console.log(
      `export of ${COUNT} events (${pages.reduce((s, p) => s + p.bytes, 0)} bytes): ${pages.length} pages, largest ${largest} bytes`,
    );
    const overCap = pages.filter((page) => page.bytes > EXPORT_PAGE_BYTES);
    // Only the event larger than the cap may exceed it, and then on its own.
    expect(overCap.map((page) => page.events)).toEqual([1]);
    expect(overCap[0]!.bytes).toBeLessThan(HUGE + 2_000);
    expect(pages.filter((page) => page.bytes <= EXPORT_PAGE_BYTES).every((page) => page.bytes > 0)).toBe(true);
  });

  test('two exports at once: each reads pages within the cap, so together they hold at most two', async () => {
    pages.length = 0;
    const [a, b] = await Promise.all([exportAll(), exportAll()]);
    expect(checked(a)).toEqual(checked(b));
    expect(pages.filter((page) => page.bytes > EXPORT_PAGE_BYTES).map((page) => page.events)).toEqual([1, 1]);
  });
});
