import { CAPACITY_METRICS, MANAGED_DESTINATIONS, RULE_METRICS, TAGS_PER_RESOURCE_MAX, type RuleMetric } from '../core/constants';
import { userTagCount } from '../core/state';
import { CloudApiError, ThrottledError, TransientError } from '../errors';
import type { CloudPort, KnownGateways, MetricReadOptions, ProbeZone, Scope, SignalSource, TableSlice } from '../reconcile/ports';
import { bucketOf, ROUTE_TABLE_IDS_PER_REQUEST } from '../core/slices';
import { probeZoneKey } from '../core/probeHealth';
import { DEFAULT_RETRY, Retrier, type RetryPolicy } from '../retry';
import { type WriteBudget, WritePacers } from '../pacer';
import type { Evacuation, GatewayAlarm, GatewayLoad, Inventory, MetricPoint, MetricWindow, NatGateway, NatState, ProbeRound, Route, RouteTable, RouteTarget, ZoneState } from '../core/types';
import { type BucketSpec, TokenBucket } from './buckets';
import { VirtualClock } from './clock';
import { hashUnit, seededRandom } from './random';
import { cloneWorld, type SimNat, type SimTable, type World } from './world';

export interface SimOptions {
  readonly start?: Date;
  /** Round-trip time of every simulated API call. */
  readonly latencyMs?: number;
  readonly nonMutating?: BucketSpec;
  readonly mutating?: BucketSpec;
  readonly cloudwatch?: BucketSpec;
  /** A one-minute datapoint becomes readable this long after its minute closes. */
  readonly metricLagSeconds?: number;
  readonly packetsPerTable?: number;
  readonly attemptsPerTable?: number;
  /** ActiveConnectionCount per table routed through a gateway (one-minute maximum). */
  readonly connectionsPerTable?: number;
  readonly seed?: number;
  readonly retry?: RetryPolicy;
  /**
   * Items per DescribeRouteTables / DescribeSubnets response. The EC2 adapter sends no MaxResults,
   * so EC2 answers in one response (Infinity); set a size to model a truncating API.
   */
  readonly describePage?: number;
  /**
   * The controller's client-side write pacer (src/pacer.ts), as the Lambda wiring builds it from
   * EC2_WRITE_BURST / EC2_WRITE_RATE; null: writes unpaced (only the Retrier's backoff).
   */
  readonly writeBudget?: WriteBudget | null;
  /** Data-plane probes (issue 13): how the simulated probe functions behave (used when PROBES=on). */
  readonly probe?: Partial<SimProbeOptions>;
}

export interface SimProbeOptions {
  /** Second of each minute at which every AZ's probe invocation starts (one shared schedule). */
  readonly offsetSeconds: number;
  /** Seconds one round takes (connect + TLS with tight timeouts; a failing round runs to its timeout). */
  readonly okRoundSeconds: number;
  readonly failedRoundSeconds: number;
  /** Rounds a failing invocation runs to confirm (the first included). */
  readonly confirmRounds: number;
  /**
   * PutMetricData to readable by GetMetricData. AWS bounds this only for back-dated data (PutMetricData
   * API reference), so it is an assumption, stated in bench/results.json.
   */
  readonly publishLagSeconds: number;
  /** Lambda async invoke to the reconcile run starting. */
  readonly invokeLatencyMs: number;
  /**
   * When the probe's own gateway is the broken thing, its invoke (through that gateway) fails after
   * the probe's request timeout (src/aws/probe.ts PROBE_REQUEST_TIMEOUT_MS, an upper bound: a dead
   * path usually fails at connect), the invocation ends with the verdict, and Lambda hands it to the
   * OnFailure destination, reconcile, after destinationLatencyMs (assumed: AWS gives no figure).
   */
  readonly invokeTimeoutMs: number;
  readonly destinationLatencyMs: number;
}

export const PROBE_SIM_DEFAULTS: SimProbeOptions = {
  offsetSeconds: 5,
  okRoundSeconds: 0.3,
  failedRoundSeconds: 2,
  confirmRounds: 3,
  publishLagSeconds: 20,
  invokeLatencyMs: 300,
  invokeTimeoutMs: 5_000,
  destinationLatencyMs: 1_000,
};

/** One probe invocation as the simulated probe function ran it. */
export interface SimProbeInvocation {
  readonly vpcId: string;
  readonly az: string;
  readonly natGatewayId: string | undefined;
  readonly at: number;
  readonly endsAt: number;
  readonly failed: boolean;
  readonly rounds: number;
  readonly roundsFailed: number;
  /** The probe's own gateway was dead at the end: its direct invoke of reconcile fails too. */
  readonly pathDead: boolean;
}

/** Trouble only the data path shows: new connections through `nat` fail ('*' = the probe targets, from every AZ). */
export interface GrayFault {
  readonly nat: string;
  readonly from: number;
  readonly to: number;
}

const MINUTE = 60_000;

export const SIM_DEFAULTS = {
  start: new Date('2026-11-23T10:00:00.000Z'),
  latencyMs: 40,
  nonMutating: { capacity: 100, refillPerSecond: 20 },
  mutating: { capacity: 200, refillPerSecond: 5 },
  cloudwatch: { capacity: 50, refillPerSecond: 50 },
  metricLagSeconds: 90,
  packetsPerTable: 100_000,
  attemptsPerTable: 2_000,
  connectionsPerTable: 5_000,
  seed: 1,
  retry: DEFAULT_RETRY,
  describePage: Infinity,
  writeBudget: null,
  probe: PROBE_SIM_DEFAULTS,
} as const satisfies Required<SimOptions>;

/** What the gateway really does, whatever the controller can see: the yardstick for invariants. */
export type TruthStatus = 'ok' | 'degraded' | 'dead';
export interface Truth {
  readonly status: TruthStatus;
  readonly why: string;
  /**
   * True when the trouble shows in the control plane (gateway state, blackhole route, AZ state,
   * evacuation), which the controller sees on every run. A data-plane fault on a gateway with no
   * traffic leaves no trace anywhere: only the quality measures can hold it against a policy.
   */
  readonly hard: boolean;
}

export type Pattern =
  | { readonly kind: 'steady' }
  | { readonly kind: 'intermittent'; readonly probability: number }
  | { readonly kind: 'flapping'; readonly onMinutes: number; readonly offMinutes: number };

/** Data-plane trouble on a gateway ('*' = every gateway), as a function of time. */
export interface TrafficFault {
  readonly nat: string;
  readonly from: number;
  readonly to: number;
  /** Share of packets dropped. */
  readonly drop: number;
  /** Share of connection attempts that fail. */
  readonly connFail: number;
  readonly pattern: Pattern;
  /** What the fault means for users: `noise` shows in metrics but hurts nobody. */
  readonly truth: TruthStatus | 'noise';
}

/**
 * Capacity trouble on a gateway: port-allocation errors per minute and/or extra active connections
 * (traffic that is not ours to move: other subnets, other route tables). Never a failure: the
 * gateway still forwards, so the truth stays `ok`.
 */
export interface CapacityFault {
  readonly nat: string;
  readonly from: number;
  readonly to: number;
  readonly portErrorsPerMinute: number;
  readonly extraConnections: number;
}

/** CloudWatch delivering a gateway's minutes late (extraLagMs) or never (Infinity). */
export interface MetricDelay {
  readonly nat: string;
  readonly from: number;
  readonly to: number;
  readonly extraLagMs: number;
}

export interface WriteFault {
  readonly from: number;
  readonly to: number;
  readonly destination?: string;
  readonly routeTableId?: string;
}

export interface Mutation {
  readonly at: number;
  readonly actor: 'controller' | 'external';
  readonly op: 'ReplaceRoute' | 'CreateTags' | 'DeleteTags';
  readonly routeTableId: string;
  readonly destination?: string;
  readonly from?: string;
  readonly to?: string;
  readonly keys?: readonly string[];
  /** Ground truth of the new target at the moment of the write. */
  readonly toTruth?: Truth;
  readonly fromTruth?: Truth;
}

/** Whether a traffic fault hits `nat` in the minute starting at `minuteStart` (pure, seeded). */
export function trafficFaultActive(f: TrafficFault, nat: string, minuteStart: number, seed: number): boolean {
  if ((f.nat !== '*' && f.nat !== nat) || minuteStart < f.from || minuteStart >= f.to) return false;
  const m = Math.floor((minuteStart - f.from) / MINUTE);
  if (f.pattern.kind === 'intermittent') return hashUnit(`${nat}|${minuteStart}`, seed) < f.pattern.probability;
  if (f.pattern.kind === 'flapping') return m % (f.pattern.onMinutes + f.pattern.offMinutes) < f.pattern.onMinutes;
  return true;
}

/** The process died: everything after this point in the run never happened. Never retried. */
export class SimulatedCrash extends Error {
  constructor(operation: string) {
    super(`controller crashed before ${operation}`);
    this.name = 'SimulatedCrash';
  }
}

type BucketName = 'nonMutating' | 'mutating' | 'cloudwatch';
const BUCKET_OF: Record<string, BucketName> = {
  DescribeRouteTables: 'nonMutating',
  DescribeAvailabilityZones: 'nonMutating',
  DescribeSubnets: 'nonMutating',
  DescribeNatGateways: 'nonMutating',
  ReplaceRoute: 'mutating',
  CreateTags: 'mutating',
  DeleteTags: 'mutating',
  GetMetricData: 'cloudwatch',
};

/** Batch sizes mirror src/aws/ec2.ts and src/aws/cloudwatch.ts. */
const FILTER_VALUES_MAX = 200;
/** The adapter's full subnet read period (src/aws/subnetCache.ts SUBNET_CACHE_REFRESH_MS). */
const SUBNET_FULL_READ_MS = 60 * 60_000;
const NAT_PAGE = 1000;
const TAG_RESOURCES_MAX = 200;
const QUERIES_PER_CALL = 500;

const chunk = <T>(xs: readonly T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

interface Change<T> {
  readonly at: number;
  readonly value: T;
}
const valueAt = <T>(h: readonly Change<T>[] | undefined, t: number): T | undefined => {
  if (!h) return undefined;
  let v: T | undefined;
  for (const c of h) {
    if (c.at > t) break;
    v = c.value;
  }
  return v;
};

/**
 * An in-process AWS region: EC2 route tables, NAT gateways and AZs, CloudWatch NAT metrics, the
 * pushed signals (ARC, Health, alarms), API latency and EC2 token buckets, on a virtual clock. It
 * implements the same CloudPort as src/aws/, so the real controller runs against it unchanged,
 * and every call goes through the shared Retrier (the real backoff code).
 */
export class SimRegion implements CloudPort, SignalSource {
  readonly clock: VirtualClock;
  readonly retrier: Retrier;
  readonly world: World;
  readonly initial: World;
  readonly options: Required<SimOptions>;
  readonly mutations: Mutation[] = [];
  /** Throttled attempts per operation (each is also one call in the Retrier's count). */
  readonly throttled: Record<string, number> = {};

  private readonly buckets: Record<BucketName, TokenBucket>;
  /** Mutating actions' buckets, one per action as EC2 keeps them. */
  private readonly perAction = new Map<string, TokenBucket>();
  private readonly routeHistory = new Map<string, Change<string>[]>();
  private readonly natHistory = new Map<string, Change<NatState>[]>();
  private readonly trafficFaults: TrafficFault[] = [];
  private readonly metricDelays: MetricDelay[] = [];
  private readonly capacityFaults: CapacityFault[] = [];
  private readonly writeFaults: WriteFault[] = [];
  private readonly blackholed = new Set<string>();
  private readonly evacuations = new Map<string, { azId: string; source: string; since: number }>();
  private readonly alarms = new Map<string, { nat: string; since: number }>();
  private readonly grayFaults: GrayFault[] = [];
  /** Published probe data per probeZoneKey: readable from `readableAt`. */
  private readonly probeData = new Map<string, { at: number; failed: boolean; readableAt: number }[]>();
  readonly probeInvocations: SimProbeInvocation[] = [];
  private crashAfter: number | undefined;
  private mutatingInRun = 0;
  private pendingEdits: { routeTableId: string; destination: string; to: RouteTarget }[] = [];
  crashed = false;

  constructor(world: World, options: SimOptions = {}) {
    this.options = { ...SIM_DEFAULTS, ...options, probe: { ...PROBE_SIM_DEFAULTS, ...options.probe } };
    this.clock = new VirtualClock(this.options.start);
    const budget = this.options.writeBudget;
    this.retrier = new Retrier(this.clock, this.options.retry, seededRandom(this.options.seed), budget ? { pacer: new WritePacers(this.clock, budget) } : {});
    this.world = cloneWorld(world);
    this.initial = cloneWorld(world);
    const now = this.clock.nowMs();
    this.buckets = {
      nonMutating: new TokenBucket(this.options.nonMutating, now),
      mutating: new TokenBucket(this.options.mutating, now),
      cloudwatch: new TokenBucket(this.options.cloudwatch, now),
    };
    for (const t of this.world.tables) {
      for (const r of t.routes) this.routeHistory.set(`${t.id}|${r.destination}`, [{ at: -Infinity, value: r.target.id }]);
    }
    for (const n of this.world.nats) this.natHistory.set(n.id, [{ at: -Infinity, value: n.state }]);
  }

  // -------------------------------------------------------------------------------------------
  // The API, with latency, token buckets and the Retrier.
  // -------------------------------------------------------------------------------------------

  private api<T>(operation: string, fn: () => T): Promise<T> {
    const bucket = BUCKET_OF[operation] ?? 'nonMutating';
    return this.retrier.run(operation, async () => {
      if (this.crashed) throw new SimulatedCrash(operation);
      if (bucket === 'mutating' && this.crashAfter === 0) {
        this.crashed = true;
        throw new SimulatedCrash(operation);
      }
      await this.clock.sleep(this.options.latencyMs);
      if (this.crashed) throw new SimulatedCrash(operation);
      // EC2 evaluates each API on its own bucket ("Request throttling for the Amazon EC2 API": a
      // request removes a token from that API's bucket, other APIs are not affected); every
      // mutating action here gets one of the `mutating` size.
      const tokens = bucket === 'mutating' ? this.mutatingBucket(operation) : this.buckets[bucket];
      if (!tokens.take(this.clock.nowMs())) {
        this.throttled[operation] = (this.throttled[operation] ?? 0) + 1;
        throw new ThrottledError(operation);
      }
      const out = fn();
      if (bucket === 'mutating') {
        this.mutatingInRun++;
        // Dies right after the K-th write landed; writes still in flight never arrive.
        if (this.crashAfter !== undefined && this.mutatingInRun >= this.crashAfter) this.crashed = true;
      }
      return out;
    });
  }

  /** Zones, gateways and managed tables, with the same calls and pages as the EC2 adapter. */
  async readInventory(scope: Scope, slice?: TableSlice, known?: KnownGateways): Promise<Inventory> {
    // The requests the EC2 adapter makes: every managed table; or, for a slice, the `route-table-id`
    // wildcards (the id's last digit) and watched ids in one request, the flagged tag keys in another.
    const scoped = (t: SimTable) => t.tags[scope.managedTagKey] === scope.managedTagValue && (scope.vpcIds.length === 0 || scope.vpcIds.includes(t.vpcId));
    const requests: ((t: SimTable) => boolean)[] = slice
      ? [
          // As the adapter chunks the `route-table-id` values: the wildcards first, then the ids.
          ...chunk([...slice.buckets.map((b) => ({ b })), ...slice.ids.map((id) => ({ id }))], ROUTE_TABLE_IDS_PER_REQUEST).map(
            (values) => (t: SimTable) => scoped(t) && values.some((v) => ('b' in v ? bucketOf(t.id) === v.b : t.id === v.id)),
          ),
          ...(slice.tagKeys.length > 0 ? [(t: SimTable) => scoped(t) && slice.tagKeys.some((k) => k in t.tags)] : []),
        ]
      : [scoped];
    const readTables = async (): Promise<SimTable[]> => {
      const out = new Map<string, SimTable>();
      // The adapter sends a slice's requests together.
      for (const list of await Promise.all(requests.map((match) => this.describeRouteTables(match)))) for (const t of list) out.set(t.id, t);
      return [...out.values()];
    };
    // As the adapter: a slice's gateways (VPCs known beforehand) beside its tables; the zones and
    // gateways a quiet attempt of this run just read, reused.
    const early = !known && slice && slice.vpcIds.length > 0 ? this.describeNatGateways(slice.vpcIds) : undefined;
    const [tables, zones, earlyNats] = await Promise.all([
      readTables(),
      known ? Promise.resolve([...known.zones]) : this.api('DescribeAvailabilityZones', () => this.world.zones.map((z) => ({ name: z.name, id: z.id, state: z.state }))),
      early ?? Promise.resolve(undefined),
    ]);
    const vpcIds = [...new Set([...tables.map((t) => t.vpcId), ...(slice?.vpcIds ?? [])])].sort();
    if (vpcIds.length === 0) return { zones, natGateways: [], routeTables: [] };
    const done = new Set(known ? known.vpcIds : earlyNats ? (slice?.vpcIds ?? []) : []);
    const rest = vpcIds.filter((v) => !done.has(v));
    const reused = known ? known.natGateways.filter((n) => vpcIds.includes(n.vpcId)) : [];
    const [subnetAz, nats] = await Promise.all([this.subnetAzs(vpcIds, tables), rest.length > 0 ? this.describeNatGateways(rest) : Promise.resolve([])]);
    const routeTables: RouteTable[] = tables.map((t) => ({
      id: t.id,
      vpcId: t.vpcId,
      tags: { ...t.tags },
      subnetAzs: [...new Set(t.subnetIds.map((s) => subnetAz.get(s)).filter((z): z is string => !!z))].sort(),
      routes: t.routes.map((r) => this.toRoute(r.destination, r.target)),
    }));
    return { zones, natGateways: [...reused, ...(earlyNats ?? []), ...nats], routeTables };
  }

  /**
   * The EC2 adapter's container cache of subnet AZs (src/aws/subnetCache.ts), so the simulated
   * calls are the deployed function's: every subnet of the VPCs on a container's first run and
   * hourly, otherwise only subnets never seen (usually no call at all). A crash is a new container.
   */
  private subnetCache: { azs: Map<string, string>; at: number } | undefined;

  /** A new container (after a crash): its caches start empty. */
  newContainer(): void {
    this.subnetCache = undefined;
  }

  private async subnetAzs(vpcIds: readonly string[], tables: readonly SimTable[]): Promise<Map<string, string>> {
    const now = this.clock.nowMs();
    if (!this.subnetCache || now - this.subnetCache.at >= SUBNET_FULL_READ_MS) {
      const azs = await this.describeSubnets(vpcIds);
      this.subnetCache = { azs: new Map(azs), at: now };
      return azs;
    }
    const cache = this.subnetCache.azs;
    const unknown = [...new Set(tables.flatMap((t) => t.subnetIds))].filter((id) => !cache.has(id));
    for (const values of chunk(unknown, FILTER_VALUES_MAX)) {
      const found = await this.api('DescribeSubnets', () => this.world.subnets.filter((s) => values.includes(s.id)));
      for (const s of found) cache.set(s.id, s.az);
    }
    return cache;
  }

  private async describeRouteTables(match: (t: SimTable) => boolean): Promise<SimTable[]> {
    const out: SimTable[] = [];
    const size = this.options.describePage;
    for (let page = 0; ; page++) {
      const { items, more } = await this.api('DescribeRouteTables', () => {
        const all = this.world.tables.filter(match);
        return { items: all.slice(page * size, (page + 1) * size).map((t) => structuredClone(t)), more: (page + 1) * size < all.length };
      });
      out.push(...items);
      if (!more) return out;
    }
  }

  private async describeSubnets(vpcIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    const size = this.options.describePage;
    for (const values of chunk(vpcIds, FILTER_VALUES_MAX)) {
      for (let page = 0; ; page++) {
        const { items, more } = await this.api('DescribeSubnets', () => {
          const all = this.world.subnets.filter((s) => values.includes(s.vpcId));
          return { items: all.slice(page * size, (page + 1) * size), more: (page + 1) * size < all.length };
        });
        for (const s of items) out.set(s.id, s.az);
        if (!more) break;
      }
    }
    return out;
  }

  private async describeNatGateways(vpcIds: readonly string[]): Promise<NatGateway[]> {
    const out: NatGateway[] = [];
    for (const values of chunk(vpcIds, FILTER_VALUES_MAX)) {
      for (let page = 0; ; page++) {
        const slice = await this.api('DescribeNatGateways', () =>
          this.world.nats
            .filter((n) => values.includes(n.vpcId))
            .slice(page * NAT_PAGE, (page + 1) * NAT_PAGE)
            .map((n) => ({
              id: n.id,
              vpcId: n.vpcId,
              az: n.az,
              state: n.state,
              connectivityType: n.connectivityType,
              availabilityMode: n.availabilityMode,
              ...(n.ips ? { ips: [...n.ips] } : {}),
            })),
        );
        out.push(...slice);
        if (slice.length < NAT_PAGE) break;
      }
    }
    return out;
  }

  async readRoutes(routeTableIds: readonly string[]): Promise<ReadonlyMap<string, readonly Route[]>> {
    // A person's edit "during the run" lands after the plan was made and before this re-read.
    this.applyPendingEdits();
    const out = new Map<string, readonly Route[]>();
    for (const values of chunk([...new Set(routeTableIds)], FILTER_VALUES_MAX)) {
      const wanted = new Set(values);
      for (const t of await this.describeRouteTables((x) => wanted.has(x.id))) {
        out.set(t.id, t.routes.map((r) => this.toRoute(r.destination, r.target)));
      }
    }
    return out;
  }

  async readMetrics(natGatewayIds: readonly string[], start: Date, end: Date, opts: MetricReadOptions = {}): Promise<MetricWindow> {
    const byGateway = new Map<string, MetricPoint[]>();
    const capacity = new Map<string, GatewayLoad>();
    const perGateway = RULE_METRICS.length + (opts.capacity ? CAPACITY_METRICS.length : 0);
    const batches = chunk(natGatewayIds.flatMap((id) => Array.from({ length: perGateway }, () => id)), QUERIES_PER_CALL);
    for (const batch of batches) {
      await this.api('GetMetricData', () => {
        for (const id of new Set(batch)) {
          const points: MetricPoint[] = [];
          let errors: number | undefined;
          let active: number | undefined;
          for (let m = start.getTime(); m < end.getTime(); m += MINUTE) {
            const values = this.datapoint(id, m);
            if (values) points.push({ start: new Date(m), values });
            const c = opts.capacity ? this.capacityPoint(id, m) : undefined;
            if (c) {
              errors = (errors ?? 0) + c.ErrorPortAllocation;
              active = Math.max(active ?? 0, c.ActiveConnectionCount);
            }
          }
          if (points.length > 0) byGateway.set(id, points);
          if (opts.capacity) capacity.set(id, { portAllocationErrors: errors, activeConnections: active });
        }
      });
    }
    return { start, end, byGateway, ...(opts.capacity ? { capacity } : {}) };
  }

  /**
   * ErrorPortAllocation and ActiveConnectionCount for one minute, under the same delivery rules as
   * the traffic metrics (late, missing, none for a gateway that is not available). Connections:
   * the tables routed through it, plus any capacity fault's extra traffic.
   */
  private capacityPoint(nat: string, minuteStart: number): { ErrorPortAllocation: number; ActiveConnectionCount: number } | undefined {
    const delay = this.metricDelays
      .filter((d) => (d.nat === '*' || d.nat === nat) && d.from <= minuteStart && minuteStart < d.to)
      .reduce((a, d) => Math.max(a, d.extraLagMs), 0);
    if (minuteStart + MINUTE + this.options.metricLagSeconds * 1000 + delay > this.clock.nowMs()) return undefined;
    const mid = minuteStart + MINUTE / 2;
    if (valueAt(this.natHistory.get(nat), mid) !== 'available') return undefined;
    const faults = this.capacityFaults.filter((f) => f.nat === nat && f.from <= minuteStart && minuteStart < f.to);
    const tables = this.load(nat, mid);
    if (tables === 0 && faults.length === 0) return undefined;
    return {
      ErrorPortAllocation: faults.reduce((a, f) => a + f.portErrorsPerMinute, 0),
      ActiveConnectionCount: tables * this.options.connectionsPerTable + faults.reduce((a, f) => a + f.extraConnections, 0),
    };
  }

  addCapacityFault(f: CapacityFault): void {
    this.capacityFaults.push(f);
  }

  async replaceRoute(routeTableId: string, destination: string, natGatewayId: string): Promise<void> {
    await this.api('ReplaceRoute', () => {
      const t = this.table(routeTableId, 'ReplaceRoute');
      const r = t.routes.find((x) => x.destination === destination);
      if (!r) throw new CloudApiError('ReplaceRoute', 'InvalidRoute.NotFound', `no route to ${destination} in ${routeTableId}`);
      const nat = this.world.nats.find((n) => n.id === natGatewayId);
      if (!nat || nat.state === 'deleted') throw new CloudApiError('ReplaceRoute', 'InvalidNatGatewayID.NotFound', `${natGatewayId} does not exist`);
      if (nat.vpcId !== t.vpcId) throw new CloudApiError('ReplaceRoute', 'InvalidParameterValue', `${natGatewayId} is in ${nat.vpcId}, not ${t.vpcId}`);
      const now = this.clock.nowMs();
      const wf = this.writeFaults.find(
        (f) => f.from <= now && now < f.to && (!f.destination || f.destination === destination) && (!f.routeTableId || f.routeTableId === routeTableId),
      );
      if (wf) throw new TransientError('ReplaceRoute', 'InternalError: simulated service fault');
      this.setRoute(t, destination, { kind: 'nat', id: natGatewayId }, 'controller');
    });
  }

  async createTags(routeTableIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    for (const ids of chunk(routeTableIds, TAG_RESOURCES_MAX)) {
      await this.api('CreateTags', () => {
        const tables = ids.map((id) => this.table(id, 'CreateTags'));
        // As EC2: 50 user tags per resource (aws: keys do not count); a call that would pass that on
        // any of its resources fails whole.
        for (const t of tables) {
          const after = userTagCount({ ...t.tags, ...tags });
          if (after > TAGS_PER_RESOURCE_MAX) throw new CloudApiError('CreateTags', 'TagLimitExceeded', `${t.id} would have ${after} tags, more than ${TAGS_PER_RESOURCE_MAX}`);
        }
        for (const t of tables) {
          Object.assign(t.tags, tags);
          this.mutations.push({ at: this.clock.nowMs(), actor: 'controller', op: 'CreateTags', routeTableId: t.id, keys: Object.keys(tags) });
        }
      });
    }
  }

  async deleteTags(routeTableIds: readonly string[], keys: readonly string[]): Promise<void> {
    for (const ids of chunk(routeTableIds, TAG_RESOURCES_MAX)) {
      await this.api('DeleteTags', () => {
        const tables = ids.map((id) => this.table(id, 'DeleteTags'));
        for (const t of tables) {
          for (const k of keys) delete t.tags[k];
          this.mutations.push({ at: this.clock.nowMs(), actor: 'controller', op: 'DeleteTags', routeTableId: t.id, keys: [...keys] });
        }
      });
    }
  }

  /** Pushed signals: ARC / Health evacuations (AZ ID mapped to its name) and alarms in ALARM. */
  async read(now: Date): Promise<{ evacuations: readonly Evacuation[]; alarms: readonly GatewayAlarm[] }> {
    const t = now.getTime();
    const evacuations: Evacuation[] = [];
    for (const [id, e] of this.evacuations) {
      const zone = this.world.zones.find((z) => z.id === e.azId);
      if (zone && e.since <= t) evacuations.push({ az: zone.name, source: e.source, id, since: new Date(e.since) });
    }
    const alarms: GatewayAlarm[] = [...this.alarms].filter(([, a]) => a.since <= t).map(([name, a]) => ({ natGatewayId: a.nat, alarmName: name, since: new Date(a.since) }));
    return { evacuations, alarms };
  }

  // -------------------------------------------------------------------------------------------
  // Ground truth and metrics.
  // -------------------------------------------------------------------------------------------

  private toRoute(destination: string, target: RouteTarget): Route {
    if (target.kind !== 'nat') return { destination, target: { ...target }, state: 'active' };
    const nat = this.world.nats.find((n) => n.id === target.id);
    const dead = !nat || nat.state === 'deleted' || nat.state === 'failed' || this.blackholed.has(target.id);
    return { destination, target: { ...target }, state: dead ? 'blackhole' : 'active' };
  }

  private activeTraffic(nat: string, minuteStart: number): TrafficFault[] {
    return this.trafficFaults.filter((f) => trafficFaultActive(f, nat, minuteStart, this.options.seed));
  }

  /** Tables whose IPv4 default route points at `nat` at time t: a gateway's traffic. */
  load(nat: string, t: number): number {
    let n = 0;
    for (const tbl of this.world.tables) if (valueAt(this.routeHistory.get(`${tbl.id}|0.0.0.0/0`), t) === nat) n++;
    return n;
  }

  /** The datapoint CloudWatch would return now for one minute, or undefined if none (yet). */
  private datapoint(nat: string, minuteStart: number): Partial<Record<RuleMetric, number>> | undefined {
    const delay = this.metricDelays
      .filter((d) => (d.nat === '*' || d.nat === nat) && d.from <= minuteStart && minuteStart < d.to)
      .reduce((a, d) => Math.max(a, d.extraLagMs), 0);
    if (minuteStart + MINUTE + this.options.metricLagSeconds * 1000 + delay > this.clock.nowMs()) return undefined;
    const mid = minuteStart + MINUTE / 2;
    if (valueAt(this.natHistory.get(nat), mid) !== 'available') return undefined;
    // No route, no traffic, no datapoint: silence after a failover says nothing about health.
    const tables = this.load(nat, mid);
    if (tables === 0) return undefined;
    const faults = this.activeTraffic(nat, minuteStart);
    const drop = Math.min(1, faults.reduce((a, f) => a + f.drop, 0.00001));
    const connFail = Math.min(1, faults.reduce((a, f) => a + f.connFail, 0.001));
    const packets = this.options.packetsPerTable * tables;
    const attempts = this.options.attemptsPerTable * tables;
    const dropped = Math.round(packets * drop);
    return {
      PacketsDropCount: dropped,
      PacketsOutToDestination: packets - dropped,
      ConnectionAttemptCount: attempts,
      ConnectionEstablishedCount: Math.round(attempts * (1 - connFail)),
    };
  }

  /** What the gateway really does now (or at t, for data-plane faults). */
  truth(natId: string, t: number = this.clock.nowMs()): Truth {
    const nat = this.world.nats.find((n) => n.id === natId);
    if (!nat) return { status: 'dead', why: `${natId} does not exist`, hard: true };
    if (nat.state !== 'available') return { status: 'dead', why: `${natId} is ${nat.state}`, hard: true };
    if (this.blackholed.has(natId)) return { status: 'dead', why: `routes to ${natId} are blackholed`, hard: true };
    const zone = this.world.zones.find((z) => z.name === nat.az);
    if (zone?.state === 'unavailable') return { status: 'dead', why: `${zone.name} is unavailable`, hard: true };
    if (zone?.state === 'impaired') return { status: 'degraded', why: `${zone.name} is impaired`, hard: true };
    for (const e of this.evacuations.values()) {
      if (zone && e.azId === zone.id && e.since <= t) return { status: 'degraded', why: `${zone.name} is being evacuated (${e.source})`, hard: true };
    }
    if (this.grayFaults.some((g) => g.nat === natId && g.from <= t && t < g.to)) return { status: 'dead', why: `${natId}: new connections fail (gray failure)`, hard: false };
    const minute = Math.floor(t / MINUTE) * MINUTE;
    const faults = this.activeTraffic(natId, minute).filter((f) => f.truth !== 'noise');
    if (faults.some((f) => f.truth === 'dead')) return { status: 'dead', why: `${natId} is dropping traffic`, hard: false };
    if (faults.length > 0) return { status: 'degraded', why: `${natId} is degraded`, hard: false };
    return { status: 'ok', why: 'healthy', hard: false };
  }

  // -------------------------------------------------------------------------------------------
  // Fault injection (the scenario's levers) and inspection.
  // -------------------------------------------------------------------------------------------

  /**
   * Position of each table in world.tables, so a tag write to n of N tables costs O(n), not O(n·N)
   * (a 10,000-table tag write was a hundred million comparisons). Tests and drills edit the world
   * directly, so a hit is checked against the array and a stale index is rebuilt, never trusted.
   */
  private tableIndex = new Map<string, number>();

  private table(id: string, operation: string): SimTable {
    const hit = (): SimTable | undefined => {
      const i = this.tableIndex.get(id);
      const t = i === undefined ? undefined : this.world.tables[i];
      return t?.id === id ? t : undefined;
    };
    let t = hit();
    if (!t) {
      this.tableIndex = new Map(this.world.tables.map((x, i) => [x.id, i]));
      t = hit();
    }
    if (!t) throw new CloudApiError(operation, 'InvalidRouteTableID.NotFound', `${id} does not exist`);
    return t;
  }

  private setRoute(t: SimTable, destination: string, target: RouteTarget, actor: Mutation['actor']): void {
    const r = t.routes.find((x) => x.destination === destination);
    if (!r) throw new Error(`${t.id} has no route to ${destination}`);
    const now = this.clock.nowMs();
    const from = r.target.id;
    r.target = { ...target };
    const key = `${t.id}|${destination}`;
    this.routeHistory.set(key, [...(this.routeHistory.get(key) ?? []), { at: now, value: target.id }]);
    this.mutations.push({
      at: now,
      actor,
      op: 'ReplaceRoute',
      routeTableId: t.id,
      destination,
      from,
      to: target.id,
      toTruth: target.kind === 'nat' ? this.truth(target.id, now) : undefined,
      fromTruth: this.world.nats.some((n) => n.id === from) ? this.truth(from, now) : undefined,
    });
  }

  setNatState(id: string, state: NatState): void {
    const nat = this.nat(id);
    nat.state = state;
    this.natHistory.get(id)?.push({ at: this.clock.nowMs(), value: state });
  }

  addNat(nat: SimNat): void {
    if (this.world.nats.some((n) => n.id === nat.id)) throw new Error(`${nat.id} exists already`);
    this.world.nats.push({ ...nat });
    this.natHistory.set(nat.id, [{ at: this.clock.nowMs(), value: nat.state }]);
  }

  nat(id: string): SimNat {
    const n = this.world.nats.find((x) => x.id === id);
    if (!n) throw new Error(`no NAT gateway ${id} in the simulated region`);
    return n;
  }

  setZoneState(azName: string, state: ZoneState): void {
    const z = this.world.zones.find((x) => x.name === azName || x.id === azName);
    if (!z) throw new Error(`no AZ ${azName} in the simulated region`);
    z.state = state;
  }

  setBlackhole(natId: string, on: boolean): void {
    if (on) this.blackholed.add(natId);
    else this.blackholed.delete(natId);
  }

  addTrafficFault(f: TrafficFault): void {
    this.trafficFaults.push(f);
  }

  addGrayFault(g: GrayFault): void {
    this.grayFaults.push(g);
  }

  /** The gateway a probe subnet's route points at for good: the AZ's first zonal gateway at the start. */
  probePathNat(vpcId: string, az: string): string | undefined {
    return this.initial.nats.filter((n) => n.vpcId === vpcId && n.az === az && n.availabilityMode === 'zonal').map((n) => n.id).sort()[0];
  }

  /** Whether one probe round through the AZ's path at time t gets through to the targets. */
  private probeRoundOk(nat: string | undefined, t: number): boolean {
    if (this.grayFaults.some((g) => g.nat === '*' && g.from <= t && t < g.to)) return false;
    if (nat === undefined) return false;
    // Degraded (an evacuation, a few dropped packets) still connects; only a dead path fails a round.
    return this.truth(nat, t).status !== 'dead';
  }

  /**
   * One probe invocation per probed path starting at `at` (the shared schedule): a round, and when
   * it fails, confirmation rounds; the ProbeFailed datum is published when it ends and readable
   * publishLagSeconds later. Returns every invocation (the runner delivers the failing verdicts).
   */
  runProbes(at: number): SimProbeInvocation[] {
    const o = this.options.probe as SimProbeOptions;
    const out: SimProbeInvocation[] = [];
    const vpcs = [...new Set(this.world.tables.map((t) => t.vpcId))].sort();
    for (const vpcId of vpcs) {
      const azs = [...new Set(this.initial.nats.filter((n) => n.vpcId === vpcId && n.availabilityMode === 'zonal' && n.az).map((n) => n.az as string))].sort();
      for (const az of azs) {
        const nat = this.probePathNat(vpcId, az);
        let t = at;
        let rounds = 0;
        let failedRounds = 0;
        do {
          const ok = this.probeRoundOk(nat, t);
          rounds++;
          if (!ok) failedRounds++;
          t += (ok ? o.okRoundSeconds : o.failedRoundSeconds) * 1000;
        } while (failedRounds > 0 && rounds < o.confirmRounds);
        // Failed when most rounds failed: one lost round in a confirmation is not a verdict.
        const failed = failedRounds * 2 > rounds;
        const pathDead = nat === undefined || this.truth(nat, t).status === 'dead';
        const inv: SimProbeInvocation = { vpcId, az, natGatewayId: nat, at, endsAt: t, failed, rounds, roundsFailed: failedRounds, pathDead };
        this.probeInvocations.push(inv);
        const key = probeZoneKey(vpcId, az);
        this.probeData.set(key, [...(this.probeData.get(key) ?? []), { at, failed, readableAt: t + o.publishLagSeconds * 1000 }]);
        out.push(inv);
      }
    }
    return out;
  }

  /** GetMetricData of ProbeFailed (Maximum, 60 s) for the probed paths, as src/aws/cloudwatch.ts asks. */
  async readProbeMetrics(zones: readonly ProbeZone[], start: Date, end: Date): Promise<ReadonlyMap<string, readonly ProbeRound[]>> {
    const out = new Map<string, ProbeRound[]>();
    for (const batch of chunk(zones, QUERIES_PER_CALL)) {
      await this.api('GetMetricData', () => {
        const now = this.clock.nowMs();
        for (const z of batch) {
          const key = probeZoneKey(z.vpcId, z.az);
          const minutes = new Map<number, boolean>();
          for (const d of this.probeData.get(key) ?? []) {
            const m = Math.floor(d.at / MINUTE) * MINUTE;
            if (d.readableAt > now || m < start.getTime() || m >= end.getTime()) continue;
            minutes.set(m, (minutes.get(m) ?? false) || d.failed);
          }
          out.set(key, [...minutes].sort(([a], [b]) => a - b).map(([m, failed]) => ({ at: new Date(m), failed, rounds: 1, roundsFailed: failed ? 1 : 0, source: 'metric' as const })));
        }
      });
    }
    return out;
  }

  /** Ground truth for the restore-proof invariant: did any probe round through the path fail in [from, to]? */
  probeFailedBetween(vpcId: string, az: string, from: number, to: number): boolean {
    return this.probeInvocations.some((i) => i.vpcId === vpcId && i.az === az && i.failed && i.at >= from && i.at <= to);
  }

  addMetricDelay(d: MetricDelay): void {
    this.metricDelays.push(d);
  }

  addWriteFault(f: WriteFault): void {
    this.writeFaults.push(f);
  }

  openEvacuation(id: string, azId: string, source: string): void {
    this.evacuations.set(id, { azId, source, since: this.clock.nowMs() });
  }

  closeEvacuation(id: string): void {
    this.evacuations.delete(id);
  }

  setAlarm(name: string, nat: string, on: boolean): void {
    if (on) this.alarms.set(name, { nat, since: this.clock.nowMs() });
    else this.alarms.delete(name);
  }

  private mutatingBucket(operation: string): TokenBucket {
    let b = this.perAction.get(operation);
    if (!b) this.perAction.set(operation, (b = new TokenBucket(this.options.mutating, this.clock.nowMs())));
    return b;
  }

  /** Other callers take `share` of a bucket's refill (and empty it) until share 0; `mutating`: every mutating action's. */
  throttlingStorm(bucket: BucketName, share: number): void {
    if (bucket !== 'mutating') return this.buckets[bucket].storm(this.clock.nowMs(), share);
    for (const op of Object.keys(BUCKET_OF).filter((o) => BUCKET_OF[o] === 'mutating')) this.mutatingBucket(op).storm(this.clock.nowMs(), share);
  }

  /** The next run dies after `mutations` successful writes. */
  armCrash(mutations: number): void {
    this.crashAfter = mutations;
  }

  /** A person edits a route after the controller planned and before it re-reads (its CAS). */
  editDuringRun(routeTableId: string, destination: string, to: RouteTarget): void {
    this.pendingEdits.push({ routeTableId, destination, to });
  }

  /** A person edits a route now (console, Terraform). */
  editRoute(routeTableId: string, destination: string, to: RouteTarget): void {
    this.setRoute(this.table(routeTableId, 'edit'), destination, to, 'external');
  }

  /** A person sets tags now (e.g. a maintenance pin). */
  editTags(routeTableId: string, set: Readonly<Record<string, string>>): void {
    Object.assign(this.table(routeTableId, 'edit').tags, set);
  }

  applyPendingEdits(): void {
    const edits = this.pendingEdits;
    this.pendingEdits = [];
    for (const e of edits) this.editRoute(e.routeTableId, e.destination, e.to);
  }

  /** Called by the runner around each controller run. */
  beginRun(): void {
    this.mutatingInRun = 0;
    this.crashed = false;
  }

  endRun(): void {
    this.applyPendingEdits();
    this.crashAfter = undefined;
  }

  /** Where a table's route points now. */
  target(routeTableId: string, destination = '0.0.0.0/0'): string | undefined {
    return this.world.tables.find((t) => t.id === routeTableId)?.routes.find((r) => r.destination === destination)?.target.id;
  }

  isManagedDestination(d: string): boolean {
    return (MANAGED_DESTINATIONS as readonly string[]).includes(d);
  }

  /** Call counts per operation, retries and virtual time: the benchmark's raw figures. */
  stats(): { calls: number; retries: number; byOperation: Record<string, number>; throttled: Record<string, number>; elapsedMs: number } {
    return { ...this.retrier.stats, byOperation: { ...this.retrier.stats.byOperation }, throttled: { ...this.throttled }, elapsedMs: this.clock.elapsedMs };
  }
}
