/**
 * The operator half of the stack, from `serverless package` offline: the manual function cannot
 * write a route (IAM), can only invoke reconcile, and the dashboard and controller alarms exist.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type StagedProject, stageProject } from '../stack/project';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

let project: StagedProject;
let res: Json;

beforeAll(() => {
  project = stageProject('manual-stack');
  const out = join(project.dir, 'artifact');
  const r = project.serverless(['package', '--package', out, '--stage', 'test']);
  if (r.status !== 0) throw new Error(`serverless package failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  res = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8')).Resources;
}, 180_000);
afterAll(() => project?.remove());

/** The statements of the role the manual function runs as (matched by name, not by position). */
const manualStatements = (): Json[] => {
  const roleArn: string = res.ManualLambdaFunction.Properties.Role['Fn::Sub'];
  const role = Object.values(res).find((r: Json) => r.Type === 'AWS::IAM::Role' && roleArn.endsWith(`:role/${r.Properties.RoleName?.['Fn::Sub']}`)) as Json | undefined;
  expect(role).toBeDefined();
  return role!.Properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
};

describe('the manual function', () => {
  it('is its own function with the reconcile function name and a timeout that outlasts a busy reconcile', () => {
    const fn = res.ManualLambdaFunction;
    expect(fn.Properties.Environment.Variables.RECONCILE_FUNCTION_NAME).toBe('nat-failover-test-reconcile');
    expect(res.ReconcileLambdaFunction.Properties.FunctionName).toBe('nat-failover-test-reconcile');
    expect(fn.Properties.Timeout).toBeGreaterThanOrEqual(res.ReconcileLambdaFunction.Properties.Timeout + 31);
    expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
  });

  it('cannot write a route: its role has no ReplaceRoute, tags only managed tables, and invokes only reconcile', () => {
    const statements = manualStatements();
    const actions = statements.flatMap((s) => asList<string>(s.Action));
    expect(actions).not.toContain('ec2:ReplaceRoute');
    expect(actions).toEqual(expect.arrayContaining(['ec2:DescribeVpcEndpoints', 'ec2:CreateTags', 'ec2:DeleteTags', 'lambda:InvokeFunction']));
    for (const a of actions) expect(a).not.toMatch(/:\*$|^\*$/);
    const tagging = statements.filter((s) => asList<string>(s.Action).some((a) => /Tags$/.test(a)));
    for (const s of tagging) {
      expect(s.Condition.StringEquals).toEqual({ 'aws:ResourceTag/nat-failover': 'enabled' });
      expect(s.Condition['ForAllValues:StringLike']).toEqual({ 'aws:TagKeys': ['nat-failover:*'] });
      // Without it a DeleteTags naming no keys would pass ForAllValues and delete every tag.
      expect(s.Condition.Null).toEqual({ 'aws:TagKeys': 'false' });
    }
    const invoke = statements.filter((s) => asList<string>(s.Action).includes('lambda:InvokeFunction'));
    expect(invoke.map((s) => s.Resource)).toEqual([{ 'Fn::GetAtt': ['ReconcileLambdaFunction', 'Arn'] }]);
    const wildcard = statements.filter((s) => s.Resource === '*').flatMap((s) => asList<string>(s.Action));
    for (const a of wildcard) expect(a).toMatch(/^[a-z0-9-]+:(Describe|Get|List)[A-Za-z]+$/);
  });
});

describe('watching the controller', () => {
  const alarmOn = (metric: string) => Object.values(res).find((r: Json) => r.Type === 'AWS::CloudWatch::Alarm' && r.Properties.Namespace === 'AWS/Lambda' && r.Properties.MetricName === metric) as Json;

  it('alarms when reconcile errors', () => {
    const a = alarmOn('Errors');
    expect(a.Properties).toMatchObject({ Statistic: 'Sum', Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'ReconcileLambdaFunction' } }] });
    expect(a.Properties.AlarmActions).toEqual([{ Ref: 'NotificationTopic' }]);
  });

  it('alarms when reconcile stops running, counting missing data as breaching', () => {
    const a = alarmOn('Invocations');
    expect(a.Properties).toMatchObject({ Statistic: 'Sum', Period: 300, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' });
    expect(a.Properties.AlarmActions).toEqual([{ Ref: 'NotificationTopic' }]);
  });

  it('has a dashboard of tables away from home per AZ, failovers, restores, safety holds and the NAT metrics the rules read', () => {
    const d = Object.values(res).find((r: Json) => r.Type === 'AWS::CloudWatch::Dashboard') as Json;
    const [body] = d.Properties.DashboardBody['Fn::Sub'];
    const widgets = JSON.parse(body.replaceAll('${AWS::Region}', 'us-east-1').replaceAll('${Fn}', 'f')).widgets;
    const text = JSON.stringify(widgets);
    expect(text).toContain('{NatFailover,AvailabilityZone,service} MetricName=\\"TablesAwayFromHome\\"');
    for (const m of ['Failovers', 'Restores', 'SkippedBySafety', 'PacketsDropCount', 'PacketsOutToDestination', 'ConnectionAttemptCount', 'ConnectionEstablishedCount']) expect(text).toContain(m);
  });
});
