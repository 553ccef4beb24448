/**
 * The container's subnet → AZ cache (src/aws/subnetCache.ts) and the adapter's use of it: exact
 * EC2 requests of warm runs (aws-sdk-client-mock), and a property: with the cache, any sequence of
 * worlds reads the same inventory as a fresh adapter without one, as long as no subnet changes AZ
 * (a subnet cannot: its AZ is fixed at creation, and a new subnet gets a new id).
 */
import {
  DescribeAvailabilityZonesCommand,
  DescribeNatGatewaysCommand,
  type DescribeNatGatewaysCommandInput,
  DescribeRouteTablesCommand,
  DescribeSubnetsCommand,
  type DescribeSubnetsCommandInput,
  EC2Client,
  type Filter,
  type RouteTable as SdkRouteTable,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { Ec2Adapter } from '../../src/aws/ec2';
import { SUBNET_CACHE_REFRESH_MS, SubnetAzCache } from '../../src/aws/subnetCache';
import type { Scope } from '../../src/reconcile/ports';
import { retrier } from './fakes';

const client = new EC2Client({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
const ec2 = mockClient(client);
afterEach(() => ec2.reset());

const SCOPE: Scope = { managedTagKey: 'nat-failover', managedTagValue: 'enabled', vpcIds: [] };
const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
/** Every subnet that will ever exist, with its one AZ for life. */
const SUBNETS = Array.from({ length: 12 }, (_, i) => ({ id: `subnet-${String(i).padStart(4, '0')}`, az: AZS[i % 3]!, vpcId: 'vpc-0' }));

interface WorldState {
  /** Which subnets exist now (the rest are deleted or not created yet). */
  readonly live: readonly number[];
  /** Managed tables: each associated with some of the live subnets. */
  readonly tables: readonly (readonly number[])[];
}

const values = (filters: readonly Filter[] | undefined, name: string) => filters?.find((f) => f.Name === name)?.Values;

/** Serves `world()` as EC2 would: subnets by vpc-id or subnet-id filter, gateways by vpc-id. */
function serve(world: () => WorldState): void {
  ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: AZS.map((z, i) => ({ ZoneName: z, ZoneId: `use1-az${i + 1}`, State: 'available', ZoneType: 'availability-zone' })) });
  ec2.on(DescribeRouteTablesCommand).callsFake(() => ({
    RouteTables: world().tables.map(
      (subs, i): SdkRouteTable => ({
        RouteTableId: `rtb-${i}`,
        VpcId: 'vpc-0',
        Tags: [{ Key: 'nat-failover', Value: 'enabled' }],
        Associations: subs.map((s) => ({ SubnetId: SUBNETS[s]!.id })),
        Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-0', State: 'active' }],
      }),
    ),
  }));
  ec2.on(DescribeSubnetsCommand).callsFake((input: DescribeSubnetsCommandInput) => {
    const vpcs = values(input.Filters, 'vpc-id');
    const ids = values(input.Filters, 'subnet-id');
    const live = world().live.map((i) => SUBNETS[i]!).filter((s) => (!vpcs || vpcs.includes(s.vpcId)) && (!ids || ids.includes(s.id)));
    return { Subnets: live.map((s) => ({ SubnetId: s.id, AvailabilityZone: s.az, VpcId: s.vpcId })) };
  });
  ec2.on(DescribeNatGatewaysCommand).callsFake((input: DescribeNatGatewaysCommandInput) => {
    const vpcs = values(input.Filter, 'vpc-id') ?? [];
    // Each VPC's gateway lives in that VPC's first live subnet, if any.
    const nats = vpcs.flatMap((v) => {
      const home = world().live.map((i) => SUBNETS[i]!).find((s) => s.vpcId === v);
      return home ? [{ NatGatewayId: `nat-${v.slice(-1)}`, VpcId: v, SubnetId: home.id, State: 'available' as const, ConnectivityType: 'public' as const }] : [];
    });
    return { NatGateways: nats };
  });
}

const subnetCalls = () => ec2.commandCalls(DescribeSubnetsCommand).map((c) => c.args[0].input.Filters);

describe('SubnetAzCache', () => {
  it('is due a full read on a container\'s first run and again after the refresh period, not in between', () => {
    let t = 0;
    const cache = new SubnetAzCache(() => t, 10, 60_000);
    expect(cache.fullReadDue()).toBe(true);
    cache.settle(['subnet-1'], new Map([['subnet-1', 'us-east-1a']]), true);
    t = 59_999;
    expect(cache.fullReadDue()).toBe(false);
    t = 60_000;
    expect(cache.fullReadDue()).toBe(true);
  });

  it('a read that is not full does not restart the refresh period', () => {
    let t = 0;
    const cache = new SubnetAzCache(() => t, 10, 60_000);
    cache.settle(['subnet-1'], new Map([['subnet-1', 'us-east-1a']]), true);
    t = 50_000;
    cache.settle(['subnet-1', 'subnet-2'], new Map([['subnet-2', 'us-east-1b']]), false);
    t = 60_000;
    expect(cache.fullReadDue()).toBe(true);
  });

  it('keeps only the subnets the last run referenced: a disassociated or deleted subnet is dropped', () => {
    const cache = new SubnetAzCache(() => 0);
    cache.settle(['subnet-1', 'subnet-2'], new Map([['subnet-1', 'a'], ['subnet-2', 'b']]), true);
    const known = cache.settle(['subnet-1'], new Map(), false);
    expect(known).toStrictEqual(new Map([['subnet-1', 'a']]));
    expect(cache.get('subnet-2')).toBeUndefined();
    expect(cache.unknown(['subnet-1', 'subnet-2', 'subnet-2'])).toStrictEqual(['subnet-2']);
  });

  it('a full read that no longer returns a subnet drops it, whatever the cache held', () => {
    const cache = new SubnetAzCache(() => 0);
    cache.settle(['subnet-1', 'subnet-2'], new Map([['subnet-1', 'a'], ['subnet-2', 'b']]), true);
    const known = cache.settle(['subnet-1', 'subnet-2'], new Map([['subnet-1', 'a']]), true);
    expect([...known.keys()]).toStrictEqual(['subnet-1']);
    expect(cache.size).toBe(1);
  });

  it('never holds more than maxEntries, and still answers every referenced subnet for the run', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.uniqueArray(fc.integer({ min: 0, max: 99 }), { maxLength: 60 }), (max, ids) => {
        const cache = new SubnetAzCache(() => 0, max);
        const read = new Map(ids.map((i) => [`subnet-${i}`, AZS[i % 3]!]));
        const known = cache.settle(read.keys(), read, true);
        expect(known.size).toBe(ids.length);
        expect(cache.size).toBe(Math.min(max, ids.length));
      }),
    );
  });

  it('refuses a bound that is not a whole number >= 0', () => {
    expect(() => new SubnetAzCache(() => 0, -1)).toThrow('maxEntries must be a whole number >= 0, got -1');
  });
});

describe('Ec2Adapter with the subnet cache (exact requests of warm runs)', () => {
  it('describes no subnet on a warm run, only a new one by subnet-id when a table gains it, and all again after the refresh period', async () => {
    // Prepare: 2 tables, then a third table on a subnet never seen.
    let world: WorldState = { live: [0, 1, 2, 3, 4, 5], tables: [[2], [3]] };
    serve(() => world);
    const { retry, clock } = retrier();
    const adapter = new Ec2Adapter(client, retry, new SubnetAzCache(() => clock.now().getTime()));

    // Act + Assess: the first run reads every subnet of the managed VPCs
    await adapter.readInventory(SCOPE);
    expect(subnetCalls()).toStrictEqual([[{ Name: 'vpc-id', Values: ['vpc-0'] }]]);

    // a warm run: no DescribeSubnets at all
    ec2.resetHistory();
    const warm = await adapter.readInventory(SCOPE);
    expect(ec2.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
    expect(warm.routeTables.map((t) => t.subnetAzs)).toStrictEqual([['us-east-1c'], ['us-east-1a']]);

    // a table gains subnet 5 (live but never referenced before): described by id, alone
    world = { ...world, tables: [[2], [3], [5]] };
    ec2.resetHistory();
    const grown = await adapter.readInventory(SCOPE);
    expect(subnetCalls()).toStrictEqual([[{ Name: 'subnet-id', Values: [SUBNETS[5]!.id] }]]);
    expect(grown.routeTables[2]!.subnetAzs).toStrictEqual(['us-east-1c']);

    // the refresh period passes: a full read again
    await clock.sleep(SUBNET_CACHE_REFRESH_MS);
    ec2.resetHistory();
    await adapter.readInventory(SCOPE);
    expect(subnetCalls()).toStrictEqual([[{ Name: 'vpc-id', Values: ['vpc-0'] }]]);
  });

  it('drops a deleted subnet and describes the subnet that replaces it (a new id), by id alone', async () => {
    // Prepare: a table on subnet 3, then subnet 3 deleted (EC2 removes its association) and
    // subnet 6 created in its place for the same table.
    let world: WorldState = { live: [0, 1, 2, 3], tables: [[2, 3]] };
    serve(() => world);
    const { retry } = retrier();
    const cache = new SubnetAzCache();
    const adapter = new Ec2Adapter(client, retry, cache);
    await adapter.readInventory(SCOPE);
    expect(cache.get(SUBNETS[3]!.id)).toBe('us-east-1a');

    // Act
    world = { live: [0, 1, 2, 6], tables: [[2, 6]] };
    ec2.resetHistory();
    const inv = await adapter.readInventory(SCOPE);

    // Assess
    expect(subnetCalls()).toStrictEqual([[{ Name: 'subnet-id', Values: [SUBNETS[6]!.id] }]]);
    expect(inv.routeTables[0]!.subnetAzs).toStrictEqual(['us-east-1a', 'us-east-1c']);
    expect(cache.get(SUBNETS[3]!.id)).toBeUndefined();
  });

  it('property: with the cache, any sequence of worlds reads the same inventory as a fresh adapter', async () => {
    const worldArb = fc
      .uniqueArray(fc.integer({ min: 0, max: SUBNETS.length - 1 }), { minLength: 0, maxLength: SUBNETS.length })
      .chain((live) =>
        fc.record({
          live: fc.constant(live),
          tables: fc.array(live.length === 0 ? fc.constant<number[]>([]) : fc.uniqueArray(fc.constantFrom(...live), { maxLength: 3 }), { maxLength: 6 }),
        }),
      );
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(worldArb, fc.integer({ min: 0, max: 2 * SUBNET_CACHE_REFRESH_MS })), { minLength: 1, maxLength: 6 }), async (steps) => {
        ec2.reset();
        let world: WorldState = steps[0]![0];
        serve(() => world);
        const { retry, clock } = retrier();
        const cached = new Ec2Adapter(client, retry, new SubnetAzCache(() => clock.now().getTime()));
        for (const [w, wait] of steps) {
          world = w;
          await clock.sleep(wait);
          const withCache = await cached.readInventory(SCOPE);
          const without = await new Ec2Adapter(client, retrier().retry).readInventory(SCOPE);
          expect(withCache).toStrictEqual(without);
        }
      }),
      { numRuns: 60 },
    );
  });
});
