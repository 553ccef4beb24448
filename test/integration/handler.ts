/**
 * Runs the real Lambda handler (handlers/reconcile.ts) the way Lambda does: configuration is read
 * at cold start, so each `coldStart` sets the environment, then loads a fresh copy of the module.
 */
import { GetMetricDataCommand, PutMetricDataCommand, CloudWatchClient, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { DescribeNatGatewaysCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';
import { DEFAULTS } from '../../src/config';
import { metricWindow } from '../../src/reconcile/controller';
import type { RunSummary } from '../../src/reconcile/report';

export const SCHEDULE_EVENT = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-23T12:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:events:us-east-1:123456789012:rule/nat-failover-test-schedule'],
  detail: {},
};

const CONTEXT = {
  functionName: 'nat-failover-test-reconcile',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:nat-failover-test-reconcile',
  memoryLimitInMB: '256',
  awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
  getRemainingTimeInMillis: () => 60_000,
} as unknown as Context;

/** Every variable the handler reads; a test's values replace these for one cold start. */
const BASE_ENV: Record<string, string> = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  METRIC_POLL_MINUTES: '1',
};
const CONFIG_VARS = [
  'MANAGED_TAG_KEY', 'MANAGED_TAG_VALUE', 'VPC_IDS', 'DRY_RUN', 'RESTORE_HOLD_DOWN_SECONDS', 'MAX_CHANGES_PER_RUN',
  'SOFT_BAD_PERIODS', 'SOFT_WINDOW_PERIODS', 'PACKET_DROP_RATIO', 'PACKET_DROP_MIN_PACKETS', 'CONNECTION_SUCCESS_RATIO',
  'CONNECTION_MIN_ATTEMPTS', 'METRIC_LAG_SECONDS', 'METRIC_POLL_MINUTES', 'WRITE_CONCURRENCY', 'NOTIFY_TOPIC',
  'ALARMS', 'ALARM_PREFIX', 'EVACUATION_MAX_AGE_SECONDS', 'EC2_WRITE_BURST', 'EC2_WRITE_RATE', 'TABLES_READ_PER_RUN',
  'PROBES', 'PROBE_BAD_ROUNDS', 'PROBE_WINDOW_ROUNDS', 'PROBE_FRESH_SECONDS', 'PROBE_LAG_SECONDS', 'PROBE_WAIT_SECONDS',
];

export type Invoke = (event?: unknown, remainingMs?: number) => Promise<RunSummary>;

/** Loads the handler module afresh with `env` (on top of the moto environment). */
export async function coldStart(env: Record<string, string> = {}): Promise<Invoke> {
  const saved = { ...process.env };
  for (const k of CONFIG_VARS) delete process.env[k];
  Object.assign(process.env, BASE_ENV, env);
  try {
    jest.resetModules();
    const { handler } = await import('../../handlers/reconcile');
    // remainingMs: what getRemainingTimeInMillis answers (the invocation's deadline), 60 s by default.
    return async (event = SCHEDULE_EVENT, remainingMs?: number) =>
      (await handler(event, remainingMs === undefined ? CONTEXT : ({ ...CONTEXT, getRemainingTimeInMillis: () => remainingMs } as Context))) as RunSummary;
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
}

/** The public subnet a gateway lives in (to create its replacement in the same AZ). */
export async function subnetOfNat(ec2: EC2Client, natId: string): Promise<string> {
  const res = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));
  return res.NatGateways![0]!.SubnetId!;
}

const MINUTE = 60_000;

/**
 * The minutes the handler will judge if it runs now, plus the next one: a run that slips into
 * the following minute judges a window shifted by one, and the test layouts stay true for both.
 */
export async function judgedMinutes(): Promise<Date[]> {
  // Keep clear of a minute edge so "now" here and in the handler are at most one minute apart.
  const into = Date.now() % MINUTE;
  if (into > 50_000) await new Promise((r) => setTimeout(r, MINUTE - into + 500));
  const w = metricWindow(new Date(), { metricLagSeconds: DEFAULTS.metricLagSeconds, softWindowPeriods: DEFAULTS.softWindowPeriods });
  return Array.from({ length: DEFAULTS.softWindowPeriods + 1 }, (_, i) => new Date(w.start.getTime() + i * MINUTE));
}

export interface Traffic {
  readonly out: number;
  readonly drop: number;
}
export const GOOD: Traffic = { out: 10_000, drop: 0 };
/** 1 % of packets dropped: ten times the 0.1 % default threshold. */
export const BAD: Traffic = { out: 10_000, drop: 100 };

/** One datapoint per metric per minute, where AWS publishes NAT gateway metrics. */
export async function putNatTraffic(cw: CloudWatchClient, natId: string, minutes: readonly Date[], t: Traffic): Promise<void> {
  const datum = (MetricName: string, Value: number, Timestamp: Date): MetricDatum => ({
    MetricName,
    Dimensions: [{ Name: 'NatGatewayId', Value: natId }],
    Timestamp,
    Value,
    Unit: 'Count',
  });
  const data = minutes.flatMap((m) => [datum('PacketsOutToDestination', t.out, m), datum('PacketsDropCount', t.drop, m)]);
  await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/NATGateway', MetricData: data }));
}

/** Sums as the handler will read them (to check the seed before blaming the controller). */
export async function sumsOf(cw: CloudWatchClient, natId: string, metric: string, start: Date, end: Date): Promise<number[]> {
  const res = await cw.send(
    new GetMetricDataCommand({
      StartTime: start,
      EndTime: end,
      ScanBy: 'TimestampAscending',
      MetricDataQueries: [
        { Id: 'q', MetricStat: { Metric: { Namespace: 'AWS/NATGateway', MetricName: metric, Dimensions: [{ Name: 'NatGatewayId', Value: natId }] }, Period: 60, Stat: 'Sum' } },
      ],
    }),
  );
  return res.MetricDataResults?.[0]?.Values ?? [];
}

export const newCloudWatch = (): CloudWatchClient => new CloudWatchClient({});
