/**
 * `npm run release` against `serverless package`: the release template must deploy what
 * `serverless deploy` deploys (same functions, rules, IAM statements, alarms: every resource,
 * compared whole after putting the parameter values in), for the default values and for other
 * values, so every place a setting reaches is a Parameter; every Parameter reaches the functions'
 * environment (or a stack switch's Condition); every variable src/config.ts reads is a Parameter
 * or fixed by the stack (docs/configuration.md says which); the zips are the packaged bytes.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accepts, type Constraint } from '../../scripts/releaseParameters';
import { paramNames } from '../../scripts/releaseTemplate';
import { envReads } from '../envScan';
import { instantiate, normalize, refs, type Json } from '../scripts/cfn';
import { onPath, ROOT, type StagedProject, stageProject } from './project';

const STAGE = 'prod';
const TEMPLATE = 'nat-failover.template.json';
const CODE = ['CodeBucket', 'CodeBucketRegionSuffix', 'CodeKeyPrefix'];

let project: StagedProject;
let template: Json;
let byDefault: Json;
let byOther: Json;
let other: Record<string, string>;
let releaseLog = '';
const releaseDir = () => join(project.dir, 'out-release');
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const read = (path: string): Json => JSON.parse(readFileSync(path, 'utf8'));

/** A value other than the default that the parameter's constraints accept (to prove it reaches every place). */
function otherValue(id: string, p: Json): string {
  const candidates = ['true', 'off', 'DEBUG', '7', '2', '59', '3600', '0.25', 'vpc-0123abcd,vpc-0123456789abcdef0', 'on-call', 'on', '203.0.113.0/24,198.51.100.7/32'];
  const v = candidates.find((c) => c !== p.Default && accepts(p as Constraint, c));
  if (v === undefined) throw new Error(`no other value for parameter ${id}: add one to the candidates in test/stack/release.test.ts`);
  return v;
}

function packageWith(dir: string, params: Record<string, string>): Json {
  const r = project.serverless(['package', '--stage', STAGE, '--package', dir, ...Object.entries(params).map(([k, v]) => `--param=${k}=${v}`)]);
  if (r.status !== 0) throw new Error(`serverless package failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return read(join(project.dir, dir, 'cloudformation-template-update-stack.json'));
}

beforeAll(() => {
  project = stageProject('release');
  const r = spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/release.ts', '--out', 'out-release', '--stage', STAGE], {
    cwd: project.dir,
    encoding: 'utf8',
    timeout: 180_000,
  });
  releaseLog = `${r.stdout}${r.stderr}`;
  if (r.status !== 0) throw new Error(`npm run release failed (${r.status}):\n${releaseLog}`);
  template = read(join(releaseDir(), TEMPLATE));
  byDefault = packageWith('out-default', {});
  const names: Record<string, string> = template.Metadata['nat-failover'].parameters;
  other = Object.fromEntries(Object.values(names).map((id) => [id, otherValue(id, template.Parameters[id])]));
  byOther = packageWith('out-other', Object.fromEntries(Object.entries(names).map(([name, id]) => [name, other[id]!])));
}, 300_000);

afterAll(() => project?.remove());

const functions = (t: Json): [string, Json][] => Object.entries(t.Resources as Json).filter(([, r]) => r.Type === 'AWS::Lambda::Function');

/** A template's resources as CloudFormation would create them with these values, code location aside. */
function deployed(t: Json, values: Record<string, string>): Json {
  const out = normalize(instantiate(t, values)) as Json;
  for (const [id, r] of Object.entries(out.Resources as Json)) {
    if (r.Type === 'AWS::Lambda::Function') delete r.Properties.Code;
    if (id === 'ServerlessDeploymentBucket' || (r.Type === 'AWS::S3::BucketPolicy' && r.Properties.Bucket?.Ref === 'ServerlessDeploymentBucket')) delete out.Resources[id];
  }
  delete out.Outputs.ServerlessDeploymentBucketName;
  delete out.Conditions.CodeBucketPerRegion;
  return out;
}
const defaultsOf = (t: Json): Record<string, string> => Object.fromEntries(Object.entries((t.Parameters ?? {}) as Json).flatMap(([id, p]) => (p.Default === undefined ? [] : [[id, String(p.Default)]])));

describe('npm run release', () => {
  it('writes the template, the zips and a SHA256SUMS that sha256sum -c accepts', () => {
    const sums = readFileSync(join(releaseDir(), 'SHA256SUMS'), 'utf8').trim().split('\n');
    const zips = functions(template).map(([, f]) => /\}(.+\.zip)$/.exec(f.Properties.Code.S3Key['Fn::Sub'])?.[1]);
    expect(sums.map((l) => l.split('  ')[1]).sort()).toEqual([TEMPLATE, ...zips].sort());
    for (const line of sums) {
      const [hex, file] = line.split('  ');
      expect(sha256(join(releaseDir(), file!))).toBe(hex);
    }
    if (onPath('sha256sum')) expect(spawnSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: releaseDir(), encoding: 'utf8' }).status).toBe(0);
    expect(releaseLog).toMatch(/release: nat-failover .* stage prod: .*out-release\/ \(/);
  });

  it('refers to no Serverless deployment bucket or timestamped key; the code comes from CodeBucket(-region) + CodeKeyPrefix', () => {
    const text = JSON.stringify(template);
    expect(text).not.toMatch(/ServerlessDeploymentBucket|serverless\/nat-failover\/|NFPARAM/);
    for (const [, f] of functions(template)) {
      expect(f.Properties.Code).toEqual({
        S3Bucket: { 'Fn::If': ['CodeBucketPerRegion', { 'Fn::Sub': '${CodeBucket}-${AWS::Region}' }, { Ref: 'CodeBucket' }] },
        S3Key: { 'Fn::Sub': expect.stringMatching(/^\$\{CodeKeyPrefix\}[\w-]+\.zip$/) },
      });
    }
    const version = read(join(ROOT, 'package.json')).version;
    expect(template.Parameters.CodeKeyPrefix.Default).toMatch(new RegExp(`^nat-failover/${version.replaceAll('.', '\\.')}-[0-9a-f]{12}/$`));
    expect(template.Metadata['nat-failover']).toMatchObject({ version, stage: STAGE });
    // Outside a git checkout (the staged copy) the release still builds and says so.
    expect(template.Metadata['nat-failover']).toMatchObject({ commit: 'unknown', tree: 'unknown', tag: 'none' });
  });

  it('holds the same functions, rules, IAM statements and alarms as serverless package, at the default values', () => {
    const release = deployed(template, defaultsOf(template));
    const packaged = deployed(byDefault, defaultsOf(byDefault));
    // Not a vacuous comparison: the things the issue names are there.
    const types = Object.values(release.Resources as Json).map((r) => r.Type);
    for (const [type, atLeast] of [['AWS::Lambda::Function', 2], ['AWS::Events::Rule', 4], ['AWS::IAM::Role', 2], ['AWS::CloudWatch::Alarm', 2]] as const) {
      expect(types.filter((t) => t === type).length).toBeGreaterThanOrEqual(atLeast);
    }
    expect(release.Resources).toEqual(packaged.Resources);
    expect(release.Conditions).toEqual(packaged.Conditions);
    expect(release.Outputs).toEqual(packaged.Outputs);
  });

  it('holds the same as serverless package with every param set otherwise: each setting reaches every place its value did', () => {
    const release = deployed(template, { ...defaultsOf(template), ...other });
    const packaged = deployed(byOther, defaultsOf(byOther));
    expect(Object.keys(other).length).toBeGreaterThanOrEqual(18);
    expect(release.Resources).toEqual(packaged.Resources);
    expect(release.Conditions).toEqual(packaged.Conditions);
    // The opt-in tag value reaches the IAM conditions, not only the environment.
    expect(JSON.stringify(packaged.Resources)).toContain(`"aws:ResourceTag/nat-failover":"${other.ManagedTagValue}"`);
  });

  it('turns every param serverless.yml uses into a Parameter (found in serverless.yml, not listed here)', () => {
    const used = paramNames(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'));
    const mapped: Record<string, string> = template.Metadata['nat-failover'].parameters;
    expect(used.length).toBeGreaterThanOrEqual(18);
    expect(Object.keys(mapped).sort()).toEqual([...used].sort());
    for (const id of Object.values(mapped)) expect(template.Parameters).toHaveProperty(id);
  });

  it('wires every Parameter into every function\'s environment, or into a Condition (stack switches such as the dashboard)', () => {
    const settings = Object.keys(template.Parameters as Json).filter((id) => !CODE.includes(id));
    const envOf = functions(template).map(([id, f]) => [id, refs(f.Properties.Environment)] as const);
    const inEnv = new Set(envOf.flatMap(([, r]) => [...r]));
    for (const [, r] of envOf) expect(settings.filter((id) => inEnv.has(id) && !r.has(id))).toEqual([]);
    const conditions = refs(Object.fromEntries(Object.entries(template.Conditions as Json).filter(([id]) => id !== 'CodeBucketPerRegion')));
    expect(settings.filter((id) => !inEnv.has(id) && !conditions.has(id))).toEqual([]);
    expect(settings.filter((id) => !inEnv.has(id))).toEqual(['DashboardParam']);
  });

  it('has a Parameter for every variable src/config.ts reads, unless docs/configuration.md says the stack fixes it', () => {
    const read = envReads([{ path: 'src/config.ts', text: readFileSync(join(ROOT, 'src', 'config.ts'), 'utf8') }]).names;
    const doc = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
    const fixedByStack = (v: string) => new RegExp(`^\\| \`${v}\` \\| —`, 'm').test(doc);
    const parameterized = (v: string) => functions(template).every(([, f]) => {
      const value = f.Properties.Environment.Variables[v];
      return value !== undefined && Object.keys(value).length === 1 && value.Ref in template.Parameters;
    });
    expect(read.size).toBeGreaterThanOrEqual(19);
    expect([...read].filter((v) => !parameterized(v) && !fixedByStack(v)).sort()).toEqual([]);
    expect([...read].filter((v) => fixedByStack(v)).sort()).toEqual(['ALARM_PREFIX', 'MANAGED_TAG_KEY', 'NOTIFY_TOPIC']);
  });

  it('ships the packaged zips byte for byte', () => {
    // serverless-esbuild writes every entry with the same fixed time (1980-01-01), so equal sources
    // give equal bytes; the release zips are those bytes, not a re-zip.
    const names = functions(byDefault).map(([, f]) => String(f.Properties.Code.S3Key).split('/').pop()!);
    expect(names.length).toBeGreaterThanOrEqual(2);
    for (const zip of names) expect(sha256(join(releaseDir(), zip))).toBe(sha256(join(project.dir, 'out-default', zip)));
  });

  it('fits an inline template body (51,200 bytes) and uses no transform (StackSets with service-managed permissions take none)', () => {
    const bytes = readFileSync(join(releaseDir(), TEMPLATE)).length;
    expect(bytes).toBeLessThan(51_200);
    expect(template).not.toHaveProperty('Transform');
    expect(Buffer.byteLength(template.Description)).toBeLessThanOrEqual(1024);
  });

  it('refuses --strict outside a git checkout, and a bad --stage, in one line each, writing nothing', () => {
    const run = (args: string[]) => spawnSync(join(ROOT, 'node_modules', '.bin', 'tsx'), ['scripts/release.ts', ...args], { cwd: project.dir, encoding: 'utf8' });
    const strict = run(['--strict', '--out', 'out-strict']);
    expect(strict.status).toBe(2);
    expect(strict.stderr.trim()).toBe('release: --strict needs a git checkout (it checks the tree and the tag)');
    const stage = run(['--stage', 'no_underscores', '--out', 'out-stage']);
    expect(stage.status).toBe(2);
    expect(stage.stderr).toMatch(/^release: --stage: letters, digits and dashes, at most 16\nusage: npm run release/);
    expect(existsSync(join(project.dir, 'out-strict')) || existsSync(join(project.dir, 'out-stage'))).toBe(false);
  });

  it('passes cfn-lint', () => {
    if (!onPath('cfn-lint')) {
      if (process.env.CI === 'true') throw new Error('cfn-lint not found on PATH: install it with `pip install cfn-lint` (CI requires it)');
      console.warn('\n!!! SKIPPING cfn-lint on the release template: cfn-lint is not on PATH (pip install cfn-lint)\n');
      return;
    }
    const r = spawnSync('cfn-lint', [join(releaseDir(), TEMPLATE)], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });
});
