import type { ExistingAlarm } from '../events/alarmSpecs';
import type { SignalUpdate } from '../events/types';
import type { Evacuation, GatewayAlarm, Inventory, MetricWindow, ProbeRound, Route, UnreadSignalSource } from '../core/types';

/** One probed path: the probe subnet of `az` (AZ name) in `vpcId`. */
export interface ProbeZone {
  readonly vpcId: string;
  readonly az: string;
}

/** Buckets of route tables (core/slices.ts) a quiet run reads. */
export interface TableSlice {
  readonly buckets: readonly number[];
  /** VPCs whose gateways are read besides those of the slice's tables: the remembered tables' VPCs. */
  readonly vpcIds: readonly string[];
  /**
   * Tables read besides the buckets' (by id, in the same request): for each gateway that no table
   * of the buckets routes to, one table that does, so a `blackhole` on any route target is seen
   * every minute (a route's state is its target's: EC2 API reference, Route.state).
   */
  readonly ids: readonly string[];
  /**
   * Tables carrying any of these tag keys are read too, wherever they are (one more request,
   * `tag-key` filter): an operator's pin must not wait for its table's slice.
   */
  readonly tagKeys: readonly string[];
}

/**
 * Zones and gateways this run has just read (a quiet attempt that found something to do): the full
 * read that follows reuses them instead of asking again, so an incident costs the run no extra
 * round trip. Gateways of VPCs not in `vpcIds` are still read.
 */
export interface KnownGateways {
  readonly zones: Inventory['zones'];
  readonly natGateways: Inventory['natGateways'];
  readonly vpcIds: readonly string[];
}

/** Which part of the region the controller manages. */
export interface Scope {
  readonly managedTagKey: string;
  readonly managedTagValue: string;
  readonly vpcIds: readonly string[];
}

/**
 * Everything the controller needs from a cloud. The AWS adapter (src/aws/) and the simulated
 * region (src/sim/) both implement it, so the same decision and action code runs on either.
 * Implementations map API failures to ThrottledError / TransientError / CloudApiError.
 */
export interface CloudPort {
  /**
   * A fixed handful of filtered, paginated describe calls, whatever the number of tables. With
   * `slice`, only the managed tables whose id ends in one of its buckets' hex digits
   * (core/slices.ts), selected by the server; zones and gateways are read whole either way.
   */
  readInventory(scope: Scope, slice?: TableSlice, known?: KnownGateways): Promise<Inventory>;
  /** One-minute sums of the rule metrics for [start, end), batched; capacity too when asked. */
  readMetrics(natGatewayIds: readonly string[], start: Date, end: Date, opts?: MetricReadOptions): Promise<MetricWindow>;
  /**
   * The probes' `ProbeFailed` data (src/core/probe.ts) for [start, end), one round per minute that
   * has a datum, keyed by probeZoneKey(vpcId, az). Optional: a cloud without probes omits it and
   * PROBES=on then reads as "probes unread" (no proof, no restore).
   */
  readProbeMetrics?(zones: readonly ProbeZone[], start: Date, end: Date): Promise<ReadonlyMap<string, readonly ProbeRound[]>>;
  /** Routes of the given tables as they are now, for compare-and-swap (batched, not per table). */
  readRoutes(routeTableIds: readonly string[]): Promise<ReadonlyMap<string, readonly Route[]>>;
  replaceRoute(routeTableId: string, destination: string, natGatewayId: string): Promise<void>;
  /** The same tags onto many tables, in as few calls as the API allows. */
  createTags(routeTableIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void>;
  deleteTags(routeTableIds: readonly string[], keys: readonly string[]): Promise<void>;
}

export interface MetricReadOptions {
  /**
   * Also read ErrorPortAllocation and ActiveConnectionCount (MetricWindow.capacity), in the same
   * request: only on runs that choose failover targets or show status, never on a plain poll.
   */
  readonly capacity?: boolean;
}

/** Signals pushed by AWS (alarms, Health, ARC) and remembered between runs. */
export interface SignalSource {
  /** True when alarms watch the soft-rule metrics, which makes the scheduled metric poll redundant. */
  readonly watchesMetrics?: boolean;
  /**
   * Starts the reads that need no inventory (the managed alarms' DescribeAlarms), so they run while
   * the inventory is read instead of after it; the result goes back to read() in the context.
   */
  prefetch?(now: Date): PrefetchedSignals;
  read(now: Date, context?: SignalContext): Promise<PushedSignalsRead>;
}

/** What a DescribeAlarms started early found: never rejects, so nothing is left unhandled while it waits. */
export type AlarmListing = { readonly alarms: readonly ExistingAlarm[] } | { readonly error: Error };

/** Reads started by SignalSource.prefetch before the inventory was read. */
export interface PrefetchedSignals {
  readonly alarmListing?: Promise<AlarmListing>;
}

export interface PushedSignalsRead {
  readonly evacuations: readonly Evacuation[];
  readonly alarms: readonly GatewayAlarm[];
  /** Sources that could not be read this run (their alarms are then unknown, not absent). */
  readonly unread?: readonly UnreadSignalSource[];
  /** The evacuation-memory and alarm writes this read made (or, in check or dry-run mode, would have made). */
  readonly pendingWrites?: number;
}

/** What a run hands the signal source: this run's inventory (it holds the memory tags) and event. */
export interface SignalContext {
  readonly inventory: Inventory;
  /** Dry run: the memory and alarms are not written, only used. */
  readonly dryRun: boolean;
  /** Parsed from the event that woke this run (empty on the schedule). */
  readonly updates: readonly SignalUpdate[];
  /** Reads this source's prefetch() started for this run, if it was called. */
  readonly prefetched?: PrefetchedSignals;
  /**
   * A quiet run's check (the inventory holds remembered tables): write nothing and log nothing
   * about writes, only count them in PushedSignalsRead.pendingWrites (the run then reads every
   * table and writes on that).
   */
  readonly check?: boolean;
}

export interface Notification {
  readonly subject: string;
  readonly message: string;
}

export interface Notifier {
  /**
   * `signal` aborts when the run gives the notification up (its invocation's deadline is near,
   * src/reconcile/wrapUp.ts): no further attempt, and the request in flight is cancelled.
   */
  notify(n: Notification, signal?: AbortSignal): Promise<void>;
}

/** Structured logs and counters; the Lambda wiring backs it with Powertools (EMF). */
export interface Recorder {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
  count(metric: string, value: number, dimensions?: Readonly<Record<string, string>>): void;
}

export const silentRecorder: Recorder = { info() {}, warn() {}, error() {}, count() {} };
