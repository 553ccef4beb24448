/**
 * Steady-state runs on the real SDK path (issue 16, item 4): the simulator never loads the SDK, so
 * it understates CPU and memory. bench/realSdkProbe.ts runs reconcile through the real adapters
 * and SDK clients, answered by bench/fakeAws.ts in EC2's XML and CloudWatch's JSON, each size in a
 * fresh node with the heap flags Lambda's Node.js runtime bootstrap derives from the function's
 * memory (new_space = memory / 10; `--max-semi-space-size` = new_space / 2, `--max-old-space-size` =
 * memory - new_space, in MB: 12 and 231 for 256 MB; the bootstrap script of the Lambda Node.js base
 * images), and with the SDK bundled in as the shipped function has it.
 *
 * The measured container has the reconcile function's table memory (src/lambda/wiring.ts), so its
 * steady minute is a quiet run: the row's bytesParsed and cpuMs are the worst quiet run of a full
 * re-read cycle (every bucket read once), with the container's first run (`cold`) and a warm run
 * that reads every table (`full`) beside them (docs/benchmarks.md, "Steady runs on the real SDK path").
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../src/config';
import { buildDir, bundle } from './artefacts';

export const REAL_SDK_SIZES = [1000, 10000] as const;

export interface ProbeRun {
  readonly managedTables: number;
  readonly actions: number;
  /** A quiet run's slice (core/slices.ts buckets) and the tables it read; absent on a run that read every table. */
  readonly buckets?: readonly number[];
  readonly tablesRead?: number;
  readonly bytesParsed: number;
  /** The same responses without whitespace between XML elements (bench/fakeAws.ts compactBytes). */
  readonly compactBytes: number;
  readonly bytesByOperation: Record<string, number>;
  readonly calls: Record<string, number>;
  readonly cpuMs: number;
}

/** One run's totals. */
export interface RunFigures {
  readonly bytesParsed: number;
  /** bytesParsed had EC2 sent its XML without indentation and line breaks. */
  readonly bytesParsedCompact: number;
  readonly cpuMs: number;
  readonly calls: Record<string, number>;
  readonly bytesByOperation: Record<string, number>;
}

/** A full re-read cycle of quiet scheduled runs: every bucket read once, the rest remembered. */
export interface QuietCycle {
  /** k: the cycle's length in scheduled minutes (rescanMinutes(tables, TABLES_READ_PER_RUN)). */
  readonly rescanMinutes: number;
  readonly tablesReadPerRun: number;
  readonly tablesReadMax: number;
  readonly tablesReadMean: number;
  readonly bytesParsedMax: number;
  readonly bytesParsedMean: number;
  /** The worst run's bytes had EC2 sent compact XML (no whitespace between elements). */
  readonly bytesParsedMaxCompact: number;
  readonly cpuMsMax: number;
  readonly cpuMsMean: number;
  /** API calls of the run with the most. */
  readonly callsMax: number;
  readonly runs: readonly { readonly buckets: readonly number[]; readonly tablesRead: number; readonly bytesParsed: number; readonly cpuMs: number; readonly calls: number }[];
}

export interface RealSdkRow {
  readonly tables: number;
  /**
   * Response bytes the SDK parsed in the WORST quiet run of a warm container's full re-read cycle
   * (the typical minute of the deployed function; `quiet` has the mean and every run).
   */
  readonly bytesParsed: number;
  /** The most CPU of a quiet run of that cycle, in the function's process, the fake server's own work subtracted. */
  readonly cpuMs: number;
  /** VmHWM over a new container's first run, its cycle of quiet runs and one full warm run, Node and the SDK included. */
  readonly peakRssMb: number;
  /** What bytesParsed, cpuMs and peakRssMb measure, in words (they were a single warm run's before quiet runs). */
  readonly about: { readonly bytesParsed: string; readonly cpuMs: string; readonly peakRssMb: string };
  /** Calls and bytes by operation of the quiet run that parsed the most (they sum to bytesParsed). */
  readonly calls: Record<string, number>;
  readonly bytesByOperation: Record<string, number>;
  readonly quiet: QuietCycle;
  /** A warm container's run that reads every table: what a run costs when it may not be quiet (something unwell or to do). */
  readonly full: RunFigures;
  /** A container's first run (cold caches, paged reads, every subnet read, nothing remembered). */
  readonly cold: RunFigures;
  readonly memorySizeMb: number;
  readonly nodeFlags: readonly string[];
}

const total = (calls: Record<string, number>): number => Object.values(calls).reduce((a, n) => a + n, 0);
const mean = (xs: readonly number[]): number => Math.round(xs.reduce((a, x) => a + x, 0) / xs.length);
const figures = (r: ProbeRun): RunFigures => ({ bytesParsed: r.bytesParsed, bytesParsedCompact: r.compactBytes, cpuMs: r.cpuMs, calls: r.calls, bytesByOperation: r.bytesByOperation });

/** The row of one size from the probe's output (exported for its test). */
export function realSdkRow(p: { tables: number; rescanMinutes: number; cold: ProbeRun; quiet: ProbeRun[]; full: ProbeRun; peakRssKb: number }, tablesReadPerRun: number, memorySizeMb: number, nodeFlags: readonly string[]): RealSdkRow {
  if (p.quiet.length === 0) throw new Error(`no quiet run at ${p.tables} tables`);
  const worst = p.quiet.reduce((a, r) => (r.bytesParsed > a.bytesParsed ? r : a));
  return {
    tables: p.cold.managedTables,
    bytesParsed: worst.bytesParsed,
    cpuMs: Math.max(...p.quiet.map((r) => r.cpuMs)),
    peakRssMb: Math.round((p.peakRssKb / 1024) * 10) / 10,
    about: {
      bytesParsed: `the most bytes parsed by one quiet scheduled run of a warm container over a full re-read cycle (${p.rescanMinutes} minutes, each reading one slice of the route tables and remembering the rest)`,
      cpuMs: `the most CPU of one quiet run of that cycle (the fake server's own work subtracted)`,
      peakRssMb: `VmHWM over a new container's first run, its ${p.rescanMinutes} quiet runs and one warm run that reads every table`,
    },
    calls: worst.calls,
    bytesByOperation: worst.bytesByOperation,
    quiet: {
      rescanMinutes: p.rescanMinutes,
      tablesReadPerRun,
      tablesReadMax: Math.max(...p.quiet.map((r) => r.tablesRead ?? 0)),
      tablesReadMean: mean(p.quiet.map((r) => r.tablesRead ?? 0)),
      bytesParsedMax: worst.bytesParsed,
      bytesParsedMean: mean(p.quiet.map((r) => r.bytesParsed)),
      bytesParsedMaxCompact: worst.compactBytes,
      cpuMsMax: Math.max(...p.quiet.map((r) => r.cpuMs)),
      cpuMsMean: mean(p.quiet.map((r) => r.cpuMs)),
      callsMax: Math.max(...p.quiet.map((r) => total(r.calls))),
      runs: p.quiet.map((r) => ({ buckets: r.buckets ?? [], tablesRead: r.tablesRead ?? 0, bytesParsed: r.bytesParsed, cpuMs: r.cpuMs, calls: total(r.calls) })),
    },
    full: figures(p.full),
    cold: figures(p.cold),
    memorySizeMb,
    nodeFlags,
  };
}

/** The reconcile function's memory, as serverless.yml sets it (provider default). */
export function functionMemoryMb(): number {
  const yml = readFileSync(join(__dirname, '..', 'serverless.yml'), 'utf8');
  const m = /^\s+memorySize:\s*(\d+)/m.exec(yml);
  if (!m) throw new Error('serverless.yml sets no memorySize');
  return Number(m[1]);
}

/** What the Lambda Node.js runtime's bootstrap passes node for a function of `memoryMb`. */
export function lambdaHeapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

export async function realSdkSteady(): Promise<RealSdkRow[]> {
  const file = join(buildDir(), 'realSdkProbe.js');
  // Built as serverless.yml's custom.esbuild builds the functions (artefacts.ts bundle(): the SDK's
  // ES-module builds, minified, names kept, source maps without sources) and run with the
  // function's NODE_OPTIONS=--enable-source-maps: the loaded SDK is most of the baseline memory.
  await bundle('bench/realSdkProbe.ts', file);
  const memorySizeMb = functionMemoryMb();
  const nodeFlags = ['--expose-gc', '--enable-source-maps', ...lambdaHeapFlags(memorySizeMb)];
  return REAL_SDK_SIZES.map((tables) => {
    const r = spawnSync(process.execPath, [...nodeFlags, file, String(tables)], {
      env: { ...process.env, NODE_OPTIONS: '', NODE_NO_WARNINGS: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`real-SDK probe (${tables} tables) failed: ${r.stderr.split('\n').filter((l) => !l.startsWith('    at ')).slice(0, 12).join('\n')}`);
    const p = JSON.parse(r.stdout) as { tables: number; rescanMinutes: number; cold: ProbeRun; quiet: ProbeRun[]; full: ProbeRun; peakRssKb: number };
    return realSdkRow(p, DEFAULTS.tablesReadPerRun, memorySizeMb, nodeFlags);
  });
}
