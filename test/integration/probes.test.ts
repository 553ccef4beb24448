/**
 * The probes' signal end to end (issue 13): ProbeFailed data put into moto's CloudWatch with
 * PutMetricData (the contract's namespace and dimensions), a verdict event handed to the real
 * reconcile handler, routes and tags in moto's EC2. moto has no publication lag, so the run woken
 * by the verdict finds the other AZs' probes of the same minute at once and never waits.
 */
import { type CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { PROBE_DIMENSION_AZ, PROBE_DIMENSION_VPC, PROBE_METRIC_FAILED, PROBE_NAMESPACE } from '../../src/core/probe';
import sample from '../../events/probe-verdict.json';
import { coldStart, newCloudWatch } from './handler';
import { describeWithMoto, useMoto } from './moto';
import { natTargetOf, newEc2, routesOf, seedVpc, tagsOf, type SeededVpc } from './seed';

const V4 = '0.0.0.0/0';
const MINUTE = 60_000;
const ENV = { ALARMS: 'off', PROBES: 'on', PROBE_WAIT_SECONDS: '0' };

describeWithMoto('probes through the handler against moto', () => {
  let ec2: EC2Client;
  let cw: CloudWatchClient;
  useMoto(undefined, { resetEach: true });
  beforeAll(async () => {
    ec2 = newEc2();
    cw = newCloudWatch();
  });
  beforeEach(async () => {
    // Keep clear of a minute edge: "this minute" here and in the handler must be the same one, and
    // the probe data of this minute (stamped at second 5, as the probe's round start) in the past.
    const into = Date.now() % MINUTE;
    if (into > 45_000 || into < 6_000) await new Promise((r) => setTimeout(r, (into < 6_000 ? 0 : MINUTE - into) + 6_000 - (into < 6_000 ? into : 0)));
  });

  const thisMinute = (): number => Math.floor(Date.now() / MINUTE) * MINUTE;
  /** One ProbeFailed datum per minute, `ago` minutes before this one (0 = this minute), as the probe publishes. */
  async function putProbe(vpcId: string, az: string, minutesAgo: readonly number[], failed: boolean): Promise<void> {
    await cw.send(
      new PutMetricDataCommand({
        Namespace: PROBE_NAMESPACE,
        MetricData: minutesAgo.map((ago) => ({
          MetricName: PROBE_METRIC_FAILED,
          Dimensions: [
            { Name: PROBE_DIMENSION_VPC, Value: vpcId },
            { Name: PROBE_DIMENSION_AZ, Value: az },
          ],
          Timestamp: new Date(thisMinute() - ago * MINUTE + 5_000),
          Value: failed ? 1 : 0,
          Unit: 'Count',
        })),
      }),
    );
  }
  const range = (from: number, to: number): number[] => Array.from({ length: from - to + 1 }, (_, i) => from - i);
  const verdictFor = (vpc: SeededVpc, az: string) => ({
    ...sample,
    time: new Date().toISOString(),
    detail: { ...sample.detail, vpcId: vpc.vpcId, availabilityZone: az, natGatewayId: vpc.azs.find((z) => z.az === az)!.natId, at: new Date(thisMinute() + 5_000).toISOString() },
  });
  const targets = async (vpc: SeededVpc) => Promise.all(vpc.azs.map(async (z) => natTargetOf(await routesOf(ec2, z.routeTableId), V4)));

  it('a failing verdict for AZ a while b and c succeed this minute fails a over at once', async () => {
    // Prepare: every AZ probed fine for 10 minutes; b and c also fine this minute.
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    for (const z of vpc.azs) await putProbe(vpc.vpcId, z.az, range(10, 1), false);
    await putProbe(vpc.vpcId, b!.az, [0], false);
    await putProbe(vpc.vpcId, c!.az, [0], false);
    const invoke = await coldStart(ENV);

    // Act
    const run = await invoke(verdictFor(vpc, a!.az));

    // Assess
    expect(run.trigger).toBe('probe');
    expect(run.changes).toStrictEqual([expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'failover', status: 'applied' })]);
    expect(run.changes[0]!.reasons.join(' ')).toMatch(/probes through us-east-1a failed 3 of the last 3 rounds .* while probes through us-east-1b, us-east-1c succeeded/);
    expect((await targets(vpc))[0]).not.toBe(a!.natId);
  });

  it('the same verdict while b and c fail too moves nothing and says why (static-stability guard)', async () => {
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    for (const z of vpc.azs) await putProbe(vpc.vpcId, z.az, range(10, 1), false);
    await putProbe(vpc.vpcId, b!.az, [0], true);
    await putProbe(vpc.vpcId, c!.az, [0], true);
    const invoke = await coldStart(ENV);

    const run = await invoke(verdictFor(vpc, a!.az));

    expect(run.changes).toStrictEqual([]);
    expect(run.findings).toContainEqual(expect.objectContaining({ kind: 'static-stability-guard', message: expect.stringMatching(/probes fail through/) }));
    expect(await targets(vpc)).toStrictEqual(vpc.azs.map((z) => z.natId));
  });

  it('does not restore a quiet home whose probes failed in the hold-down (no hold-down, no lag: the proof alone decides)', async () => {
    // Prepare: fail AZ a over on a verdict; then judge the restore with no hold-down and no lag,
    // so the proof alone decides.
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    for (const z of vpc.azs) await putProbe(vpc.vpcId, z.az, range(10, 1), false);
    await putProbe(vpc.vpcId, b!.az, [0, -1], false);
    await putProbe(vpc.vpcId, c!.az, [0, -1], false);
    const proofEnv = { ...ENV, RESTORE_HOLD_DOWN_SECONDS: '0', PROBE_LAG_SECONDS: '0' };
    const invoke = await coldStart(proofEnv);
    await invoke(verdictFor(vpc, a!.az));
    expect((await targets(vpc))[0]).not.toBe(a!.natId);
    // The home's probe failed this minute (the datum the failing invocation published).
    await putProbe(vpc.vpcId, a!.az, [0], true);

    // Act 1: a scheduled run; the home gateway is quiet (no traffic, no metrics) and its probes failed.
    const held = await invoke();

    // Assess 1
    expect(held.changes).toStrictEqual([]);
    expect(held.findings).toContainEqual(expect.objectContaining({ kind: 'hold-down', routeTableId: a!.routeTableId, message: expect.stringMatching(/recovery unproven/) }));
    expect(await tagsOf(ec2, a!.routeTableId)).toMatchObject({ 'nat-failover:state': 'failed-over' });
  });

  it('restores once every home probe minute succeeded (and says so in the reason)', async () => {
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    for (const z of vpc.azs) await putProbe(vpc.vpcId, z.az, range(10, 1), false);
    await putProbe(vpc.vpcId, b!.az, [0], false);
    await putProbe(vpc.vpcId, c!.az, [0], false);
    const invoke = await coldStart({ ...ENV, RESTORE_HOLD_DOWN_SECONDS: '0', PROBE_LAG_SECONDS: '0' });
    await invoke(verdictFor(vpc, a!.az));
    expect((await targets(vpc))[0]).not.toBe(a!.natId);
    // The verdict was a blip: the home's probe succeeded this minute after all (no failed datum).
    await putProbe(vpc.vpcId, a!.az, [0], false);

    const back = await invoke();

    expect(back.changes).toStrictEqual([expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'restore', status: 'applied' })]);
    expect(back.changes[0]!.reasons.join(' ')).toMatch(/home probes succeeded every minute since/);
    expect(await targets(vpc)).toStrictEqual(vpc.azs.map((z) => z.natId));
  });
});
