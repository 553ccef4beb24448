/**
 * The CLI as a user gets it: a copy of the package installed with `npm ci --omit=dev` (offline,
 * from npm's cache, as the machine's first `npm ci` filled it) builds dist/cli/ in `prepare`
 * and runs without tsx, TypeScript or any other devDependency; the bundle then runs with no
 * node_modules at all. Before: bin/nat-failover.js required tsx, absent after --omit=dev.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { STYLE } from '../../src/cli/failure';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';
import { newEc2, seedVpc } from '../integration/seed';

const ROOT = join(__dirname, '..', '..');
const VERSION: string = require('../../package.json').version;
// npm from PATH (run with this Node first on PATH, so prepare builds with the Node under test).
const NPM = 'npm';

describeWithMoto('the built CLI after npm ci --omit=dev', () => {
  let dir: string;
  let moto: Moto;
  let ec2: EC2Client;
  let install: ReturnType<typeof spawnSync>;

  useMoto((m) => (moto = m));
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nat-failover-omit-dev-'));
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'bin', 'src']) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
    mkdirSync(join(dir, 'scripts'));
    cpSync(join(ROOT, 'scripts', 'build-cli.js'), join(dir, 'scripts', 'build-cli.js'));
    // Offline: the registry is never asked; the cache holds what this repository's `npm ci` fetched.
    install = spawnSync(NPM, ['ci', '--omit=dev', '--offline', '--no-audit', '--no-fund'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` },
      timeout: 240_000,
    });
    ec2 = newEc2();
    await seedVpc(ec2);
  }, 300_000);
  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const run = (cwd: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [join(cwd, 'bin', 'nat-failover.js'), ...args], {
      cwd,
      encoding: 'utf8',
      // Dummy credentials: the emulator's business, as docs/emulators.md says.
      env: { PATH: process.env.PATH, HOME: cwd, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_EC2_METADATA_DISABLED: 'true', ...extra },
      timeout: 60_000,
    });

  it('installs without devDependencies and builds dist/cli/main.mjs in prepare', () => {
    expect(install.status).toBe(0);
    expect(existsSync(join(dir, 'dist', 'cli', 'main.mjs'))).toBe(true);
    for (const dev of ['tsx', 'typescript', 'jest', 'ts-jest', 'osls', 'eslint']) expect(existsSync(join(dir, 'node_modules', dev))).toBe(false);
  });

  it('--version, --help and a refusal', () => {
    const v = run(dir, ['--version']);
    expect([v.status, v.stdout, v.stderr]).toEqual([0, `${VERSION}\n`, '']);
    const h = run(dir, ['--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^usage: nat-failover /);
    const r = run(dir, ['failover', '--az', 'us-east-1a']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('nat-failover: refused (--reason): is required\n');
    expect(r.stderr.trimEnd()).toMatch(STYLE);
    // As the README has it: npx finds the package's own bin.
    const npx = spawnSync('npx', ['--offline', 'nat-failover', '--version'], { cwd: dir, encoding: 'utf8', env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` }, timeout: 60_000 });
    expect(npx.stdout).toBe(`${VERSION}\n`);
  });

  it('status against moto with only an endpoint, a region and dummy credentials', () => {
    const s = run(dir, ['status'], { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: 'us-east-1' });
    expect(s.stderr).toBe('');
    expect(s.status).toBe(0);
    expect(s.stdout).toMatch(/^nat-failover status at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
    expect(s.stdout).toContain('\nROUTE TABLES\n');
  });

  it('the bundle needs no node_modules at all', () => {
    const bare = mkdtempSync(join(tmpdir(), 'nat-failover-bare-'));
    try {
      cpSync(join(dir, 'bin'), join(bare, 'bin'), { recursive: true });
      cpSync(join(dir, 'dist'), join(bare, 'dist'), { recursive: true });
      const s = run(bare, ['status', '--endpoint', moto.endpoint, '--region', 'us-east-1']);
      expect(s.stderr).toBe('');
      expect(s.status).toBe(0);
      expect(s.stdout).toContain('\nROUTE TABLES\n');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
