import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeAvailabilityZonesCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  type NatGateway as SdkNat,
  ReplaceRouteCommand,
  type RouteTable as SdkRouteTable,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { Ec2Adapter } from '../../src/aws/ec2';
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
  { ZoneName: 'us-east-1-bos-1a', ZoneId: 'use1-bos1-az1', State: 'available' as const, ZoneType: 'local-zone' },
];
const vpc = (i: number) => `vpc-${String(i).padStart(8, '0')}`;
const rtb = (i: number) => `rtb-${String(i).padStart(8, '0')}`;

/** A managed table in `vpcId` whose one subnet is in AZ `az`, default route and NAT64 to `nat`. */
function table(id: string, vpcId: string, subnetId: string, nat: string): SdkRouteTable {
  return {
    RouteTableId: id,
    VpcId: vpcId,
    Tags: [{ Key: 'nat-failover', Value: 'enabled' }],
    Associations: [{ SubnetId: subnetId, RouteTableId: id }],
    Routes: [
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', State: 'active' },
      { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat, State: 'active' },
      { DestinationIpv6CidrBlock: '64:ff9b::/96', NatGatewayId: nat, State: 'blackhole' },
      { DestinationPrefixListId: 'pl-63a5400a', GatewayId: 'vpce-0123', State: 'active' },
    ],
  };
}

/** Serves `items` in pages of `size` keyed by NextToken, as EC2 does. */
function paged<T>(items: readonly T[], size: number, key: string) {
  return (input: { NextToken?: string }) => {
    const from = input.NextToken ? Number(input.NextToken) : 0;
    const next = from + size < items.length ? String(from + size) : undefined;
    return { [key]: items.slice(from, from + size), NextToken: next };
  };
}

describe('Ec2Adapter.readInventory', () => {
  it('finds managed tables by tag filter, folds pagination, and maps subnets, gateways and zones', async () => {
    // Prepare
    const tables = [table('rtb-a', 'vpc-11111111', 'subnet-a', 'nat-a'), table('rtb-b', 'vpc-11111111', 'subnet-b', 'nat-b')];
    ec2.on(DescribeRouteTablesCommand).callsFake(paged(tables, 1, 'RouteTables'));
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    ec2.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' },
        { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b' },
        { SubnetId: 'subnet-pa', AvailabilityZone: 'us-east-1a' },
      ],
    });
    ec2.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [
        {
          NatGatewayId: 'nat-a',
          VpcId: 'vpc-11111111',
          SubnetId: 'subnet-pa',
          State: 'available',
          ConnectivityType: 'public',
          // Primary and secondary EIPs; one being associated and one that failed carry no traffic.
          NatGatewayAddresses: [
            { PublicIp: '198.51.100.7', PrivateIp: '10.0.0.5', IsPrimary: true, Status: 'succeeded' },
            { PublicIp: '198.51.100.8', PrivateIp: '10.0.0.6', IsPrimary: false, Status: 'succeeded' },
            { PublicIp: '198.51.100.9', PrivateIp: '10.0.0.7', IsPrimary: false, Status: 'associating' },
            { PublicIp: '198.51.100.10', PrivateIp: '10.0.0.8', IsPrimary: false, Status: 'failed' },
          ],
        },
        { NatGatewayId: 'nat-r', VpcId: 'vpc-11111111', State: 'available', ConnectivityType: 'public', AvailabilityMode: 'regional' },
        // A private gateway egresses from its private IPs; an address without a status counts.
        { NatGatewayId: 'nat-p', VpcId: 'vpc-11111111', SubnetId: 'subnet-pa', State: 'failed', ConnectivityType: 'private', NatGatewayAddresses: [{ PrivateIp: '10.0.0.9', IsPrimary: true }] },
      ],
    });
    const { retry } = retrier();

    // Act
    const inv = await new Ec2Adapter(client, retry).readInventory(SCOPE);

    // Assess: exact requests
    const rtCalls = ec2.commandCalls(DescribeRouteTablesCommand);
    expect(rtCalls).toHaveLength(2);
    // A container's first read pages (the table count is not known yet; UNPAGED_TABLES_MAX).
    expect(rtCalls[0]!.args[0].input).toStrictEqual({ Filters: [{ Name: 'tag:nat-failover', Values: ['enabled'] }], MaxResults: 100 });
    expect(rtCalls[1]!.args[0].input).toStrictEqual({ Filters: [{ Name: 'tag:nat-failover', Values: ['enabled'] }], MaxResults: 100, NextToken: '1' });
    expect(ec2.commandCalls(DescribeAvailabilityZonesCommand)).toHaveLength(1);
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]!.args[0].input).toStrictEqual({ Filters: [{ Name: 'vpc-id', Values: ['vpc-11111111'] }], MaxResults: 1000 });
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)[0]!.args[0].input).toStrictEqual({ Filter: [{ Name: 'vpc-id', Values: ['vpc-11111111'] }], MaxResults: 1000 });

    // Assess: the domain view
    expect(inv.zones).toStrictEqual([
      { name: 'us-east-1a', id: 'use1-az1', state: 'available' },
      { name: 'us-east-1b', id: 'use1-az2', state: 'available' },
    ]);
    expect(inv.natGateways).toStrictEqual([
      { id: 'nat-a', vpcId: 'vpc-11111111', az: 'us-east-1a', state: 'available', connectivityType: 'public', availabilityMode: 'zonal', ips: ['198.51.100.7', '198.51.100.8'] },
      { id: 'nat-r', vpcId: 'vpc-11111111', az: undefined, state: 'available', connectivityType: 'public', availabilityMode: 'regional', ips: [] },
      { id: 'nat-p', vpcId: 'vpc-11111111', az: 'us-east-1a', state: 'failed', connectivityType: 'private', availabilityMode: 'zonal', ips: ['10.0.0.9'] },
    ]);
    expect(inv.routeTables.map((t) => [t.id, t.subnetAzs])).toStrictEqual([
      ['rtb-a', ['us-east-1a']],
      ['rtb-b', ['us-east-1b']],
    ]);
    expect(inv.routeTables[0]!.routes).toStrictEqual([
      { destination: '10.0.0.0/16', target: { kind: 'other', id: 'local' }, state: 'active' },
      { destination: '0.0.0.0/0', target: { kind: 'nat', id: 'nat-a' }, state: 'active' },
      { destination: '64:ff9b::/96', target: { kind: 'nat', id: 'nat-a' }, state: 'blackhole' },
      { destination: 'pl-63a5400a', target: { kind: 'other', id: 'vpce-0123' }, state: 'active' },
    ]);
  });

  it('reads a slice with a route-table-id wildcard per bucket and the watched ids, the flagged tables by tag key, still reads the remembered VPCs\' gateways, and never prunes the subnet cache', async () => {
    const pinned = table('rtb-0000000c', 'vpc-11111111', 'subnet-a', 'nat-a');
    const tables = [table('rtb-0000000a', 'vpc-11111111', 'subnet-a', 'nat-a'), table('rtb-0000000b', 'vpc-22222222', 'subnet-b', 'nat-b'), { ...pinned, Tags: [...(pinned.Tags ?? []), { Key: 'nat-failover:pin', Value: 'away-from=use1-az1' }] }];
    ec2.on(DescribeRouteTablesCommand).callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
      const ids = input.Filters?.find((f) => f.Name === 'route-table-id')?.Values;
      const keys = input.Filters?.find((f) => f.Name === 'tag-key')?.Values;
      // As EC2 reads `rtb-*a` (any id ending in a) and a plain id; a tag-key filter: any table with the key.
      const match = (t: SdkRouteTable) =>
        (ids === undefined || ids.some((v) => (v.startsWith('rtb-*') ? t.RouteTableId?.endsWith(v.slice(5)) : t.RouteTableId === v))) &&
        (keys === undefined || (t.Tags ?? []).some((x) => keys.includes(x.Key ?? '')));
      return { RouteTables: tables.filter(match) };
    });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' }, { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b' }] });
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    const adapter = new Ec2Adapter(client, retrier().retry);
    await adapter.readInventory(SCOPE);
    ec2.resetHistory();

    const inv = await adapter.readInventory(SCOPE, { buckets: [10, 14], vpcIds: ['vpc-11111111', 'vpc-22222222'], ids: ['rtb-00000001'], tagKeys: ['nat-failover:pin'] });

    expect(ec2.commandCalls(DescribeRouteTablesCommand).map((c) => c.args[0].input)).toStrictEqual([
      { Filters: [{ Name: 'tag:nat-failover', Values: ['enabled'] }, { Name: 'route-table-id', Values: ['rtb-*a', 'rtb-*e', 'rtb-00000001'] }] },
      { Filters: [{ Name: 'tag:nat-failover', Values: ['enabled'] }, { Name: 'tag-key', Values: ['nat-failover:pin'] }] },
    ]);
    // The slice's table and the pinned one (outside the slice, found by its tag key).
    expect(inv.routeTables.map((t) => [t.id, t.subnetAzs])).toStrictEqual([['rtb-0000000a', ['us-east-1a']], ['rtb-0000000c', ['us-east-1a']]]);
    // The gateways of a VPC none of whose tables is in the slice are read all the same.
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)[0]!.args[0].input).toStrictEqual({ Filter: [{ Name: 'vpc-id', Values: ['vpc-11111111', 'vpc-22222222'] }], MaxResults: 1000 });
    // subnet-b (a table outside the slice) stays cached: the next full read describes no subnet.
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
    ec2.resetHistory();
    await adapter.readInventory(SCOPE);
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
  });

  it('a full read after a quiet attempt reuses the zones and gateways it read: no DescribeAvailabilityZones, gateways only of VPCs it did not know', async () => {
    const tables = [table('rtb-0000000a', 'vpc-11111111', 'subnet-a', 'nat-a'), table('rtb-0000000b', 'vpc-22222222', 'subnet-b', 'nat-b')];
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: tables });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-a', AvailabilityZone: 'us-east-1a' }, { SubnetId: 'subnet-b', AvailabilityZone: 'us-east-1b' }] });
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-b', VpcId: 'vpc-22222222', SubnetId: 'subnet-b', State: 'available' }] });
    const natA = { id: 'nat-a', vpcId: 'vpc-11111111', az: 'us-east-1a', state: 'deleted' as const, connectivityType: 'public' as const, availabilityMode: 'zonal' as const, ips: [] };
    const zones = [{ name: 'us-east-1a', id: 'use1-az1', state: 'available' as const }];

    const inv = await new Ec2Adapter(client, retrier().retry).readInventory(SCOPE, undefined, { zones, natGateways: [natA], vpcIds: ['vpc-11111111'] });

    expect(ec2.commandCalls(DescribeAvailabilityZonesCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DescribeNatGatewaysCommand).map((c) => c.args[0].input.Filter)).toStrictEqual([[{ Name: 'vpc-id', Values: ['vpc-22222222'] }]]);
    expect(inv.zones).toStrictEqual(zones);
    expect(inv.natGateways.map((n) => [n.id, n.state])).toStrictEqual([['nat-a', 'deleted'], ['nat-b', 'available']]);
    expect(inv.routeTables.map((t) => t.id)).toStrictEqual(['rtb-0000000a', 'rtb-0000000b']);
  });

  it('adds the vpc-id filter when VPC_IDS is set', async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    const { retry } = retrier();

    await new Ec2Adapter(client, retry).readInventory({ ...SCOPE, vpcIds: ['vpc-11111111', 'vpc-22222222'] });

    const calls = ec2.commandCalls(DescribeRouteTablesCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toStrictEqual({
      Filters: [
        { Name: 'tag:nat-failover', Values: ['enabled'] },
        { Name: 'vpc-id', Values: ['vpc-11111111', 'vpc-22222222'] },
      ],
      MaxResults: 100,
    });
    // Nothing managed: no gateway or subnet reads at all.
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)).toHaveLength(0);
  });

  it('splits more than 199 configured VPC ids over several filtered requests (the tag filter takes one of 200 values)', async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    const vpcIds = Array.from({ length: 250 }, (_, i) => vpc(i));

    await new Ec2Adapter(client, retrier().retry).readInventory({ ...SCOPE, vpcIds });

    const sent = ec2.commandCalls(DescribeRouteTablesCommand).map((c) => c.args[0].input.Filters?.[1]?.Values ?? []);
    expect(sent.map((v) => v.length)).toStrictEqual([199, 51]);
    expect(sent.flat()).toStrictEqual(vpcIds);
  });

  it('reads subnets and gateways of the managed VPCs in chunks of at most 200 filter values', async () => {
    const tables = Array.from({ length: 450 }, (_, i) => table(rtb(i), vpc(i), `subnet-${i}`, `nat-${i}`));
    ec2.on(DescribeRouteTablesCommand).callsFake(paged(tables, 100, 'RouteTables'));
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });

    await new Ec2Adapter(client, retrier().retry).readInventory(SCOPE);

    const expected = Array.from({ length: 450 }, (_, i) => vpc(i)).sort();
    const subnetValues = ec2.commandCalls(DescribeSubnetsCommand).map((c) => c.args[0].input.Filters![0]!.Values!);
    const natValues = ec2.commandCalls(DescribeNatGatewaysCommand).map((c) => c.args[0].input.Filter![0]!.Values!);
    expect(subnetValues.map((v) => v.length)).toStrictEqual([200, 200, 50]);
    expect(natValues.map((v) => v.length)).toStrictEqual([200, 200, 50]);
    expect(subnetValues.flat()).toStrictEqual(expected);
    expect(natValues.flat()).toStrictEqual(expected);
  });

  it('reads 1,000 tables in 5 VPCs in pages on a container\'s first run, then with 3 describe requests a run (route tables unpaginated, no DescribeSubnets)', async () => {
    // Prepare: 200 tables per VPC over 3 AZs; EC2 pages (100 a page) only when MaxResults is sent.
    const subnets: Subnet[] = [];
    const nats: SdkNat[] = [];
    const tables: SdkRouteTable[] = [];
    for (let v = 0; v < 5; v++) {
      for (let z = 0; z < 3; z++) {
        subnets.push({ SubnetId: `subnet-${v}-${z}`, AvailabilityZone: ZONES[z % 2]!.ZoneName });
        nats.push({ NatGatewayId: `nat-${v}-${z}`, VpcId: vpc(v), SubnetId: `subnet-${v}-${z}`, State: 'available', ConnectivityType: 'public' });
      }
      for (let t = 0; t < 200; t++) tables.push(table(rtb(v * 200 + t), vpc(v), `subnet-${v}-${t % 3}`, `nat-${v}-${t % 3}`));
    }
    ec2.on(DescribeRouteTablesCommand).callsFake((input: { MaxResults?: number; NextToken?: string }) =>
      input.MaxResults === undefined && input.NextToken === undefined ? { RouteTables: tables } : paged(tables, 100, 'RouteTables')(input),
    );
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: subnets });
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: nats });
    const { retry } = retrier();
    const adapter = new Ec2Adapter(client, retry);

    // Act: a container's first run
    const first = await adapter.readInventory(SCOPE);

    // Assess: paged, since one response of an unknown number of tables may not fit the function
    expect(first.routeTables.map((t) => t.id)).toStrictEqual(tables.map((t) => t.RouteTableId));
    expect(retry.stats.byOperation).toStrictEqual({ DescribeRouteTables: 10, DescribeAvailabilityZones: 1, DescribeSubnets: 1, DescribeNatGateways: 1 });
    expect(ec2.commandCalls(DescribeSubnetsCommand)[0]!.args[0].input.Filters).toStrictEqual([{ Name: 'vpc-id', Values: [0, 1, 2, 3, 4].map(vpc) }]);

    // Act: the next minute, same container
    ec2.resetHistory();
    const second = await adapter.readInventory(SCOPE);

    // Assess: the exact requests of a warm run: one unpaginated DescribeRouteTables, no DescribeSubnets
    expect(second).toStrictEqual(first);
    expect(ec2.calls().map((c) => c.args[0].constructor.name)).toStrictEqual(
      expect.arrayContaining(['DescribeRouteTablesCommand', 'DescribeAvailabilityZonesCommand', 'DescribeNatGatewaysCommand']),
    );
    expect(ec2.calls()).toHaveLength(3);
    expect(ec2.commandCalls(DescribeRouteTablesCommand)[0]!.args[0].input).toStrictEqual({ Filters: [{ Name: 'tag:nat-failover', Values: ['enabled'] }] });
    expect(ec2.commandCalls(DescribeNatGatewaysCommand)[0]!.args[0].input).toStrictEqual({ Filter: [{ Name: 'vpc-id', Values: [0, 1, 2, 3, 4].map(vpc) }], MaxResults: 1000 });
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
  });

  it('costs 4 requests when the managed tables fit one page, for 1 VPC or 5', async () => {
    const cost = async (vpcs: number): Promise<number> => {
      ec2.reset();
      const tables = Array.from({ length: 100 }, (_, i) => table(rtb(i), vpc(i % vpcs), `subnet-${i % vpcs}`, `nat-${i % vpcs}`));
      ec2.on(DescribeRouteTablesCommand).callsFake(paged(tables, 100, 'RouteTables'));
      ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
      ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
      ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
      await new Ec2Adapter(client, retrier().retry).readInventory(SCOPE);
      return ec2.calls().length;
    };
    expect(await cost(1)).toBe(4);
    expect(await cost(5)).toBe(4);
  });

  it.each([
    ['an unknown NAT state', { NatGatewayId: 'nat-x', VpcId: 'vpc-11111111', SubnetId: 's', State: 'hibernating' }, /nat-x has state hibernating/],
    ['a NAT without a state', { NatGatewayId: 'nat-x', VpcId: 'vpc-11111111', SubnetId: 's' }, /nat-x has state \?/],
    ['an unknown connectivity type', { NatGatewayId: 'nat-x', VpcId: 'vpc-11111111', SubnetId: 's', State: 'available', ConnectivityType: 'hybrid' }, /connectivity type hybrid/],
  ])('rejects %s instead of defaulting it', async (_name, nat, message) => {
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [table('rtb-a', 'vpc-11111111', 's', 'nat-x')] });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: ZONES });
    ec2.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [nat as SdkNat] });

    const read = new Ec2Adapter(client, retrier().retry).readInventory(SCOPE);

    await expect(read).rejects.toThrow(CloudApiError);
    await expect(read).rejects.toThrow(message);
  });

  it('rejects an unknown AZ state instead of treating it as an outage', async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [{ ZoneName: 'us-east-1a', ZoneId: 'use1-az1', State: 'melting' as never }] });

    await expect(new Ec2Adapter(client, retrier().retry).readInventory(SCOPE)).rejects.toThrow(/us-east-1a has state melting/);
  });
});

describe('Ec2Adapter.readRoutes (compare-and-swap re-read)', () => {
  it('re-reads up to 200 tables with one route-table-id filtered request', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => rtb(i));
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: ids.map((id) => table(id, 'vpc-11111111', 's', 'nat-a')) });

    const routes = await new Ec2Adapter(client, retrier().retry).readRoutes(ids);

    const calls = ec2.commandCalls(DescribeRouteTablesCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toStrictEqual({ Filters: [{ Name: 'route-table-id', Values: ids }] });
    expect(routes.size).toBe(200);
    expect(routes.get(rtb(7))!.find((r) => r.destination === '0.0.0.0/0')!.target).toStrictEqual({ kind: 'nat', id: 'nat-a' });
  });

  it('splits 201 tables into two requests and de-duplicates ids', async () => {
    ec2.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    const ids = Array.from({ length: 201 }, (_, i) => rtb(i));

    const routes = await new Ec2Adapter(client, retrier().retry).readRoutes([...ids, rtb(0)]);

    const values = ec2.commandCalls(DescribeRouteTablesCommand).map((c) => c.args[0].input.Filters![0]!.Values!);
    expect(values.map((v) => v.length)).toStrictEqual([200, 1]);
    // A table deleted meanwhile is simply absent: the controller reads that as drift.
    expect(routes.size).toBe(0);
  });
});

describe('Ec2Adapter writes', () => {
  it('replaces the IPv4 default with DestinationCidrBlock and NAT64 with DestinationIpv6CidrBlock', async () => {
    ec2.on(ReplaceRouteCommand).resolves({});
    const adapter = new Ec2Adapter(client, retrier().retry);

    await adapter.replaceRoute('rtb-a', '0.0.0.0/0', 'nat-b');
    await adapter.replaceRoute('rtb-a', '64:ff9b::/96', 'nat-b');

    const calls = ec2.commandCalls(ReplaceRouteCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]!.args[0].input).toStrictEqual({ RouteTableId: 'rtb-a', DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-b' });
    expect(calls[1]!.args[0].input).toStrictEqual({ RouteTableId: 'rtb-a', DestinationIpv6CidrBlock: '64:ff9b::/96', NatGatewayId: 'nat-b' });
  });

  it('tags and untags many tables in batches of at most 200 resources', async () => {
    ec2.on(CreateTagsCommand).resolves({});
    ec2.on(DeleteTagsCommand).resolves({});
    const ids = Array.from({ length: 450 }, (_, i) => rtb(i));
    const adapter = new Ec2Adapter(client, retrier().retry);

    await adapter.createTags(ids, { 'nat-failover:state': 'failed-over', 'nat-failover:since': '2026-11-23T12:00:00.000Z' });
    await adapter.deleteTags(ids.slice(0, 3), ['nat-failover:flaps', 'nat-failover:home-ok-since']);

    const creates = ec2.commandCalls(CreateTagsCommand);
    expect(creates.map((c) => c.args[0].input.Resources!.length)).toStrictEqual([200, 200, 50]);
    expect(creates.flatMap((c) => c.args[0].input.Resources!)).toStrictEqual(ids);
    expect(creates[2]!.args[0].input).toStrictEqual({
      Resources: ids.slice(400),
      Tags: [
        { Key: 'nat-failover:state', Value: 'failed-over' },
        { Key: 'nat-failover:since', Value: '2026-11-23T12:00:00.000Z' },
      ],
    });
    const deletes = ec2.commandCalls(DeleteTagsCommand);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.args[0].input).toStrictEqual({
      Resources: ids.slice(0, 3),
      Tags: [{ Key: 'nat-failover:flaps' }, { Key: 'nat-failover:home-ok-since' }],
    });
  });
});
