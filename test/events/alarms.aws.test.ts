import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand, type MetricAlarm, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { CloudWatchAlarms } from '../../src/aws/alarms';
import { DEFAULTS } from '../../src/config';
import { desiredAlarms } from '../../src/events/alarmSpecs';
import { CloudApiError } from '../../src/errors';
import { PushedSignals } from '../../src/signals';
import type { Inventory, NatGateway } from '../../src/types';
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
  const recorder = { info: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(`ERROR ${m}`), count() {} };
  const cloud = { createTags: jest.fn(), deleteTags: jest.fn() };
  return { retry, logs, source: new PushedSignals({ cloud, alarms: store, recorder }, RULES) };
}
const ctx = (nats: NatGateway[], dryRun = false) => ({ inventory: inventory(nats), dryRun, updates: [] });

describe('alarm manager (exact CloudWatch requests)', () => {
  it('creates both alarms per gateway, metric math over one-minute sums, M of N, missing = missing', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    cw.on(PutMetricAlarmCommand).resolves({});
    const { source, retry } = signals();
    await source.read(now, ctx([A]));
    expect(cw.commandCalls(DescribeAlarmsCommand).map((c) => c.args[0].input)).toStrictEqual([
      { AlarmNamePrefix: 'nat-failover-prod-', AlarmTypes: ['MetricAlarm'], MaxRecords: 100, NextToken: undefined },
    ]);
    const puts = cw.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input);
    expect(puts).toHaveLength(2);
    const drops = puts.find((p) => p.AlarmName === `nat-failover-prod-${A.id}-packet-drops`);
    const spec = desiredAlarms([A], RULES)[0]!;
    expect(drops).toStrictEqual({
      AlarmName: `nat-failover-prod-${A.id}-packet-drops`,
      AlarmDescription: spec.description,
      Metrics: [
        { Id: 'drops', MetricStat: { Metric: { Namespace: 'AWS/NATGateway', MetricName: 'PacketsDropCount', Dimensions: [{ Name: 'NatGatewayId', Value: A.id }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'out', MetricStat: { Metric: { Namespace: 'AWS/NATGateway', MetricName: 'PacketsOutToDestination', Dimensions: [{ Name: 'NatGatewayId', Value: A.id }] }, Period: 60, Stat: 'Sum' }, ReturnData: false },
        { Id: 'ratio', Expression: 'IF(drops + out >= 1000, drops / IF(out > 0, out, 1), 0)', Label: 'packet-drop ratio', ReturnData: true },
      ],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0.001,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      TreatMissingData: 'missing',
    });
    const conn = puts.find((p) => p.AlarmName === `nat-failover-prod-${A.id}-connection-failures`);
    expect(conn?.Metrics?.[2]).toStrictEqual({ Id: 'ratio', Expression: 'IF(attempts >= 100, established / IF(attempts > 0, attempts, 1), 1)', Label: 'connection establishment ratio', ReturnData: true });
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
    expect(puts.map((p) => [p.AlarmName, p.Threshold])).toEqual([[`nat-failover-prod-${A.id}-packet-drops`, 0.001]]);
  });

  it('deletes the alarms of gateways that are gone or no longer available, in one call', async () => {
    cw.on(DescribeAlarmsCommand).resolves({ MetricAlarms: described([A, B]) });
    cw.on(DeleteAlarmsCommand).resolves({});
    const { source } = signals();
    await source.read(now, ctx([A, { ...B, state: 'failed' }]));
    expect(cw.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input)).toStrictEqual([
      { AlarmNames: [`nat-failover-prod-${B.id}-connection-failures`, `nat-failover-prod-${B.id}-packet-drops`] },
    ]);
    expect(cw.commandCalls(PutMetricAlarmCommand)).toHaveLength(0);
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
    const name = `nat-failover-prod-${A.id}-packet-drops`;
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

  it('reads a CloudWatch failure as "no alarm signal", logged, never a failed run', async () => {
    cw.on(DescribeAlarmsCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const { source, logs } = signals();
    await expect(source.read(now, ctx([A]))).resolves.toEqual({ evacuations: [], alarms: [] });
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
