import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Filter,
  type NatGateway as SdkNat,
  ReplaceRouteCommand,
  type Route as SdkRoute,
  type RouteTable as SdkRouteTable,
} from '@aws-sdk/client-ec2';
import { CloudApiError } from '../errors';
import type { KnownGateways, Scope, TableSlice } from '../reconcile/ports';
import { bucketDigit, ROUTE_TABLE_IDS_PER_REQUEST } from '../core/slices';
import type { Retrier } from '../retry';
import type { ConnectivityType, Inventory, NatGateway, NatState, Route, RouteTable, Zone, ZoneState } from '../core/types';
import { call } from './errors';
import { SubnetAzCache } from './subnetCache';

/**
 * EC2 accepts at most 200 filter values in one request, counted over ALL its filters: a tag filter
 * plus 200 `vpc-id` values is 201 and fails with "FilterLimitExceeded: The maximum number of filter
 * values specified on a single call is 200" (the error EC2 returns; see e.g. gjbae1212/gossm#47,
 * convox/rack#2205). Tag and delete calls are batched by 200 resources the same way.
 */
export const FILTER_VALUES_MAX = 200;
export const TAG_RESOURCES_MAX = 200;

/**
 * Above this many managed tables, one unpaginated DescribeRouteTables response (about 2.5 KB of XML
 * a table with its state tags) is too large for the SDK to parse in the function's 256 MB: at
 * 10,000 tables the heap ran out (bench `steady.realSdk`, Lambda's Node heap flags for 256 MB). The
 * read is then paged by EC2's maximum, ROUTE_TABLES_PAGE (DescribeRouteTables MaxResults: 5-100,
 * EC2 API reference), and so is a container's first read, before the count is known.
 */
export const UNPAGED_TABLES_MAX = 1_000;
export const ROUTE_TABLES_PAGE = 100;
/** DescribeSubnets MaxResults: 5-1,000 (EC2 API reference). */
export const SUBNETS_PAGE = 1_000;

/**
 * The filter lists that cover every one of `values` once, each request holding the `fixed` filters
 * plus as many values as the 200-value total leaves room for. No values, no requests.
 */
export function filterChunks(fixed: readonly Filter[], name: string, values: readonly string[]): Filter[][] {
  const used = fixed.reduce((n, f) => n + (f.Values?.length ?? 0), 0);
  const room = FILTER_VALUES_MAX - used;
  if (room < 1) throw new Error(`filters already hold ${used} values: no room for ${name} under EC2's ${FILTER_VALUES_MAX}`);
  return chunk([...new Set(values)], room).map((part) => [...fixed, { Name: name, Values: part }]);
}

export const chunk = <T>(xs: readonly T[], n: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
  return out;
};

const NAT_STATES: readonly NatState[] = ['pending', 'available', 'failed', 'deleting', 'deleted'];
const ZONE_STATES: readonly ZoneState[] = ['available', 'information', 'impaired', 'unavailable', 'constrained'];
const CONNECTIVITY: readonly ConnectivityType[] = ['public', 'private'];

/** Only a continuation carries a token, so the first request of every listing is the same. */
const tokenOf = (token: string | undefined): { NextToken?: string } => (token ? { NextToken: token } : {});

const unexpected = (operation: string, detail: string): CloudApiError =>
  // An unknown observation is an error, never a default: a new state must be understood first.
  new CloudApiError(operation, 'UnexpectedResponse', detail);

/**
 * Every RouteState the API defines: `active | blackhole | filtered` (the `@aws-sdk/client-ec2`
 * RouteState enum; AWS SDK for Python v4 "EC2 > Enums > RouteState",
 * docs.aws.amazon.com/sdk-for-python/v4/reference/clients/ec2/enums/RouteState/). The API reference
 * (Route.state) documents only `blackhole`: "the route's target isn't available". A state outside
 * this list, or none, is an error: reading it as `active` would count as evidence that a dead
 * gateway carries traffic. `filtered` is kept as itself and is evidence of nothing (core/health.ts).
 */
const ROUTE_STATES: readonly Route['state'][] = ['active', 'blackhole', 'filtered'];

function toRoute(r: SdkRoute, routeTableId: string | undefined): Route | undefined {
  const destination = r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId;
  if (!destination) return undefined;
  const state = ROUTE_STATES.find((x) => x === r.State);
  if (!state) {
    throw unexpected('DescribeRouteTables', `route ${destination.slice(0, 64)} of ${routeTableId ?? '?'} has state ${String(r.State ?? '?').slice(0, 32)}`);
  }
  const other =
    r.GatewayId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId ?? r.NetworkInterfaceId ?? r.InstanceId ??
    r.EgressOnlyInternetGatewayId ?? r.LocalGatewayId ?? r.CarrierGatewayId ?? r.CoreNetworkArn ?? 'unknown';
  return {
    destination,
    target: r.NatGatewayId ? { kind: 'nat', id: r.NatGatewayId } : { kind: 'other', id: other },
    state,
  };
}

/**
 * A regional NAT gateway as an API or SDK that predates `AvailabilityMode` shows it: no subnet (a
 * zonal gateway always lives in one), and a `RouteTableId` or addresses that name their own AZ
 * (EC2 API reference, NatGateway: `routeTableId` "For regional NAT gateways only";
 * NatGatewayAddress `availabilityZone`/`availabilityZoneId`; VPC User Guide "Regional NAT gateways
 * for automatic multi-AZ expansion"). Taking such a gateway for zonal would give it no AZ and move
 * its tables off it to a zonal "home".
 */
function looksRegional(n: SdkNat): boolean {
  if (n.SubnetId) return false;
  const perAz = (n.NatGatewayAddresses ?? []).some((a) => a.AvailabilityZone !== undefined || a.AvailabilityZoneId !== undefined);
  return n.RouteTableId !== undefined || perAz;
}

function toNat(n: SdkNat, subnetAz: ReadonlyMap<string, string>): NatGateway {
  const state = NAT_STATES.find((s) => s === n.State);
  if (!n.NatGatewayId || !n.VpcId || !state) {
    throw unexpected('DescribeNatGateways', `gateway ${n.NatGatewayId ?? '?'} has state ${n.State ?? '?'}`);
  }
  // Public and private gateways are not interchangeable, so a guess here could misroute traffic.
  const connectivityType = n.ConnectivityType === undefined ? 'public' : CONNECTIVITY.find((c) => c === n.ConnectivityType);
  if (!connectivityType) {
    throw unexpected('DescribeNatGateways', `gateway ${n.NatGatewayId} has connectivity type ${n.ConnectivityType}`);
  }
  if (n.AvailabilityMode !== undefined && n.AvailabilityMode !== 'regional' && n.AvailabilityMode !== 'zonal') {
    throw unexpected('DescribeNatGateways', `gateway ${n.NatGatewayId} has availability mode ${n.AvailabilityMode}`);
  }
  const regional = n.AvailabilityMode === 'regional' || (n.AvailabilityMode === undefined && looksRegional(n));
  return {
    id: n.NatGatewayId,
    vpcId: n.VpcId,
    az: regional || !n.SubnetId ? undefined : subnetAz.get(n.SubnetId),
    state,
    connectivityType,
    availabilityMode: regional ? 'regional' : 'zonal',
    ips: egressIps(n, connectivityType),
  };
}

/** A managed table as read, before its subnets' AZs are known. */
type ReadTable = Omit<RouteTable, 'subnetAzs'> & { readonly subnetIds: readonly string[] };

function readTable(t: SdkRouteTable): ReadTable {
  return {
    id: t.RouteTableId as string,
    vpcId: t.VpcId as string,
    tags: Object.fromEntries((t.Tags ?? []).filter((x) => x.Key !== undefined).map((x) => [x.Key as string, x.Value ?? ''])),
    subnetIds: (t.Associations ?? []).map((a) => a.SubnetId).filter((s): s is string => !!s),
    routes: (t.Routes ?? []).map((r) => toRoute(r, t.RouteTableId)).filter((r): r is Route => r !== undefined),
  };
}

const natSubnets = (nats: readonly SdkNat[]): string[] => nats.map((n) => n.SubnetId).filter((s): s is string => !!s);

/**
 * The IPs a gateway's traffic leaves from (NatGatewayAddresses, primary and secondary): Elastic
 * IPs (`PublicIp`) of a public gateway, private IPs of a private one ("[Public NAT gateway only]
 * The Elastic IP address associated with the NAT gateway", EC2 API reference, NatGatewayAddress).
 * Only addresses whose `Status` is `succeeded` carry traffic; `assigning`, `associating`,
 * `disassociating`, `unassigning` and `failed` do not (yet, or any more). An address without a
 * status (older API versions, emulators) is taken as in use.
 */
function egressIps(n: SdkNat, connectivity: ConnectivityType): string[] {
  const ips: string[] = [];
  for (const a of n.NatGatewayAddresses ?? []) {
    if (a.Status !== undefined && a.Status !== 'succeeded') continue;
    const ip = connectivity === 'public' ? a.PublicIp : a.PrivateIp;
    if (ip !== undefined && ip !== '' && !ips.includes(ip)) ips.push(ip);
  }
  return ips;
}

/** The EC2 half of the AWS adapter: describe in bulk, write one route at a time. */
export class Ec2Adapter {
  constructor(
    private readonly client: EC2Client,
    private readonly retry: Retrier,
    /** Lives as long as the adapter: one Lambda container (src/lambda/wiring.ts builds it once). */
    readonly subnets: SubnetAzCache = new SubnetAzCache(),
  ) {}

  /** Managed tables the last inventory read found: decides whether the next read is paged. */
  private lastManagedTables: number | undefined;

  private send<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return this.retry.run(operation, () => call(operation, fn));
  }

  /**
   * DescribeRouteTables pages hold at most 100 tables, so a paginated read grows by one call per 100
   * managed tables. The tag- or id-filtered read is therefore unpaginated (no MaxResults: EC2
   * returns every match in one response) whenever one response is known to be small enough, which
   * keeps a steady-state run at a fixed handful of calls; a NextToken, should EC2 ever send one, is
   * still followed. `pageSize` pages it instead (see UNPAGED_TABLES_MAX). Each page is reduced with
   * `reduce` before the next is requested, so only one page's SDK objects are alive at a time.
   */
  async describeRouteTables<T = SdkRouteTable>(filters: Filter[], pageSize?: number, reduce: (t: SdkRouteTable) => T = (t) => t as T): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const page = await this.send('DescribeRouteTables', () =>
        this.client.send(new DescribeRouteTablesCommand({ Filters: filters, ...(pageSize ? { MaxResults: pageSize } : {}), ...tokenOf(token) })),
      );
      for (const t of page.RouteTables ?? []) out.push(reduce(t));
      token = page.NextToken;
    } while (token);
    return out;
  }

  /** AZ of every subnet of `vpcIds` (a full read), or of the subnets `subnetIds` names (missing ids are skipped, not errors). */
  async describeSubnetAzs(by: { readonly vpcIds: readonly string[] } | { readonly subnetIds: readonly string[] }): Promise<Map<string, string>> {
    const azBySubnet = new Map<string, string>();
    // A `subnet-id` filter, not the SubnetIds parameter: an id that no longer exists is then simply
    // not returned, where SubnetIds fails the whole call with InvalidSubnetID.NotFound (EC2 API
    // reference, DescribeSubnets: filters and SubnetId.N).
    const full = 'vpcIds' in by;
    const chunks = full ? filterChunks([], 'vpc-id', by.vpcIds) : filterChunks([], 'subnet-id', by.subnetIds);
    for (const filters of chunks) {
      let token: string | undefined;
      do {
        const page = await this.send('DescribeSubnets', () =>
          // A full read is paged by EC2's maximum (1,000 a page): it happens once a container and
          // then hourly, and a whole region's subnets in one response could be tens of MB to parse.
          // A read by id is bounded by its 200 filter values.
          this.client.send(new DescribeSubnetsCommand({ Filters: filters, ...(full ? { MaxResults: SUBNETS_PAGE } : {}), ...tokenOf(token) })),
        );
        for (const s of page.Subnets ?? []) if (s.SubnetId && s.AvailabilityZone) azBySubnet.set(s.SubnetId, s.AvailabilityZone);
        token = page.NextToken;
      } while (token);
    }
    return azBySubnet;
  }

  async describeNatGateways(vpcIds: readonly string[]): Promise<SdkNat[]> {
    const out: SdkNat[] = [];
    for (const filters of filterChunks([], 'vpc-id', vpcIds)) {
      let token: string | undefined;
      do {
        const page = await this.send('DescribeNatGateways', () =>
          this.client.send(new DescribeNatGatewaysCommand({ Filter: filters, MaxResults: 1000, ...tokenOf(token) })),
        );
        out.push(...(page.NatGateways ?? []));
        token = page.NextToken;
      } while (token);
    }
    return out;
  }

  async describeZones(): Promise<Zone[]> {
    const res = await this.send('DescribeAvailabilityZones', () => this.client.send(new DescribeAvailabilityZonesCommand({})));
    return (res.AvailabilityZones ?? [])
      .filter((z) => z.ZoneName && z.ZoneId && (z.ZoneType === undefined || z.ZoneType === 'availability-zone'))
      .map((z) => {
        // Guessing "unavailable" would evacuate a whole AZ on a state we do not understand.
        const state = ZONE_STATES.find((s) => s === z.State);
        if (!state) throw unexpected('DescribeAvailabilityZones', `zone ${z.ZoneName} has state ${z.State ?? '?'}`);
        return { name: z.ZoneName as string, id: z.ZoneId as string, state };
      });
  }

  /**
   * Zones, gateways and managed tables: three or four describe calls (plus pages), whatever the
   * table count. Subnets' AZs come from the container's SubnetAzCache: every subnet of the managed
   * VPCs on a container's first run and every refresh period, otherwise only subnets never seen
   * (usually none: no DescribeSubnets at all).
   */
  async readInventory(scope: Scope, slice?: TableSlice, known?: KnownGateways): Promise<Inventory> {
    const tagged: Filter = { Name: `tag:${scope.managedTagKey}`, Values: [scope.managedTagValue] };
    // A slice is selected by EC2 itself: a wildcard on the id's last hex digit (core/slices.ts), the
    // watched tables by id in the same filter (values are ORed), and the flagged tables by tag key
    // in a second request (filters of different names are ANDed: EC2 API reference, Filter).
    const requests: Filter[][] = slice
      ? [
          // At most ROUTE_TABLE_IDS_PER_REQUEST a request, leaving room under EC2's 200 for VPC_IDS.
          ...chunk([...slice.buckets.map((b) => `rtb-*${bucketDigit(b)}`), ...slice.ids], ROUTE_TABLE_IDS_PER_REQUEST).map((values) => [tagged, { Name: 'route-table-id', Values: values }]),
          ...(slice.tagKeys.length > 0 ? [[tagged, { Name: 'tag-key', Values: [...slice.tagKeys] }]] : []),
        ]
      : [[tagged]];
    // Each response is reduced to what the controller reads as soon as it is parsed, so the SDK's
    // full objects (every association, route and tag field) of one response are never alive while
    // the next is parsed: at 10,000 tables that is the difference between fitting 256 MB or not.
    const pageSize = this.lastManagedTables !== undefined && this.lastManagedTables <= UNPAGED_TABLES_MAX ? undefined : ROUTE_TABLES_PAGE;
    const readTables = async (): Promise<ReadTable[]> => {
      const out = new Map<string, ReadTable>();
      // The slice's requests go together (one round trip); a table both in the slice and flagged
      // comes back twice: once is enough.
      const lists = await Promise.all(
        requests.map(async (fixed) => {
          const found: ReadTable[] = [];
          const chunks = scope.vpcIds.length === 0 ? [fixed] : filterChunks(fixed, 'vpc-id', scope.vpcIds);
          for (const filters of chunks) found.push(...(await this.describeRouteTables(filters, pageSize, readTable)));
          return found;
        }),
      );
      for (const t of lists.flat()) out.set(t.id, t);
      return [...out.values()];
    };
    // A slice knows its VPCs beforehand (the remembered tables'): their gateways are read beside
    // the tables, not after them. Zones and gateways a quiet attempt of this run just read are
    // reused (KnownGateways).
    const early = known ? undefined : slice && slice.vpcIds.length > 0 ? this.describeNatGateways(slice.vpcIds) : undefined;
    const [tables, zones, earlyNats] = await Promise.all([readTables(), known ? Promise.resolve([...known.zones]) : this.describeZones(), early ?? Promise.resolve(undefined)]);
    // A slice's count says nothing of the whole: only a full read decides the next one's paging.
    if (!slice) this.lastManagedTables = tables.length;
    const vpcIds = [...new Set([...tables.map((t) => t.vpcId), ...(slice?.vpcIds ?? [])].filter((v) => !!v))].sort();
    if (vpcIds.length === 0) return { zones, natGateways: [], routeTables: [] };
    const tableSubnets = tables.flatMap((t) => t.subnetIds);
    const done = new Set(known ? known.vpcIds : earlyNats ? (slice?.vpcIds ?? []) : []);
    const rest = vpcIds.filter((v) => !done.has(v));
    const reused = known ? known.natGateways.filter((n) => vpcIds.includes(n.vpcId)) : [];
    const fullRead = this.subnets.fullReadDue();
    let read: Map<string, string>;
    let sdkNats: SdkNat[];
    if (fullRead) {
      const [r, n] = await Promise.all([this.describeSubnetAzs({ vpcIds }), rest.length > 0 ? this.describeNatGateways(rest) : Promise.resolve([])]);
      read = r;
      sdkNats = [...(earlyNats ?? []), ...n];
    } else {
      // Gateways first: their subnets are among those the cache may not know (a new gateway).
      sdkNats = [...(earlyNats ?? []), ...(rest.length > 0 ? await this.describeNatGateways(rest) : [])];
      const unknown = this.subnets.unknown([...tableSubnets, ...natSubnets(sdkNats)]);
      read = unknown.length > 0 ? await this.describeSubnetAzs({ subnetIds: unknown }) : new Map<string, string>();
    }
    // A slice references only its own tables' subnets: the others' stay cached (the remembered
    // tables still use them), so a slice never prunes, not even on the hourly full subnet read.
    const subnetAz = this.subnets.settle([...tableSubnets, ...natSubnets(sdkNats)], read, fullRead, slice !== undefined);
    const routeTables: RouteTable[] = tables.map(({ subnetIds, ...t }) => ({
      ...t,
      subnetAzs: [...new Set(subnetIds.map((s) => subnetAz.get(s)).filter((z): z is string => !!z))].sort(),
    }));
    return { zones, natGateways: [...reused, ...sdkNats.map((n) => toNat(n, subnetAz))], routeTables };
  }

  async readRoutes(routeTableIds: readonly string[]): Promise<Map<string, readonly Route[]>> {
    const out = new Map<string, readonly Route[]>();
    for (const filters of filterChunks([], 'route-table-id', routeTableIds)) {
      for (const t of await this.describeRouteTables(filters)) {
        if (t.RouteTableId) out.set(t.RouteTableId, (t.Routes ?? []).map((r) => toRoute(r, t.RouteTableId)).filter((r): r is Route => r !== undefined));
      }
    }
    return out;
  }

  async replaceRoute(routeTableId: string, destination: string, natGatewayId: string): Promise<void> {
    const dest = destination.includes(':') ? { DestinationIpv6CidrBlock: destination } : { DestinationCidrBlock: destination };
    await this.send('ReplaceRoute', () =>
      this.client.send(new ReplaceRouteCommand({ RouteTableId: routeTableId, ...dest, NatGatewayId: natGatewayId })),
    );
  }

  async createTags(routeTableIds: readonly string[], tags: Readonly<Record<string, string>>): Promise<void> {
    const Tags = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
    for (const ids of chunk(routeTableIds, TAG_RESOURCES_MAX)) {
      await this.send('CreateTags', () => this.client.send(new CreateTagsCommand({ Resources: ids, Tags })));
    }
  }

  async deleteTags(routeTableIds: readonly string[], keys: readonly string[]): Promise<void> {
    // DeleteTags without keys deletes every user tag, the opt-in tag included.
    if (keys.length === 0) return;
    const Tags = keys.map((Key) => ({ Key }));
    for (const ids of chunk(routeTableIds, TAG_RESOURCES_MAX)) {
      await this.send('DeleteTags', () => this.client.send(new DeleteTagsCommand({ Resources: ids, Tags })));
    }
  }
}
