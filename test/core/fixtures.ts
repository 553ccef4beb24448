/**
 * Small builders for hand-written worlds. Every test states the parts of the world it cares
 * about; the rest is a plain healthy 3-AZ VPC with one NAT gateway and one private table per AZ.
 */
import { DEFAULTS, type Config } from '../../src/config';
import { IPV4_DEFAULT, NAT64_PREFIX, TAGS } from '../../src/core/constants';
import { assessHealth } from '../../src/core/health';
import { plan, type PlanOverrides } from '../../src/core/planner';
import type {
  Evacuation,
  GatewayAlarm,
  HealthReport,
  Inventory,
  MetricPoint,
  MetricWindow,
  NatGateway,
  Observation,
  Plan,
  Route,
  RouteTable,
  TableAction,
  Zone,
} from '../../src/core/types';

export const NOW = new Date('2026-11-23T12:00:00.000Z');
export const VPC = 'vpc-11111111';
export const VPC2 = 'vpc-22222222';

export const at = (secondsFromNow: number): Date => new Date(NOW.getTime() + secondsFromNow * 1000);
export const iso = (secondsFromNow: number): string => at(secondsFromNow).toISOString();

export const ZONES: readonly Zone[] = [
  { name: 'us-east-1a', id: 'use1-az1', state: 'available' },
  { name: 'us-east-1b', id: 'use1-az2', state: 'available' },
  { name: 'us-east-1c', id: 'use1-az3', state: 'available' },
];

export function natGw(id: string, az: string | undefined, over: Partial<NatGateway> = {}): NatGateway {
  return { id, vpcId: VPC, az, state: 'available', connectivityType: 'public', availabilityMode: 'zonal', ...over };
}

export const route = (destination: string, target: string, over: Partial<Route> = {}): Route => ({
  destination,
  target: { kind: target.startsWith('nat-') ? 'nat' : 'other', id: target },
  state: 'active',
  ...over,
});

export interface TableSpec {
  readonly vpcId?: string;
  readonly subnetAzs?: readonly string[];
  /** Target of 0.0.0.0/0; omitted = no default route. */
  readonly v4?: string;
  /** Target of 64:ff9b::/96. */
  readonly v6?: string;
  readonly extraRoutes?: readonly Route[];
  readonly tags?: Record<string, string>;
  readonly managed?: boolean;
}

export function table(id: string, spec: TableSpec = {}): RouteTable {
  const routes: Route[] = [route('10.0.0.0/16', 'local')];
  if (spec.v4 !== undefined) routes.push(route(IPV4_DEFAULT, spec.v4));
  if (spec.v6 !== undefined) routes.push(route(NAT64_PREFIX, spec.v6));
  routes.push(...(spec.extraRoutes ?? []));
  return {
    id,
    vpcId: spec.vpcId ?? VPC,
    tags: { ...(spec.managed === false ? {} : { 'nat-failover': 'enabled' }), ...(spec.tags ?? {}) },
    subnetAzs: spec.subnetAzs ?? [],
    routes,
  };
}

/** The standard world: nat-a/b/c in us-east-1a/b/c, rtb-a/b/c each at home in its AZ. */
export function standardInventory(): Inventory {
  return {
    zones: ZONES,
    natGateways: [natGw('nat-a', 'us-east-1a'), natGw('nat-b', 'us-east-1b'), natGw('nat-c', 'us-east-1c')],
    routeTables: [
      table('rtb-a', { subnetAzs: ['us-east-1a'], v4: 'nat-a' }),
      table('rtb-b', { subnetAzs: ['us-east-1b'], v4: 'nat-b' }),
      table('rtb-c', { subnetAzs: ['us-east-1c'], v4: 'nat-c' }),
    ],
  };
}

/** Replace parts of an inventory by id. */
export function withNat(inv: Inventory, id: string, over: Partial<NatGateway>): Inventory {
  return { ...inv, natGateways: inv.natGateways.map((n) => (n.id === id ? { ...n, ...over } : n)) };
}
export function withTable(inv: Inventory, t: RouteTable): Inventory {
  const others = inv.routeTables.filter((x) => x.id !== t.id);
  return { ...inv, routeTables: [...others, t] };
}
export function withZone(inv: Inventory, name: string, state: Zone['state']): Inventory {
  return { ...inv, zones: inv.zones.map((z) => (z.name === name ? { ...z, state } : z)) };
}

export interface ObsSpec {
  readonly now?: Date;
  readonly metrics?: MetricWindow;
  readonly evacuations?: readonly Evacuation[];
  readonly alarms?: readonly GatewayAlarm[];
  readonly unreadSignals?: Observation['unreadSignals'];
}

export function observation(inventory: Inventory, spec: ObsSpec = {}): Observation {
  return {
    now: spec.now ?? NOW,
    inventory,
    metrics: spec.metrics,
    evacuations: spec.evacuations ?? [],
    alarms: spec.alarms ?? [],
    unreadSignals: spec.unreadSignals ?? [],
  };
}

export const config = (over: Partial<Config> = {}): Config => ({ ...DEFAULTS, ...over });

/** The metric window the controller would read at NOW: the N complete minutes before NOW. */
export function metricWindow(byGateway: Record<string, readonly MetricPoint[]>, periods = DEFAULTS.softWindowPeriods): MetricWindow {
  return {
    start: at(-periods * 60),
    end: NOW,
    byGateway: new Map(Object.entries(byGateway)),
  };
}

/** Minute i of the window (0 = oldest). */
export const minute = (i: number, values: MetricPoint['values'], periods = DEFAULTS.softWindowPeriods): MetricPoint => ({
  start: at((i - periods) * 60),
  values,
});

/** A healthy, busy minute: plenty of traffic, no drops, every connection established. */
export const GOOD = { PacketsOutToDestination: 100_000, PacketsDropCount: 0, ConnectionAttemptCount: 1000, ConnectionEstablishedCount: 1000 } as const;
/** A bad minute on the packet-drop rule (1 % drops with the default 0.1 % threshold). */
export const DROPPING = { PacketsOutToDestination: 100_000, PacketsDropCount: 1000 } as const;

/** `n` minutes of `bad` at the end of a window of `periods`, preceded by good minutes. */
export function series(badLast: number, bad: MetricPoint['values'], periods = DEFAULTS.softWindowPeriods): MetricPoint[] {
  return Array.from({ length: periods }, (_, i) => minute(i, i >= periods - badLast ? bad : GOOD, periods));
}

/** Every standard gateway reporting good minutes, with `over` replacing some gateways' series. */
export function healthyMetrics(over: Record<string, readonly MetricPoint[]> = {}, nats = ['nat-a', 'nat-b', 'nat-c']): MetricWindow {
  const by: Record<string, readonly MetricPoint[]> = {};
  for (const n of nats) by[n] = series(0, GOOD);
  return metricWindow({ ...by, ...over });
}

export interface Decision {
  readonly health: HealthReport;
  readonly plan: Plan;
}

export function decideAt(obs: Observation, cfg: Config = config(), overrides: PlanOverrides = {}): Decision {
  const health = assessHealth(obs, cfg);
  return { health, plan: plan(obs, health, cfg, overrides) };
}

export const actionFor = (p: Plan, id: string): TableAction | undefined => p.actions.find((a) => a.routeTableId === id);

/** Where each of the table's managed routes would point after the plan. */
export function targetsAfter(p: Plan, t: RouteTable): { v4: string | undefined; v6: string | undefined } {
  const a = actionFor(p, t.id);
  const now = (dest: string) => t.routes.find((r) => r.destination === dest)?.target.id;
  const moved = (dest: string) => a?.routes.find((r) => r.destination === dest)?.to;
  return { v4: moved(IPV4_DEFAULT) ?? now(IPV4_DEFAULT), v6: moved(NAT64_PREFIX) ?? now(NAT64_PREFIX) };
}

/** State tags of a table that failed over from its home `homeNat` at `sinceSecondsAgo`. */
export function failedOverTags(o: {
  homeNat: string;
  since: number;
  homeOkSince?: number;
  flaps?: number;
  lastRestore?: number;
}): Record<string, string> {
  const tags: Record<string, string> = {
    [TAGS.state]: 'failed-over',
    [TAGS.since]: iso(o.since),
    [TAGS.reason]: 'earlier failover',
    [TAGS.homeNat]: o.homeNat,
  };
  if (o.homeOkSince !== undefined) tags[TAGS.homeOkSince] = iso(o.homeOkSince);
  // One key: `<count>@<last restore>`, or a bare count with no restore recorded.
  if (o.lastRestore !== undefined) tags[TAGS.flaps] = `${o.flaps ?? 0}@${iso(o.lastRestore)}`;
  else if (o.flaps !== undefined) tags[TAGS.flaps] = String(o.flaps);
  return tags;
}

/**
 * The inventory after the plan's route and tag changes: what the next run would observe if every
 * action was written as planned.
 */
export function applyPlan(inv: Inventory, p: Plan): Inventory {
  const byTable = new Map(p.actions.map((a) => [a.routeTableId, a]));
  return {
    ...inv,
    routeTables: inv.routeTables.map((t) => {
      const a = byTable.get(t.id);
      if (!a) return t;
      const routes = t.routes.map((r) => {
        const c = a.routes.find((x) => x.destination === r.destination && r.target.kind === 'nat' && r.target.id === x.from);
        return c ? { ...r, target: { kind: 'nat' as const, id: c.to }, state: 'active' as const } : r;
      });
      const tags: Record<string, string> = { ...t.tags, ...a.tags.set };
      for (const k of a.tags.remove) delete tags[k];
      return { ...t, routes, tags };
    }),
  };
}
