import type { ManagedDestination, RuleMetric } from './constants';

// ---------------------------------------------------------------------------
// What the controller observes (the world, as read from EC2 in one pass).
// ---------------------------------------------------------------------------

export type NatState = 'pending' | 'available' | 'failed' | 'deleting' | 'deleted';
export type ConnectivityType = 'public' | 'private';
export type AvailabilityMode = 'zonal' | 'regional';
export type ZoneState = 'available' | 'information' | 'impaired' | 'unavailable' | 'constrained';

export interface Zone {
  readonly name: string; // us-east-1a
  readonly id: string; // use1-az1
  readonly state: ZoneState;
}

export interface NatGateway {
  readonly id: string;
  readonly vpcId: string;
  /** AZ name; undefined for a regional NAT gateway. */
  readonly az: string | undefined;
  readonly state: NatState;
  readonly connectivityType: ConnectivityType;
  readonly availabilityMode: AvailabilityMode;
  /**
   * The addresses traffic leaves through: a public gateway's Elastic IPs (primary and secondary),
   * a private gateway's private IPs; only addresses whose status is `succeeded` (or carries no
   * status) count. Undefined when not observed: capacity is then unknown, and a public gateway is
   * not provably inside an egress allow-list.
   */
  readonly ips?: readonly string[];
}

/** What a route points at. Only `nat` targets are ever candidates for rewriting. */
export type RouteTarget =
  | { readonly kind: 'nat'; readonly id: string }
  | { readonly kind: 'other'; readonly id: string };

export interface Route {
  /** CIDR, IPv6 CIDR or prefix-list id. */
  readonly destination: string;
  readonly target: RouteTarget;
  /**
   * Every EC2 RouteState. `blackhole`: the target isn't available. `filtered` is neither proof of a
   * working gateway nor of a dead one, so health reads it as no evidence either way.
   */
  readonly state: RouteState;
}

export type RouteState = 'active' | 'blackhole' | 'filtered';

export interface RouteTable {
  readonly id: string;
  readonly vpcId: string;
  readonly tags: Readonly<Record<string, string>>;
  /** AZ names of the subnets explicitly associated with the table (deduplicated, sorted). */
  readonly subnetAzs: readonly string[];
  readonly routes: readonly Route[];
}

/** One consistent read of the managed part of a region. */
export interface Inventory {
  readonly zones: readonly Zone[];
  readonly natGateways: readonly NatGateway[];
  /** Only the managed route tables (carrying the managed tag). */
  readonly routeTables: readonly RouteTable[];
}

/** An AZ-wide evacuation signal (ARC zonal shift / autoshift, AWS Health) that is still open. */
export interface Evacuation {
  readonly az: string; // AZ name
  readonly source: 'arc-zonal-shift' | 'aws-health' | string;
  readonly id: string; // event ARN / shift id, for de-duplication
  readonly since: Date;
}

/** A gateway alarm currently in ALARM (fast path for soft signals). */
export interface GatewayAlarm {
  readonly natGatewayId: string;
  readonly alarmName: string;
  readonly since: Date;
}

/** One-minute sums per metric per gateway; a missing minute is absent, never zero. */
export interface MetricPoint {
  readonly start: Date;
  readonly values: Partial<Record<RuleMetric, number>>;
}
export interface MetricWindow {
  readonly start: Date; // inclusive, minute-aligned
  readonly end: Date; // exclusive, minute-aligned
  readonly byGateway: ReadonlyMap<string, readonly MetricPoint[]>;
  /**
   * Capacity over the same window, read in the same GetMetricData call: target choice only, never
   * a reason to move. A gateway absent here (or a field undefined) had no datapoint: unknown.
   */
  readonly capacity?: ReadonlyMap<string, GatewayLoad>;
}

/** What a gateway carries, over the metric window. */
export interface GatewayLoad {
  /** `ErrorPortAllocation` summed over the window. */
  readonly portAllocationErrors: number | undefined;
  /** The highest one-minute maximum of `ActiveConnectionCount` in the window. */
  readonly activeConnections: number | undefined;
}

/**
 * A soft-signal source the run tried to read and could not (CloudWatch throttled or down). Its
 * silence is not evidence: a home that looks fine only because nobody could look is not restored.
 */
export interface UnreadSignalSource {
  readonly source: 'metrics' | 'alarms' | 'probes';
  readonly error: string;
}

export interface Observation {
  readonly now: Date;
  readonly inventory: Inventory;
  /** Undefined when metrics were not read this run (soft rules then judge nothing). */
  readonly metrics: MetricWindow | undefined;
  readonly evacuations: readonly Evacuation[];
  readonly alarms: readonly GatewayAlarm[];
  /**
   * Monitoring is degraded when this is not empty: automatic restores wait (failovers do not).
   * A source that was simply not due this run (the metric poll interval) is not listed.
   */
  readonly unreadSignals: readonly UnreadSignalSource[];
  /**
   * Probe evidence (metrics and this run's verdict event) when probes are configured; undefined
   * when they are not (then restores follow the hold-down alone, and are reported unproven).
   */
  readonly probes?: ProbeObservation;
}

// ---------------------------------------------------------------------------
// Health (pure verdicts with their evidence).
// ---------------------------------------------------------------------------

export type SignalKind =
  | 'nat-state'
  | 'blackhole-route'
  | 'az-state'
  | 'az-evacuation'
  | 'packet-drops'
  | 'connection-failures'
  | 'alarm'
  | 'port-allocation'
  | 'probe-failures';

export interface Signal {
  readonly kind: SignalKind;
  readonly strength: 'hard' | 'soft' | 'info';
  readonly detail: string;
}

/** Soft rules: `bad` = M of N periods breached; `unknown` = not enough data to say. */
export type SoftVerdict = 'ok' | 'bad' | 'unknown';

export interface GatewayHealth {
  readonly natGatewayId: string;
  /** Hard signals act at once. */
  readonly hard: readonly Signal[];
  readonly soft: SoftVerdict;
  readonly softSignals: readonly Signal[];
  /** Informational only (e.g. port allocation errors): never a reason to move. */
  readonly info: readonly Signal[];
  /** True when soft signals were set aside by the static-stability guard. */
  readonly softSuppressed: boolean;
}

export interface HealthReport {
  readonly gateways: ReadonlyMap<string, GatewayHealth>;
  /** VPCs where more than half of the gateways looked soft-unhealthy at once. */
  readonly guardedVpcs: readonly string[];
  /** Minute periods judged by the soft rules, for the logs. */
  readonly periodsJudged: { readonly start: Date; readonly end: Date } | undefined;
  /** The probes' verdicts per AZ, when probes are configured (see probeHealth.ts). */
  readonly probes?: ProbeReport;
}

// ---------------------------------------------------------------------------
// Per-route-table state, as recorded in the table's tags.
// ---------------------------------------------------------------------------

export interface Pin {
  readonly awayFromAz: string;
  readonly target: string | undefined;
  readonly until: Date | undefined;
  readonly reason: string;
  readonly by: string;
}

export type TableMode = 'home' | 'failed-over' | 'pinned';

export interface TableState {
  readonly mode: TableMode;
  readonly since: Date | undefined;
  readonly reason: string | undefined;
  readonly homeNat: string | undefined;
  readonly homeAz: string | undefined;
  readonly homeOkSince: Date | undefined;
  readonly flaps: number;
  readonly lastRestore: Date | undefined;
  /**
   * Home gateway whose routes were seen `blackhole` while the table was away. The evidence itself
   * vanishes once no managed route points at the gateway, so the table remembers it.
   */
  readonly blackholeNat: string | undefined;
  readonly pin: Pin | undefined;
}

// ---------------------------------------------------------------------------
// The plan: decisions as data.
// ---------------------------------------------------------------------------

export type Transition = 'failover' | 'restore' | 'repoint' | 'pin' | 'converge';

/**
 * What bounds a route change in one run.
 * - `hard-evacuation`: a route leaves a gateway that is certainly unusable: gone from the API, not
 *   `available` (failed, deleting, deleted), a blackhole route, its AZ impaired or unavailable, or
 *   an open evacuation (ARC, Health) of its AZ. Bounded only by EC2's write budget (paced by the
 *   writer) and the invocation's deadline: a dead gateway carries no traffic, so waiting for the
 *   next run protects nothing.
 * - `capped`: everything else (soft-signal failovers, pins, restores, repoints and NAT64
 *   convergence between healthy gateways): at most MAX_CHANGES_PER_RUN tables per run, the blast
 *   radius of a soft, possibly wrong signal.
 */
export type ChangeClass = 'hard-evacuation' | 'capped';

export interface RouteChange {
  readonly destination: ManagedDestination;
  readonly from: string; // NAT gateway id the route must still point at (compare-and-swap)
  readonly to: string; // NAT gateway id
}

export interface TagDiff {
  readonly set: Readonly<Record<string, string>>;
  readonly remove: readonly string[];
}

export interface TableAction {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly homeAz: string;
  readonly transition: Transition | undefined;
  /** Empty when only the recorded state changes. */
  readonly routes: readonly RouteChange[];
  readonly tags: TagDiff;
  readonly reasons: readonly string[];
  /** Lower runs first under the change cap: evacuating dead gateways before anything else. */
  readonly priority: number;
  /** Whether MAX_CHANGES_PER_RUN bounds this change (tag-only actions are `capped` and never count). */
  readonly changeClass: ChangeClass;
}

export type FindingKind =
  | 'skipped-table'
  | 'no-healthy-target'
  | 'static-stability-guard'
  | 'deferred-by-change-cap'
  | 'regional-nat'
  | 'hold-down'
  | 'monitoring-degraded'
  | 'pin-released'
  | 'external-change'
  | 'unreadable-state'
  | 'tag-budget'
  | 'allow-list'
  | 'info';

export interface Finding {
  readonly kind: FindingKind;
  readonly routeTableId?: string;
  readonly vpcId?: string;
  readonly az?: string;
  readonly message: string;
}

/** What each managed table looks like now and why: the basis of `status`. */
export interface TableView {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly homeAz: string | undefined;
  readonly homeNat: string | undefined;
  readonly currentTarget: string | undefined;
  readonly desiredTarget: string | undefined;
  readonly mode: TableMode | 'unmanaged';
  readonly since: Date | undefined;
  readonly reason: string | undefined;
  /**
   * Every gateway the table may egress through: its home and each gateway the planner could send
   * it to now (healthy, interchangeable, another AZ, inside the egress allow-list), with their IPs.
   */
  readonly egress?: readonly EgressOption[];
}

export interface EgressOption {
  readonly natGatewayId: string;
  readonly role: 'home' | 'target';
  /** Undefined when the gateway's addresses were not observed. */
  readonly ips: readonly string[] | undefined;
}

export interface Plan {
  readonly at: Date;
  readonly actions: readonly TableAction[];
  readonly findings: readonly Finding[];
  readonly tables: readonly TableView[];
}

// ---------------------------------------------------------------------------
// Data-plane probes (issue 13): evidence and verdicts, judged in probeHealth.ts.
// ---------------------------------------------------------------------------

/** One probe invocation's outcome through one AZ's home gateway. */
export interface ProbeRound {
  /** When the invocation's first round started (metrics: the minute; events: to the second). */
  readonly at: Date;
  readonly failed: boolean;
  /** Rounds the invocation ran (the event says; a metric datum counts as one). */
  readonly rounds: number;
  readonly roundsFailed: number;
  readonly source: 'metric' | 'event';
}

/** Probe evidence read this run, per `${vpcId} ${az}` (AZ name), each list oldest first. */
export interface ProbeObservation {
  /** The read window: [start, end). Proof can only reach back to `start`. */
  readonly start: Date;
  readonly end: Date;
  /** Every (VPC, AZ) whose probes were asked for, with what was found (possibly nothing). */
  readonly zones: ReadonlyMap<string, readonly ProbeRound[]>;
}

export type ProbeVerdict = 'ok' | 'bad' | 'unknown';

export interface ZoneProbeState {
  readonly vpcId: string;
  readonly az: string;
  readonly verdict: ProbeVerdict;
  /** The newest invocation seen. */
  readonly last: ProbeRound | undefined;
  /** Failed rounds among the last N rounds (and N as counted, when fewer were seen). */
  readonly roundsFailed: number;
  readonly roundsCounted: number;
  /** First invocation of the current failing streak, while the newest invocation failed. */
  readonly failingSince: Date | undefined;
  /**
   * Start of the unbroken run of successful minutes that ends at the newest minute the proof
   * requires (now minus the lag): every minute from here on has a datum and none failed.
   * Undefined = no proof (a failure or a missing minute at the end of the run, or no data).
   */
  readonly provenSince: Date | undefined;
  /** True when the signal against this AZ counts (the others' probes succeeded meanwhile). */
  readonly corroborated: boolean;
}

export interface ProbeReport {
  readonly zones: readonly ZoneProbeState[];
  /** Per VPC: why failing probes were set aside (every AZ failing, or no fresh success elsewhere). */
  readonly guarded: readonly { readonly vpcId: string; readonly message: string }[];
}

