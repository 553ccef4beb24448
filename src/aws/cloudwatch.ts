import { CloudWatchClient, GetMetricDataCommand, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { CAPACITY_METRICS, type CapacityMetric, METRIC_NAMESPACE, RULE_METRICS, type RuleMetric } from '../core/constants';
import type { Retrier } from '../retry';
import type { GatewayLoad, MetricPoint, MetricWindow, ProbeRound } from '../core/types';
import type { MetricReadOptions } from '../reconcile/ports';
import { PROBE_DIMENSION_AZ, PROBE_DIMENSION_VPC, PROBE_METRIC_FAILED, PROBE_NAMESPACE } from '../core/probe';
import { probeZoneKey } from '../core/probeHealth';
import { chunk } from './ec2';
import { call } from './errors';
import { clientConfig } from './clientConfig';

/** GetMetricData takes at most 500 queries per request. */
export const QUERIES_PER_CALL = 500;

/** The CloudWatch half: one-minute sums of the rule metrics, batched 500 queries a call. */
export class CloudWatchAdapter {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly retry: Retrier,
  ) {}

  /** SDK retries off: the Retrier owns backoff. */
  static fromEnvironment(retry: Retrier): CloudWatchAdapter {
    return new CloudWatchAdapter(new CloudWatchClient(clientConfig()), retry);
  }

  /**
   * `ErrorPortAllocation` summed over [start, end) per gateway: one query per gateway, one period
   * spanning the window (whole minutes). Read by `status` only: it is capacity, never a reason to
   * fail over, so the reconcile hot path does not pay for it. A gateway without a datapoint is
   * absent from the result (unknown), never zero.
   */
  async readPortAllocationErrors(natGatewayIds: readonly string[], start: Date, end: Date): Promise<ReadonlyMap<string, number>> {
    const Period = Math.max(60, Math.floor((end.getTime() - start.getTime()) / 60_000) * 60);
    const queries: MetricDataQuery[] = natGatewayIds.map((nat, i) => ({
      Id: `p${i}`,
      MetricStat: {
        Metric: { Namespace: METRIC_NAMESPACE, MetricName: 'ErrorPortAllocation', Dimensions: [{ Name: 'NatGatewayId', Value: nat }] },
        Period,
        Stat: 'Sum',
      },
      ReturnData: true,
    }));
    const out = new Map<string, number>();
    for (const batch of chunk(queries, QUERIES_PER_CALL)) {
      let token: string | undefined;
      do {
        const res = await this.retry.run('GetMetricData', () =>
          call('GetMetricData', () =>
            this.client.send(new GetMetricDataCommand({ MetricDataQueries: batch, StartTime: start, EndTime: end, ...(token ? { NextToken: token } : {}) })),
          ),
        );
        for (const r of res.MetricDataResults ?? []) {
          const nat = r.Id?.startsWith('p') ? natGatewayIds[Number(r.Id.slice(1))] : undefined;
          if (nat === undefined || !r.Values || r.Values.length === 0) continue;
          out.set(nat, (out.get(nat) ?? 0) + r.Values.reduce((a, v) => a + v, 0));
        }
        token = res.NextToken;
      } while (token);
    }
    return out;
  }

  /**
   * The probes' `ProbeFailed` per (VPC, AZ) and minute over [start, end): one query per probed
   * path, Period 60, Stat Maximum (1 when any invocation that minute failed). A minute without a
   * datum is absent (unknown), never a success. Not batched with readMetrics: GetMetricData takes
   * one StartTime/EndTime per request and the probe window (the longest hold-down) is far longer
   * than the rule metrics' few minutes; the request count per run is the same either way.
   */
  async readProbeMetrics(zones: readonly { vpcId: string; az: string }[], start: Date, end: Date): Promise<ReadonlyMap<string, readonly ProbeRound[]>> {
    const queries: MetricDataQuery[] = zones.map((z, i) => ({
      Id: `q${i}`,
      MetricStat: {
        Metric: {
          Namespace: PROBE_NAMESPACE,
          MetricName: PROBE_METRIC_FAILED,
          Dimensions: [
            { Name: PROBE_DIMENSION_VPC, Value: z.vpcId },
            { Name: PROBE_DIMENSION_AZ, Value: z.az },
          ],
        },
        Period: 60,
        Stat: 'Maximum',
      },
      ReturnData: true,
    }));
    const byZone = new Map<string, Map<number, boolean>>();
    for (const batch of chunk(queries, QUERIES_PER_CALL)) {
      let token: string | undefined;
      do {
        const res = await this.retry.run('GetMetricData', () =>
          call('GetMetricData', () =>
            this.client.send(new GetMetricDataCommand({ MetricDataQueries: batch, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending', ...(token ? { NextToken: token } : {}) })),
          ),
        );
        for (const r of res.MetricDataResults ?? []) {
          const z = r.Id?.startsWith('q') ? zones[Number(r.Id.slice(1))] : undefined;
          if (!z) continue;
          const key = probeZoneKey(z.vpcId, z.az);
          const minutes = byZone.get(key) ?? new Map<number, boolean>();
          byZone.set(key, minutes);
          (r.Timestamps ?? []).forEach((ts, k) => {
            const v = r.Values?.[k];
            if (v === undefined || !Number.isFinite(v)) return;
            const m = Math.floor(ts.getTime() / 60_000) * 60_000;
            if (m < start.getTime() || m >= end.getTime()) return;
            minutes.set(m, (minutes.get(m) ?? false) || v > 0);
          });
        }
        token = res.NextToken;
      } while (token);
    }
    const out = new Map<string, ProbeRound[]>();
    for (const [key, minutes] of byZone) {
      out.set(key, [...minutes].sort(([a], [b]) => a - b).map(([m, failed]) => ({ at: new Date(m), failed, rounds: 1, roundsFailed: failed ? 1 : 0, source: 'metric' as const })));
    }
    return out;
  }

  /**
   * One-minute sums of the rule metrics per gateway and, with `capacity`, in the same request the
   * capacity metrics (ErrorPortAllocation Sum, ActiveConnectionCount Maximum: the statistics AWS's
   * NAT gateway metric table names for them). 4 or 6 queries per gateway, 500 per call.
   */
  async readMetrics(natGatewayIds: readonly string[], start: Date, end: Date, opts: MetricReadOptions = {}): Promise<MetricWindow> {
    const index = new Map<string, { nat: string; metric: RuleMetric }>();
    const capacityIndex = new Map<string, { nat: string; metric: CapacityMetric }>();
    const queries: MetricDataQuery[] = [];
    const query = (Id: string, nat: string, MetricName: string, Stat: 'Sum' | 'Maximum'): MetricDataQuery => ({
      Id,
      MetricStat: { Metric: { Namespace: METRIC_NAMESPACE, MetricName, Dimensions: [{ Name: 'NatGatewayId', Value: nat }] }, Period: 60, Stat },
      ReturnData: true,
    });
    natGatewayIds.forEach((nat, i) => {
      RULE_METRICS.forEach((metric, j) => {
        const Id = `m${i}_${j}`;
        index.set(Id, { nat, metric });
        queries.push(query(Id, nat, metric, 'Sum'));
      });
      if (opts.capacity) {
        CAPACITY_METRICS.forEach((metric, j) => {
          const Id = `c${i}_${j}`;
          capacityIndex.set(Id, { nat, metric });
          queries.push(query(Id, nat, metric, metric === 'ActiveConnectionCount' ? 'Maximum' : 'Sum'));
        });
      }
    });
    const capacity = new Map<string, { portAllocationErrors: number | undefined; activeConnections: number | undefined }>();
    if (opts.capacity) for (const nat of natGatewayIds) capacity.set(nat, { portAllocationErrors: undefined, activeConnections: undefined });

    const byMinute = new Map<string, Map<number, Partial<Record<RuleMetric, number>>>>();
    for (const batch of chunk(queries, QUERIES_PER_CALL)) {
      let token: string | undefined;
      do {
        const res = await this.retry.run('GetMetricData', () =>
          call('GetMetricData', () =>
            this.client.send(
              new GetMetricDataCommand({ MetricDataQueries: batch, StartTime: start, EndTime: end, ScanBy: 'TimestampAscending', ...(token ? { NextToken: token } : {}) }),
            ),
          ),
        );
        for (const r of res.MetricDataResults ?? []) {
          const c = r.Id ? capacityIndex.get(r.Id) : undefined;
          if (c) {
            // Errors add up over the window; connections are a level: the highest minute counts.
            const vals = (r.Values ?? []).filter((v, k) => inWindow(r.Timestamps?.[k], start, end) && Number.isFinite(v));
            const load = capacity.get(c.nat);
            if (!load || vals.length === 0) continue;
            if (c.metric === 'ErrorPortAllocation') load.portAllocationErrors = (load.portAllocationErrors ?? 0) + vals.reduce((a, v) => a + v, 0);
            else load.activeConnections = Math.max(load.activeConnections ?? 0, ...vals);
            continue;
          }
          const q = r.Id ? index.get(r.Id) : undefined;
          if (!q) continue;
          const minutes = byMinute.get(q.nat) ?? new Map<number, Partial<Record<RuleMetric, number>>>();
          byMinute.set(q.nat, minutes);
          (r.Timestamps ?? []).forEach((ts, k) => {
            const v = r.Values?.[k];
            if (v === undefined) return;
            const m = Math.floor(ts.getTime() / 60_000) * 60_000;
            if (m < start.getTime() || m >= end.getTime()) return;
            const values = minutes.get(m) ?? {};
            values[q.metric] = (values[q.metric] ?? 0) + v;
            minutes.set(m, values);
          });
        }
        token = res.NextToken;
      } while (token);
    }
    const result = new Map<string, MetricPoint[]>();
    for (const [nat, minutes] of byMinute) {
      result.set(nat, [...minutes].sort(([a], [b]) => a - b).map(([m, values]) => ({ start: new Date(m), values })));
    }
    return { start, end, byGateway: result, ...(opts.capacity ? { capacity: capacity as ReadonlyMap<string, GatewayLoad> } : {}) };
  }
}

const inWindow = (ts: Date | undefined, start: Date, end: Date): boolean => {
  if (ts === undefined) return false;
  const m = Math.floor(ts.getTime() / 60_000) * 60_000;
  return m >= start.getTime() && m < end.getTime();
};
