/**
 * EC2's documented limits and shapes the adapter must honour (issue 10, items 6, 7 and 8): the 200
 * filter values per request counted over all filters, every RouteState, and regional NAT gateways
 * as a response without `AvailabilityMode` shows them.
 */
import {
  DescribeAvailabilityZonesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  type Filter,
  type NatGateway as SdkNat,
  type RouteTable as SdkRouteTable,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { Ec2Adapter, FILTER_VALUES_MAX } from '../../src/aws/ec2';
import { EndpointsAdapter } from '../../src/aws/endpoints';
import { CloudApiError } from '../../src/errors';
import type { Scope } from '../../src/reconcile/ports';
import { retrier } from './fakes';

const client = new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const ec2 = mockClient(client);
afterEach(() => ec2.reset());

const SCOPE: Scope = { managedTagKey: 'nat-failover', managedTagValue: 'enabled', vpcIds: [] };
const ZONES = [
  { ZoneName: 'us-east-1a', ZoneId: 'use1-az1', State: 'available' as const, ZoneType: 'availability-zone' },
  { ZoneName: 'us-east-1b', ZoneId: 'use1-az2', State: 'available' as const, ZoneType: 'availability-zone' },
];
const vpc = (i: number) => `vpc-${String(i).padStart(8, '0')}`;
const rtb = (i: number) => `rtb-${String(i).padStart(8, '0')}`;
const total = (filters: readonly Filter[] | undefined): number => (filters ?? []).reduce((n, f) => n + (f.Values?.length ?? 0), 0);
const valuesOf = (filters: readonly Filter[] | undefined, name: string): string[] => (filters ?? []).find((f) => f.Name === name)?.Values ?? [];

function managedTable(id: string, vpcId: string, routes: SdkRouteTable['Routes'] = [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-a', State: 'active' }]): SdkRouteTable {
  return { RouteTableId: id, VpcId: vpcId, Tags: [{ Key: 'nat-failover', Value: 'enabled' }], Associations: [], Routes: routes };
}

/** Every request within EC2's 200 values, the fixed filters in each, and every id in exactly one. */
function expectCovered(requests: readonly (readonly Filter[] | undefined)[], name: string, ids: readonly string[], fixed: readonly Filter[]): void {
  for (const r of requests) {
    expect(total(r)).toBeLessThanOrEqual(FILTER_VALUES_MAX);
    for (const f of fixed) expect(r).toContainEqual(f);
  }
  const sent = requests.flatMap((r) => valuesOf(r, name));
  expect([...sent].sort()).toStrictEqual([...new Set(ids)].sort());
  expect(sent).toHaveLength(new Set(ids).size);
}

describe('EC2 filter limit: at most 200 filter values per request, all filters together', () => {
  const TAG: Filter = { Name: 'tag:nat-failover', Values: ['enabled'] };

  it.each([
    [0, 1],
    [1, 1],
    [199, 1],
    [200, 2],
    [201, 2],
    [1000, 6],
  ])('configured VPC_IDS of %i VPCs: DescribeRouteTables in %i request(s) of tag filter + at most 199 vpc-ids', async (n, requests) => {
    const vpcIds = Array.from({ length: n }, (_, i) => vpc(i));
    // Each VPC holds one managed table, so the merge of every chunk's answer is checked too.
    ec2.on(DescribeRouteTablesCommand).callsFake((input: { Filters?: Filter[] }) => ({
      RouteTables: valuesOf(input.Filters, 'vpc-id').map((v) => managedTable(`rtb-${v.slice(4)}`, v)),
    }));
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });

    const inv = await new Ec2Adapter(client, retrier().retry).readInventory({ ...SCOPE, vpcIds });

    const calls = ec2.commandCalls(DescribeRouteTablesCommand).map((c) => c.args[0].input.Filters);
    expect(calls).toHaveLength(requests);
    if (n === 0) {
      expect(calls[0]).toStrictEqual([TAG]);
      expect(inv.routeTables).toStrictEqual([]);
      return;
    }
    expect(calls[0]).toStrictEqual([TAG, { Name: 'vpc-id', Values: vpcIds.slice(0, 199) }]);
    expectCovered(calls, 'vpc-id', vpcIds, [TAG]);
    expect(inv.routeTables.map((t) => t.vpcId).sort()).toStrictEqual([...vpcIds].sort());
  });

  it.each([0, 1, 199, 200, 201, 1000])('managed tables in %i VPCs: subnets and gateways read in requests of at most 200 vpc-ids, each VPC once', async (n) => {
    const tables = Array.from({ length: n }, (_, i) => managedTable(rtb(i), vpc(i)));
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: tables });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    ec2.on(DescribeSubnetsCommand).callsFake((input: { Filters?: Filter[] }) => ({
      Subnets: valuesOf(input.Filters, 'vpc-id').map((v) => ({ SubnetId: `subnet-${v.slice(4)}`, VpcId: v, AvailabilityZone: 'us-east-1a' })),
    }));
    ec2.on(DescribeNatGatewaysCommand).callsFake((input: { Filter?: Filter[] }) => ({
      NatGateways: valuesOf(input.Filter, 'vpc-id').map((v) => ({ NatGatewayId: `nat-${v.slice(4)}`, VpcId: v, SubnetId: `subnet-${v.slice(4)}`, State: 'available' })),
    }));

    const inv = await new Ec2Adapter(client, retrier().retry).readInventory(SCOPE);

    const ids = tables.map((t) => t.VpcId as string);
    const subnetCalls = ec2.commandCalls(DescribeSubnetsCommand).map((c) => c.args[0].input.Filters);
    const natCalls = ec2.commandCalls(DescribeNatGatewaysCommand).map((c) => c.args[0].input.Filter);
    const expected = Math.ceil(n / 200);
    expect(subnetCalls).toHaveLength(expected);
    expect(natCalls).toHaveLength(expected);
    expectCovered(subnetCalls, 'vpc-id', ids, []);
    expectCovered(natCalls, 'vpc-id', ids, []);
    // Merged: every gateway found, and placed in its AZ through a subnet read in whichever chunk.
    expect(inv.natGateways).toHaveLength(n);
    expect(inv.natGateways.every((g) => g.az === 'us-east-1a')).toBe(true);
  });

  it.each([0, 1, 199, 200, 201, 1000])('compare-and-swap re-read of %i tables: at most 200 route-table-ids a request, each once', async (n) => {
    const ids = Array.from({ length: n }, (_, i) => rtb(i));
    ec2.on(DescribeRouteTablesCommand).callsFake((input: { Filters?: Filter[] }) => ({
      RouteTables: valuesOf(input.Filters, 'route-table-id').map((id) => managedTable(id, vpc(0))),
    }));

    const routes = await new Ec2Adapter(client, retrier().retry).readRoutes([...ids, ...ids.slice(0, 3)]);

    const calls = ec2.commandCalls(DescribeRouteTablesCommand).map((c) => c.args[0].input.Filters);
    expect(calls).toHaveLength(Math.ceil(n / 200));
    expectCovered(calls, 'route-table-id', ids, []);
    expect([...routes.keys()].sort()).toStrictEqual(ids);
  });

  it.each([
    [0, 0],
    [1, 1],
    [199, 1],
    [200, 2],
    [201, 2],
    [1000, 6],
  ])('gateway endpoints of %i VPCs: %i DescribeVpcEndpoints request(s), the endpoint-type value counted', async (n, requests) => {
    const vpcIds = Array.from({ length: n }, (_, i) => vpc(i));
    ec2.on(DescribeVpcEndpointsCommand).callsFake((input: { Filters?: Filter[] }) => ({
      VpcEndpoints: valuesOf(input.Filters, 'vpc-id').map((v) => ({ VpcEndpointId: `vpce-${v.slice(4)}`, VpcId: v, ServiceName: 'com.amazonaws.us-east-1.s3', State: 'Available' })),
    }));

    const out = await new EndpointsAdapter(client, retrier().retry).gatewayEndpoints(vpcIds);

    const calls = ec2.commandCalls(DescribeVpcEndpointsCommand).map((c) => c.args[0].input.Filters);
    expect(calls).toHaveLength(requests);
    expectCovered(calls, 'vpc-id', vpcIds, [{ Name: 'vpc-endpoint-type', Values: ['Gateway'] }]);
    expect(out.map((e) => e.vpcId).sort()).toStrictEqual(vpcIds);
  });
});

describe('route states: every RouteState explicitly, an unknown one an error', () => {
  const read = async (state: string | undefined) => {
    ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [managedTable('rtb-a', vpc(1), [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-a', State: state as never }])],
    });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    return new Ec2Adapter(client, retrier().retry).readInventory(SCOPE);
  };

  it.each(['active', 'blackhole', 'filtered'])('maps %s as itself', async (state) => {
    const inv = await read(state);
    expect(inv.routeTables[0]!.routes).toStrictEqual([{ destination: '0.0.0.0/0', target: { kind: 'nat', id: 'nat-a' }, state }]);
  });

  it.each([['pending'], ['Active'], [''], [undefined]])('rejects route state %p instead of calling it active', async (state) => {
    const inv = read(state);
    await expect(inv).rejects.toThrow(CloudApiError);
    await expect(inv).rejects.toThrow(/route 0\.0\.0\.0\/0 of rtb-a has state/);
  });

  it('rejects an unknown state in the compare-and-swap re-read as well', async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [managedTable('rtb-a', vpc(1), [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-a', State: 'sideways' as never }])],
    });
    await expect(new Ec2Adapter(client, retrier().retry).readRoutes(['rtb-a'])).rejects.toThrow(/has state sideways/);
  });
});

describe('regional NAT gateways without AvailabilityMode in the response', () => {
  const readNats = async (nats: SdkNat[]) => {
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [managedTable('rtb-a', 'vpc-11111111')] });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' }] });
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: nats });
    return (await new Ec2Adapter(client, retrier().retry).readInventory(SCOPE)).natGateways;
  };
  const base = { VpcId: 'vpc-11111111', State: 'available' as const, ConnectivityType: 'public' as const };

  it('recognises one by its RouteTableId and per-AZ addresses, with no subnet', async () => {
    const nats = await readNats([
      {
        ...base,
        NatGatewayId: 'nat-r1',
        RouteTableId: 'rtb-0regional',
        NatGatewayAddresses: [
          { AllocationId: 'eipalloc-1', PublicIp: '192.0.2.1', AvailabilityZone: 'us-east-1a', AvailabilityZoneId: 'use1-az1', Status: 'succeeded' },
          { AllocationId: 'eipalloc-2', PublicIp: '192.0.2.2', AvailabilityZone: 'us-east-1b', AvailabilityZoneId: 'use1-az2', Status: 'succeeded' },
        ],
      },
      { ...base, NatGatewayId: 'nat-r2', RouteTableId: 'rtb-0regional' },
      { ...base, NatGatewayId: 'nat-r3', NatGatewayAddresses: [{ AllocationId: 'eipalloc-3', AvailabilityZoneId: 'use1-az2' }] },
      // A zonal gateway, as older responses show it: a subnet, addresses without an AZ.
      { ...base, NatGatewayId: 'nat-z', SubnetId: 'subnet-a', NatGatewayAddresses: [{ AllocationId: 'eipalloc-4', PublicIp: '192.0.2.4' }] },
    ]);
    expect(nats.map((n) => [n.id, n.availabilityMode, n.az])).toStrictEqual([
      ['nat-r1', 'regional', undefined],
      ['nat-r2', 'regional', undefined],
      ['nat-r3', 'regional', undefined],
      ['nat-z', 'zonal', 'us-east-1a'],
    ]);
  });

  it('keeps an explicit AvailabilityMode: zonal as zonal, whatever else the response holds', async () => {
    const nats = await readNats([{ ...base, NatGatewayId: 'nat-z', AvailabilityMode: 'zonal', SubnetId: 'subnet-a', RouteTableId: 'rtb-x' }]);
    expect(nats[0]!.availabilityMode).toBe('zonal');
  });
});
