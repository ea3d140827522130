// What the admin console costs a browser to fetch (issue #22): the bundle Vite builds (admin/vite.config.ts) is split
// per page with no chunk over 300 kB, Chart.js only in the pages that draw trends, and the service answers each script
// and style sheet with the brotli or gzip copy the build wrote when the request accepts it, the file itself when not.
import { request } from 'node:http';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { consoleBundle } from '../browser/console-bundle.ts';
import { startTestService, type TestService } from '../support/test-service.ts';

/** The budget, in bytes as the file is on disk (what the browser parses): kB as Vite reports them. */
const CHUNK_BUDGET_BYTES = 300_000;
/** The pages that draw trends with Chart.js; no other page may fetch it. */
const CHART_PAGES = ['insights', 'adoption'];

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

/** A GET whose body is kept as it came over the wire: fetch() would decode it and hide what was sent. */
function getRaw(url: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const parts: Buffer[] = [];
      response.on('data', (part: Buffer) => parts.push(part));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(parts) }));
      response.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

/** The chunk a built file name is of, without its hash: `insights-Dka1qiR0.js` → `insights`. */
const chunkName = (file: string) => file.replace(/-[\w-]{8}\.js$/, '');

describe('the admin console over the wire', () => {
  let service: TestService;
  let dir: string;
  let removeBundle: (() => Promise<void>) | undefined;
  let assets: string[];

  beforeAll(async () => {
    const bundle = await consoleBundle();
    dir = bundle.dir;
    removeBundle = bundle.remove;
    const [, started] = await Promise.all([bundle.build(), startTestService({ env: { ADMIN_BUNDLE_DIR: bundle.dir } })]);
    service = started;
    assets = await readdir(join(dir, 'assets'));
  }, 120_000);

  afterAll(async () => {
    await service?.close();
    await removeBundle?.();
  });

  const scripts = () => assets.filter((name) => name.endsWith('.js'));
  const largestScript = async () => {
    const sized = await Promise.all(scripts().map(async (name) => ({ name, size: (await readFile(join(dir, 'assets', name))).length })));
    return sized.sort((a, b) => b.size - a.size)[0]!.name;
  };

  test('no chunk over 300 kB, and the console is split into more than one', async () => {
    const sizes = await Promise.all(
      assets
        .filter((name) => /\.(js|css)$/.test(name))
        .map(async (name) => ({ name, size: (await readFile(join(dir, 'assets', name))).length })),
    );
    expect(scripts().length).toBeGreaterThan(2);
    expect(sizes.filter(({ size }) => size > CHUNK_BUDGET_BYTES)).toEqual([]);
  });

  test('Chart.js only in the pages that draw trends: neither the first screen nor any other page fetches it', async () => {
    // What each chunk makes the browser fetch before it runs: its static imports, transitively.
    const imports = new Map<string, string[]>();
    for (const name of scripts()) {
      const code = await readFile(join(dir, 'assets', name), 'utf8');
      imports.set(
        name,
        [...code.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)].map((m) => m[1]!),
      );
    }
    const closure = (start: string): Set<string> => {
      const seen = new Set<string>();
      const visit = (name: string) => {
        if (seen.has(name)) return;
        seen.add(name);
        for (const next of imports.get(name) ?? []) visit(next);
      };
      visit(start);
      return seen;
    };
    const chart = scripts().find((name) => chunkName(name) === 'chart');
    expect(chart).toBeDefined();

    // The first screen: index.html's script and what it preloads.
    const html = await (await fetch(`${service.service.url}/admin/signin`)).text();
    const initial = [...html.matchAll(/(?:src|href)="\/admin\/assets\/([^"]+\.js)"/g)].map((m) => m[1]!);
    expect(initial.length).toBeGreaterThan(0);
    const firstScreen = new Set(initial.flatMap((name) => [...closure(name)]));
    expect([...firstScreen].map(chunkName)).not.toContain('chart');

    const fetchingChart = scripts()
      .filter((name) => name !== chart && closure(name).has(chart!))
      .map(chunkName);
    // The pages that draw trends, and the chart component they share: no other.
    for (const page of CHART_PAGES) expect(fetchingChart).toContain(page);
    expect(fetchingChart.filter((name) => !CHART_PAGES.includes(name) && name !== 'trend-chart')).toEqual([]);
  });

  test('a script comes as brotli when the request takes it, as gzip when only that, as it is otherwise', async () => {
    const name = await largestScript();
    const url = `${service.service.url}/admin/assets/${name}`;
    const raw = await readFile(join(dir, 'assets', name));

    const brotli = await getRaw(url, { 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(brotli.status).toBe(200);
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(brotli.headers['content-type']).toMatch(/^text\/javascript/);
    expect(brotli.headers['vary']).toMatch(/accept-encoding/i);
    expect(Number(brotli.headers['content-length'])).toBe(brotli.body.length);
    expect(brotli.body.length).toBeLessThan(raw.length / 2);
    expect(brotliDecompressSync(brotli.body).equals(raw)).toBe(true);
    expect(brotli.headers['cache-control']).toMatch(/max-age=31536000.*immutable/);
    expect(brotli.headers['content-security-policy']).toContain("script-src 'self'");

    for (const accept of ['gzip, deflate', 'br;q=0, gzip;q=0.5']) {
      const gzip = await getRaw(url, { 'accept-encoding': accept });
      expect([accept, gzip.headers['content-encoding']]).toEqual([accept, 'gzip']);
      expect(gzip.headers['content-type']).toMatch(/^text\/javascript/);
      expect(Number(gzip.headers['content-length'])).toBe(gzip.body.length);
      expect(gunzipSync(gzip.body).equals(raw)).toBe(true);
    }

    const requests: Record<string, string>[] = [{}, { 'accept-encoding': 'identity' }, { 'accept-encoding': 'br;q=0, gzip;q=0' }];
    for (const headers of requests) {
      const identity = await getRaw(url, headers);
      expect([headers, identity.headers['content-encoding']]).toEqual([headers, undefined]);
      expect(identity.headers['content-type']).toMatch(/^text\/javascript/);
      expect(identity.headers['vary']).toMatch(/accept-encoding/i);
      expect(Number(identity.headers['content-length'])).toBe(raw.length);
      expect(identity.body.equals(raw)).toBe(true);
    }
  });

  test('the style sheet too; index.html is never cached long; a missing asset is a plain 404 whatever is accepted', async () => {
    const css = assets.find((name) => name.endsWith('.css'))!;
    const sheet = await getRaw(`${service.service.url}/admin/assets/${css}`, { 'accept-encoding': 'br' });
    expect(sheet.headers['content-encoding']).toBe('br');
    expect(sheet.headers['content-type']).toMatch(/^text\/css/);
    expect(brotliDecompressSync(sheet.body).equals(await readFile(join(dir, 'assets', css)))).toBe(true);

    const index = await getRaw(`${service.service.url}/admin/moderation`, { 'accept-encoding': 'br, gzip' });
    expect(index.status).toBe(200);
    expect(index.headers['cache-control']).toBe('no-cache');
    expect(index.headers['content-type']).toMatch(/^text\/html/);

    const missing = await getRaw(`${service.service.url}/admin/assets/missing-00000000.js`, { 'accept-encoding': 'br' });
    expect(missing.status).toBe(404);
    expect(missing.headers['content-encoding']).toBeUndefined();
  });
});
