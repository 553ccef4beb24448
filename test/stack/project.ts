/**
 * `serverless package` and `invoke local` write `.esbuild/` and `.serverless/` into the service
 * directory; parallel test files (and people working in the tree) would trample each other's.
 * So each run gets a private copy of the service's sources, sharing node_modules by symlink.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '../..');
const SOURCES = ['serverless.yml', 'package.json', 'tsconfig.json', 'handlers', 'src', 'events', 'stack', 'scripts'];

export interface StagedProject {
  readonly dir: string;
  /** Runs the project's own `serverless` (osls) in the staged copy. */
  serverless(args: readonly string[], env?: NodeJS.ProcessEnv, timeoutMs?: number): SpawnSyncReturns<string>;
  remove(): void;
}

export function stageProject(prefix: string): StagedProject {
  const dir = mkdtempSync(join(tmpdir(), `nat-failover-${prefix}-`));
  for (const s of SOURCES) if (existsSync(join(ROOT, s))) cpSync(join(ROOT, s), join(dir, s), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    dir,
    serverless: (args, env = process.env, timeoutMs = 180_000) =>
      spawnSync(join(ROOT, 'node_modules', '.bin', 'serverless'), [...args], {
        cwd: dir,
        env: { ...env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
        encoding: 'utf8',
        timeout: timeoutMs,
      }),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function onPath(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}
