/**
 * How fast the operator's CLI answers when nothing needs AWS: `--help`, `--version`, and a
 * refused request (`failover --az us-east-1a` without --reason: exit 2 before any network).
 * Wall time of a fresh `node bin/nat-failover.js …` process (spawn to exit, Node's own start
 * included), median of RUNS after one warm-up, on the bundle `npm run build:cli` makes; and, for
 * comparison, the same through tsx compiling src/cli on the fly (how bin/ ran before the bundle).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, statSync } from 'node:fs';
import { buildDir } from './artefacts';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
export const CLI_RUNS = 9;

export interface CliTimes {
  readonly method: string;
  readonly runs: number;
  /** The entry module `--help` loads, and the whole build (entry + chunks loaded on use). */
  readonly entryBytes: number;
  readonly bundleBytes: number;
  readonly helpMs: number;
  readonly versionMs: number;
  readonly refusedMs: number;
  readonly helpMsRuns: readonly number[];
  readonly refusedMsRuns: readonly number[];
  /** Before: `require('tsx/cjs')` then src/cli/main.ts, as bin/nat-failover.js did. */
  readonly tsxHelpMs: number;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

function wall(args: readonly string[], expectStatus: number): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== expectStatus) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Math.round(ms);
}

function times(args: readonly string[], expectStatus: number): number[] {
  wall(args, expectStatus);
  return Array.from({ length: CLI_RUNS }, () => wall(args, expectStatus));
}

export async function cliTimes(): Promise<CliTimes> {
  // The bundle the bin runs, built as `npm ci` (prepare) builds it, laid out as in the package
  // (bin/ beside dist/cli/) in this run's own build directory, never over the working copy's dist/.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildCli } = require('../scripts/build-cli.js') as { buildCli: (outdir: string) => Promise<string> };
  const home = join(buildDir(), 'cli-package');
  const outdir = join(home, 'dist', 'cli');
  const entry = await buildCli(outdir);
  cpSync(join(ROOT, 'bin'), join(home, 'bin'), { recursive: true });
  const files = readdirSync(outdir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
  const bin = join(home, 'bin', 'nat-failover.js');
  const help = times([bin, '--help'], 0);
  const version = times([bin, '--version'], 0);
  const refused = times([bin, 'failover', '--az', 'us-east-1a'], 2);
  const tsx = times(['-e', "require('tsx/cjs'); require('./src/cli/main.ts').run(['--help'])"], 0);
  return {
    method: `wall time of a fresh node process (spawn to exit), median of ${CLI_RUNS} after a warm-up`,
    runs: CLI_RUNS,
    entryBytes: statSync(entry).size,
    bundleBytes: files.reduce((n, f) => n + statSync(join(f.parentPath, f.name)).size, 0),
    helpMs: median(help),
    versionMs: median(version),
    refusedMs: median(refused),
    helpMsRuns: help,
    refusedMsRuns: refused,
    tsxHelpMs: median(tsx),
  };
}
