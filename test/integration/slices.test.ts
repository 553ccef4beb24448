/**
 * Quiet runs' slices against moto (5.2.x): the real Ec2Adapter.readInventory(scope, slice) asks
 * EC2 for `route-table-id` = `rtb-*<digit>` beside the managed-tag filter (src/aws/ec2.ts). EC2
 * filter values take `*` for zero or more characters (the EC2 `Filter` documentation: "You can use
 * wildcards with the filter values: * matches zero or more characters, and ? matches exactly one
 * character"); moto applies filter values with Python's fnmatch (moto/ec2/utils.py
 * is_filter_matching), which agrees on `*` and `?`. So a slice must be exactly the full read's
 * managed tables of its buckets, the filters ANDed (an unmanaged table of the same bucket stays
 * out), and a full cycle of slices must be the full read.
 */
import { CreateRouteCommand, CreateRouteTableCommand, CreateTagsCommand } from '@aws-sdk/client-ec2';
import { Ec2Adapter } from '../../src/aws/ec2';
import { DEFAULTS } from '../../src/config';
import { TAGS } from '../../src/core/constants';
import { BUCKETS, bucketOf, sliceAt } from '../../src/core/slices';
import type { RouteTable } from '../../src/core/types';
import { Retrier } from '../../src/retry';
import { systemClock } from '../../src/clock';
import { describeWithMoto, useMoto } from './moto';
import { newEc2, seedVpc } from './seed';

const MANAGED = 40;
const UNMANAGED = 8;

const ids = (tables: readonly RouteTable[]): string[] => tables.map((t) => t.id).sort();

describeWithMoto('route-table slices against moto', () => {
  useMoto();

  it('a slice read returns exactly the managed tables whose id ends in its buckets\' digits, and a cycle of slices is the full read', async () => {
    // Prepare: the demo VPC (3 managed tables, one unmanaged) plus 40 managed and 8 unmanaged
    // tables, each with a default route to a gateway, so every bucket is likely hit.
    const ec2 = newEc2();
    const vpc = await seedVpc(ec2);
    const nat = vpc.azs[0]!.natId;
    const created: { id: string; managed: boolean }[] = [];
    for (let i = 0; i < MANAGED + UNMANAGED; i++) {
      const managed = i < MANAGED;
      const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: vpc.vpcId }));
      const id = rt.RouteTable!.RouteTableId!;
      await ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: nat }));
      await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: DEFAULTS.managedTagKey, Value: managed ? DEFAULTS.managedTagValue : 'disabled' }, { Key: 'Name', Value: `slice-${i}` }] }));
      created.push({ id, managed });
    }
    // moto's ids are EC2's shape: `rtb-` and 17 lowercase hex digits, each in one bucket.
    for (const c of created) expect(c.id).toMatch(/^rtb-[0-9a-f]{17}$/);
    const adapter = new Ec2Adapter(ec2, new Retrier(systemClock));
    const scopes = [
      { managedTagKey: DEFAULTS.managedTagKey, managedTagValue: DEFAULTS.managedTagValue, vpcIds: [] },
      { managedTagKey: DEFAULTS.managedTagKey, managedTagValue: DEFAULTS.managedTagValue, vpcIds: [vpc.vpcId] },
    ];

    for (const scope of scopes) {
      const full = await adapter.readInventory(scope);
      expect(full.routeTables.length).toBe(MANAGED + vpc.azs.length);
      expect(ids(full.routeTables)).toEqual(expect.arrayContaining(created.filter((c) => c.managed).map((c) => c.id)));
      const hit = new Set(full.routeTables.map((t) => bucketOf(t.id)));
      expect(hit.has(undefined)).toBe(false);

      // Act + assess: each bucket alone.
      for (let b = 0; b < BUCKETS; b++) {
        const slice = await adapter.readInventory(scope, { buckets: [b], vpcIds: [vpc.vpcId], ids: [], tagKeys: [] });
        expect(ids(slice.routeTables)).toEqual(ids(full.routeTables.filter((t) => bucketOf(t.id) === b)));
        // The gateways and zones are read whole either way.
        expect(slice.natGateways.map((n) => n.id).sort()).toEqual(full.natGateways.map((n) => n.id).sort());
      }
      // A full cycle at k = 4 (1,000 tables at TABLES_READ_PER_RUN 250): four slices of four buckets.
      const union: RouteTable[] = [];
      for (let minute = 0; minute < 4; minute++) {
        const buckets = sliceAt(minute, 4);
        const slice = await adapter.readInventory(scope, { buckets, vpcIds: [vpc.vpcId], ids: [], tagKeys: [] });
        expect(ids(slice.routeTables)).toEqual(ids(full.routeTables.filter((t) => buckets.includes(bucketOf(t.id)!))));
        union.push(...slice.routeTables);
      }
      expect(ids(union)).toEqual(ids(full.routeTables));
      // Read as a full read reads them: same routes, tags and AZs per table.
      const byId = new Map(full.routeTables.map((t) => [t.id, t]));
      for (const t of union) expect(t).toStrictEqual(byId.get(t.id));
    }
    // Watched ids ride in the same route-table-id filter (values ORed with the wildcards), flagged
    // tables come by tag key in a second request: moto agrees on both.
    const scope = scopes[0]!;
    const full = await adapter.readInventory(scope);
    const outside = full.routeTables.filter((t) => bucketOf(t.id) !== 0);
    const [watched, pinned] = [outside[0]!, outside[1]!];
    const unmanagedTable = created.find((c) => !c.managed)!;
    for (const id of [pinned.id, unmanagedTable.id]) await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: TAGS.pin, Value: 'away-from=use1-az1' }] }));
    const flagged = await adapter.readInventory(scope, { buckets: [0], vpcIds: [vpc.vpcId], ids: [watched.id], tagKeys: [TAGS.pin] });
    expect(ids(flagged.routeTables)).toEqual([...full.routeTables.filter((t) => bucketOf(t.id) === 0).map((t) => t.id), watched.id, pinned.id].sort());

    // The slices above kept out unmanaged tables of their own buckets (the two filters are ANDed):
    // at least one bucket held both kinds.
    const managedBuckets = new Set(created.filter((c) => c.managed).map((c) => bucketOf(c.id)));
    expect(created.some((c) => !c.managed && managedBuckets.has(bucketOf(c.id)))).toBe(true);
  });
});
