/**
 * The real-SDK benchmark's in-process EC2 (bench/fakeAws.ts) must speak EC2's XML well enough that
 * the real SDK parsers and adapters read back exactly the world it serves; otherwise its byte and
 * CPU figures would measure a different response. Writes go through the same path.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { Ec2Adapter } from '../../src/aws/ec2';
import { Retrier } from '../../src/retry';
import { buildWorld } from '../../src/sim/world';
import { FakeAws, realisticWorld } from '../../bench/fakeAws';

const clock = { now: () => new Date('2026-11-29T12:00:00Z'), sleep: async () => {} };

function adapter(fake: FakeAws): Ec2Adapter {
  const client = new EC2Client({ region: 'us-east-1', maxAttempts: 1, requestHandler: fake.handler, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
  return new Ec2Adapter(client, new Retrier(clock));
}

describe('bench/fakeAws.ts through the real SDK', () => {
  it('the adapter reads back the world served (tables, routes, subnets\' AZs, gateways), first run paged and the next unpaged', async () => {
    // Prepare: 2 VPCs x 3 AZs x 40 tables = 240 managed tables, real-length ids, NAT64 routes.
    const world = realisticWorld(buildWorld({ vpcs: 2, azs: 3, tablesPerAz: 40, nat64: true }));
    const fake = new FakeAws(world);
    const ec2 = adapter(fake);
    const scope = { managedTagKey: 'nat-failover', managedTagValue: 'enabled', vpcIds: [] };

    // Act
    const first = await ec2.readInventory(scope);
    const callsFirst = { ...fake.calls };
    fake.resetCounters();
    const second = await ec2.readInventory(scope);

    // Assess
    const managed = world.tables.filter((t) => t.tags['nat-failover'] === 'enabled');
    expect(first.routeTables.map((t) => t.id)).toStrictEqual(managed.map((t) => t.id));
    const azOf = new Map(world.subnets.map((s) => [s.id, s.az]));
    for (const t of first.routeTables) {
      const w = managed.find((x) => x.id === t.id)!;
      expect(t.subnetAzs).toStrictEqual(w.subnetIds.map((s) => azOf.get(s)));
      expect(t.routes.map((r) => [r.destination, r.target.id])).toStrictEqual(w.routes.map((r) => [r.destination, r.target.id]));
      expect(t.tags).toStrictEqual(w.tags);
    }
    expect(first.natGateways.map((n) => [n.id, n.az])).toStrictEqual(world.nats.map((n) => [n.id, n.az]));
    expect(second).toStrictEqual(first);
    expect(callsFirst).toStrictEqual({ DescribeRouteTables: 3, DescribeAvailabilityZones: 1, DescribeSubnets: 1, DescribeNatGateways: 1 });
    expect(fake.calls).toStrictEqual({ DescribeRouteTables: 1, DescribeAvailabilityZones: 1, DescribeNatGateways: 1 });
    expect(fake.bytes).toBeGreaterThan(240 * 2000);
  });

  it('applies CreateTags, DeleteTags and ReplaceRoute as EC2 would', async () => {
    const world = realisticWorld(buildWorld({ vpcs: 1, azs: 2, tablesPerAz: 1, nat64: false }));
    const fake = new FakeAws(world);
    const ec2 = adapter(fake);
    const [a, b] = world.tables.filter((t) => t.tags['nat-failover'] === 'enabled');
    const natB = world.nats[1]!.id;

    await ec2.createTags([a!.id, b!.id], { 'nat-failover:state': 'home', 'nat-failover:reason': 'a & <b>' });
    await ec2.deleteTags([b!.id], ['nat-failover:reason']);
    await ec2.replaceRoute(a!.id, '0.0.0.0/0', natB);
    const routes = await ec2.readRoutes([a!.id]);

    expect(a!.tags).toMatchObject({ 'nat-failover:state': 'home', 'nat-failover:reason': 'a & <b>' });
    expect(b!.tags['nat-failover:reason']).toBeUndefined();
    expect(routes.get(a!.id)!.find((r) => r.destination === '0.0.0.0/0')!.target).toStrictEqual({ kind: 'nat', id: natB });
    await expect(ec2.replaceRoute(a!.id, '10.9.0.0/16', natB)).rejects.toThrow(/InvalidRoute.NotFound|no route matching/);
  });
});
