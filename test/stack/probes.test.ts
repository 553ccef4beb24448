/**
 * `serverless package --param probeSubnets=… --param probeVpcId=…`: one VPC-attached probe
 * function per subnet, its own role that cannot write a route or a tag, an egress-only security
 * group, and reconcile's role and function exactly as without probes. (Without the param the
 * default package in package.test.ts has no VPC-attached function and no probe resource.)
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { onPath, type StagedProject, stageProject } from './project';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const SUBNETS = ['subnet-0a1b2c3d', 'subnet-0123456789abcdef0', 'subnet-0fedcba9'];
const VPC = 'vpc-0a1b2c3d';
let project: StagedProject;
let out: string;
let template: Json;
let resources: [string, Json][];

beforeAll(() => {
  project = stageProject('probes');
  out = join(project.dir, 'artifact');
  const r = project.serverless(['package', '--package', out, '--stage', 'test', `--param=probeSubnets=${SUBNETS.join(',')}`, `--param=probeVpcId=${VPC}`]);
  if (r.status !== 0) throw new Error(`serverless package failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  template = JSON.parse(readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'));
  resources = Object.entries(template.Resources as Json);
}, 180_000);
afterAll(() => project?.remove());

const ofType = (t: string) => resources.filter(([, r]) => r.Type === t);
const functions = () => ofType('AWS::Lambda::Function');
const probes = () => functions().filter(([, r]) => r.Properties.Handler === 'handlers/probe.handler');
const asList = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const statementsOf = (roleId: string): Json[] => asList(template.Resources[roleId].Properties.Policies as Json[]).flatMap((p) => asList(p.PolicyDocument.Statement));

describe('serverless package with probeSubnets', () => {
  it('has one probe function per subnet, each in exactly that subnet, behind the probe security group', () => {
    const fns = probes();
    expect(fns.map(([, r]) => r.Properties.VpcConfig.SubnetIds).sort()).toStrictEqual(SUBNETS.map((s) => [s]).sort());
    for (const [, r] of fns) {
      expect(r.Properties.VpcConfig.SecurityGroupIds).toStrictEqual([{ 'Fn::GetAtt': ['ProbeSecurityGroup', 'GroupId'] }]);
      expect(r.Properties.Environment.Variables.PROBE_SUBNET_ID).toBe(r.Properties.VpcConfig.SubnetIds[0]);
      expect(r.Properties.Environment.Variables.RECONCILE_FUNCTION_NAME).toBe('nat-failover-test-reconcile');
      expect(r.Properties.FunctionName).toBe(`nat-failover-test-probe-${r.Properties.VpcConfig.SubnetIds[0]}`);
      expect(r.Properties.Role).toStrictEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:role/nat-failover-test-${AWS::Region}-probe' });
      expect(r.DependsOn).toContain('ProbeRole');
      expect(r.Properties.MemorySize).toBe(128);
      expect(r.Properties.Timeout).toBe(30);
    }
    // Only the probes are VPC-attached.
    expect(functions().filter(([, r]) => r.Properties.VpcConfig !== undefined)).toHaveLength(SUBNETS.length);
  });

  it('runs each probe every minute, never retries a failed or stale invocation, and sends a failed one to reconcile', () => {
    for (const [id] of probes()) {
      const rules = ofType('AWS::Events::Rule').filter(([, r]) => asList(r.Properties.Targets as Json[]).some((t) => JSON.stringify(t.Arn).includes(`"${id}"`)));
      expect(rules.map(([, r]) => [r.Properties.ScheduleExpression, r.Properties.State])).toStrictEqual([['rate(1 minute)', 'ENABLED']]);
      const conf = ofType('AWS::Lambda::EventInvokeConfig').filter(([, c]) => JSON.stringify(c.Properties.FunctionName).includes(`"${id}"`));
      expect(conf.map(([, c]) => [c.Properties.MaximumRetryAttempts, c.Properties.MaximumEventAgeInSeconds])).toStrictEqual([[0, 60]]);
      // A failed verdict the probe could not send goes to reconcile by Lambda itself, outside the VPC.
      expect(conf.map(([, c]) => c.Properties.DestinationConfig)).toStrictEqual([{ OnFailure: { Destination: { 'Fn::GetAtt': ['ReconcileLambdaFunction', 'Arn'] } } }]);
    }
  });

  it("gives the probes a role that can never write a route or a tag, nor anything but its ENIs, logs and reconcile's invoke", () => {
    const statements = statementsOf('ProbeRole');
    const actions = statements.flatMap((s) => asList(s.Action as string | string[]));
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(actions.filter((a) => /^ec2:(Create|Replace|Delete)\w*Route/.test(a) || /Tags$/.test(a) || a.includes('*'))).toEqual([]);
    expect([...actions].sort()).toStrictEqual(
      [
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'ec2:CreateNetworkInterface',
        'ec2:DeleteNetworkInterface',
        'ec2:AssignPrivateIpAddresses',
        'ec2:UnassignPrivateIpAddresses',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSubnets',
        'ec2:DescribeRouteTables',
        'ec2:DescribeNatGateways',
        'lambda:InvokeFunction',
      ].sort(),
    );
    const by = (action: string) => statements.filter((s) => asList(s.Action).includes(action));
    expect(by('lambda:InvokeFunction').map((s) => s.Resource)).toStrictEqual([{ 'Fn::GetAtt': ['ReconcileLambdaFunction', 'Arn'] }]);
    // ENIs only in the probe subnets, with the probe security group.
    const eni = JSON.stringify(by('ec2:CreateNetworkInterface')[0].Resource);
    for (const s of SUBNETS) expect(eni).toContain(`:subnet/${s}`);
    expect(eni).toContain('security-group/${ProbeSecurityGroup.GroupId}');
    expect(eni).not.toMatch(/:subnet\/\*/);
    // Writes (non-Describe) never on "*".
    for (const s of statements) if (asList(s.Action).some((a: string) => !a.includes(':Describe'))) expect(s.Resource).not.toBe('*');
    // Managed policies would bypass all of this: none.
    expect(template.Resources.ProbeRole.Properties.ManagedPolicyArns).toBeUndefined();
    // The role logs only to the probes' own log groups.
    expect(JSON.stringify(by('logs:PutLogEvents')[0].Resource)).toContain('log-group:/aws/lambda/nat-failover-test-probe-*:*');
  });

  it('creates an egress-only security group in the probe VPC', () => {
    const sg = template.Resources.ProbeSecurityGroup;
    expect(sg.Type).toBe('AWS::EC2::SecurityGroup');
    expect(sg.Properties.VpcId).toBe(VPC);
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    expect(ofType('AWS::EC2::SecurityGroupIngress')).toEqual([]);
    expect(sg.Properties.SecurityGroupEgress).toStrictEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, CidrIp: '0.0.0.0/0' }),
      expect.objectContaining({ IpProtocol: 'udp', FromPort: 53, ToPort: 53, CidrIp: '0.0.0.0/0' }),
    ]);
  });

  it("leaves reconcile's role and function as they are (no VPC access policy on the shared role)", () => {
    const reconcile = functions().find(([, r]) => r.Properties.FunctionName === 'nat-failover-test-reconcile')![1];
    expect(reconcile.Properties.VpcConfig).toBeUndefined();
    expect(template.Resources.IamRoleLambdaExecution.Properties.ManagedPolicyArns).toBeUndefined();
    const shared = statementsOf('IamRoleLambdaExecution').flatMap((s) => asList(s.Action as string | string[]));
    expect(shared.filter((a) => a.includes('NetworkInterface'))).toEqual([]);
  });

  it('turns PROBES on for reconcile and manual: deployed probes are read (the param defaults to off)', () => {
    for (const name of ['nat-failover-test-reconcile', 'nat-failover-test-manual']) {
      const f = functions().find(([, r]) => r.Properties.FunctionName === name)![1];
      expect({ name, PROBES: f.Properties.Environment.Variables.PROBES }).toStrictEqual({ name, PROBES: 'on' });
    }
  });

  it('bundles the probe handler into its own small zip per function', () => {
    for (const s of SUBNETS) {
      const zip = join(out, `probe${s.slice('subnet-'.length)}.zip`);
      expect(statSync(zip).size).toBeGreaterThan(10_000);
      expect(statSync(zip).size).toBeLessThan(statSync(join(out, 'reconcile.zip')).size);
    }
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
