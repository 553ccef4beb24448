/**
 * Steady-state runs on the real SDK path (issue 16, item 4): the simulator never loads the SDK, so
 * it understates CPU and memory. bench/realSdkProbe.ts runs reconcile through the real adapters
 * and SDK clients, answered by bench/fakeAws.ts in EC2's XML and CloudWatch's JSON, each size in a
 * fresh node with the heap flags Lambda's Node.js runtime bootstrap derives from the function's
 * memory (new_space = memory / 10; `--max-semi-space-size` = new_space / 2, `--max-old-space-size` =
 * memory - new_space, in MB: 12 and 231 for 256 MB; the bootstrap script of the Lambda Node.js base
 * images), and with the SDK bundled in as the shipped function has it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildDir } from './artefacts';

export const REAL_SDK_SIZES = [1000, 10000] as const;

export interface ProbeRun {
  readonly managedTables: number;
  readonly actions: number;
  readonly bytesParsed: number;
  readonly bytesByOperation: Record<string, number>;
  readonly calls: Record<string, number>;
  readonly cpuMs: number;
}

export interface RealSdkRow {
  readonly tables: number;
  /** Response bytes the SDK parsed in a warm container's steady run (the typical minute). */
  readonly bytesParsed: number;
  /** CPU of that run in the function's process, the fake server's own work subtracted. */
  readonly cpuMs: number;
  /** VmHWM over a new container's first run and its next-minute run, Node and the SDK included. */
  readonly peakRssMb: number;
  readonly calls: Record<string, number>;
  readonly bytesByOperation: Record<string, number>;
  /** The same for a container's first run (cold caches, paged reads). */
  readonly cold: { readonly bytesParsed: number; readonly cpuMs: number; readonly calls: Record<string, number> };
  readonly memorySizeMb: number;
  readonly nodeFlags: readonly string[];
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
  // Built as serverless.yml's custom.esbuild builds the functions (the SDK's ES-module builds,
  // minified, names kept, source maps without sources) and run with the function's
  // NODE_OPTIONS=--enable-source-maps: the loaded SDK is most of the baseline memory.
  await build({
    entryPoints: [join(__dirname, 'realSdkProbe.ts')],
    outfile: file,
    bundle: true,
    minify: true,
    keepNames: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    logLevel: 'silent',
  });
  const memorySizeMb = functionMemoryMb();
  const nodeFlags = ['--expose-gc', '--enable-source-maps', ...lambdaHeapFlags(memorySizeMb)];
  return REAL_SDK_SIZES.map((tables) => {
    const r = spawnSync(process.execPath, [...nodeFlags, file, String(tables)], {
      env: { ...process.env, NODE_OPTIONS: '', NODE_NO_WARNINGS: '1', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      encoding: 'utf8',
      maxBuffer: 16 * 1024 * 1024,
    });
    if (r.status !== 0) throw new Error(`real-SDK probe (${tables} tables) failed: ${r.stderr.split('\n').filter((l) => !l.startsWith('    at ')).slice(0, 12).join('\n')}`);
    const p = JSON.parse(r.stdout) as { cold: ProbeRun; warm: ProbeRun; peakRssKb: number };
    return {
      tables: p.warm.managedTables,
      bytesParsed: p.warm.bytesParsed,
      cpuMs: p.warm.cpuMs,
      peakRssMb: Math.round((p.peakRssKb / 1024) * 10) / 10,
      calls: p.warm.calls,
      bytesByOperation: p.warm.bytesByOperation,
      cold: { bytesParsed: p.cold.bytesParsed, cpuMs: p.cold.cpuMs, calls: p.cold.calls },
      memorySizeMb,
      nodeFlags,
    };
  });
}
