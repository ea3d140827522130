import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The admin console: built into dist/admin (`npm run build:admin`), served by the service at /admin.
// `vite --config admin/vite.config.ts` serves it with hot reload on :5173, forwarding the API to the service on :3000.
const root = fileURLToPath(new URL('.', import.meta.url));
const service = process.env.ADMIN_DEV_SERVICE_URL ?? 'http://127.0.0.1:3000';

export default defineConfig({
  root,
  base: '/admin/',
  // Vite 8 transforms TSX itself (Oxc): the React 17+ JSX runtime, no plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/admin', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
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
