/**
 * Quiet scheduled runs through the real handler (one warm container) against moto: the wildcard
 * slice read is answered by a real EC2 emulator, and a gateway deleted between quiet runs still
 * moves every table of its AZ in the very next run.
 */
import { AssociateRouteTableCommand, CreateRouteCommand, CreateRouteTableCommand, CreateSubnetCommand, CreateTagsCommand, DeleteNatGatewayCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { IPV4_DEFAULT, TAGS } from '../../src/core/constants';
import { bucketOf, sliceAt } from '../../src/core/slices';
import { pinValue } from '../../src/core/state';
import { coldStart } from './handler';
import { describeWithMoto, useMoto } from './moto';
import { natTargetOf, newEc2, routesOf, seedVpc } from './seed';

/** `extra` more managed tables, round-robin over the AZs, each with its own private subnet. */
async function moreTables(ec2: EC2Client, vpc: Awaited<ReturnType<typeof seedVpc>>, extra: number): Promise<Map<string, string>> {
  const home = new Map(vpc.azs.map((a) => [a.routeTableId, a.natId]));
  for (let i = 0; i < extra; i++) {
    const a = vpc.azs[i % vpc.azs.length]!;
    const sn = await ec2.send(new CreateSubnetCommand({ VpcId: vpc.vpcId, CidrBlock: `10.0.${10 + i}.0/24`, AvailabilityZone: a.az }));
    const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: vpc.vpcId }));
    const id = rt.RouteTable!.RouteTableId!;
    await ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: sn.Subnet!.SubnetId! }));
    await ec2.send(new CreateRouteCommand({ RouteTableId: id, DestinationCidrBlock: IPV4_DEFAULT, NatGatewayId: a.natId }));
    await ec2.send(new CreateTagsCommand({ Resources: [id], Tags: [{ Key: 'nat-failover', Value: 'enabled' }] }));
    home.set(id, a.natId);
  }
  return home;
}

describeWithMoto('quiet scheduled runs against moto (real handler, one container)', () => {
  let ec2: EC2Client;
  useMoto(undefined, { resetEach: true });
  beforeAll(() => {
    ec2 = newEc2();
  });

  it('reads a slice once nothing is to be done, and a deleted gateway moves every table of its AZ in the next run', async () => {
    const vpc = await seedVpc(ec2);
    const home = await moreTables(ec2, vpc, 45);
    // 48 tables, 12 a run: each re-read every 4 minutes.
    const invoke = await coldStart({ TABLES_READ_PER_RUN: '12' });

    const first = await invoke();
    expect(first.routeTablesRead).toBe('all');
    const second = await invoke();
    expect(second.routeTablesRead).toBe('all');
    expect(second.changes).toEqual([]);
    const quiet = await invoke();
    expect(quiet.routeTablesRead).toMatchObject({ of: 48, rescanMinutes: 4 });
    // Moto applied the wildcard: about a quarter of the tables (the ids' last hex digits are random).
    const read = (quiet.routeTablesRead as { read: number }).read;
    expect(read).toBeGreaterThan(0);
    expect(read).toBeLessThan(48);
    expect(quiet.tables).toHaveLength(48);

    const [a, b, c] = vpc.azs;
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    const after = await invoke();
    expect(after.routeTablesRead).toBe('all');
    const homedOnA = [...home].filter(([, nat]) => nat === a!.natId).map(([id]) => id);
    expect(homedOnA).toHaveLength(16);
    for (const id of homedOnA) expect([b!.natId, c!.natId]).toContain(natTargetOf(await routesOf(ec2, id), IPV4_DEFAULT));
    expect(after.changes.filter((x) => x.status === 'applied')).toHaveLength(16);
  });

  it('a pin written without its reconcile invoke is applied by the next quiet scheduled run, wherever its table is (moto answers the tag-key read; found in review)', async () => {
    const vpc = await seedVpc(ec2);
    const home = await moreTables(ec2, vpc, 45);
    const invoke = await coldStart({ TABLES_READ_PER_RUN: '12' });
    await invoke();
    await invoke();
    expect((await invoke()).routeTablesRead).toMatchObject({ of: 48, rescanMinutes: 4 });
    // A table of AZ a in neither this minute's slice nor the next's, and not the lowest id of its
    // gateway (so never the watched one): only the tag-key read can bring it.
    const minute = Math.floor(Date.now() / 60_000);
    const soon = new Set([...sliceAt(minute, 4), ...sliceAt(minute + 1, 4)]);
    const [a, b, c] = vpc.azs;
    const onA = [...home].filter(([, n]) => n === a!.natId).map(([id]) => id).sort();
    const pinned = onA.slice(1).find((id) => !soon.has(bucketOf(id) ?? -1));
    expect(pinned).toBeDefined();
    const pin = pinValue({ awayFromAz: a!.az, by: 'ops', reason: 'r', target: undefined, until: undefined });
    await ec2.send(new CreateTagsCommand({ Resources: [pinned!], Tags: [{ Key: TAGS.pin, Value: pin }] }));
    await invoke();
    expect([b!.natId, c!.natId]).toContain(natTargetOf(await routesOf(ec2, pinned!), IPV4_DEFAULT));
  });
});
