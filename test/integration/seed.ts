/**
 * Seeds a moto region with a 3-AZ VPC: per AZ a public subnet with a NAT gateway and a private
 * subnet whose managed route table points 0.0.0.0/0 (and 64:ff9b::/96) at it; plus an S3
 * gateway-endpoint route and unmanaged tables that must never move.
 */
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
  DescribeRouteTablesCommand,
  EC2Client,
  type Route,
} from '@aws-sdk/client-ec2';

export interface SeededAz {
  readonly az: string;
  readonly natId: string;
  readonly privateSubnetId: string;
  readonly routeTableId: string;
}

export interface SeededVpc {
  readonly vpcId: string;
  readonly azs: readonly SeededAz[];
  /** Tagged nat-failover=disabled... i.e. not managed: default route to AZ a's NAT. */
  readonly unmanagedRouteTableId: string;
}

export async function seedVpc(ec2: EC2Client, opts: { azs?: readonly string[]; cidr?: string; nat64?: boolean; managedTag?: [string, string] } = {}): Promise<SeededVpc> {
  const azNames = opts.azs ?? ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const [tagKey, tagValue] = opts.managedTag ?? ['nat-failover', 'enabled'];
  const cidr = opts.cidr ?? '10.0.0.0/16';
  const base = cidr.split('.').slice(0, 2).join('.');
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: cidr }));
  const vpcId = vpc.Vpc!.VpcId!;
  const azs: SeededAz[] = [];
  for (const [i, az] of azNames.entries()) {
    const pub = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${base}.${i}.0/24`, AvailabilityZone: az }));
    const priv = await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: `${base}.${100 + i}.0/24`, AvailabilityZone: az }));
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const nat = await ec2.send(new CreateNatGatewayCommand({ SubnetId: pub.Subnet!.SubnetId!, AllocationId: eip.AllocationId! }));
    const natId = nat.NatGateway!.NatGatewayId!;
    const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
    const routeTableId = rt.RouteTable!.RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: priv.Subnet!.SubnetId! }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId }));
    if (opts.nat64 !== false) {
      await ec2.send(new CreateRouteCommand({ RouteTableId: routeTableId, DestinationIpv6CidrBlock: '64:ff9b::/96', NatGatewayId: natId }));
    }
    await ec2.send(new CreateTagsCommand({ Resources: [routeTableId], Tags: [{ Key: tagKey, Value: tagValue }] }));
    azs.push({ az, natId, privateSubnetId: priv.Subnet!.SubnetId!, routeTableId });
  }
  // Gateway endpoint routes (S3 prefix list) on every managed table: never touched. Created with
  // the tables named, because moto's ModifyVpcEndpoint AddRouteTableIds adds no routes.
  await ec2.send(
    new CreateVpcEndpointCommand({ VpcId: vpcId, ServiceName: 'com.amazonaws.us-east-1.s3', VpcEndpointType: 'Gateway', RouteTableIds: azs.map((a) => a.routeTableId) }),
  );
  // An unmanaged table pointing at AZ a's gateway: must never move.
  const un = await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }));
  const unmanagedRouteTableId = un.RouteTable!.RouteTableId!;
  await ec2.send(new CreateRouteCommand({ RouteTableId: unmanagedRouteTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: azs[0]!.natId }));
  await ec2.send(new CreateTagsCommand({ Resources: [unmanagedRouteTableId], Tags: [{ Key: 'Name', Value: 'unmanaged' }] }));
  return { vpcId, azs, unmanagedRouteTableId };
}

/** Routes of one table, as EC2 reports them now. */
export async function routesOf(ec2: EC2Client, routeTableId: string): Promise<Route[]> {
  const res = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [routeTableId] }));
  return res.RouteTables?.[0]?.Routes ?? [];
}

export async function tagsOf(ec2: EC2Client, routeTableId: string): Promise<Record<string, string>> {
  const res = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [routeTableId] }));
  return Object.fromEntries((res.RouteTables?.[0]?.Tags ?? []).map((t) => [t.Key!, t.Value ?? '']));
}

export const natTargetOf = (routes: readonly Route[], destination: string): string | undefined =>
  routes.find((r) => (r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock) === destination)?.NatGatewayId;

export const newEc2 = (): EC2Client => new EC2Client({});
