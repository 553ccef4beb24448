/**
 * `nat-failover doctor` and `nat-failover seed` through the CLI entry (main) against moto: the CLI
 * finds moto only through its own flags, the harness's endpoint and region are hidden.
 */
import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DisableRuleCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateFunctionCommand, LambdaClient, PutFunctionConcurrencyCommand } from '@aws-sdk/client-lambda';
import fc from 'fast-check';
import { STYLE } from '../../src/cli/failure';
import { isAwsHostname } from '../../src/cli/seed';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';
import { newEc2, seedVpc } from '../integration/seed';
import { runCli } from './harness';

/**
 * What `serverless deploy` would leave, as far as doctor reads it: the two functions (reconcile with
 * reserved concurrency 1), a schedule rule and an event rule targeting reconcile, the two alarms.
 * moto's CreateFunction wants an existing role, created here with IAM's query API (no IAM client
 * among the project's dependencies).
 */
async function deployStackStandIn(endpoint: string): Promise<string> {
  const body = new URLSearchParams({ Action: 'CreateRole', Version: '2010-05-08', RoleName: 'nat-failover-test', AssumeRolePolicyDocument: '{}' });
  const auth = 'AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x';
  const res = await fetch(`${endpoint}/`, { method: 'POST', body, headers: { Authorization: auth, 'Content-Type': 'application/x-www-form-urlencoded' } });
  const role = /<Arn>([^<]+)<\/Arn>/.exec(await res.text())?.[1];
  if (!role) throw new Error('moto did not create the role');
  const lambda = new LambdaClient({});
  const zip = Buffer.from('UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==', 'base64'); // an empty zip archive
  const fn = async (name: string) =>
    (await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Role: role, Handler: 'index.handler', Code: { ZipFile: zip } }))).FunctionArn!;
  const arn = await fn('nat-failover-prod-reconcile');
  await fn('nat-failover-prod-manual');
  await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'nat-failover-prod-reconcile', ReservedConcurrentExecutions: 1 }));
  const events = new EventBridgeClient({});
  await events.send(new PutRuleCommand({ Name: 'nat-failover-prod-schedule', ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' }));
  await events.send(new PutRuleCommand({ Name: 'nat-failover-prod-health', EventPattern: JSON.stringify({ source: ['aws.health'] }), State: 'ENABLED' }));
  for (const rule of ['nat-failover-prod-schedule', 'nat-failover-prod-health']) {
    await events.send(new PutTargetsCommand({ Rule: rule, Targets: [{ Id: 'reconcile', Arn: arn }] }));
  }
  const cw = new CloudWatchClient({});
  for (const [name, metric] of [['nat-failover-prod-reconcile-errors', 'Errors'], ['nat-failover-prod-reconcile-not-running', 'Invocations']] as const) {
    await cw.send(
      new PutMetricAlarmCommand({ AlarmName: name, Namespace: 'AWS/Lambda', MetricName: metric, Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', ActionsEnabled: true }),
    );
  }
  return arn;
}

describeWithMoto('doctor and seed through the CLI against moto', () => {
  let moto: Moto;
  let ec2: EC2Client;

  useMoto((m) => (moto = m), { resetEach: true });
  beforeEach(async () => {
    ec2 = newEc2();
  });

  const cli = (argv: string[], flags: string[] = ['--endpoint', moto.endpoint, '--region', 'us-east-1']) => runCli([...argv, ...flags]);

  it('doctor on a sound VPC: exit 0, PASS for tables, gateways and targets; WARNs say what was not checked and why', async () => {
    const vpc = await seedVpc(ec2);
    const r = await cli(['doctor']);
    expect({ code: r.code, err: r.err }).toStrictEqual({ code: 0, err: '' });
    expect(r.out).toMatch(/^PASS {2}credentials +us-east-1: credentials and region work/m);
    for (const a of vpc.azs) {
      expect(r.out).toMatch(new RegExp(`^PASS  table +${a.routeTableId}: ${vpc.vpcId}: home AZ ${a.az}, home gateway ${a.natId}$`, 'm'));
      expect(r.out).toMatch(new RegExp(`^PASS  gateway-per-az +${vpc.vpcId} ${a.az}: ${a.natId} available`, 'm'));
      expect(r.out).toMatch(new RegExp(`^PASS  failover-target +${vpc.vpcId} ${a.az}: can fail over to nat-`, 'm'));
    }
    expect(r.out).toMatch(new RegExp(`^PASS  gateway-endpoints ${vpc.vpcId}: s3 gateway endpoint route on all 3`, 'm'));
    expect(r.out).toMatch(new RegExp(`^WARN  gateway-endpoints ${vpc.vpcId}: no dynamodb gateway endpoint route`, 'm'));
    expect(r.out).toMatch(new RegExp(`^WARN  regional-nat-fit +${vpc.vpcId}: AWS's regional NAT gateway would serve this VPC instead`, 'm'));
    expect(r.out).toMatch(/^WARN {2}stack +nat-failover-prod: not deployed in us-east-1/m);
    expect(r.out).toMatch(/, 0 FAIL \(us-east-1, stage prod\)$/);
    expect(r.out).not.toContain(vpc.unmanagedRouteTableId);
  });

  it('doctor FAILs a managed table whose AZ has no gateway and a table near the tag limit, exit 1; --json says the same', async () => {
    const vpc = await seedVpc(ec2);
    const [a, b] = vpc.azs;
    // AZ d: a private subnet and a managed table riding AZ a's gateway; no gateway of its own.
    const sn = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.vpcId, CidrBlock: '10.0.200.0/24', AvailabilityZone: 'us-east-1d' }));
    const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: vpc.vpcId }));
    const d = rt.RouteTable!.RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: d, SubnetId: sn.Subnet!.SubnetId! }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: d, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: a!.natId }));
    await ec2.send(new CreateTagsCommand({ Resources: [d], Tags: [{ Key: 'nat-failover', Value: 'enabled' }] }));
    // Table b: 44 owner tags (45 with the opt-in tag) leave 5 of 50, the controller needs 11.
    await ec2.send(new CreateTagsCommand({ Resources: [b!.routeTableId], Tags: Array.from({ length: 44 }, (_, i) => ({ Key: `owner-${i}`, Value: 'x' })) }));

    const r = await cli(['doctor']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(new RegExp(`^FAIL  gateway-per-az +${vpc.vpcId} us-east-1d: no available NAT gateway in us-east-1d for ${d}: they ride ${a!.natId} \\(us-east-1a\\)`, 'm'));
    expect(r.out).toMatch(new RegExp(`^FAIL  tag-room +${b!.routeTableId}: 45 owner tags leave 5 of EC2's 50: the controller needs 11 .* — fix: remove at least 6 tag\\(s\\) from ${b!.routeTableId}$`, 'm'));
    expect(r.out).toMatch(/, 2 FAIL \(us-east-1, stage prod\)$/);

    const j = await cli(['doctor', '--json']);
    expect(j.code).toBe(1);
    const body = JSON.parse(j.out);
    expect(body).toMatchObject({ ok: false, region: 'us-east-1', stage: 'prod', counts: { FAIL: 2 } });
    expect(body.checks.filter((c: { verdict: string }) => c.verdict === 'FAIL').map((c: { check: string; subject: string }) => `${c.check} ${c.subject}`)).toStrictEqual([
      `gateway-per-az ${vpc.vpcId} us-east-1d`,
      `tag-room ${b!.routeTableId}`,
    ]);
  });

  it('doctor on a deployed stack: functions, reserved slot, rules and alarms PASS; a disabled schedule FAILs', async () => {
    await seedVpc(ec2);
    const deployedArn = await deployStackStandIn(moto.endpoint);
    let r = await cli(['doctor']);
    expect({ code: r.code, err: r.err }).toStrictEqual({ code: 0, err: '' });
    expect(r.out).toMatch(/^PASS {2}function +nat-failover-prod-reconcile: active, reserved concurrency 1$/m);
    expect(r.out).toMatch(/^PASS {2}function +nat-failover-prod-manual: active$/m);
    expect(r.out).toMatch(/^PASS {2}rules +nat-failover-prod-reconcile: 2 EventBridge rule\(s\) target reconcile, all enabled \(schedule rate\(1 minute\)\)$/m);
    expect(r.out).toMatch(/^PASS {2}alarms +nat-failover-prod-reconcile-errors: present, actions enabled$/m);
    expect(r.out).toMatch(/^PASS {2}alarms +nat-failover-prod-reconcile-not-running: present, actions enabled$/m);
    expect(r.out).toMatch(/^PASS {2}concurrency +reconcile holds its reserved slot/m);
    expect(deployedArn).toMatch(/:function:nat-failover-prod-reconcile$/);

    await new EventBridgeClient({}).send(new DisableRuleCommand({ Name: 'nat-failover-prod-schedule' }));
    r = await cli(['doctor']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}rules +nat-failover-prod-schedule: EventBridge rule is DISABLED: reconcile misses its schedule — fix: aws events enable-rule --name nat-failover-prod-schedule$/m);
    expect(r.out).toMatch(/^FAIL {2}rules +nat-failover-prod-reconcile: no enabled schedule rule targets reconcile/m);
  });

  it('doctor --vpc of a VPC without managed tables: FAIL for it; a bad --vpc: one line, exit 2', async () => {
    await seedVpc(ec2);
    const r = await cli(['doctor', '--vpc', 'vpc-0123456789abcdef0']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL {2}managed-tables +vpc-0123456789abcdef0: no route table tagged nat-failover=enabled/m);
    const bad = await cli(['doctor', '--vpc', `x${'y'.repeat(5000)}`]);
    expect(bad).toMatchObject({ code: 2, out: '' });
    expect(bad.err.split('\n')).toHaveLength(1);
    expect(bad.err.length).toBeLessThan(400);
    expect(bad.err).toMatch(/^nat-failover: refused \(--vpc\): "xyyy.*is not a VPC id/);
  });

  it('doctor with a region that does not answer: one FAIL line for credentials/region, exit 1', async () => {
    const r = await cli(['doctor'], ['--endpoint', 'http://127.0.0.1:9', '--region', 'us-east-1']);
    expect(r.code).toBe(1);
    expect(r.out.split('\n')[0]).toMatch(/^FAIL {2}credentials +us-east-1: DescribeAvailabilityZones failed: /);
    expect(r.out.split('\n')).toHaveLength(2);
  });

  it('seed makes the demonstration VPC, prints one line per resource, and refuses a second run', async () => {
    const r = await cli(['seed']);
    expect({ code: r.code, err: r.err }).toStrictEqual({ code: 0, err: '' });
    const lines = r.out.split('\n');
    const kinds = lines.map((l) => l.split(' ')[0]);
    expect(kinds.filter((k) => k === 'nat-gateway')).toHaveLength(3);
    expect(kinds.filter((k) => k === 'subnet')).toHaveLength(6);
    expect(kinds.filter((k) => k === 'route-table')).toHaveLength(4);
    expect(kinds.filter((k) => k === 'vpc' || k === 'vpc-endpoint')).toHaveLength(2);
    // What it printed is what exists: each managed table routes both destinations to its AZ's gateway.
    const nats = await ec2.send(new DescribeNatGatewaysCommand({}));
    expect(lines.filter((l) => l.startsWith('nat-gateway ')).map((l) => l.split(' ')[1]).sort()).toStrictEqual(nats.NatGateways!.map((n) => n.NatGatewayId).sort());
    const managed = lines.filter((l) => l.startsWith('route-table ') && / managed /.test(l)).map((l) => l.split(' '));
    const tables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:nat-failover', Values: ['enabled'] }] }));
    expect(tables.RouteTables!.map((t) => t.RouteTableId).sort()).toStrictEqual(managed.map((m) => m[1]).sort());
    for (const t of tables.RouteTables!) {
      const nat = /-> (nat-\w+)/.exec(managed.find((m) => m[1] === t.RouteTableId)!.join(' '))?.[1];
      const to = (d: string) => t.Routes!.find((x) => (x.DestinationCidrBlock ?? x.DestinationIpv6CidrBlock) === d)?.NatGatewayId;
      expect([to('0.0.0.0/0'), to('64:ff9b::/96')]).toStrictEqual([nat, nat]);
      expect(t.Routes!.some((x) => x.DestinationPrefixListId && x.GatewayId?.startsWith('vpce-'))).toBe(true);
    }

    const again = await cli(['seed']);
    expect(again.code).toBe(2);
    expect(again.out).toBe('');
    expect(again.err).toMatch(/^nat-failover: refused \(seed\): vpc-\w+ \(Name=nat-failover-demo\) already exists in us-east-1 on this endpoint; nothing created/);
    expect((await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways).toHaveLength(3);
  });

  it('seed --json: the same resources as data', async () => {
    const r = await cli(['seed', '--json']);
    expect(r.code).toBe(0);
    const body = JSON.parse(r.out);
    expect(body).toMatchObject({ ok: true, region: 'us-east-1', endpoint: moto.endpoint, vpcId: expect.stringMatching(/^vpc-/), s3EndpointId: expect.stringMatching(/^vpce-/) });
    expect(body.azs.map((a: { az: string }) => a.az)).toStrictEqual(['us-east-1a', 'us-east-1b', 'us-east-1c']);
    const tables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'tag:nat-failover', Values: ['enabled'] }] }));
    expect(tables.RouteTables!.map((t) => t.RouteTableId).sort()).toStrictEqual(body.azs.map((a: { routeTableId: string }) => a.routeTableId).sort());
  });

  it('seed refuses a real AWS endpoint or none, before any call, unless --yes-real-aws', async () => {
    for (const flags of [
      ['--region', 'us-east-1'],
      ['--endpoint', 'https://ec2.us-east-1.amazonaws.com', '--region', 'us-east-1'],
      ['--endpoint', 'https://EC2.cn-north-1.AMAZONAWS.com.cn.', '--region', 'cn-north-1'],
      ['--endpoint', 'https://ec2.us-east-1.api.aws', '--region', 'us-east-1'],
      ['--endpoint', 'not a url', '--region', 'us-east-1'],
      ['--endpoint', 'ftp://127.0.0.1:21', '--region', 'us-east-1'],
    ]) {
      const r = await cli(['seed'], flags);
      expect({ flags, code: r.code, out: r.out, lines: r.err.split('\n').length }).toStrictEqual({ flags, code: 2, out: '', lines: 1 });
      expect(r.err).toMatch(STYLE);
      expect(r.err).toMatch(/^nat-failover: refused \(--endpoint\): /);
    }
    expect((await ec2.send(new DescribeNatGatewaysCommand({}))).NatGateways).toHaveLength(0);
  });
});

describe('isAwsHostname', () => {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/);
  const suffix = fc.constantFrom('amazonaws.com', 'amazonaws.com.cn', 'api.aws');
  const caseMix = (s: string, flips: boolean[]) => [...s].map((ch, i) => (flips[i % flips.length] ? ch.toUpperCase() : ch)).join('');

  it('every host under an AWS endpoint suffix, in any case, with or without the root dot', () => {
    fc.assert(
      fc.property(fc.array(label, { minLength: 0, maxLength: 4 }), suffix, fc.array(fc.boolean(), { minLength: 1 }), fc.boolean(), (labels, s, flips, dot) => {
        const host = caseMix([...labels, s].join('.'), flips) + (dot ? '.' : '');
        expect(isAwsHostname(host)).toBe(true);
      }),
    );
  });

  it('emulator hosts and look-alikes are not AWS', () => {
    for (const h of ['127.0.0.1', 'localhost', 'localhost.localstack.cloud', 'notamazonaws.com', 'amazonaws.com.evil.test', 'api.aws.example', 'myapi.aws', '::1']) {
      expect({ h, aws: isAwsHostname(h) }).toStrictEqual({ h, aws: false });
    }
  });
});
