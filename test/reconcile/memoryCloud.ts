/**
 * A hand-written in-memory CloudPort: a tiny region whose route tables and tags change when the
 * controller writes, with hooks to interfere between the controller's read and its write.
 */
import { userTagCount } from '../../src/core/state';
import type { CloudPort, MetricReadOptions, Recorder, Scope, TableSlice } from '../../src/reconcile/ports';
import { bucketOf } from '../../src/core/slices';
import type { GatewayLoad, Inventory, MetricWindow, NatGateway, Route, RouteTable, Zone } from '../../src/core/types';

interface MutableTable {
  id: string;
  vpcId: string;
  tags: Record<string, string>;
  subnetAzs: string[];
  routes: Route[];
}

export interface Call {
  readonly op: 'readInventory' | 'readMetrics' | 'readRoutes' | 'replaceRoute' | 'createTags' | 'deleteTags';
  readonly args: readonly unknown[];
}

export class MemoryCloud implements CloudPort {
  readonly calls: Call[] = [];
  zones: Zone[];
  nats: NatGateway[];
  readonly tables = new Map<string, MutableTable>();
  /** Runs after the inventory is read: "someone else" acting between plan and write. */
  afterInventory: (() => void) | undefined;
  /** Throws to make one ReplaceRoute fail. */
  failReplace: ((routeTableId: string, destination: string) => Error | undefined) | undefined;
  /** Returns an error to make GetMetricData fail (throttled, CloudWatch down). */
  failMetrics: (() => Error | undefined) | undefined;
  /** What CloudWatch says about capacity, when a read asks for it (absent gateways: no data). */
  capacity = new Map<string, GatewayLoad>();

  constructor(zones: Zone[], nats: NatGateway[]) {
    this.zones = zones;
    this.nats = nats;
  }

  addTable(t: Omit<MutableTable, 'routes'> & { routes: Route[] }): void {
    this.tables.set(t.id, { ...t, tags: { ...t.tags }, routes: t.routes.map((r) => ({ ...r })) });
  }

  target(routeTableId: string, destination: string): string | undefined {
    return this.tables.get(routeTableId)?.routes.find((r) => r.destination === destination)?.target.id;
  }

  tagsOf(routeTableId: string): Record<string, string> {
    return { ...this.tables.get(routeTableId)?.tags };
  }

  count(op: Call['op']): number {
    return this.calls.filter((c) => c.op === op).length;
  }

  private snapshot(t: MutableTable): RouteTable {
    return { id: t.id, vpcId: t.vpcId, tags: { ...t.tags }, subnetAzs: [...t.subnetAzs], routes: t.routes.map((r) => ({ ...r })) };
  }

  async readInventory(scope: Scope, slice?: TableSlice): Promise<Inventory> {
    this.calls.push({ op: 'readInventory', args: slice ? [scope, slice] : [scope] });
    // A slice as EC2 selects it with the adapter's wildcard: by the id's last hex digit.
    const inSlice = (t: MutableTable) =>
      !slice || slice.buckets.includes(bucketOf(t.id) ?? -1) || slice.ids.includes(t.id) || slice.tagKeys.some((k) => k in t.tags);
    const routeTables = [...this.tables.values()]
      .filter((t) => t.tags[scope.managedTagKey] === scope.managedTagValue && (scope.vpcIds.length === 0 || scope.vpcIds.includes(t.vpcId)) && inSlice(t))
      .map((t) => this.snapshot(t));
    const inv = { zones: [...this.zones], natGateways: [...this.nats], routeTables };
    this.afterInventory?.();
    return inv;
  }

  async readMetrics(natGatewayIds: readonly string[], start: Date, end: Date, opts?: MetricReadOptions): Promise<MetricWindow> {
    this.calls.push({ op: 'readMetrics', args: [natGatewayIds, start, end, ...(opts ? [opts] : [])] });
    const err = this.failMetrics?.();
    if (err) throw err;
    if (!opts?.capacity) return { start, end, byGateway: new Map() };
    const capacity = new Map(natGatewayIds.map((id) => [id, this.capacity.get(id) ?? { portAllocationErrors: undefined, activeConnections: undefined }]));
    return { start, end, byGateway: new Map(), capacity };
  }

  async readRoutes(routeTableIds: readonly string[]): Promise<ReadonlyMap<string, readonly Route[]>> {
    this.calls.push({ op: 'readRoutes', args: [routeTableIds] });
    const out = new Map<string, readonly Route[]>();
    for (const id of routeTableIds) {
      const t = this.tables.get(id);
      if (t) out.set(id, t.routes.map((r) => ({ ...r })));
    }
    return out;
  }

  async replaceRoute(routeTableId: string, destination: string, natGatewayId: string): Promise<void> {
    this.calls.push({ op: 'replaceRoute', args: [routeTableId, destination, natGatewayId] });
    const err = this.failReplace?.(routeTableId, destination);
    if (err) throw err;
    const t = this.tables.get(routeTableId);
    const i = t?.routes.findIndex((r) => r.destination === destination) ?? -1;
    if (!t || i < 0) throw new Error(`no route ${destination} in ${routeTableId}`);
    t.routes[i] = { destination, target: { kind: 'nat', id: natGatewayId }, state: 'active' };
  }

  async createTags(routeTableIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    this.calls.push({ op: 'createTags', args: [routeTableIds, tags] });
    // As EC2: at most 50 user tags (aws: keys do not count) per resource, and a call that would pass
    // that on any of its resources fails whole.
    for (const id of routeTableIds) {
      const after = userTagCount({ ...this.tables.get(id)?.tags, ...tags });
      if (after > 50) throw new Error(`TagLimitExceeded: ${id} would have ${after} tags, more than 50`);
    }
    for (const id of routeTableIds) Object.assign(this.tables.get(id)?.tags ?? {}, tags);
  }

  async deleteTags(routeTableIds: readonly string[], keys: readonly string[]): Promise<void> {
    this.calls.push({ op: 'deleteTags', args: [routeTableIds, keys] });
    for (const id of routeTableIds) {
      const t = this.tables.get(id);
      for (const k of keys) if (t) delete t.tags[k];
    }
  }
}

export const ZONES: Zone[] = [
  { name: 'us-east-1a', id: 'use1-az1', state: 'available' },
  { name: 'us-east-1b', id: 'use1-az2', state: 'available' },
  { name: 'us-east-1c', id: 'use1-az3', state: 'available' },
];

export const nat = (id: string, az: string, state: NatGateway['state'] = 'available', ips?: string[]): NatGateway => ({
  id,
  vpcId: 'vpc-11111111',
  az,
  state,
  connectivityType: 'public',
  availabilityMode: 'zonal',
  ...(ips ? { ips } : {}),
});

/** A managed table in `az` whose default and NAT64 routes point at `natId`, plus an S3 endpoint route. */
export const managedTable = (id: string, az: string, natId: string) => ({
  id,
  vpcId: 'vpc-11111111',
  tags: { 'nat-failover': 'enabled' },
  subnetAzs: [az],
  routes: [
    { destination: '0.0.0.0/0', target: { kind: 'nat' as const, id: natId }, state: 'active' as const },
    { destination: '64:ff9b::/96', target: { kind: 'nat' as const, id: natId }, state: 'active' as const },
    { destination: 'pl-63a5400a', target: { kind: 'other' as const, id: 'vpce-0123' }, state: 'active' as const },
  ],
});

/** Three AZs, a gateway and a managed table at home in each, and a recorder that keeps log lines. */
export function threeAzRegion() {
  const cloud = new MemoryCloud(ZONES, [nat('nat-a', 'us-east-1a'), nat('nat-b', 'us-east-1b'), nat('nat-c', 'us-east-1c')]);
  cloud.addTable(managedTable('rtb-a', 'us-east-1a', 'nat-a'));
  cloud.addTable(managedTable('rtb-b', 'us-east-1b', 'nat-b'));
  cloud.addTable(managedTable('rtb-c', 'us-east-1c', 'nat-c'));
  const logs: string[] = [];
  const recorder: Recorder = { info: (m) => logs.push(m), warn: (m) => logs.push(`WARN ${m}`), error: (m) => logs.push(`ERROR ${m}`), count() {} };
  return { cloud, logs, recorder };
}
