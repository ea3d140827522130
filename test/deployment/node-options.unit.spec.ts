import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PRODUCTION_NODE_OPTIONS } from '../../bench/production-node-options.ts';

// Production's Node flags are written out in two places that cannot import them (npm's start script and the image's
// entry point) and used by the service benchmark and the soak through PRODUCTION_NODE_OPTIONS. A flag added to one
// and not the others would make the benchmarks measure something other than what runs.

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');

/** The flags between `node` and `dist/src/main.js` in a command line. */
function flagsOf(commandLine: string, where: string): string[] {
  const match = /\bnode((?:\s+--[\w=.-]+)*)\s+dist\/src\/main\.js/.exec(commandLine);
  if (!match) throw new Error(`no "node … dist/src/main.js" in ${where}`);
  return match[1]!.trim().split(/\s+/);
}

describe("production's Node flags", () => {
  test('npm start runs the service with PRODUCTION_NODE_OPTIONS', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(flagsOf(scripts.start!, 'package.json scripts.start')).toEqual(PRODUCTION_NODE_OPTIONS);
  });

  test('the image (docker/start.sh) runs the service with PRODUCTION_NODE_OPTIONS', () => {
    const exec = read('docker/start.sh')
      .split('\n')
      .filter((line) => line.startsWith('exec node'));
    expect(exec).toHaveLength(1);
    expect(flagsOf(exec[0]!, 'docker/start.sh')).toEqual(PRODUCTION_NODE_OPTIONS);
  });

  test('this Node accepts every one of them (a misspelt V8 flag stops node at start)', () => {
    const run = spawnSync(process.execPath, [...PRODUCTION_NODE_OPTIONS, '-e', '0'], { encoding: 'utf8' });
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
