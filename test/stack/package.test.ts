/**
 * The deployable artefact: `serverless package` offline, then the CloudFormation it would deploy
 * and the zip it would upload. Resources are found by what they are, not by count or position,
 * so functions, rules and statements added later do not break these checks.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { onPath, type StagedProject, stageProject } from './project';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const STAGE = 'test';
const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

let project: StagedProject;
let out: string;
let template: Json;
let resources: [string, Json][];
let packageMs = 0;

beforeAll(() => {
  project = stageProject('package');
  out = join(project.dir, 'artifact');
  const started = Date.now();
  const r = project.serverless(['package', '--package', out, '--stage', STAGE]);
  packageMs = Date.now() - started;
  if (r.status !== 0) throw new Error(`serverless package failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = Object.entries(template.Resources as Json);
}, 180_000);

afterAll(() => project?.remove());

const ofType = (type: string) => resources.filter(([, r]) => r.Type === type);
const reconcileFn = (): [string, Json] => {
  const found = ofType('AWS::Lambda::Function').filter(([, r]) => r.Properties.FunctionName === `nat-failover-${STAGE}-reconcile`);
  expect(found).toHaveLength(1);
  return found[0]!;
};
const roleStatements = (): Statement[] =>
  ofType('AWS::IAM::Role').flatMap(([, r]) => asList(r.Properties.Policies as Json[]).flatMap((p) => asList(p.PolicyDocument.Statement as Statement[])));
const actionsOf = (s: Statement) => asList(s.Action);
/** A resource as written, `Fn::Sub` templates included, to tell route tables from the rest. */
const resourceText = (s: Statement) => JSON.stringify(s.Resource);

describe('serverless package: the reconcile function', () => {
  it('runs the handler on Node 22, outside any VPC, with reserved concurrency 1', () => {
    const [, fn] = reconcileFn();
    expect(fn.Properties.Runtime).toBe('nodejs22.x');
    expect(fn.Properties.Handler).toBe('handlers/reconcile.handler');
    expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Properties).not.toHaveProperty('VpcConfig');
  });

  it('is the target of an EventBridge rule firing every minute', () => {
    const [id] = reconcileFn();
    const schedules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.ScheduleExpression === 'rate(1 minute)');
    const targetsReconcile = schedules.filter(([, r]) =>
      asList(r.Properties.Targets as Json[]).some((t) => JSON.stringify(t.Arn) === JSON.stringify({ 'Fn::GetAtt': [id, 'Arn'] })),
    );
    expect(targetsReconcile).toHaveLength(1);
    expect(targetsReconcile[0]![1].Properties.State).toBe('ENABLED');
    // EventBridge may invoke it.
    const permissions = ofType('AWS::Lambda::Permission').filter(
      ([, p]) => p.Properties.Principal === 'events.amazonaws.com' && JSON.stringify(p.Properties.FunctionName).includes(id),
    );
    expect(permissions.length).toBeGreaterThanOrEqual(1);
  });
});

describe('serverless package: the IAM role', () => {
  const MANAGED_TAG = { 'aws:ResourceTag/nat-failover': 'enabled' };
  const WRITES = ['ec2:ReplaceRoute', 'ec2:CreateTags', 'ec2:DeleteTags'];

  it('lets route-table writes happen only on tables tagged nat-failover=enabled', () => {
    const onTables = roleStatements().filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => WRITES.includes(a)) && resourceText(s).includes('route-table'));
    const granted = new Set(onTables.flatMap(actionsOf).filter((a) => WRITES.includes(a)));
    expect([...granted].sort()).toStrictEqual([...WRITES].sort());
    for (const s of onTables) expect(s.Condition?.StringEquals).toMatchObject(MANAGED_TAG);
  });

  it('lets CreateTags and DeleteTags write only keys under nat-failover:, and only requests that name keys', () => {
    const tagging = roleStatements().filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a === 'ec2:CreateTags' || a === 'ec2:DeleteTags'));
    expect(tagging.length).toBeGreaterThanOrEqual(1);
    for (const s of tagging) {
      expect(s.Condition?.['ForAllValues:StringLike']).toStrictEqual({ 'aws:TagKeys': ['nat-failover:*'] });
      // ForAllValues is true of an empty key set, and DeleteTags without keys deletes every tag.
      expect(s.Condition?.Null).toStrictEqual({ 'aws:TagKeys': 'false' });
      expect(s.Condition?.StringEquals).toMatchObject(MANAGED_TAG);
    }
  });

  it('grants no write on every resource: statements on "*" are describe/get/list only', () => {
    const wildcard = roleStatements().filter((s) => s.Effect === 'Allow' && asList(s.Resource).includes('*'));
    expect(wildcard.length).toBeGreaterThanOrEqual(1);
    const actions = wildcard.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['ec2:DescribeRouteTables', 'ec2:DescribeNatGateways', 'ec2:DescribeSubnets', 'ec2:DescribeAvailabilityZones', 'cloudwatch:GetMetricData']));
    for (const a of actions) expect(a).toMatch(/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/);
  });

  it('never grants a service wildcard such as ec2:*', () => {
    for (const a of roleStatements().flatMap(actionsOf)) expect(a).not.toMatch(/:\*$|^\*$/);
  });

  it('lets alarm writes reach only the gateway alarms (-gw-), not the stack\'s reconcile-* alarms or a sibling stage\'s', () => {
    const writes = roleStatements().filter((s) => s.Effect === 'Allow' && actionsOf(s).some((a) => a === 'cloudwatch:PutMetricAlarm' || a === 'cloudwatch:DeleteAlarms'));
    expect(writes.length).toBeGreaterThanOrEqual(1);
    for (const s of writes) expect(asList(s.Resource).map((r) => JSON.stringify(r))).toStrictEqual([expect.stringMatching(new RegExp(`:alarm:nat-failover-${STAGE}-gw-\\*"`))]);
  });
});

describe('serverless package: the alarm rule', () => {
  it('wakes reconcile only for the gateway alarms entering ALARM', () => {
    const rules = ofType('AWS::Events::Rule').filter(([, r]) => asList(r.Properties.EventPattern?.source).includes('aws.cloudwatch'));
    expect(rules).toHaveLength(1);
    expect(rules[0]![1].Properties.EventPattern.detail.alarmName).toStrictEqual([{ prefix: `nat-failover-${STAGE}-gw-` }]);
  });
});

describe('serverless package: the artefact', () => {
  it('passes cfn-lint', () => {
    if (!onPath('cfn-lint')) {
      if (process.env.CI === 'true') throw new Error("cfn-lint not found on PATH: install it with `pip install cfn-lint` (CI requires it)");
      console.warn('\n!!! SKIPPING cfn-lint on the packaged template: cfn-lint is not on PATH (pip install cfn-lint)\n');
      return;
    }
    const r = spawnSync('cfn-lint', [join(out, 'cloudformation-template-update-stack.json')], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    expect(r.status).toBe(0);
  });

  it('bundles the handler without the AWS SDK (the runtime ships it)', () => {
    const zip = join(out, 'reconcile.zip');
    const listing = spawnSync('unzip', ['-Z1', zip], { encoding: 'utf8' });
    expect(listing.status).toBe(0);
    const entries = listing.stdout.split('\n').filter(Boolean);
    expect(entries).toContain('handlers/reconcile.js');
    expect(entries.filter((e) => e.includes('@aws-sdk/') || e.includes('@smithy/'))).toStrictEqual([]);
    const js = spawnSync('unzip', ['-p', zip, 'handlers/reconcile.js'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout;
    expect(js).toMatch(/require\("@aws-sdk\/client-ec2"\)/);
    const map = entries.find((e) => e.endsWith('reconcile.js.map'));
    if (map) {
      const sources: string[] = JSON.parse(spawnSync('unzip', ['-p', zip, map], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }).stdout).sources;
      expect(sources.filter((s) => s.includes('node_modules/@aws-sdk/'))).toStrictEqual([]);
    }
    const zips = readdirSync(out).filter((f) => f.endsWith('.zip'));
    const sizes = zips.map((f) => `${f} ${(statSync(join(out, f)).size / 1024).toFixed(1)} KiB`);
    const jsKiB = (Buffer.byteLength(js) / 1024).toFixed(1);
    console.log(`serverless package took ${(packageMs / 1000).toFixed(1)} s; ${sizes.join(', ')}; handlers/reconcile.js ${jsKiB} KiB unzipped`);
  });
});
