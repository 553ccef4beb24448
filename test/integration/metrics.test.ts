/**
 * Soft signals end to end: NAT gateway metrics put into moto's CloudWatch, judged by the real
 * handler over the minute-aligned window it reads (METRIC_POLL_MINUTES=1, default lag and M of N).
 * ALARMS=off: moto never evaluates alarms, so the scheduled metric poll is the path under test.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { BAD, coldStart, GOOD, judgedMinutes, newCloudWatch, putNatTraffic, sumsOf } from './handler';
import { describeWithMoto, useMoto } from './moto';
import { natTargetOf, newEc2, routesOf, seedVpc, type SeededVpc } from './seed';

const V4 = '0.0.0.0/0';
const V6 = '64:ff9b::/96';
const POLL = { ALARMS: 'off', METRIC_POLL_MINUTES: '1' };

describeWithMoto('soft signals through the handler against moto', () => {
  let ec2: EC2Client;
  let cw: CloudWatchClient;
  useMoto(undefined, { resetEach: true });
  beforeAll(async () => {
    ec2 = newEc2();
    cw = newCloudWatch();
  });

  const targets = async (vpc: SeededVpc) => Promise.all(vpc.azs.map(async (z) => natTargetOf(await routesOf(ec2, z.routeTableId), V4)));

  /**
   * Minutes m0..m5: the judged window is m0..m4, or m1..m5 if the run slips into the next
   * minute. Bad minutes sit in m1..m3 so both windows count the same number of them.
   */
  async function traffic(nat: string, badMinutes: readonly number[]): Promise<Date[]> {
    const m = await judgedMinutes();
    await putNatTraffic(cw, nat, m.filter((_, i) => !badMinutes.includes(i)), GOOD);
    await putNatTraffic(cw, nat, m.filter((_, i) => badMinutes.includes(i)), BAD);
    return m;
  }

  it('fails over after M of N bad minutes, and not at M-1', async () => {
    // Prepare: AZ a's gateway drops 1 % of packets in 2 of the last 5 minutes; the others are fine.
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    const minutes = await traffic(a!.natId, [2, 3]);
    await traffic(b!.natId, []);
    await traffic(c!.natId, []);
    const drops = await sumsOf(cw, a!.natId, 'PacketsDropCount', minutes[0]!, minutes[5]!);
    expect(drops).toStrictEqual([0, 0, 100, 100, 0]);
    const invoke = await coldStart(POLL);

    // Act 1: M-1 = 2 bad minutes.
    const held = await invoke();

    // Assess 1
    expect(held.metricsJudged).not.toBeNull();
    expect(held.changes).toStrictEqual([]);
    expect(await targets(vpc)).toStrictEqual([a!.natId, b!.natId, c!.natId]);

    // Act 2: a third bad minute (m1 now sums to 100 drops out of 20,000 packets).
    await putNatTraffic(cw, a!.natId, [minutes[1]!], BAD);
    const moved = await invoke();

    // Assess 2
    expect(moved.changes).toStrictEqual([
      expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'failover', status: 'applied' }),
    ]);
    expect(moved.changes[0]!.reasons.join(' ')).toMatch(/packet-drop ratio above 0\.100% in 3 of the last 5 minutes/);
    const aRoutes = await routesOf(ec2, a!.routeTableId);
    expect(natTargetOf(aRoutes, V4)).toBe(b!.natId);
    expect(natTargetOf(aRoutes, V6)).toBe(b!.natId);
    expect((await targets(vpc)).slice(1)).toStrictEqual([b!.natId, c!.natId]);
  });

  it('changes nothing when every gateway looks bad at once (static-stability guard)', async () => {
    const vpc = await seedVpc(ec2);
    for (const z of vpc.azs) await traffic(z.natId, [1, 2, 3]);
    const invoke = await coldStart(POLL);

    const summary = await invoke();

    expect(summary.changes).toStrictEqual([]);
    expect(await targets(vpc)).toStrictEqual(vpc.azs.map((z) => z.natId));
    expect(summary.findings).toStrictEqual([expect.objectContaining({ kind: 'static-stability-guard', vpcId: vpc.vpcId })]);
  });

  it('restores home once it is healthy: held by the default hold-down, at once with a zero hold-down', async () => {
    // Prepare: fail AZ a over on soft signals.
    const vpc = await seedVpc(ec2);
    const [a, b] = vpc.azs;
    const minutes = await traffic(a!.natId, [1, 2, 3]);
    const first = await coldStart(POLL);
    await first();
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), V4)).toBe(b!.natId);
    // Home heals: ten million good packets a minute dilute the drops far below the threshold.
    await putNatTraffic(cw, a!.natId, minutes, { out: 10_000_000, drop: 0 });

    // Act 1: default hold-down (600 s).
    const held = await first();

    // Assess 1
    expect(held.changes).toStrictEqual([]);
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), V4)).toBe(b!.natId);
    expect(held.tables.find((t) => t.routeTableId === a!.routeTableId)).toMatchObject({ mode: 'failed-over', target: b!.natId });

    // Act 2: a cold start with RESTORE_HOLD_DOWN_SECONDS=0.
    const restored = await (await coldStart({ ...POLL, RESTORE_HOLD_DOWN_SECONDS: '0' }))();

    // Assess 2
    expect(restored.changes).toStrictEqual([expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'restore', status: 'applied' })]);
    const aRoutes = await routesOf(ec2, a!.routeTableId);
    expect(natTargetOf(aRoutes, V4)).toBe(a!.natId);
    expect(natTargetOf(aRoutes, V6)).toBe(a!.natId);
  });
});
