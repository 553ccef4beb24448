/**
 * Each event kind drives a failover through the real handler against moto: a managed alarm put
 * into ALARM (moto never evaluates alarms, so SetAlarmState stands in for CloudWatch), an ARC
 * autoshift, an AWS Health issue; and their ends let the restore rules run.
 */
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeAvailabilityZonesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import alarmSample from '../../events/alarm-state-change.json';
import arcCompletedSample from '../../events/arc-autoshift-completed.json';
import arcSample from '../../events/arc-autoshift.json';
import healthClosedSample from '../../events/health-closed.json';
import healthSample from '../../events/health-issue.json';
import multiServicesSample from '../../events/health-multiple-services.json';
import zonalShiftSample from '../../events/zonal-shift.json';
import { main as cli } from '../../src/cli/main';
import { EVACUATION_TAG_PREFIX } from '../../src/events/memory';
import { coldStart, type Invoke } from '../integration/handler';
import { describeWithMoto, type Moto, useMoto } from '../integration/moto';
import { natTargetOf, newEc2, routesOf, type SeededVpc, seedVpc, tagsOf } from '../integration/seed';

const V4 = '0.0.0.0/0';
const PREFIX = 'nat-failover-test';
const ENV = { ALARMS: 'managed', ALARM_PREFIX: PREFIX, RESTORE_HOLD_DOWN_SECONDS: '0' };

const isoNow = (offsetSeconds = 0) => new Date(Date.now() + offsetSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** Health writes its times in RFC 1123 (`Mon, 23 Nov 2026 12:07:07 GMT`). */
const rfc1123 = (offsetSeconds = 0) => new Date(Date.now() + offsetSeconds * 1000).toUTCString();

/**
 * A sample event, sent `offsetSeconds` from now (ages and order count from the event's own time:
 * the envelope's `time` for ARC, `lastUpdatedTime` for Health) and about `zoneId` where it names one.
 */
function fresh<T>(sample: T, zoneId?: string, offsetSeconds = 0): any {
  const e = JSON.parse(JSON.stringify(sample));
  e.time = isoNow(offsetSeconds);
  if (e.detail?.lastUpdatedTime) e.detail.lastUpdatedTime = rfc1123(offsetSeconds);
  if (e.detail?.startTime) e.detail.startTime = rfc1123(offsetSeconds - 600);
  if (e.detail?.endTime) e.detail.endTime = rfc1123(offsetSeconds);
  if (zoneId && e.detail?.metadata?.awayFrom) e.detail.metadata.awayFrom = zoneId;
  if (zoneId && e.detail?.eventDescription) {
    for (const d of e.detail.eventDescription) d.latestDescription = String(d.latestDescription).replace(/use1-az\d+/g, zoneId);
  }
  return e;
}

/** `npx nat-failover status --json` in-process, finding moto through its own flags. */
async function cliStatus(endpoint: string): Promise<any> {
  const saved = { ...process.env };
  delete process.env.AWS_ENDPOINT_URL;
  const out: string[] = [];
  try {
    const code = await cli(['status', '--json', '--endpoint', endpoint, '--region', 'us-east-1'], { out: (t: string) => void out.push(t), err: () => undefined });
    expect(code).toBe(0);
    return JSON.parse(out.join('\n'));
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

const evacuationTags = (tags: Record<string, string>) => Object.keys(tags).filter((k) => k.startsWith(EVACUATION_TAG_PREFIX));

describeWithMoto('events through the real handler (moto)', () => {
  let moto: Moto;
  let ec2: EC2Client;
  let cw: CloudWatchClient;
  let vpc: SeededVpc;
  let zoneIdOfA: string;
  let invoke: Invoke;

  useMoto((m) => (moto = m), { resetEach: true });
  beforeAll(async () => {
    ec2 = newEc2();
    cw = new CloudWatchClient({});
  });
  beforeEach(async () => {
    vpc = await seedVpc(ec2);
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({}));
    zoneIdOfA = zones.AvailabilityZones!.find((z) => z.ZoneName === vpc.azs[0]!.az)!.ZoneId!;
    invoke = await coldStart(ENV);
  });

  const targetOf = async (i: number) => natTargetOf(await routesOf(ec2, vpc.azs[i]!.routeTableId), V4);

  it('creates the alarms on a run; an alarm put into ALARM fails its AZ over when its event arrives', async () => {
    // Prepare: alarms the controller did not write, under its prefix: the stack's own (serverless.yml)
    // and one with a gateway alarm's name but no [spec …] mark. A scheduled run brings the alarms in step.
    const notOurs = [`${PREFIX}-reconcile-errors`, `${PREFIX}-gw-nat-0123456789abcdef0-packet-drops`];
    for (const AlarmName of notOurs) {
      await cw.send(new PutMetricAlarmCommand({ AlarmName, AlarmDescription: 'not written by the controller', Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Period: 300, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
    }
    await invoke();
    const all = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${PREFIX}-` }));
    expect(all.MetricAlarms?.map((a) => a.AlarmName)).toEqual(expect.arrayContaining(notOurs));
    const listed = await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${PREFIX}-gw-` }));
    expect(listed.MetricAlarms?.map((a) => a.AlarmName).sort()).toEqual(
      [notOurs[1], ...vpc.azs.flatMap((z) => [`${PREFIX}-gw-${z.natId}-connection-failures`, `${PREFIX}-gw-${z.natId}-packet-drops`])].sort(),
    );
    const [a, b] = vpc.azs;
    const name = `${PREFIX}-gw-${a!.natId}-packet-drops`;
    expect(await targetOf(0)).toBe(a!.natId);

    // Act
    await cw.send(new SetAlarmStateCommand({ AlarmName: name, StateValue: 'ALARM', StateReason: 'test: 3 of 5 minutes above threshold' }));
    const event = fresh(alarmSample);
    event.detail.alarmName = name;
    event.detail.state.timestamp = new Date().toISOString();
    const summary = await invoke(event);

    // Assess
    expect(summary.trigger).toBe('alarm');
    expect(await targetOf(0)).toBe(b!.natId);
    expect(summary.changes).toEqual([expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'failover', status: 'applied', reasons: expect.arrayContaining([expect.stringContaining(`alarm in ALARM: ${name}`)]) })]);
    expect(await targetOf(1)).toBe(b!.natId);
    expect(await targetOf(2)).toBe(vpc.azs[2]!.natId);
  });

  it('an ARC autoshift fails the AZ over at once, is remembered across runs, and its completion restores', async () => {
    const [a, b] = vpc.azs;
    const summary = await invoke(fresh(arcSample, zoneIdOfA));
    expect(summary.trigger).toBe('arc');
    expect(await targetOf(0)).toBe(b!.natId);
    // Remembered on every managed table, so a plain scheduled run keeps the AZ evacuated.
    for (const z of vpc.azs) expect(evacuationTags(await tagsOf(ec2, z.routeTableId))).toEqual([`${EVACUATION_TAG_PREFIX}${zoneIdOfA}`]);
    expect(evacuationTags(await tagsOf(ec2, vpc.unmanagedRouteTableId))).toEqual([]);
    await invoke();
    expect(await targetOf(0)).toBe(b!.natId);

    const restored = await invoke(fresh(arcCompletedSample, zoneIdOfA));
    expect(await targetOf(0)).toBe(a!.natId);
    expect(restored.changes).toEqual([expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'restore', status: 'applied' })]);
    // The completion is remembered (…/closed) for EVACUATION_MAX_AGE_SECONDS, so a late redelivered
    // "In Progress" cannot re-open it.
    for (const z of vpc.azs) expect((await tagsOf(ec2, z.routeTableId))[`${EVACUATION_TAG_PREFIX}${zoneIdOfA}`]).toMatch(/^arc-autoshift@\S+#[0-9a-f]{10}\/closed$/);
  });

  it('an AWS Health issue naming the AZ fails it over; the closed issue lets it come home', async () => {
    const [a, b] = vpc.azs;
    await invoke(fresh(healthSample, zoneIdOfA));
    expect(await targetOf(0)).toBe(b!.natId);
    await invoke();
    expect(await targetOf(0)).toBe(b!.natId);
    await invoke(fresh(healthClosedSample, zoneIdOfA));
    expect(await targetOf(0)).toBe(a!.natId);
  });

  it('a MULTIPLE_SERVICES Health issue evacuates the AZ it names as impaired, never the AZs it names as where traffic went', async () => {
    const [a, b, c] = vpc.azs;
    const zones = (await ec2.send(new DescribeAvailabilityZonesCommand({}))).AvailabilityZones!;
    const idOf = (i: number) => zones.find((z) => z.ZoneName === vpc.azs[i]!.az)!.ZoneId!;
    // The sample's impaired AZ (use1-az2) becomes AZ a; the AZs traffic went to become b and c.
    const event = fresh(multiServicesSample);
    event.detail.eventDescription[0].latestDescription = multiServicesSample.detail.eventDescription[0]!.latestDescription
      .replace('use1-az2', idOf(0))
      .replace('use1-az1', idOf(1))
      .replace('use1-az4', idOf(2));
    const summary = await invoke(event);
    expect(summary.trigger).toBe('health');
    expect(summary.changes).toEqual([expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'failover', status: 'applied' })]);
    expect([b!.natId, c!.natId]).toContain(await targetOf(0));
    expect(await targetOf(1)).toBe(b!.natId);
    expect(await targetOf(2)).toBe(c!.natId);
    for (const z of vpc.azs) expect(evacuationTags(await tagsOf(ec2, z.routeTableId))).toEqual([`${EVACUATION_TAG_PREFIX}${idOf(0)}`]);
    // What an operator sees with the CLI: AZ a's table failed over, the others home.
    const status = await cliStatus(moto.endpoint);
    expect(status.tables.map((t: any) => [t.routeTableId, t.state])).toEqual(
      expect.arrayContaining([[a!.routeTableId, 'failed-over'], [b!.routeTableId, 'home'], [c!.routeTableId, 'home']]),
    );
    // Closed: the AZ comes home (hold-down 0 here).
    const closed = fresh(multiServicesSample, undefined, 1);
    closed.detail.statusCode = 'closed';
    closed.detail.endTime = closed.detail.lastUpdatedTime;
    closed.detail.eventDescription[0].latestDescription = `[RESOLVED] Multiple services were impaired in ${idOf(0)}. The issue has been resolved.`;
    await invoke(closed);
    expect(await targetOf(0)).toBe(a!.natId);
  });

  it('an Autoshift Completed followed by a redelivered older Autoshift In Progress does not re-open the evacuation', async () => {
    const [a, b] = vpc.azs;
    const started = fresh(arcSample, zoneIdOfA, -120);
    await invoke(started);
    expect(await targetOf(0)).toBe(b!.natId);
    await invoke(fresh(arcCompletedSample, zoneIdOfA, -30));
    expect(await targetOf(0)).toBe(a!.natId);
    // EventBridge redelivers (or Lambda retries) the old start: same payload, same time.
    const late = await invoke(started);
    expect(late.changes).toEqual([]);
    expect(await targetOf(0)).toBe(a!.natId);
    // And the next scheduled run keeps it home; the CLI shows every table home.
    await invoke();
    expect(await targetOf(0)).toBe(a!.natId);
    expect((await cliStatus(moto.endpoint)).tables.map((t: any) => t.state)).toEqual(['home', 'home', 'home']);
    for (const z of vpc.azs) expect((await tagsOf(ec2, z.routeTableId))[`${EVACUATION_TAG_PREFIX}${zoneIdOfA}`]).toMatch(/\/closed$/);
  });

  it('a manual zonal shift fails the AZ over; a restore waits for every open signal on the AZ', async () => {
    const [a, b] = vpc.azs;
    await invoke(fresh(zonalShiftSample, zoneIdOfA));
    await invoke(fresh(healthSample, zoneIdOfA));
    expect(await targetOf(0)).toBe(b!.natId);
    // The Health issue closes, the manual shift is still on: the table stays away.
    await invoke(fresh(healthClosedSample, zoneIdOfA));
    expect(await targetOf(0)).toBe(b!.natId);
    const cancel = fresh(zonalShiftSample, zoneIdOfA);
    cancel['detail-type'] = 'Manual Shift Canceled';
    await invoke(cancel);
    expect(await targetOf(0)).toBe(a!.natId);
  });

  it('a malformed, unrelated or other-region event is a plain run: no crash, no change', async () => {
    const before = await Promise.all([0, 1, 2].map(targetOf));
    const broken = fresh(arcSample);
    broken.detail = 'not an object';
    const otherRegion = fresh(arcSample, 'euw1-az1');
    const otherRegionEnd = fresh(arcCompletedSample, 'euw1-az1');
    for (const e of [broken, otherRegion, otherRegionEnd, { source: 'aws.s3', 'detail-type': 'Object Created' }, 'junk', null]) {
      const s = await invoke(e);
      expect(s.changes).toEqual([]);
    }
    expect(await Promise.all([0, 1, 2].map(targetOf))).toEqual(before);
    for (const z of vpc.azs) expect(evacuationTags(await tagsOf(ec2, z.routeTableId))).toEqual([]);
  });

  it('in a dry run the event shows in the plan but nothing is written, not even the memory', async () => {
    const dry = await coldStart({ ...ENV, DRY_RUN: 'true' });
    const s = await dry(fresh(arcSample, zoneIdOfA));
    expect(s.changes).toEqual([expect.objectContaining({ routeTableId: vpc.azs[0]!.routeTableId, status: 'dry-run' })]);
    expect(await targetOf(0)).toBe(vpc.azs[0]!.natId);
    expect(evacuationTags(await tagsOf(ec2, vpc.azs[0]!.routeTableId))).toEqual([]);
    expect((await cw.send(new DescribeAlarmsCommand({ AlarmNamePrefix: `${PREFIX}-` }))).MetricAlarms).toEqual([]);
  });
});
