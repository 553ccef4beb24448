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
  /** The shipped bundle (serverless.yml custom.esbuild: the AWS SDK inside). */
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median of INIT_RUNS fresh `node --enable-source-maps` processes requiring it (as deployed). */
  readonly initMsMedian: number;
  readonly initMsRuns: readonly number[];
  /** Our own code's init: the SDK-external build with the SDK clients preloaded. */
  readonly ownInitMsMedian: number;
  /** The SDK clients inside the shipped bundle. */
  readonly sdkClients: readonly string[];
}

/** One build of a handler, loaded in fresh node processes: size, module load time, memory after load. */
export interface LoadProfile {
  readonly bytes: number;
  readonly gzipBytes: number;
  readonly initMsMedian: number;
  readonly initMsRuns: readonly number[];
  /** Max RSS of the process right after the module loaded (median of the runs). */
  readonly rssMbMedian: number;
  readonly heapUsedMbMedian: number;
}

/** Before/after bundling the SDK, per function. */
export interface SdkBundling {
  readonly function: string;
  /** Before: SDK left out (Lambda's runtime copy), here loaded from node_modules. */
  readonly sdkExternal: LoadProfile;
  /** After: SDK inside the bundle, no source maps. */
  readonly sdkBundled: LoadProfile;
  /** After, as deployed: SDK inside, NODE_OPTIONS=--enable-source-maps. */
  readonly sdkBundledSourceMaps: LoadProfile;
}

/**
 * The options serverless-esbuild gets from serverless.yml (custom.esbuild). `sdk: 'external'` is
 * the build before this change (the runtime's SDK), for comparison.
 */
export async function bundle(entry: string, outfile: string, sdk: 'bundled' | 'external' = 'bundled'): Promise<string[]> {
  const r = await build({
    entryPoints: [join(ROOT, entry)],
    outfile,
    bundle: true,
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    external: sdk === 'external' ? ['@aws-sdk/*'] : [],
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.keys(r.metafile.inputs);
  return [...new Set(inputs.map((f) => /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(f)?.[1]).filter((x): x is string => !!x))].sort();
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

const ENV = { ...process.env, AWS_REGION: 'us-east-1', NODE_PATH: join(ROOT, 'node_modules'), POWERTOOLS_DEV: '', NODE_NO_WARNINGS: '1', NODE_OPTIONS: '' };

/** The SDK clients a bundle requires (external): preloading them isolates our own code's init. */
export function sdkImports(file: string): string[] {
  return [...new Set([...readFileSync(file, 'utf8').matchAll(/require\("(@aws-sdk\/client-[^"]+)"\)/g)].map((m) => m[1] as string))].sort();
}

interface Load {
  readonly ms: number;
  readonly rssKb: number;
  readonly heapUsed: number;
}

function loads(file: string, runs: number, preload: readonly string[] = [], execArgv: readonly string[] = []): Load[] {
  const pre = preload.map((m) => `require(${JSON.stringify(m)});`).join('');
  const code = `${pre}const t=process.hrtime.bigint();require(${JSON.stringify(file)});const ms=Number(process.hrtime.bigint()-t)/1e6;process.stdout.write(JSON.stringify({ms,rssKb:process.resourceUsage().maxRSS,heapUsed:process.memoryUsage().heapUsed}))`;
  const out: Load[] = [];
  for (let i = 0; i < runs; i++) {
    const r = spawnSync(process.execPath, [...execArgv, '-e', code], { env: ENV, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`init of ${file} failed: ${r.stderr}`);
    out.push(JSON.parse(r.stdout) as Load);
  }
  return out;
}

export function initTimes(file: string, runs = INIT_RUNS, preload: readonly string[] = []): number[] {
  return loads(file, runs, preload).map((l) => Math.round(l.ms * 10) / 10);
}

function profile(file: string, execArgv: readonly string[] = []): LoadProfile {
  const bytes = readFileSync(file);
  const runs = loads(file, INIT_RUNS, [], execArgv);
  const mb = (x: number) => Math.round(x * 10) / 10;
  return {
    bytes: bytes.length,
    gzipBytes: gzipSync(new Uint8Array(bytes)).length,
    initMsMedian: median(runs.map((l) => Math.round(l.ms * 10) / 10)),
    initMsRuns: runs.map((l) => Math.round(l.ms * 10) / 10),
    rssMbMedian: mb(median(runs.map((l) => l.rssKb)) / 1024),
    heapUsedMbMedian: mb(median(runs.map((l) => l.heapUsed)) / 1048576),
  };
}

/** Both builds of each function, measured the same way (fresh node, module load, memory after). */
export async function artefacts(): Promise<{ shipped: Artefact[]; sdkBundling: SdkBundling[] }> {
  const shipped: Artefact[] = [];
  const sdkBundling: SdkBundling[] = [];
  for (const fn of FUNCTIONS) {
    const external = join(buildDir(), `${fn}.sdk-external.js`);
    const bundled = join(buildDir(), `${fn}.js`);
    await bundle(`handlers/${fn}.ts`, external, 'external');
    const clients = await bundle(`handlers/${fn}.ts`, bundled, 'bundled');
    const before = profile(external);
    const after = profile(bundled);
    const deployed = profile(bundled, ['--enable-source-maps']);
    const own = initTimes(external, INIT_RUNS, sdkImports(external));
    sdkBundling.push({ function: fn, sdkExternal: before, sdkBundled: after, sdkBundledSourceMaps: deployed });
    shipped.push({ function: fn, bytes: deployed.bytes, gzipBytes: deployed.gzipBytes, initMsMedian: deployed.initMsMedian, initMsRuns: deployed.initMsRuns, ownInitMsMedian: median(own), sdkClients: clients });
  }
  return { shipped, sdkBundling };
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
  await build({ entryPoints: [join(__dirname, 'memoryProbe.ts')], outfile: file, bundle: true, platform: 'node', target: 'node24', format: 'cjs', external: ['@aws-sdk/*'], logLevel: 'silent' });
  const r = spawnSync(process.execPath, [file], { env: ENV, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`memory probe failed: ${r.stderr}`);
  const base = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS))'], { env: ENV, encoding: 'utf8' });
  const probe = JSON.parse(r.stdout) as { tables: number; maxRssKb: number; peakHeapUsed: number };
  const mb = (x: number) => Math.round(x * 10) / 10;
  return { tables: probe.tables, maxRssMb: mb(probe.maxRssKb / 1024), peakHeapUsedMb: mb(probe.peakHeapUsed / 1048576), baselineRssMb: mb(Number(base.stdout) / 1024) };
}
