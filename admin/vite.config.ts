import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

// The admin console: built into dist/admin (`npm run build:admin`), served by the service at /admin.
// `vite --config admin/vite.config.ts` serves it with hot reload on :5173, forwarding the API to the service on :3000.
const root = fileURLToPath(new URL('.', import.meta.url));
const service = process.env.ADMIN_DEV_SERVICE_URL ?? 'http://127.0.0.1:3000';

/** No chunk over this (raw bytes): the budget of issue #22, checked by test/e2e/admin-transfer.e2e.spec.ts. */
const CHUNK_BUDGET_KB = 300;

const brotli = promisify(brotliCompress);
const deflate = promisify(gzip);

/**
 * Writes foo.js.br and foo.js.gz next to each built script, style sheet and icon, at the highest levels: done once per
 * build, so the service sends them as they are (AdminController) and never compresses per request.
 */
function precompress(): Plugin {
  return {
    name: 'governance-precompress',
    apply: 'build',
    async writeBundle(options, bundle) {
      const dir = options.dir!;
      const files = Object.keys(bundle).filter((name) => /\.(js|css|svg)$/.test(name));
      await Promise.all(
        files.map(async (name) => {
          const raw = await readFile(join(dir, name));
          const [br, gz] = await Promise.all([
            brotli(raw, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
              },
            }),
            deflate(raw, { level: constants.Z_BEST_COMPRESSION }),
          ]);
          // A tiny file can come out bigger compressed: then there is nothing to gain, and the service sends it as it is.
          if (br.length < raw.length) await writeFile(join(dir, `${name}.br`), br);
          if (gz.length < raw.length) await writeFile(join(dir, `${name}.gz`), gz);
        }),
      );
    },
  };
}

export default defineConfig({
  root,
  base: '/admin/',
  // Vite 8 transforms TSX itself (Oxc): the React 17+ JSX runtime, no plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  plugins: [precompress()],
  build: {
    outDir: fileURLToPath(new URL('../dist/admin', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: CHUNK_BUDGET_KB,
    rolldownOptions: {
      output: {
        // The pages are dynamic imports (app.tsx); the libraries get chunks of their own, which change less often
        // than the console's code and so stay cached across its releases. Chart.js is reached only from the pages
        // that draw trends, so only they fetch its chunk.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 2 },
            { name: 'chart', test: /node_modules[\\/](chart\.js|@kurkle[\\/]color)[\\/]/, priority: 1 },
          ],
        },
      },
    },
  },
  server: {
    proxy: {
      '/graphql': { target: service, ws: true },
      '/audit': service,
      '/admin/config.json': service,
      '/admin/dev-token': service,
    },
  },
});
