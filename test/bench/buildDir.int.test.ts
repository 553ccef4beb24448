/**
 * `npm run bench` bundles the handlers to measure them; each run builds in a directory of its
 * own under the OS temp dir (two runs on one machine never overwrite or measure each other's
 * bundles) and removes it when it exits.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

/** A fresh node process that loads bench/artefacts.ts, reports its build dir and whether it exists. */
function run(): { dir: string; existed: boolean } {
  const code = "const { buildDir } = require('./bench/artefacts.ts'); const d = buildDir(); process.stdout.write(JSON.stringify({ dir: d, existed: require('node:fs').existsSync(d) }));";
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', code], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`node exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as { dir: string; existed: boolean };
}

describe('bench build directory', () => {
  it('is private to each run, under the OS temp dir, and gone after the run', () => {
    const [a, b] = [run(), run()];
    expect(a.dir).not.toBe(b.dir);
    for (const r of [a, b]) {
      expect(r.existed).toBe(true);
      expect(dirname(r.dir)).toBe(tmpdir());
      expect(existsSync(r.dir)).toBe(false);
    }
  });
});
