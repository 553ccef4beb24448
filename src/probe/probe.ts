import {
  PROBE_DIMENSION_AZ,
  PROBE_DIMENSION_VPC,
  PROBE_EVENT_DETAIL_TYPE,
  PROBE_EVENT_SOURCE,
  PROBE_METRIC_FAILED,
  PROBE_METRIC_LATENCY,
  PROBE_NAMESPACE,
  PROBE_UNDELIVERED_ERROR,
  type ProbeCheckResult,
  type ProbeVerdictEvent,
} from '../core/probe';
import type { CheckOutcome } from './check';
import type { ProbeConfig } from './config';
import type { LineSink, ProbeCloud, ProbePlacement } from './ports';
import { runRounds, type RoundsResult } from './rounds';

/** The contract caps a verdict's results at 20. */
export const MAX_RESULTS = 20;

/**
 * Why a probe subnet would not measure the home path, or nothing at all: each reason is logged as a
 * WARN at every cold start. The probe subnet's table must be the operator's own, unmanaged, with
 * its default route on the NAT gateway of its own AZ, so it keeps measuring the home gateway while
 * the AZ's managed tables are away on another AZ's gateway.
 */
export function placementWarnings(p: ProbePlacement, managedTagKey: string): string[] {
  const w: string[] = [];
  if (p.usesMainTable) w.push(`subnet ${p.subnetId} has no route table of its own (it follows the VPC's main table): give it one that points at its AZ's NAT gateway`);
  if (p.routeTableTagKeys.includes(managedTagKey)) {
    w.push(`route table ${p.routeTableId ?? '?'} of probe subnet ${p.subnetId} carries the ${managedTagKey} tag: the controller may repoint it, and the probe would then measure another AZ's gateway`);
  }
  if (p.natGatewayId === undefined) w.push(`probe subnet ${p.subnetId}'s route table has no 0.0.0.0/0 route to a NAT gateway: the probe does not measure a NAT path`);
  else if (p.natGatewayAz === undefined) w.push(`probe subnet ${p.subnetId} routes through ${p.natGatewayId}, whose AZ could not be read (a regional gateway?): the probe must measure one AZ's zonal gateway`);
  else if (p.natGatewayAz !== p.availabilityZone) {
    w.push(`probe subnet ${p.subnetId} (${p.availabilityZone}) routes through ${p.natGatewayId} in ${p.natGatewayAz}: the probe must measure its own AZ's gateway`);
  }
  return w;
}

/**
 * One Embedded Metric Format line: the contract's metrics, one datum each, dimensions
 * { VpcId, AvailabilityZone }, timestamped at the first round's start. Lambda ships stdout to
 * CloudWatch Logs, which extracts the metrics: no PutMetricData request ($0.01 per 1,000, 43,200 a
 * month per AZ) and no network path needed from the function (the log goes out through Lambda,
 * not through the VPC's NAT gateway the probe may just have found broken). Sources: CloudWatch guide,
 * "Embedding metrics within logs" (the format; CloudWatch extracts the metrics); Lambda guide,
 * "Publishing custom metrics with the embedded metric format" (no cloudwatch:PutMetricData
 * permission needed: the logs permissions suffice).
 */
export function metricLine(placement: ProbePlacement, r: RoundsResult): string {
  // One metric series per AZ (ProbeFailed); the latency rides along as a plain log property
  // (src/core/probe.ts PROBE_METRIC_LATENCY: not a metric, to stay under $0.50 per AZ).
  const metrics = [{ Name: PROBE_METRIC_FAILED, Unit: 'Count' }];
  return JSON.stringify({
    _aws: {
      Timestamp: r.at.getTime(),
      CloudWatchMetrics: [{ Namespace: PROBE_NAMESPACE, Dimensions: [[PROBE_DIMENSION_VPC, PROBE_DIMENSION_AZ]], Metrics: metrics }],
    },
    [PROBE_DIMENSION_VPC]: placement.vpcId,
    [PROBE_DIMENSION_AZ]: placement.availabilityZone,
    [PROBE_METRIC_FAILED]: r.verdict === 'failed' ? 1 : 0,
    ...(r.latencyMs !== undefined ? { [PROBE_METRIC_LATENCY]: r.latencyMs } : {}),
    probe: { subnetId: placement.subnetId, roundsRun: r.roundsRun, roundsFailed: r.roundsFailed },
  });
}

const strip = (o: CheckOutcome): ProbeCheckResult => ({
  target: o.target,
  ok: o.ok,
  stage: o.stage,
  ms: o.ms,
  ...(o.error !== undefined ? { error: o.error } : {}),
});

export function verdictEvent(placement: ProbePlacement, r: RoundsResult): ProbeVerdictEvent {
  return {
    source: PROBE_EVENT_SOURCE,
    'detail-type': PROBE_EVENT_DETAIL_TYPE,
    time: r.at.toISOString(),
    detail: {
      version: 1,
      vpcId: placement.vpcId,
      availabilityZone: placement.availabilityZone,
      subnetId: placement.subnetId,
      ...(placement.natGatewayId !== undefined ? { natGatewayId: placement.natGatewayId } : {}),
      verdict: r.verdict,
      roundsRun: r.roundsRun,
      roundsFailed: r.roundsFailed,
      at: r.at.toISOString(),
      results: r.lastRound.slice(0, MAX_RESULTS).map(strip),
    },
  };
}

export interface ProbeDeps {
  readonly cloud: ProbeCloud;
  /** One round: every target checked once, in parallel. */
  readonly round: () => Promise<readonly CheckOutcome[]>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  /** Where the EMF line goes (stdout in Lambda). */
  readonly emit: LineSink;
  readonly warn: (message: string) => void;
}

export interface ProbeSummary {
  readonly verdict: 'ok' | 'failed';
  readonly roundsRun: number;
  readonly roundsFailed: number;
  readonly availabilityZone: string;
  readonly reconcileNotified: boolean;
  /** Why reconcile could not be told (the verdict still reached the metric). */
  readonly notifyError?: string;
  /** The failed verdict reconcile could not be sent: the handler ends with ProbeVerdictUndelivered. */
  readonly undelivered?: ProbeVerdictEvent;
}

/**
 * Ends a probe invocation whose failed verdict could not be sent: Lambda hands the error (its
 * name as errorType, the verdict as JSON in errorMessage) to the function's OnFailure destination,
 * reconcile, from outside the VPC. Lambda guide, "Capturing records of Lambda asynchronous
 * invocations" (destinations; the invocation record's responsePayload is the error).
 */
export class ProbeVerdictUndelivered extends Error {
  constructor(verdict: ProbeVerdictEvent) {
    super(JSON.stringify(verdict));
    this.name = PROBE_UNDELIVERED_ERROR;
  }
}

/**
 * One scheduled invocation: the placement (cached by the caller), the rounds, the metric line, and
 * on a failed verdict the asynchronous invoke of reconcile. The metric goes out first: it does not
 * depend on the network path the probe may just have found broken, the invoke does.
 */
export async function probeOnce(deps: ProbeDeps, config: ProbeConfig, placement: ProbePlacement): Promise<ProbeSummary> {
  const r = await runRounds({ round: deps.round, sleep: deps.sleep, now: deps.now }, config);
  deps.emit(metricLine(placement, r));
  const base = { verdict: r.verdict, roundsRun: r.roundsRun, roundsFailed: r.roundsFailed, availabilityZone: placement.availabilityZone };
  if (r.verdict !== 'failed') return { ...base, reconcileNotified: false };
  try {
    await deps.cloud.notifyReconcile(config.reconcileFunction, verdictEvent(placement, r));
    return { ...base, reconcileNotified: true };
  } catch (e) {
    const notifyError = e instanceof Error ? e.message : String(e);
    deps.warn(`could not invoke ${config.reconcileFunction} with the failed verdict (${notifyError}); it goes by the OnFailure destination, and the ProbeFailed metric reports it`);
    return { ...base, reconcileNotified: false, notifyError, undelivered: verdictEvent(placement, r) };
  }
}
