/**
 * Issue 10 item 11 end to end: with DRY_RUN=true, the reconcile function (on the schedule and on an
 * ARC event), the manual function (failover, release, restore), the CLI's --direct and `serverless
 * invoke local` write nothing to moto: no route, no tag, no alarm. Each says what it would do.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DeleteNatGatewayCommand, DescribeAvailabilityZonesCommand, DescribeRouteTablesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import zonalShiftSample from '../../events/zonal-shift.json';
import { main } from '../../src/cli/main';
import { coldStart } from '../integration/handler';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';
import { newEc2, type SeededVpc, seedVpc } from '../integration/seed';
import { stageProject } from '../stack/project';

const PREFIX = 'nat-failover-prod';

describeWithMoto('a DRY_RUN deployment writes nothing (moto)', () => {
  let moto: Moto;
  let ec2: EC2Client;
  let vpc: SeededVpc;

  useMoto((m) => (moto = m), { resetEach: true });
  beforeAll(async () => {
    ec2 = newEc2();
  });
  beforeEach(async () => {
    vpc = await seedVpc(ec2);
    // A failover is due (AZ a's gateway deleted): a writing deployment would move routes now.
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: vpc.azs[0]!.natId }));
  });

  /** Every route and tag of every table in the VPC, and every alarm. */
  const world = async () => {
    const tables = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpc.vpcId] }] }));
    const alarms = await new CloudWatchClient({}).send(new DescribeAlarmsCommand({}));
    return {
      tables: (tables.RouteTables ?? []).map((t) => ({ id: t.RouteTableId, routes: t.Routes, tags: [...(t.Tags ?? [])].sort((x, y) => x.Key!.localeCompare(y.Key!)) })).sort((x, y) => x.id!.localeCompare(y.id!)),
      alarms: (alarms.MetricAlarms ?? []).map((a) => a.AlarmName),
    };
  };

  it('the reconcile function: scheduled and on an ARC event, reports dry-run changes and writes nothing', async () => {
    const before = await world();
    const reconcile = await coldStart({ DRY_RUN: 'true', ALARMS: 'managed', ALARM_PREFIX: PREFIX });
    const scheduled = await reconcile();
    expect(scheduled).toMatchObject({ dryRun: true, changes: [expect.objectContaining({ routeTableId: vpc.azs[0]!.routeTableId, status: 'dry-run' })] });
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    const event = JSON.parse(JSON.stringify(zonalShiftSample));
    event.time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    event.detail.metadata.awayFrom = zones.AvailabilityZones!.find((z) => z.ZoneName === vpc.azs[1]!.az)!.ZoneId;
    const shifted = await reconcile(event);
    expect(shifted.changes.map((c) => [c.routeTableId, c.status])).toEqual(expect.arrayContaining([[vpc.azs[1]!.routeTableId, 'dry-run']]));
    expect(await world()).toEqual(before);
  });

  it('the manual function (invoke-local mode): failover, release and restore write nothing and say so', async () => {
    const before = await world();
    const saved = { ...process.env };
    Object.assign(process.env, { IS_LOCAL: 'true', DRY_RUN: 'true', ALARMS: 'managed', ALARM_PREFIX: PREFIX, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
    try {
      jest.resetModules();
      const { handler } = await import('../../handlers/manual');
      const call = (e: unknown) => (handler as unknown as (e: unknown, c: unknown) => Promise<any>)(e, { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:nat-failover-prod-manual' });
      const f = await call({ action: 'failover', az: vpc.azs[1]!.az, reason: 'CHG-11', by: 'ops' });
      expect(f).toMatchObject({ ok: true, dryRun: true, via: 'plan-only', message: expect.stringMatching(/^DRY_RUN deployment, nothing written: would pin 1 table/) });
      expect(await call({ action: 'release', az: vpc.azs[1]!.az, by: 'ops' })).toMatchObject({ ok: true });
      expect(await call({ action: 'restore', az: vpc.azs[1]!.az, by: 'ops' })).toMatchObject({ ok: true });
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    expect(await world()).toEqual(before);
  });

  it('the CLI with --direct under DRY_RUN=true writes nothing and says what it would do', async () => {
    const before = await world();
    const saved = { ...process.env };
    for (const k of ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION']) delete process.env[k];
    process.env.DRY_RUN = 'true';
    const out: string[] = [];
    const err: string[] = [];
    let code: number;
    try {
      code = await main(['failover', '--az', vpc.azs[1]!.az, '--reason', 'CHG-11', '--direct', '--endpoint', moto.endpoint, '--region', 'us-east-1'], { out: (t) => void out.push(t), err: (t) => void err.push(t) });
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out.join('\n')).toContain('DRY_RUN deployment, nothing written: would pin 1 table(s) away from us-east-1b');
    expect(await world()).toEqual(before);
  });

  it('serverless invoke local with the dryRun param: reconcile and a manual failover write nothing', async () => {
    const before = await world();
    const project = stageProject('dryrun');
    try {
      const env = { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' };
      const r = project.serverless(['invoke', 'local', '-f', 'reconcile', '-p', 'events/schedule.json', '--param', 'dryRun=true'], env);
      expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toStrictEqual({ status: 0, stderr: '' });
      expect(r.stdout).toContain('"status": "dry-run"');
      const m = project.serverless(['invoke', 'local', '-f', 'manual', '--param', 'dryRun=true', '--data', JSON.stringify({ action: 'failover', az: vpc.azs[1]!.az, reason: 'CHG-11' })], env);
      expect({ status: m.status, stderr: m.status === 0 ? '' : m.stderr }).toStrictEqual({ status: 0, stderr: '' });
      expect(m.stdout).toContain('DRY_RUN deployment, nothing written: would pin 1 table(s)');
    } finally {
      project.remove();
    }
    expect(await world()).toEqual(before);
  }, 300_000);
});
