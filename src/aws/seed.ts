/**
 * Seeds an emulator (moto) with a simulated world through the SDK, and plays the faults an
 * emulator can express: deleting or replacing a NAT gateway, and NAT metrics via PutMetricData.
 * Endpoint, region and credentials come from the standard SDK environment.
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
  DeleteNatGatewayCommand,
  DescribeRouteTablesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { IPV4_DEFAULT, METRIC_NAMESPACE, NAT64_PREFIX, type RuleMetric } from '../core/constants';
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
