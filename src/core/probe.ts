/**
 * The data-plane probe's contract (issue 13), shared by its producer (the `probe` function, one per
 * AZ, running in a probe subnet whose route table always points at that AZ's NAT gateway) and its
 * consumer (reconcile). Pure: constants and shapes only.
 *
 * - Every probe invocation publishes ONE datum per metric below to CloudWatch, dimensions
 *   { VpcId, AvailabilityZone } (the AZ *name* of the probe subnet), timestamped at the round's start.
 * - When an invocation's verdict is `failed` (after its confirmation rounds), the probe invokes
 *   reconcile asynchronously (Lambda `InvocationType: Event`) with a {@link ProbeVerdictEvent}: an
 *   EventBridge-shaped envelope, so reconcile's event parser reads it like any other trigger.
 */

export const PROBE_NAMESPACE = 'NatFailover/Probe';
/** 1 when the invocation's verdict was `failed`, 0 when `ok`. One datum per invocation. */
export const PROBE_METRIC_FAILED = 'ProbeFailed';
/**
 * Median connect+handshake milliseconds over the invocation's successful checks (absent if none).
 * A property of the probe's EMF log line, NOT a published metric: each custom metric series costs
 * $0.30 a month per AZ, and one series (ProbeFailed) keeps the probe under $0.50 per AZ
 * (bench/results.json cost.probe). Query it with CloudWatch Logs Insights.
 */
export const PROBE_METRIC_LATENCY = 'ProbeLatencyMs';
export const PROBE_DIMENSION_VPC = 'VpcId';
export const PROBE_DIMENSION_AZ = 'AvailabilityZone';

export const PROBE_EVENT_SOURCE = 'nat-failover.probe';

/**
 * The error a probe invocation ends with when its failed verdict could not be sent to reconcile
 * (the invoke goes out through the home NAT gateway, often the very thing that is broken). Its
 * message is the {@link ProbeVerdictEvent} as JSON. The probe function's asynchronous OnFailure
 * destination is reconcile, and Lambda delivers that record itself, outside the function's VPC
 * path, so the verdict still arrives: reconcile unwraps it (src/events/parse.ts).
 */
export const PROBE_UNDELIVERED_ERROR = 'ProbeVerdictUndelivered';
export const PROBE_EVENT_DETAIL_TYPE = 'NAT Failover Probe Verdict';

/** Where one target's check stopped: `ok` = every requested stage passed. */
export type ProbeStage = 'dns' | 'tcp' | 'tls' | 'http' | 'ok';

export interface ProbeCheckResult {
  /** The target as configured, e.g. `tls://example.com:443` (bounded, one line). */
  readonly target: string;
  readonly ok: boolean;
  readonly stage: ProbeStage;
  readonly ms: number;
  /** Short reason when not ok: `timeout`, `ECONNREFUSED`, `HTTP 503`… (bounded, one line). */
  readonly error?: string;
}

export interface ProbeVerdictDetail {
  readonly version: 1;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly subnetId: string;
  /** The NAT gateway the probe subnet's default route pointed at, when the probe could read it. */
  readonly natGatewayId?: string;
  readonly verdict: 'ok' | 'failed';
  readonly roundsRun: number;
  readonly roundsFailed: number;
  /** ISO-8601 UTC instant of the first round's start. */
  readonly at: string;
  /** The last round's per-target results (at most 20). */
  readonly results: readonly ProbeCheckResult[];
}

export interface ProbeVerdictEvent {
  readonly source: typeof PROBE_EVENT_SOURCE;
  readonly 'detail-type': typeof PROBE_EVENT_DETAIL_TYPE;
  readonly time: string;
  readonly detail: ProbeVerdictDetail;
}
