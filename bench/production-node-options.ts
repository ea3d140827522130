/**
 * The Node options production starts the service with: `npm start` and docker/start.sh write them out (a spec holds
 * both to this list), the service benchmark and the soak start the service with them.
 *
 * - `--max-semi-space-size=32`: what one request allocates (an insights series, about 100 MB) dies young instead of
 *   being promoted and collected by a major GC (README: Audit and insights).
 * - `--no-allocation-site-pretenuring`: V8 otherwise allocates straight into old space the objects of every
 *   allocation site whose objects survived young collections while the process started and caught up; under steady
 *   load those objects die young, filled old space and kept the young objects they point to alive until a major GC
 *   (README: What the stalls are).
 */
export const PRODUCTION_NODE_OPTIONS: readonly string[] = [
  '--enable-source-maps',
  '--max-semi-space-size=32',
  '--no-allocation-site-pretenuring',
];
