/**
 * Seeds an emulator (moto, LocalStack) through the SDK: the demonstration VPC of `nat-failover
 * seed` and the integration tests (seedDemoVpc), and a simulated world for the drills
 * (EmulatorSeeder), which also plays the faults an emulator can express: deleting or replacing a
 * NAT gateway, and NAT metrics via PutMetricData. Endpoint, region and credentials come from the
 * standard SDK environment.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSubnetCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteNatGatewayCommand,
  DescribeAvailabilityZonesCommand,
  DescribeRouteTablesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { IPV4_DEFAULT, METRIC_NAMESPACE, NAT64_PREFIX, type RuleMetric } from '../core/constants';
import { clientConfig } from './clientConfig';
import type { World } from '../sim/world';

/** Emulator IDs by simulated ID (and back), so the drill can print the simulator's names. */
export interface IdMap {
  readonly toCloud: Map<string, string>;
  readonly toSim: Map<string, string>;
}

export class EmulatorSeeder {
  readonly ids: IdMap = { toCloud: new Map(), toSim: new Map() };
  private readonly subnetOfNat = new Map<string, string>();

  constructor(
    private readonly ec2: EC2Client = new EC2Client({}),
    private readonly cloudwatch: CloudWatchClient = new CloudWatchClient({}),
  ) {}

  private map(sim: string, cloud: string): string {
    this.ids.toCloud.set(sim, cloud);
    this.ids.toSim.set(cloud, sim);
    return cloud;
  }

  private cloud(sim: string): string {
    const id = this.ids.toCloud.get(sim);
    if (!id) throw new Error(`${sim} was not seeded`);
    return id;
  }

  /** VPCs, subnets in their AZs, one NAT gateway per AZ, tables with associations, routes and tags. */
  async seed(world: World): Promise<void> {
    if (world.nats.some((n) => n.availabilityMode === 'regional')) throw new Error('regional NAT gateways cannot be created on an emulator');
    for (const [i, vpc] of world.vpcs.entries()) {
      const v = await this.ec2.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }));
      this.map(vpc, v.Vpc?.VpcId as string);
      for (const [j, s] of world.subnets.filter((x) => x.vpcId === vpc).entries()) {
        const sn = await this.ec2.send(new CreateSubnetCommand({ VpcId: this.cloud(vpc), CidrBlock: `10.${i}.${j}.0/24`, AvailabilityZone: s.az }));
        this.map(s.id, sn.Subnet?.SubnetId as string);
      }
    }
    for (const n of world.nats) await this.createNat(n.id, n.subnetId as string);
    for (const t of world.tables) {
      const rt = await this.ec2.send(new CreateRouteTableCommand({ VpcId: this.cloud(t.vpcId) }));
      const id = this.map(t.id, rt.RouteTable?.RouteTableId as string);
      for (const s of t.subnetIds) await this.ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: this.cloud(s) }));
      for (const r of t.routes) {
        if (r.target.kind !== 'nat' || (r.destination !== IPV4_DEFAULT && r.destination !== NAT64_PREFIX)) continue;
        const dest = r.destination.includes(':') ? { DestinationIpv6CidrBlock: r.destination } : { DestinationCidrBlock: r.destination };
        await this.ec2.send(new CreateRouteCommand({ RouteTableId: id, ...dest, NatGatewayId: this.cloud(r.target.id) }));
      }
      await this.ec2.send(new CreateTagsCommand({ Resources: [id], Tags: Object.entries(t.tags).map(([Key, Value]) => ({ Key, Value })) }));
    }
  }

  async createNat(simId: string, simSubnetId: string): Promise<void> {
    const eip = await this.ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const nat = await this.ec2.send(new CreateNatGatewayCommand({ SubnetId: this.cloud(simSubnetId), AllocationId: eip.AllocationId }));
    this.map(simId, nat.NatGateway?.NatGatewayId as string);
    this.subnetOfNat.set(simId, simSubnetId);
  }

  async deleteNat(simId: string): Promise<void> {
    await this.ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: this.cloud(simId) }));
  }

  /** The old gateway is deleted and a new one created in its subnet (an emulator makes it available at once). */
  async replaceNat(simId: string, newSimId: string): Promise<void> {
    await this.deleteNat(simId);
    await this.createNat(newSimId, this.subnetOfNat.get(simId) as string);
  }

  /** One minute of NAT metrics per gateway, stamped inside the minute. */
  async putMetrics(minuteStart: Date, byNat: ReadonlyMap<string, Partial<Record<RuleMetric, number>>>): Promise<void> {
    const data: MetricDatum[] = [];
    for (const [nat, values] of byNat) {
      for (const [MetricName, Value] of Object.entries(values)) {
        data.push({ MetricName, Value, Unit: 'Count', Timestamp: new Date(minuteStart.getTime() + 30_000), Dimensions: [{ Name: 'NatGatewayId', Value: this.cloud(nat) }] });
      }
    }
    for (let i = 0; i < data.length; i += 500) {
      await this.cloudwatch.send(new PutMetricDataCommand({ Namespace: METRIC_NAMESPACE, MetricData: data.slice(i, i + 500) }));
    }
  }

  /** Where every seeded table's managed routes point now, in simulated IDs. */
  async targets(): Promise<Map<string, { v4?: string; v6?: string; tags: Record<string, string> }>> {
    const ids = [...this.ids.toSim.keys()].filter((id) => id.startsWith('rtb-'));
    const res = await this.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ids }));
    const out = new Map<string, { v4?: string; v6?: string; tags: Record<string, string> }>();
    for (const t of res.RouteTables ?? []) {
      const find = (d: string) => {
        const r = (t.Routes ?? []).find((x) => (x.DestinationCidrBlock ?? x.DestinationIpv6CidrBlock) === d);
        const id = r?.NatGatewayId ?? r?.GatewayId ?? r?.NetworkInterfaceId;
        return id ? (this.ids.toSim.get(id) ?? id) : undefined;
      };
      out.set(this.ids.toSim.get(t.RouteTableId as string) as string, {
        v4: find(IPV4_DEFAULT),
        v6: find(NAT64_PREFIX),
        tags: Object.fromEntries((t.Tags ?? []).map((x) => [x.Key as string, x.Value ?? ''])),
      });
    }
    return out;
  }
}

/** The Name tag of the demonstration VPC: how `seed` knows it already ran against an emulator. */
export const DEMO_VPC_NAME = 'nat-failover-demo';

export interface SeededAz {
  readonly az: string;
  readonly publicSubnetId: string;
  readonly natId: string;
  readonly privateSubnetId: string;
  readonly routeTableId: string;
}

export interface SeededVpc {
  readonly vpcId: string;
  readonly azs: readonly SeededAz[];
  /** The S3 gateway endpoint whose route every managed table carries. */
  readonly s3EndpointId: string;
  /** Not tagged for management, default route to the first AZ's gateway: must never move. */
  readonly unmanagedRouteTableId: string;
}

export interface DemoOptions {
  /** AZ names; default the region's first three (by name) that are plain availability zones. */
  readonly azs?: readonly string[];
  readonly cidr?: string;
  /** Also a 64:ff9b::/96 (NAT64) route to each AZ's gateway; default true. */
  readonly nat64?: boolean;
  readonly managedTag?: readonly [string, string];
}

async function firstZones(ec2: EC2Client, n: number): Promise<string[]> {
  const res = await ec2.send(new DescribeAvailabilityZonesCommand({}));
  return (res.AvailabilityZones ?? [])
    .filter((z) => z.ZoneName && (z.ZoneType === undefined || z.ZoneType === 'availability-zone'))
    .map((z) => z.ZoneName as string)
    .sort()
    .slice(0, n);
}

/** The demonstration VPC already seeded on this endpoint and region, if any. */
export async function findDemoVpc(ec2: EC2Client): Promise<string | undefined> {
  const res = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:Name', Values: [DEMO_VPC_NAME] }] }));
  return res.Vpcs?.[0]?.VpcId;
}

/**
 * A 3-AZ VPC as the controller expects to find one: per AZ a public subnet with a NAT gateway and a
 * private subnet whose managed route table points 0.0.0.0/0 (and 64:ff9b::/96) at it; an S3
 * gateway-endpoint route on every managed table (never touched); one unmanaged table that must
 * never move. `nat-failover seed` and the integration tests both build it here.
 */
export async function seedDemoVpc(ec2: EC2Client, opts: DemoOptions = {}): Promise<SeededVpc> {
  const region = await ec2.config.region();
  const azNames = opts.azs ?? (await firstZones(ec2, 3));
  if (azNames.length === 0) throw new Error(`region ${region} lists no availability zones`);
  const [tagKey, tagValue] = opts.managedTag ?? ['nat-failover', 'enabled'];
  const cidr = opts.cidr ?? '10.0.0.0/16';
  const base = cidr.split('.').slice(0, 2).join('.');
  const vpc = await ec2.send(
    new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: DEMO_VPC_NAME }] }] }),
  );
  const vpcId = vpc.Vpc?.VpcId as string;
  const azs: SeededAz[] = [];
  for (const [i, az] of azNames.entries()) {
    const pub = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${base}.${i}.0/24`, AvailabilityZone: az }));
    const priv = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${base}.${100 + i}.0/24`, AvailabilityZone: az }));
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const publicSubnetId = pub.Subnet?.SubnetId as string;
    const nat = await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnetId, AllocationId: eip.AllocationId }));
    const natId = nat.NatGateway?.NatGatewayId as string;
    const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    const routeTableId = rt.RouteTable?.RouteTableId as string;
    const privateSubnetId = priv.Subnet?.SubnetId as string;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: privateSubnetId }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: IPV4_DEFAULT, NatGatewayId: natId }));
    if (opts.nat64 !== false) {
      await ec2.send(new CreateRouteCommand({ RouteTableId: routeTableId, DestinationIpv6CidrBlock: NAT64_PREFIX, NatGatewayId: natId }));
    }
    await ec2.send(new CreateTagsCommand({ Resources: [routeTableId], Tags: [{ Key: tagKey, Value: tagValue }] }));
    azs.push({ az, publicSubnetId, natId, privateSubnetId, routeTableId });
  }
  // Created with the tables named, because moto's ModifyVpcEndpoint AddRouteTableIds adds no routes.
  const ep = await ec2.send(
    new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: `com.amazonaws.${region}.s3`, VpcEndpointType: 'Gateway', RouteTableIds: azs.map((a) => a.routeTableId) }),
  );
  const un = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  const unmanagedRouteTableId = un.RouteTable?.RouteTableId as string;
  await ec2.send(new CreateRouteCommand({ RouteTableId: unmanagedRouteTableId, DestinationCidrBlock: IPV4_DEFAULT, NatGatewayId: azs[0]?.natId }));
  await ec2.send(new CreateTagsCommand({ Resources: [unmanagedRouteTableId], Tags: [{ Key: 'Name', Value: 'unmanaged' }] }));
  return { vpcId, azs, s3EndpointId: ep.VpcEndpoint?.VpcEndpointId as string, unmanagedRouteTableId };
}

/**
 * `nat-failover seed`: the demonstration VPC, once per endpoint and region. A second run finds the
 * first one's VPC by its Name tag and creates nothing.
 */
export async function seedDemoOnce(region: string, endpoint: string | undefined): Promise<{ readonly existing: string } | { readonly vpc: SeededVpc }> {
  const ec2 = new EC2Client({ ...clientConfig(), region, ...(endpoint ? { endpoint } : {}) });
  try {
    const existing = await findDemoVpc(ec2);
    return existing ? { existing } : { vpc: await seedDemoVpc(ec2) };
  } finally {
    ec2.destroy();
  }
}
