/**
 * The real-SDK benchmark's in-process EC2 (bench/fakeAws.ts) must speak EC2's XML well enough that
 * the real SDK parsers and adapters read back exactly the world it serves; otherwise its byte and
 * CPU figures would measure a different response. Writes go through the same path.
 */
import { DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { TAGS } from '../../src/core/constants';
import fc from 'fast-check';
import { BUCKETS, bucketOf, rescanMinutes, sliceAt } from '../../src/core/slices';
import { Ec2Adapter } from '../../src/aws/ec2';
import { Retrier } from '../../src/retry';
import { buildWorld } from '../../src/sim/world';
import { FakeAws, filterValueMatcher, realisticWorld } from '../../bench/fakeAws';

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

/**
 * EC2's filter-value wildcards, as the fake applies them: `*` zero or more characters, `?` exactly
 * one, a backslash makes the next character literal (the EC2 `Filter` documentation: "a value of
 * \\*amazon\\?\\\\ searches for the literal string *amazon?\\"). The reference is a plain
 * regular-expression translation of those rules; the fake's matcher is written without one.
 */
describe('bench/fakeAws.ts filter values with EC2 wildcards', () => {
  const reference = (pattern: string): RegExp => {
    const cs = [...pattern];
    let src = '';
    for (let i = 0; i < cs.length; i++) {
      const escaped = cs[i] === '\\' && i + 1 < cs.length;
      const c = escaped ? cs[++i]! : cs[i]!;
      if (!escaped && c === '*') src += '.*';
      else if (!escaped && c === '?') src += '.';
      else src += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    }
    return new RegExp(`^${src}$`, 'su');
  };
  // A small alphabet so that generated values often match generated patterns; an astral
  // character because `?` is one character, not one UTF-16 unit.
  const alphabet = fc.constantFrom('a', 'b', '0', '-', '*', '?', '\\', '\u{1F600}', '\n');
  const text = fc.array(alphabet, { maxLength: 12 }).map((a) => a.join(''));

  it('matches exactly what the regular-expression translation matches (generated patterns and values)', () => {
    fc.assert(
      fc.property(text, text, (pattern, value) => {
        expect(filterValueMatcher(pattern)(value)).toBe(reference(pattern).test(value));
      }),
      { numRuns: 3000 },
    );
  });

  it('a value with every special character escaped matches itself and nothing else', () => {
    const escape = (v: string): string => v.replace(/[*?\\]/g, '\\$&');
    fc.assert(
      fc.property(text, text, (value, other) => {
        const m = filterValueMatcher(escape(value));
        expect(m(value)).toBe(true);
        expect(m(other)).toBe(other === value);
      }),
    );
  });

  it('the documented examples and the slice filter', () => {
    expect(filterValueMatcher('\\*amazon\\?\\\\')('*amazon?\\')).toBe(true);
    expect(filterValueMatcher('\\*amazon\\?\\\\')('xamazony\\')).toBe(false);
    expect(filterValueMatcher('rtb-*7')('rtb-0123456789abcdef7')).toBe(true);
    expect(filterValueMatcher('rtb-*7')('rtb-0123456789abcde7f')).toBe(false);
    expect(filterValueMatcher('rtb-?')('rtb-\u{1F600}')).toBe(true);
    expect(filterValueMatcher('rtb-*')('rtb-')).toBe(true);
    expect(filterValueMatcher('*')('')).toBe(true);
    expect(filterValueMatcher('?')('')).toBe(false);
  });

  it('a slice read through the real adapter returns exactly the managed tables of its buckets, and a cycle of slices is the full read', async () => {
    // Prepare: 240 managed tables (15 per bucket on average), real-length ids.
    const world = realisticWorld(buildWorld({ vpcs: 2, azs: 3, tablesPerAz: 40, nat64: false }));
    const fake = new FakeAws(world);
    const ec2 = adapter(fake);
    const scope = { managedTagKey: 'nat-failover', managedTagValue: 'enabled', vpcIds: [] };
    const full = await ec2.readInventory(scope);
    const k = rescanMinutes(full.routeTables.length, 50);
    expect(k).toBe(8);

    // Act: one slice per minute of a cycle.
    const union: string[] = [];
    for (let m = 0; m < k; m++) {
      const buckets = sliceAt(m, k);
      const slice = await ec2.readInventory(scope, { buckets, vpcIds: [], ids: [], tagKeys: [] });
      const ids = slice.routeTables.map((t) => t.id);
      // Assess: each slice is the full read's tables of its buckets, in the same order and shape.
      expect(ids.length).toBeGreaterThan(0);
      expect(slice.routeTables).toStrictEqual(full.routeTables.filter((t) => buckets.includes(bucketOf(t.id) ?? -1)));
      union.push(...ids);
    }
    expect(union.sort()).toStrictEqual(full.routeTables.map((t) => t.id).sort());
    expect(new Set(full.routeTables.map((t) => bucketOf(t.id))).size).toBe(BUCKETS);
  });

  it('a slice with watched ids and flag tag keys adds exactly those tables (ids ORed with the wildcards, tag-key in its own request)', async () => {
    const world = realisticWorld(buildWorld({ vpcs: 1, azs: 3, tablesPerAz: 20, nat64: false }));
    const managed = world.tables.filter((t) => t.tags['nat-failover'] === 'enabled');
    const outside = managed.filter((t) => bucketOf(t.id) !== 0);
    const [watched, pinned, unmanagedPinned] = [outside[0]!, outside[1]!, world.tables.find((t) => t.tags['nat-failover'] !== 'enabled')];
    pinned.tags[TAGS.pin] = 'away-from=use1-az1';
    if (unmanagedPinned) unmanagedPinned.tags[TAGS.pin] = 'away-from=use1-az1';
    const fake = new FakeAws(world);
    const ec2 = adapter(fake);
    const scope = { managedTagKey: 'nat-failover', managedTagValue: 'enabled', vpcIds: [] };

    const read = await ec2.readInventory(scope, { buckets: [0], vpcIds: [], ids: [watched.id], tagKeys: [TAGS.pin, 'nat-failover:*-never'] });

    const expected = [...managed.filter((t) => bucketOf(t.id) === 0).map((t) => t.id), watched.id, pinned.id].sort();
    expect(read.routeTables.map((t) => t.id).sort()).toStrictEqual(expected);
    expect(fake.calls.DescribeRouteTables).toBe(2);
  });

  it('refuses a filter it does not implement, as EC2 refuses an unknown one, instead of ignoring it', async () => {
    const fake = new FakeAws(realisticWorld(buildWorld({ vpcs: 1, azs: 2, tablesPerAz: 1, nat64: false })));
    const client = new EC2Client({ region: 'us-east-1', maxAttempts: 1, requestHandler: fake.handler, credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' } });
    await expect(client.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }))).rejects.toThrow("The filter 'association.main' is invalid");
  });
});
