/**
 * VPC_IDS also scopes the IAM writes: with `--param vpcIds=…` every route-table write (reconcile's
 * ReplaceRoute and state tags, manual's pins) carries `ArnLike ec2:Vpc` on exactly those VPCs.
 * The template builds the ARN list with CloudFormation functions; this test evaluates them the way
 * CloudFormation would, for the parameter default the framework wrote.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath, type StagedProject, stageProject } from './project';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const VPCS = ['vpc-0a1b2c3d', 'vpc-0123456789abcdef0'];
let project: StagedProject;
let out: string;
let template: Json;

beforeAll(() => {
  project = stageProject('vpc-scope');
  out = join(project.dir, 'artifact');
  const r = project.serverless(['package', '--package', out, '--stage', 'test', `--param=vpcIds=${VPCS.join(',')}`, '--param=dashboard=true']);
  if (r.status !== 0) throw new Error(`serverless package failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
}, 180_000);
afterAll(() => project?.remove());

/** Fn::If / Fn::Split / Fn::Join / Ref over parameter defaults, as CloudFormation resolves them. */
function evaluate(node: Json): Json {
  if (Array.isArray(node)) return node.map(evaluate);
  if (node === null || typeof node !== 'object') return node;
  if ('Ref' in node) return node.Ref === 'AWS::NoValue' ? undefined : template.Parameters[node.Ref].Default;
  if ('Fn::If' in node) {
    const [cond, yes, no] = node['Fn::If'];
    return evaluate(condition(cond) ? yes : no);
  }
  if ('Fn::Split' in node) {
    const [sep, s] = node['Fn::Split'];
    return (evaluate(s) as string).split(sep);
  }
  if ('Fn::Join' in node) {
    const [sep, parts] = node['Fn::Join'];
    return (evaluate(parts) as string[]).join(sep);
  }
  return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, evaluate(v)]).filter(([, v]) => v !== undefined));
}
function condition(name: string): boolean {
  const c = template.Conditions[name];
  if ('Fn::Not' in c) return !condition2(c['Fn::Not'][0]);
  return condition2(c);
}
function condition2(c: Json): boolean {
  const [a, b] = c['Fn::Equals'];
  return evaluate(a) === evaluate(b);
}

const statements = (): Json[] =>
  Object.values(template.Resources as Record<string, Json>)
    .filter((r) => r.Type === 'AWS::IAM::Role')
    .flatMap((r) => (r.Properties.Policies ?? []).flatMap((p: Json) => p.PolicyDocument.Statement));
const actions = (s: Json): string[] => [s.Action].flat();

describe('serverless package --param vpcIds=…', () => {
  it('limits every route-table write of both functions to the listed VPCs (ec2:Vpc)', () => {
    const writes = statements().filter((s) => actions(s).some((a) => ['ec2:ReplaceRoute', 'ec2:CreateTags', 'ec2:DeleteTags'].includes(a)));
    // reconcile: ReplaceRoute, its state tags; manual: its pins.
    expect(writes.length).toBe(3);
    for (const s of writes) {
      expect(evaluate(s.Condition).ArnLike).toStrictEqual({ 'ec2:Vpc': VPCS.map((v) => `arn:*:ec2:*:*:vpc/${v}`) });
      // The tag condition still applies alongside.
      expect(s.Condition.StringEquals).toMatchObject({ 'aws:ResourceTag/nat-failover': 'enabled' });
    }
  });

  it('turns the dashboard on with --param dashboard=true', () => {
    const dashboards = Object.values(template.Resources as Record<string, Json>).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard');
    expect(dashboards).toHaveLength(1);
    expect(condition(dashboards[0].Condition)).toBe(true);
  });

  it('passes cfn-lint', () => {
    if (!onPath('cfn-lint')) {
      if (process.env.CI === 'true') throw new Error('cfn-lint not found on PATH: install it with `pip install cfn-lint` (CI requires it)');
      console.warn('\n!!! SKIPPING cfn-lint: not on PATH (pip install cfn-lint)\n');
      return;
    }
    const r = spawnSync('cfn-lint', [join(out, 'cloudformation-template-update-stack.json')], { encoding: 'utf8' });
    expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
  });
});
