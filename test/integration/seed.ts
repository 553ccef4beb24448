/**
 * Seeds a moto region with a 3-AZ VPC: per AZ a public subnet with a NAT gateway and a private
 * subnet whose managed route table points 0.0.0.0/0 (and 64:ff9b::/96) at it; plus an S3
 * gateway-endpoint route and unmanaged tables that must never move.
 */
import { DescribeRouteTablesCommand, EC2Client, type Route } from '@aws-sdk/client-ec2';
import { seedDemoVpc, type SeededAz, type SeededVpc } from '../../src/aws/seed';

/** One builder for the tests and `nat-failover seed` (src/aws/seed.ts); AZs us-east-1a..c here. */
export const seedVpc = seedDemoVpc;
export type { SeededAz, SeededVpc };

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
