/**
 * Found in review (cost): the hourly full subnet read that falls on a quiet run's slice pruned the
 * subnet cache to the slice's subnets, so the remembered tables' subnets were described again after.
 */
import { DescribeAvailabilityZonesCommand, DescribeNatGatewaysCommand, DescribeRouteTablesCommand, DescribeSubnetsCommand, EC2Client, type RouteTable as SdkRouteTable } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { Ec2Adapter } from '../../src/aws/ec2';
import { SubnetAzCache } from '../../src/aws/subnetCache';
import type { Scope } from '../../src/reconcile/ports';
import { retrier } from './fakes';

const client = new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const ec2 = mockClient(client);
const SCOPE: Scope = { managedTagKey: 'nat-failover', managedTagValue: 'enabled', vpcIds: [] };
const table = (id: string, subnetId: string, nat: string): SdkRouteTable => ({
  RouteTableId: id,
  VpcId: 'vpc-11111111',
  Tags: [{ Key: 'nat-failover', Value: 'enabled' }],
  Associations: [{ SubnetId: subnetId, RouteTableId: id }],
  Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat, State: 'active' }],
});

it('a slice read on which the hourly full subnet read falls keeps the other tables\' subnets cached', async () => {
  const tables = [table('rtb-0000000a', 'subnet-a', 'nat-a'), table('rtb-0000000b', 'subnet-b', 'nat-b')];
  ec2.on(DescribeRouteTablesCommand).callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
    const ids = input.Filters?.find((f) => f.Name === 'route-table-id')?.Values;
    return { RouteTables: ids ? tables.filter((t) => ids.some((v) => t.RouteTableId?.endsWith(v.slice(-1)))) : tables };
  });
  ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [{ ZoneName: 'us-east-1a', ZoneId: 'use1-az1', State: 'available' }, { ZoneName: 'us-east-1b', ZoneId: 'use1-az2', State: 'available' }] });
  ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' }, { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b' }] });
  ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
  let now = 0;
  const adapter = new Ec2Adapter(client, retrier().retry, new SubnetAzCache(() => now));
  await adapter.readInventory(SCOPE);
  now += 60 * 60_000; // the hourly full subnet read is due, and falls on a slice
  await adapter.readInventory(SCOPE, { buckets: [10], vpcIds: ['vpc-11111111'], ids: [], tagKeys: [] });
  ec2.resetHistory();
  await adapter.readInventory(SCOPE);
  // subnet-b (a remembered table's) stays cached: not described again.
  expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
});
