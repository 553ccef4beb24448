import { IPV4_DEFAULT, NAT64_PREFIX } from '../core/constants';
import type { ConnectivityType, AvailabilityMode, NatState, RouteTarget, ZoneState } from '../core/types';

/** The mutable ground truth of the simulated region (what EC2 would hold). */
export interface SimZone {
  readonly name: string;
  readonly id: string;
  state: ZoneState;
}

export interface SimNat {
  readonly id: string;
  readonly vpcId: string;
  /** undefined for a regional NAT gateway */
  readonly az: string | undefined;
  readonly subnetId: string | undefined;
  state: NatState;
  readonly connectivityType: ConnectivityType;
  readonly availabilityMode: AvailabilityMode;
  /** Egress IPs (Elastic IPs of a public gateway); buildWorld gives each zonal gateway one. */
  ips?: string[];
}

export interface SimSubnet {
  readonly id: string;
  readonly vpcId: string;
  readonly az: string;
  readonly public: boolean;
}

export interface SimRoute {
  readonly destination: string;
  target: RouteTarget;
}

export interface SimTable {
  readonly id: string;
  readonly vpcId: string;
  tags: Record<string, string>;
  readonly subnetIds: readonly string[];
  routes: SimRoute[];
}

export interface World {
  readonly region: string;
  readonly zones: SimZone[];
  readonly vpcs: string[];
  readonly subnets: SimSubnet[];
  readonly nats: SimNat[];
  readonly tables: SimTable[];
}

export interface WorldOptions {
  /** Zonal VPCs (one NAT gateway per AZ). */
  readonly vpcs?: number;
  readonly azs?: number;
  readonly tablesPerAz?: number;
  /** Dual-stack: each managed table also routes 64:ff9b::/96 to its NAT gateway. */
  readonly nat64?: boolean;
  /** Extra VPCs served by one regional NAT gateway (nothing to fail over). */
  readonly regionalVpcs?: number;
  /** Per VPC: one untagged table and one tagged `disabled`, both on AZ a's gateway. */
  readonly unmanagedTables?: boolean;
  readonly managedTag?: readonly [string, string];
}

const LETTERS = 'abcdef';
/** AZ IDs are shuffled per account in AWS; a fixed shuffle keeps name and ID visibly different. */
const ZONE_IDS = ['use1-az4', 'use1-az6', 'use1-az1', 'use1-az2', 'use1-az3', 'use1-az5'];
const S3_PREFIX_LIST = 'pl-63a5400a';

export const WORLD_DEFAULTS: Required<WorldOptions> = {
  vpcs: 1,
  azs: 3,
  tablesPerAz: 1,
  nat64: true,
  regionalVpcs: 0,
  unmanagedTables: true,
  managedTag: ['nat-failover', 'enabled'],
};

/**
 * A region of `vpcs` zonal VPCs. IDs are short and readable (`nat-a`, `rtb-a1`; with several VPCs
 * `nat-2a`, `rtb-2a1`) so a drill's timeline reads at a glance.
 */
export function buildWorld(options: WorldOptions = {}): World {
  const o = { ...WORLD_DEFAULTS, ...options };
  if (o.azs < 2 || o.azs > LETTERS.length) throw new Error(`azs must be 2..${LETTERS.length}, got ${o.azs}`);
  const zones: SimZone[] = Array.from({ length: o.azs }, (_, i) => ({ name: `us-east-1${LETTERS[i]}`, id: ZONE_IDS[i] as string, state: 'available' }));
  const world: World = { region: 'us-east-1', zones, vpcs: [], subnets: [], nats: [], tables: [] };
  const [tagKey, tagValue] = o.managedTag;
  const multi = o.vpcs + o.regionalVpcs > 1;

  for (let v = 1; v <= o.vpcs + o.regionalVpcs; v++) {
    const regional = v > o.vpcs;
    const p = multi ? `${v}` : '';
    const vpcId = `vpc-${String(v).padStart(8, '0')}`;
    world.vpcs.push(vpcId);
    // One Elastic IP per gateway, from TEST-NET-1 (RFC 5737): nat-a 192.0.2.1, nat-b .2, … in
    // creation order, so a drill can name an allow-list that leaves one gateway out.
    const eip = (): string[] => [`192.0.2.${world.nats.length + 1}`];
    const regionalNat = `nat-${p}r`;
    if (regional) {
      world.nats.push({ id: regionalNat, vpcId, az: undefined, subnetId: undefined, state: 'available', connectivityType: 'public', availabilityMode: 'regional' });
    }
    for (const z of zones) {
      const l = z.name.slice(-1);
      const pub = `subnet-${p}${l}pub`;
      world.subnets.push({ id: pub, vpcId, az: z.name, public: true });
      const natId = regional ? regionalNat : `nat-${p}${l}`;
      if (!regional) {
        world.nats.push({ id: natId, vpcId, az: z.name, subnetId: pub, state: 'available', connectivityType: 'public', availabilityMode: 'zonal', ips: eip() });
      }
      for (let t = 1; t <= o.tablesPerAz; t++) {
        const subnetId = `subnet-${p}${l}${t}`;
        world.subnets.push({ id: subnetId, vpcId, az: z.name, public: false });
        const routes: SimRoute[] = [
          { destination: '10.0.0.0/16', target: { kind: 'other', id: 'local' } },
          { destination: IPV4_DEFAULT, target: { kind: 'nat', id: natId } },
          { destination: S3_PREFIX_LIST, target: { kind: 'other', id: `vpce-${p}s3` } },
        ];
        if (o.nat64) routes.push({ destination: NAT64_PREFIX, target: { kind: 'nat', id: natId } });
        world.tables.push({ id: `rtb-${p}${l}${t}`, vpcId, tags: { [tagKey]: tagValue }, subnetIds: [subnetId], routes });
      }
    }
    if (o.unmanagedTables && !regional) {
      const a = `nat-${p}a`;
      world.tables.push({
        id: `rtb-${p}x1`,
        vpcId,
        tags: { Name: 'unmanaged' },
        subnetIds: [],
        routes: [{ destination: IPV4_DEFAULT, target: { kind: 'nat', id: a } }],
      });
      world.tables.push({
        id: `rtb-${p}x2`,
        vpcId,
        tags: { [tagKey]: 'disabled', Name: 'opted out' },
        subnetIds: [],
        routes: [{ destination: IPV4_DEFAULT, target: { kind: 'nat', id: a } }],
      });
    }
  }
  return world;
}

export function cloneWorld(w: World): World {
  return structuredClone(w);
}

export const isNatState = (s: string): s is NatState => ['pending', 'available', 'failed', 'deleting', 'deleted'].includes(s);
