import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = join(__dirname, '..');
export const FUNCTIONS = ['reconcile', 'manual'] as const;
export const INIT_RUNS = 7;

let outDir: string | undefined;
/**
 * This run's build directory, made on first use: a fresh `mkdtemp` under the OS temp dir, so two
 * benches on one machine never overwrite (or measure) each other's bundles. Removed at exit.
 */
export function buildDir(): string {
  if (outDir === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'nat-failover-bench-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    outDir = dir;
  }
  return outDir;
}

export interface Artefact {
  readonly function: string;
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median of INIT_RUNS fresh `node` processes requiring the bundle (SDK from node_modules). */
  readonly initMsMedian: number;
  readonly initMsRuns: readonly number[];
  /** The same with the SDK clients already loaded: our code's own init (bundle parse + wiring). */
  readonly ownInitMsMedian: number;
  readonly sdkClients: readonly string[];
}

/** The options serverless-esbuild gets from serverless.yml: bundle, minify, node22, SDK external. */
export async function bundle(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const ENV = { ...process.env, AWS_REGION: 'us-east-1', NODE_PATH: join(ROOT, 'node_modules'), POWERTOOLS_DEV: '', NODE_NO_WARNINGS: '1' };

/** The SDK clients a bundle requires (external): preloading them isolates our own code's init. */
export function sdkImports(file: string): string[] {
  return [...new Set([...readFileSync(file, 'utf8').matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1] as string))].sort();
}

export function initTimes(file: string, runs = INIT_RUNS, preload: readonly string[] = []): number[] {
  const pre = preload.map((m) => `require(${JSON.stringify(m)});`).join('');
  const code = `${pre}const t=process.hrtime.bigint();require(${JSON.stringify(file)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, ['-e', code], { env: ENV, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`init of ${file} failed: ${r.stderr}`);
    out.push(Math.round(Number(r.stdout) * 10) / 10);
  }
  return out;
}

export async function artefacts(): Promise<Artefact[]> {
  const rows: Artefact[] = [];
  for (const fn of FUNCTIONS) {
    const file = join(buildDir(), `${fn}.js`);
    await bundle(`handlers/${fn}.ts`, file);
    const bytes = readFileSync(file);
    const runs = initTimes(file);
    const sdk = sdkImports(file);
    const own = initTimes(file, INIT_RUNS, sdk);
    rows.push({ function: fn, bytes: bytes.length, gzipBytes: gzipSync(new Uint8Array(bytes)).length, initMsMedian: median(runs), initMsRuns: runs, ownInitMsMedian: median(own), sdkClients: sdk });
  }
  return rows;
}

export interface PeakMemory {
  readonly tables: number;
  readonly maxRssMb: number;
  readonly peakHeapUsedMb: number;
  /** RSS of an idle node process on this machine, for scale. */
  readonly baselineRssMb: number;
}

/** Bundles bench/memoryProbe.ts and runs it in a fresh node process (no tsx in the measurement). */
export async function peakMemory(): Promise<PeakMemory> {
  const file = join(buildDir(), 'memoryProbe.js');
  await build({ entryPoints: [join(__dirname, 'memoryProbe.ts')], outfile: file, bundle: true, platform: 'node', target: 'node20', format: 'cjs', external: ['@aws-sdk/*'], logLevel: 'silent' });
  const r = spawnSync(process.execPath, [file], { env: ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory probe failed: ${r.stderr}`);
  const base = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS))'], { env: ENV, encoding: 'utf8' });
  const probe = JSON.parse(r.stdout) as { tables: number; maxRssKb: number; peakHeapUsed: number };
  const mb = (x: number) => Math.round(x * 10) / 10;
  return { tables: probe.tables, maxRssMb: mb(probe.maxRssKb / 1024), peakHeapUsedMb: mb(probe.peakHeapUsed / 1048576), baselineRssMb: mb(Number(base.stdout) / 1024) };
}
