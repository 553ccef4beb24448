import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../src/config';
import { RULE_METRICS } from '../src/core/constants';
import { desiredAlarms } from '../src/events/alarmSpecs';
import type { NatGateway } from '../src/core/types';

/**
 * Published list prices (us-east-1) the model uses; free tiers are ignored unless stated (they are
 * per account and shared with everything else in it). Sources: aws.amazon.com/cloudwatch/pricing
 * (metrics, alarms, dashboards, API requests, logs), aws.amazon.com/lambda/pricing (arm64),
 * aws.amazon.com/sqs/pricing.
 */
export const PRICES = {
  getMetricDataPer1000Metrics: 0.01,
  alarmPerMetricMonth: 0.1,
  cloudwatchApiPer1000Requests: 0.01,
  cloudwatchApiFreeRequests: 1_000_000,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
  /** Custom metrics, first 10,000: per series-month, prorated by the hour a series is published. */
  customMetricPerMonth: 0.3,
  dashboardPerMonth: 3,
  logsIngestionPerGb: 0.5,
  logsStoragePerGbMonth: 0.03,
  /** CloudWatch Logs counts each event as its UTF-8 message plus 26 bytes. */
  logEventOverheadBytes: 26,
  sqsPerMillionRequests: 0.4,
} as const;

export const MINUTES_PER_MONTH = 43_200; // 30 days at the 1-minute schedule
export const COST_GATEWAYS = [1, 3, 6] as const;

export interface CostRow {
  readonly gateways: number;
  /** ALARMS=off: the schedule polls GetMetricData every METRIC_POLL_MINUTES. */
  readonly pollMetricsPerMonth: number;
  readonly pollUsdPerMonth: number;
  /** ALARMS=managed (default): standard alarms, billed per metric each reads. */
  readonly alarms: number;
  readonly alarmMetrics: number;
  readonly alarmUsdPerMonth: number;
  /** One DescribeAlarms a run (43,200 a month): inside CloudWatch's 1M free API requests, else this. */
  readonly describeAlarmsUsdPerMonthBeyondFreeTier: number;
}

const gatewayList = (n: number): NatGateway[] =>
  Array.from({ length: n }, (_, i) => ({ id: `nat-${i}`, vpcId: 'vpc-1', az: `az-${i}`, state: 'available', connectivityType: 'public', availabilityMode: 'zonal' }));

const usd = (x: number): number => Math.round(x * 10_000) / 10_000;

export function cloudwatchCost(): { rows: CostRow[]; assumptions: Record<string, unknown> } {
  const polls = MINUTES_PER_MONTH / DEFAULTS.metricPollMinutes;
  const rows = COST_GATEWAYS.map((n): CostRow => {
    const metrics = polls * RULE_METRICS.length * n;
    const specs = desiredAlarms(gatewayList(n), DEFAULTS);
    // A metric-math alarm is billed per metric it reads (its MetricStat queries), not per expression.
    const alarmMetrics = specs.reduce((a, s) => a + s.metrics.filter((m) => m.metricName !== undefined).length, 0);
    return {
      gateways: n,
      pollMetricsPerMonth: metrics,
      pollUsdPerMonth: usd((metrics / 1000) * PRICES.getMetricDataPer1000Metrics),
      alarms: specs.length,
      alarmMetrics,
      alarmUsdPerMonth: usd(alarmMetrics * PRICES.alarmPerMetricMonth),
      describeAlarmsUsdPerMonthBeyondFreeTier: usd((MINUTES_PER_MONTH / 1000) * PRICES.cloudwatchApiPer1000Requests),
    };
  });
  return {
    rows,
    assumptions: {
      defaultAlarmMode: DEFAULTS.alarms,
      metricPollMinutes: DEFAULTS.metricPollMinutes,
      metricsPerGatewayPerPoll: RULE_METRICS.length,
      softRule: `${DEFAULTS.softBadPeriods} of ${DEFAULTS.softWindowPeriods} one-minute periods`,
      note: 'managed mode skips the scheduled poll; alarm-triggered and manual runs still read metrics once each (4 metrics per gateway, $0.00004 per gateway per event)',
    },
  };
}

export interface LambdaCost {
  readonly invocationsPerMonth: number;
  readonly memoryMb: number;
  readonly architecture: string;
  /** Billed duration per steady-state run: simulated API time + measured CPU time of the run. */
  readonly billedMsPerRun: number;
  readonly requestUsdPerMonth: number;
  readonly computeUsdPerMonth: number;
  readonly totalUsdPerMonth: number;
}

/** Memory and architecture as the stack deploys them (serverless.yml provider block). */
export function stackSettings(): { memoryMb: number; architecture: 'arm64' | 'x86_64' } {
  const yml = readFileSync(join(__dirname, '..', 'serverless.yml'), 'utf8');
  const memoryMb = Number(/^\s{2}memorySize:\s*(\d+)/m.exec(yml)?.[1] ?? 1024);
  const architecture = /^\s{2}architecture:\s*arm64/m.test(yml) ? 'arm64' : 'x86_64';
  return { memoryMb, architecture };
}

export function lambdaCost(billedMsPerRun: number): LambdaCost {
  const { memoryMb, architecture } = stackSettings();
  const requestUsd = (MINUTES_PER_MONTH / 1e6) * PRICES.lambdaPerMillionRequests;
  const gbSeconds = MINUTES_PER_MONTH * (billedMsPerRun / 1000) * (memoryMb / 1024);
  const computeUsd = gbSeconds * PRICES.lambdaPerGbSecond[architecture];
  return {
    invocationsPerMonth: MINUTES_PER_MONTH,
    memoryMb,
    architecture,
    billedMsPerRun,
    requestUsdPerMonth: usd(requestUsd),
    computeUsdPerMonth: usd(computeUsd),
    totalUsdPerMonth: usd(requestUsd + computeUsd),
  };
}

export interface StackCostItem {
  readonly usd: number;
  readonly basis: string;
}

export interface StackCost {
  readonly gateways: number;
  readonly totalUsd: number;
  readonly items: {
    readonly alarms: StackCostItem;
    readonly customMetrics: StackCostItem;
    readonly dashboard: StackCostItem;
    readonly logs: StackCostItem;
    readonly lambda: StackCostItem;
    readonly apiRequests: StackCostItem;
    readonly lostEventsQueue: StackCostItem;
  };
}

/** The stack's own alarms (serverless.yml resources) and whether the dashboard is on by default. */
export function stackResources(): { stackAlarms: number; dashboardDefault: boolean } {
  const yml = readFileSync(join(__dirname, '..', 'serverless.yml'), 'utf8');
  const stackAlarms = (yml.match(/^\s+Type: AWS::CloudWatch::Alarm$/gm) ?? []).length;
  const dashboardDefault = /^\s{4}dashboard: '?true'?$/m.test(yml);
  return { stackAlarms, dashboardDefault };
}

/**
 * Every billed item of the stack at its default settings for `gateways` NAT gateways, per month
 * (30 days, one scheduled run a minute), at list price. Steady state: no failover that month.
 */
export function stackCost(
  gateways: number,
  lambda: LambdaCost,
  run: { appLogEvents: number; appLogBytes: number; platformLogEvents: number; platformLogBytes: number; metricSeries: number; describeAlarmsPerRun: number },
): StackCost {
  const specs = desiredAlarms(gatewayList(gateways), DEFAULTS);
  const alarmMetrics = specs.reduce((a, s) => a + s.metrics.filter((m) => m.metricName !== undefined).length, 0);
  const { stackAlarms, dashboardDefault } = stackResources();
  const alarmUsd = (alarmMetrics + stackAlarms) * PRICES.alarmPerMetricMonth;
  // A series published in a quiet run would be billed all month; the controller publishes none.
  const metricsUsd = run.metricSeries * PRICES.customMetricPerMonth;
  const events = (run.appLogEvents + run.platformLogEvents) * MINUTES_PER_MONTH;
  const bytes = (run.appLogBytes + run.platformLogBytes) * MINUTES_PER_MONTH + events * PRICES.logEventOverheadBytes;
  const gb = bytes / 1024 ** 3;
  // 30-day retention: about one month of logs is stored at any time (counted uncompressed).
  const logsUsd = gb * (PRICES.logsIngestionPerGb + PRICES.logsStoragePerGbMonth);
  const apiRequests = run.describeAlarmsPerRun * MINUTES_PER_MONTH;
  const apiUsd = (apiRequests / 1000) * PRICES.cloudwatchApiPer1000Requests;
  const items = {
    alarms: { usd: usd(alarmUsd), basis: `${alarmMetrics} metrics read by ${specs.length} gateway alarms + ${stackAlarms} stack alarms, $${PRICES.alarmPerMetricMonth} per alarm metric` },
    customMetrics: { usd: usd(metricsUsd), basis: `${run.metricSeries} series published by a steady-state run (counts only when nonzero; an incident adds about $${(PRICES.customMetricPerMonth / 730).toFixed(4)} per series-hour)` },
    dashboard: { usd: dashboardDefault ? PRICES.dashboardPerMonth : 0, basis: dashboardDefault ? 'on by default' : `opt-in (--param="dashboard=true"): $${PRICES.dashboardPerMonth.toFixed(2)} when on, beyond the account's 3 free dashboards` },
    logs: { usd: usd(logsUsd), basis: `${(bytes / 1024 ** 2).toFixed(1)} MB/month (${run.appLogEvents} app + ${run.platformLogEvents} platform lines a run), ingestion $${PRICES.logsIngestionPerGb}/GB + storage $${PRICES.logsStoragePerGbMonth}/GB-month` },
    lambda: { usd: lambda.totalUsdPerMonth, basis: `${lambda.invocationsPerMonth} runs, ${lambda.billedMsPerRun} ms billed, ${lambda.memoryMb} MB ${lambda.architecture}` },
    apiRequests: { usd: usd(apiUsd), basis: `${apiRequests} DescribeAlarms a month at $${PRICES.cloudwatchApiPer1000Requests}/1000 (inside the account's 1M free requests if nothing else uses them); EC2 Describe calls are free` },
    lostEventsQueue: { usd: 0, basis: `SQS: requests only when an event is lost ($${PRICES.sqsPerMillionRequests} per million); an idle queue is free` },
  };
  const totalUsd = usd(Object.values(items).reduce((a, i) => a + i.usd, 0));
  return { gateways, totalUsd, items };
}
