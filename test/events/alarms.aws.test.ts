import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand, type MetricAlarm, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAlarms } from '../../src/aws/alarms';
import { DEFAULTS } from '../../src/config';
import { desiredAlarms } from '../../src/events/alarmSpecs';
import { CloudApiError } from '../../src/errors';
import { PushedSignals } from '../../src/events/signals';
import type { Inventory, NatGateway } from '../../src/core/types';
import { retrier } from '../aws/fakes';

const client = new CloudWatchClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const cw = mockClient(client);
afterEach(() => cw.reset());

const RULES = { ...DEFAULTS, alarmPrefix: 'nat-failover-prod' };
const nat = (id: string, az: string, over: Partial<NatGateway> = {}): NatGateway => ({ id, vpcId: 'vpc-00000001', az, state: 'available', connectivityType: 'public', availabilityMode: 'zonal', ...over });
const A = nat('nat-0aaaaaaaaaaaaaaa1', 'us-east-1a');
const B = nat('nat-0bbbbbbbbbbbbbbb2', 'us-east-1b');
const inventory = (nats: NatGateway[]): Inventory => ({ zones: [], natGateways: nats, routeTables: [] });
const now = new Date('2026-11-23T12:10:00Z');

/** What DescribeAlarms returns for alarms the controller wrote from `rules`. */
function described(nats: NatGateway[], rules = RULES, state: MetricAlarm['StateValue'] = 'OK'): MetricAlarm[] {
  return desiredAlarms(nats, rules).map((s) => ({ AlarmName: s.name, AlarmDescription: s.description, StateValue: state, StateUpdatedTimestamp: new Date('2026-11-23T12:00:00Z') }));
}

function signals() {
  const { retry } = retrier();
  const store = new CloudWatchAlarms(client, retry);
  const logs: string[] = [];
  const infos: { message: string; data?: Record<string, unknown> }[] = [];
  const recorder = {
    info: (m: string, data?: Record<string, unknown>) => (logs.push(m), infos.push({ message: m, data })),
    warn: (m: string) => logs.push(m),
    error: (m: string) => logs.push(`ERROR ${m}`),
    count() {},
  };
  const cloud = { createTags: jest.fn(), deleteTags: jest.fn() };
  return { retry, logs, infos, source: new PushedSignals({ cloud, alarms: store, recorder }, RULES) };
}
const ctx = (nats: NatGateway[], dryRun = false) => ({ inventory: inventory(nats), dryRun, updates: [] });

describe('alarm manager (exact CloudWatch requests)', () => {
  it('creates both alarms per gateway, metric math over one-minute sums, M of N, missing = missing', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    cw.on(PutMetricAlarmCommand).resolves({});
    const { source, retry } = signals();
    await source.read(now, ctx([A]));
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toStrictEqual([
      { AlarmNamePrefix: 'nat-failover-prod-gw-', AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken: undefined },
    ]);
    const puts = cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    const drops = puts.find((p) => p.AlarmName === `nat-failover-prod-gw-${A.id}-packet-drops`);
    const spec = desiredAlarms([A], RULES)[0]!;
    expect(drops).toStrictEqual({
      AlarmName: `nat-failover-prod-gw-${A.id}-packet-drops`,
      AlarmDescription: spec.description,
      Metrics: [
        { Id: 'drops', MetricStat: { Metric: { Namespace: 'AWS/NATGateway', MetricName: 'PacketsDropCount', Dimensions: [{ Name: 'NatGatewayId', Value: A.id }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'out', MetricStat: { Metric: { Namespace: 'AWS/NATGateway', MetricName: 'PacketsOutToDestination', Dimensions: [{ Name: 'NatGatewayId', Value: A.id }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'ratio', Expression: 'IF(((((FILL(drops, 0) == FILL(drops, 1)) * (FILL(out, 0) == FILL(out, 1))) * ((FILL(drops, 0) + FILL(out, 0)) >= 1000)) > 0), (FILL(drops, 0) / IF((FILL(out, 0) > 0), FILL(out, 0), 1)), 0.001)', Label: 'packet-drop ratio', ReturnData: true },
      ],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.001,
      // The poller's 5 judged minutes plus the 2 not yet published (METRIC_LAG_SECONDS 120).
      EvaluationPeriods: 7,
      DatapointsToAlarm: 3,
      TreatMissingData: 'missing',
    });
    const conn = puts.find((p) => p.AlarmName === `nat-failover-prod-gw-${A.id}-connection-failures`);
    expect(conn?.Metrics?.[2]).toStrictEqual({ Id: 'ratio', Expression: 'IF(((((FILL(established, 0) == FILL(established, 1)) * (FILL(attempts, 0) == FILL(attempts, 1))) * (FILL(attempts, 0) >= 100)) > 0), (FILL(established, 0) / IF((FILL(attempts, 0) > 0), FILL(attempts, 0), 1)), 0.5)', Label: 'connection establishment ratio', ReturnData: true });
    expect(conn).toMatchObject({ ComparisonOperator: 'LessThanThreshold', Threshold: 0.5 });
    expect(cw.commandCalls(DeleteAlarmsCommand)).toHaveLength(0);
    expect(retry.stats.byOperation).toEqual({ DescribeAlarms: 1, PutMetricAlarm: 2 });
  });

  it('makes exactly one call when the alarms are in step (steady state)', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: described([A, B]) });
    const { source, retry } = signals();
    const r = await source.read(now, ctx([A, B]));
    expect(r.alarms).toEqual([]);
    expect(retry.stats.calls).toBe(1);
    expect(cw.calls()).toHaveLength(1);
  });

  it('updates only the alarms whose thresholds changed', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: described([A], { ...RULES, packetDropRatio: 0.01 }) });
    cw.on(PutMetricAlarmCommand).resolves({});
    const { source } = signals();
    await source.read(now, ctx([A]));
    const puts = cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.AlarmName, p.Threshold])).toEqual([[`nat-failover-prod-gw-${A.id}-packet-drops`, 0.001]]);
  });

  it('deletes the alarms of gateways that are gone or no longer available, in one call', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: described([A, B]) });
    cw.on(DeleteAlarmsCommand).resolves({});
    const { source } = signals();
    await source.read(now, ctx([A, { ...B, state: 'failed' }]));
    expect(cw.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input)).toStrictEqual([
      { AlarmNames: [`nat-failover-prod-gw-${B.id}-connection-failures`, `nat-failover-prod-gw-${B.id}-packet-drops`] },
    ]);
    expect(cw.commandCalls(PutMetricAlarmCommand)).toHaveLength(0);
  });

  describe('never deletes an alarm it did not write', () => {
    const C = nat('nat-0ccccccccccccccc3', 'us-east-1c');
    const other = (AlarmName: string, AlarmDescription = 'someone else'): MetricAlarm => ({ AlarmName, AlarmDescription, StateValue: 'OK' });
    // Everything in the account whose name starts like ours: the stack's controller alarms
    // (serverless.yml), a sibling stage `prod-eu` (its prefix extends ours), a sibling stage
    // `prod-gw` whose alarms even fall under our -gw- namespace, and look-alikes of ours.
    const stack = [other('nat-failover-prod-reconcile-errors', 'nat-failover reconcile raised an error'), other('nat-failover-prod-reconcile-not-running')];
    const siblingEu = described([C], { ...RULES, alarmPrefix: 'nat-failover-prod-eu' });
    const siblingGw = described([C], { ...RULES, alarmPrefix: 'nat-failover-prod-gw' });
    const [cDrops, cConn] = described([C]);
    const lookAlikes = [
      // Our exact name for a gateway that is gone, but no [spec …] mark: written by hand.
      { ...cDrops!, AlarmDescription: 'copied from the console' },
      // The mark, but not a name we write.
      { ...cConn!, AlarmName: `${cConn!.AlarmName}-copy` },
      { ...cConn!, AlarmName: `nat-failover-prod-gw-nat-0CCCCCCCCCCCCCCC3-connection-failures` },
    ];
    const gone = described([B]);
    const account = [...stack, ...siblingEu, ...siblingGw, ...lookAlikes, ...described([A]), ...gone];
    const sorted = (names: (string | undefined)[]) => [...names].sort();

    it('lists only the -gw- namespace and deletes only the gone gateway\'s own alarms', async () => {
      // DescribeAlarms as CloudWatch answers it: by name prefix.
      cw.on(DescribeAlarmsCommand).callsFake((input) => ({ MetricAlarms: account.filter((a) => a.AlarmName!.startsWith(input.AlarmNamePrefix ?? '')) }));
      cw.on(DeleteAlarmsCommand).resolves({});
      const { source } = signals();
      await source.read(now, ctx([A]));
      expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input.AlarmNamePrefix)).toStrictEqual(['nat-failover-prod-gw-']);
      expect(cw.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input)).toStrictEqual([{ AlarmNames: sorted(gone.map((a) => a.AlarmName)) }]);
      expect(cw.commandCalls(PutMetricAlarmCommand)).toHaveLength(0);
    });

    it('leaves them alone even if the listing returned every one of them, and logs them once', async () => {
      // A listing wider than asked for (say, a future change to the prefix) must still delete nothing foreign.
      cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: account });
      cw.on(DeleteAlarmsCommand).resolves({});
      const { source, infos } = signals();
      await source.read(now, ctx([A]));
      await source.read(now, ctx([A]));
      const deleted = cw.commandCalls(DeleteAlarmsCommand).flatMap((c) => c.args[0].input.AlarmNames ?? []);
      expect(sorted(deleted)).toStrictEqual(sorted([...gone, ...gone].map((a) => a.AlarmName)));
      const foreign = sorted([...stack, ...siblingEu, ...siblingGw, ...lookAlikes].map((a) => a.AlarmName));
      const reported = infos.filter((i) => i.message === 'alarms under the prefix not written by this controller; left alone');
      expect(reported.map((i) => i.data)).toStrictEqual([{ alarms: foreign }]);
    });
  });

  it('follows DescribeAlarms pages and reports the alarms in ALARM as gateway alarms', async () => {
    const all = described([A, B]);
    const inAlarm = { ...all[0]!, StateValue: 'ALARM' as const, StateUpdatedTimestamp: new Date('2026-11-23T12:04:40Z') };
    cw.on(DescribeAlarmsCommand, { NextToken: undefined }).resolves({ MetricAlarms: [inAlarm, all[1]!], NextToken: 'p2' });
    cw.on(DescribeAlarmsCommand, { NextToken: 'p2' }).resolves({ MetricAlarms: all.slice(2) });
    const { source } = signals();
    const r = await source.read(now, ctx([A, B]));
    expect(cw.commandCalls(DescribeAlarmsCommand)).toHaveLength(2);
    expect(cw.commandCalls(PutMetricAlarmCommand)).toHaveLength(0);
    expect(r.alarms).toEqual([{ natGatewayId: A.id, alarmName: inAlarm.AlarmName, since: new Date('2026-11-23T12:04:40Z') }]);
  });

  it('trusts a newer state-change event over a lagging DescribeAlarms', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: described([A]) });
    const { source } = signals();
    const name = `nat-failover-prod-gw-${A.id}-packet-drops`;
    const r = await source.read(now, { ...ctx([A]), updates: [{ kind: 'alarm-state', alarmName: name, state: 'ALARM', at: new Date('2026-11-23T12:09:00Z') }] });
    expect(r.alarms.map((a) => a.alarmName)).toEqual([name]);
    const stale = await source.read(now, { ...ctx([A]), updates: [{ kind: 'alarm-state', alarmName: name, state: 'ALARM', at: new Date('2026-11-23T11:00:00Z') }] });
    expect(stale.alarms).toEqual([]);
  });

  it('writes nothing in a dry run, but still reads', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: described([B]) });
    const { source, logs } = signals();
    await source.read(now, ctx([A], true));
    expect(cw.commandCalls(PutMetricAlarmCommand)).toHaveLength(0);
    expect(cw.commandCalls(DeleteAlarmsCommand)).toHaveLength(0);
    expect(logs).toContain('dry run: alarms not changed');
  });

  it('reads a CloudWatch failure as "no alarm signal" from an unread source, logged, never a failed run', async () => {
    cw.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const { source, logs } = signals();
    // No alarm signal, but the source says it was blind, so restores wait (src/core/planner.ts).
    await expect(source.read(now, ctx([A]))).resolves.toEqual({
      evacuations: [],
      alarms: [],
      unread: [{ source: 'alarms', error: 'DescribeAlarms failed: AccessDenied: denied' }],
      pendingWrites: 0,
    });
    expect(logs.some((l) => l.startsWith('ERROR alarms not read'))).toBe(true);
  });

  it('maps a rejected PutMetricAlarm to a domain error', async () => {
    cw.on(PutMetricAlarmCommand).rejects(Object.assign(new Error('bad'), { name: 'LimitExceeded', $metadata: { httpStatusCode: 400 } }));
    const { retry } = retrier();
    await expect(new CloudWatchAlarms(client, retry).put(desiredAlarms([A], RULES)[0]!)).rejects.toBeInstanceOf(CloudApiError);
  });

  it('deletes in batches of 100 names', async () => {
    cw.on(DeleteAlarmsCommand).resolves({});
    const { retry } = retrier();
    await new CloudWatchAlarms(client, retry).remove(Array.from({ length: 150 }, (_, i) => `n${i}`));
    expect(cw.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length)).toEqual([100, 50]);
  });
});
