/**
 * Issue 10 item 9: every front door judges with the same signals. With an ARC zonal shift away
 * from AZ c remembered (written by the reconcile function on the shift's event) and AZ a's managed
 * alarm in ALARM, the CLI (status, --direct), the manual function's handler and `serverless invoke
 * local` all show both signals in `status`, refuse them as targets, and never pin to them.
 */
import { CloudWatchClient, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTagsCommand, DescribeAvailabilityZonesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { TAGS } from '../../src/core/constants';
import zonalShiftSample from '../../events/zonal-shift.json';
import { main } from '../../src/cli/main';
import { stageProject, type StagedProject } from '../stack/project';
import { coldStart } from '../integration/handler';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';
import { natTargetOf, newEc2, routesOf, type SeededVpc, seedVpc, tagsOf } from '../integration/seed';

// What the stack sets for stage prod (serverless.yml ALARM_PREFIX = nat-failover-<stage>).
const PREFIX = 'nat-failover-prod';
const V4 = '0.0.0.0/0';

function shiftAwayFrom(zoneId: string): unknown {
  const e = JSON.parse(JSON.stringify(zonalShiftSample));
  e.time = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  e.detail.metadata.awayFrom = zoneId;
  return e;
}

/** The CLI as typed, finding moto through its own flags only. */
async function cli(endpoint: string, ...argv: string[]) {
  const saved = { ...process.env };
  for (const k of ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'ALARM_PREFIX', 'ALARMS', 'IS_LOCAL']) delete process.env[k];
  const out: string[] = [];
  const err: string[] = [];
  try {
    const code = await main([...argv, '--endpoint', endpoint, '--region', 'us-east-1'], { out: (t) => void out.push(t), err: (t) => void err.push(t) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

type Handler = (event: unknown, context: never) => Promise<any>;
const CTX = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:nat-failover-prod-manual' } as never;

/** The manual function's handler, cold-started as `invoke local` runs it (IS_LOCAL: reconcile in process). */
async function manualHandler(): Promise<Handler> {
  const saved = { ...process.env };
  Object.assign(process.env, { IS_LOCAL: 'true', ALARMS: 'managed', ALARM_PREFIX: PREFIX, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  try {
    jest.resetModules();
    return (await import('../../handlers/manual')).handler as unknown as Handler;
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

const gatewayLine = (out: string, natId: string): string => out.split('\n').find((l) => l.startsWith(natId)) ?? '';

describeWithMoto('every front door sees the pushed signals (moto)', () => {
  let moto: Moto;
  let ec2: EC2Client;
  let vpc: SeededVpc;

  useMoto((m) => (moto = m));
  beforeAll(async () => {
    ec2 = newEc2();
  });

  /** AZ c evacuated by ARC (remembered in tags), and optionally AZ a's packet-drop alarm in ALARM. */
  async function signals(alarmA: boolean): Promise<void> {
    await moto.reset();
    vpc = await seedVpc(ec2);
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    const zoneIdOfC = zones.AvailabilityZones!.find((z) => z.ZoneName === vpc.azs[2]!.az)!.ZoneId!;
    const reconcile = await coldStart({ ALARMS: 'managed', ALARM_PREFIX: PREFIX, RESTORE_HOLD_DOWN_SECONDS: '0' });
    await reconcile(shiftAwayFrom(zoneIdOfC)); // remembers the evacuation, creates the alarms
    expect(natTargetOf(await routesOf(ec2, vpc.azs[2]!.routeTableId), V4)).not.toBe(vpc.azs[2]!.natId);
    if (alarmA) {
      await new CloudWatchClient({}).send(new SetAlarmStateCommand({ AlarmName: `${PREFIX}-gw-${vpc.azs[0]!.natId}-packet-drops`, StateValue: 'ALARM', StateReason: 'test' }));
    }
  }

  describe('reconcile function', () => {
    it('a pin naming the evacuated gateway as target (the manual function\'s run request) is not followed there', async () => {
      await signals(false);
      const [a, b, c] = vpc.azs;
      await ec2.send(
        new CreateTagsCommand({
          Resources: [b!.routeTableId],
          Tags: [
            { Key: TAGS.pin, Value: `away-from=${b!.az} by=ops target=${c!.natId}` },
            { Key: TAGS.pinReason, Value: 'CHG-9' },
          ],
        }),
      );
      const reconcile = await coldStart({ ALARMS: 'managed', ALARM_PREFIX: PREFIX });
      const summary = await reconcile({ 'nat-failover': 'manual', action: 'failover', by: 'ops', dryRun: false });
      expect(summary.changes).toEqual([expect.objectContaining({ routeTableId: b!.routeTableId, transition: 'pin', status: 'applied' })]);
      expect(natTargetOf(await routesOf(ec2, b!.routeTableId), V4)).toBe(a!.natId);
    });
  });

  describe('CLI', () => {
    it('status shows the evacuation and the alarm on the gateways they concern', async () => {
      await signals(true);
      const [a, b, c] = vpc.azs;
      const r = await cli(moto.endpoint, 'status');
      expect(r.code).toBe(0);
      expect(gatewayLine(r.out, c!.natId)).toMatch(/unhealthy.*hard: arc-zonal-shift evacuation of us-east-1c/);
      expect(gatewayLine(r.out, a!.natId)).toMatch(/unhealthy.*alarm in ALARM: nat-failover-prod-gw-nat-\w+-packet-drops/);
      expect(gatewayLine(r.out, b!.natId)).not.toMatch(/unhealthy/);
    });

    it('failover --direct refuses an evacuated or alarmed target, and writes nothing', async () => {
      await signals(true);
      const [a, b, c] = vpc.azs;
      const before = await tagsOf(ec2, b!.routeTableId);
      const toC = await cli(moto.endpoint, 'failover', '--az', b!.az, '--target', c!.natId, '--reason', 'CHG-9', '--direct');
      expect(toC.code).toBe(2);
      expect(toC.err).toMatch(new RegExp(`^nat-failover: refused \\(--target\\): ${c!.natId} is not a healthy available gateway: arc-zonal-shift evacuation of us-east-1c`));
      const toA = await cli(moto.endpoint, 'failover', '--az', b!.az, '--target', a!.natId, '--reason', 'CHG-9', '--direct');
      expect(toA.code).toBe(2);
      expect(toA.err).toContain(`${a!.natId} is not a healthy available gateway: alarm in ALARM`);
      // With both other AZs out, there is nowhere to go.
      const any = await cli(moto.endpoint, 'failover', '--az', b!.az, '--reason', 'CHG-9', '--direct');
      expect(any.code).toBe(2);
      expect(any.err).toContain('nothing to fail over to');
      expect(await tagsOf(ec2, b!.routeTableId)).toEqual(before);
      expect(natTargetOf(await routesOf(ec2, b!.routeTableId), V4)).toBe(b!.natId);
    });

    it('failover --az b --direct with AZ c evacuated pins b to a, never to c (the reported fault)', async () => {
      await signals(false);
      const [a, b] = vpc.azs;
      const r = await cli(moto.endpoint, 'failover', '--az', b!.az, '--reason', 'CHG-9', '--direct');
      expect(r.code).toBe(0);
      expect(natTargetOf(await routesOf(ec2, b!.routeTableId), V4)).toBe(a!.natId);
      expect((await tagsOf(ec2, b!.routeTableId))['nat-failover:state']).toBe('pinned');
    });
  });

  describe('manual function handler (invoke-local mode)', () => {
    afterEach(() => {
      delete process.env.IS_LOCAL;
    });

    it('status shows both signals; an evacuated or alarmed target is refused', async () => {
      await signals(true);
      const [a, b, c] = vpc.azs;
      const handler = await manualHandler();
      process.env.IS_LOCAL = 'true'; // read per invocation: reconcile runs in this process
      const status = await handler({ action: 'status' }, CTX);
      const gw = (id: string) => status.gateways.find((g: any) => g.natGatewayId === id);
      expect(gw(c!.natId)).toMatchObject({ health: 'unhealthy', signals: expect.arrayContaining([expect.stringContaining('evacuation of us-east-1c')]) });
      expect(gw(a!.natId)).toMatchObject({ health: 'unhealthy', signals: expect.arrayContaining([expect.stringContaining('alarm in ALARM')]) });
      for (const target of [a!.natId, c!.natId]) {
        const res = await handler({ action: 'failover', az: b!.az, target, reason: 'CHG-9' }, CTX);
        expect(res).toMatchObject({ ok: false, error: { code: 'invalid-request', field: 'target', message: expect.stringContaining('is not a healthy available gateway') } });
      }
      expect(natTargetOf(await routesOf(ec2, b!.routeTableId), V4)).toBe(b!.natId);
    });
  });

  describe('serverless invoke local -f manual', () => {
    let project: StagedProject;
    beforeAll(() => {
      project = stageProject('doors');
    });
    afterAll(() => project?.remove());

    it('shows the evacuation in status and refuses the evacuated target', async () => {
      await signals(false);
      const [, b, c] = vpc.azs;
      const invoke = (data: unknown) => {
        const r = project.serverless(['invoke', 'local', '-f', 'manual', '--data', JSON.stringify(data)], { ...process.env, POWERTOOLS_LOG_LEVEL: 'WARN' });
        expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toStrictEqual({ status: 0, stderr: '' });
        return JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
      };
      const status = invoke({ action: 'status' });
      expect(status.gateways.find((g: any) => g.natGatewayId === c!.natId)).toMatchObject({ health: 'unhealthy', signals: expect.arrayContaining([expect.stringContaining('evacuation of us-east-1c')]) });
      const res = invoke({ action: 'failover', az: b!.az, target: c!.natId, reason: 'CHG-9' });
      expect(res).toMatchObject({ ok: false, error: { field: 'target', message: expect.stringContaining('evacuation of us-east-1c') } });
    }, 300_000);
  });
});
