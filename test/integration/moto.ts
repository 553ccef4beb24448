/**
 * Starts moto's server on a free loopback port for one test file and points the AWS SDK at it
 * through the standard environment (AWS_ENDPOINT_URL, AWS_REGION, static credentials).
 *
 * If `moto_server` is missing: under CI=true the suite fails with how to install it; otherwise it
 * skips with a loud warning.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

export const MOTO_INSTALL_HINT = "moto_server not found on PATH: install it with `pip install 'moto[server]'` (moto 5.2.x)";

export function motoAvailable(): boolean {
  return spawnSync('moto_server', ['--help'], { stdio: 'ignore' }).status === 0;
}

/** `describe` when moto is present; under CI a failing test, else a loud skip. */
export function describeWithMoto(name: string, fn: () => void): void {
  if (motoAvailable()) {
    describe(name, fn);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs moto_server', () => {
        throw new Error(MOTO_INSTALL_HINT);
      });
    });
  } else {
    console.warn(`\n!!! SKIPPING "${name}": ${MOTO_INSTALL_HINT}\n`);
    // Reason in the name: outside CI a missing emulator skips loudly instead of failing.
    describe.skip(`${name} (skipped: ${MOTO_INSTALL_HINT})`, fn);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * One moto per test file: started before the file's tests (pointing the SDK at it), stopped after
 * them, and, with `resetEach`, wiped before each test. Call it before the file's own hooks, which
 * then run after it (jest runs hooks in declaration order) and see the emulator.
 */
export function useMoto(onStarted: (moto: Moto) => void = () => undefined, opts: { readonly resetEach?: boolean } = {}): void {
  let moto: Moto | undefined;
  beforeAll(async () => {
    moto = await startMoto();
    onStarted(moto);
  });
  afterAll(async () => {
    await moto?.stop();
  });
  if (opts.resetEach) {
    beforeEach(async () => {
      await moto?.reset();
    });
  }
}

export interface Moto {
  readonly endpoint: string;
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts moto and sets the SDK environment; restore happens in stop(). */
export async function startMoto(region = 'us-east-1'): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const proc: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const saved = { ...process.env };
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: endpoint,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
  });
  delete process.env.AWS_PROFILE;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`moto_server did not start on ${endpoint} within 20 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint,
    reset: async () => {
      await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
    },
    stop: async () => {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
      await new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
        setTimeout(() => proc.kill('SIGKILL'), 3000).unref();
      });
    },
  };
}
