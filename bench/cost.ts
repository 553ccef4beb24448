import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS } from '../src/config';
import { RULE_METRICS } from '../src/core/constants';
import { desiredAlarms } from '../src/events/alarmSpecs';
import type { NatGateway } from '../src/core/types';

/** Published list prices (us-east-1) the model uses; free tiers are ignored unless stated. */
export const PRICES = {
  getMetricDataPer1000Metrics: 0.01,
  alarmPerMetricMonth: 0.1,
  cloudwatchApiPer1000Requests: 0.01,
  cloudwatchApiFreeRequests: 1_000_000,
  lambdaPerMillionRequests: 0.2,
  lambdaPerGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
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

const gateways = (n: number): NatGateway[] =>
  Array.from({ length: n }, (_, i) => ({ id: `nat-${i}`, vpcId: 'vpc-1', az: `az-${i}`, state: 'available', connectivityType: 'public', availabilityMode: 'zonal' }));

const usd = (x: number): number => Math.round(x * 10_000) / 10_000;

export function cloudwatchCost(): { rows: CostRow[]; assumptions: Record<string, unknown> } {
  const polls = MINUTES_PER_MONTH / DEFAULTS.metricPollMinutes;
  const rows = COST_GATEWAYS.map((n): CostRow => {
    const metrics = polls * RULE_METRICS.length * n;
    const specs = desiredAlarms(gateways(n), DEFAULTS);
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
