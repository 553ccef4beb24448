/**
 * The real handler against moto: hard signals (a deleted gateway), gateway replacement, dry run
 * and a bad configuration. Moto starts once for the file and is wiped before each test.
 */
import { AllocateAddressCommand, CreateNatGatewayCommand, DeleteNatGatewayCommand, type EC2Client, type Route } from '@aws-sdk/client-ec2';
import { WRAP_UP_MS } from '../../src/reconcile/controller';
import { coldStart, subnetOfNat } from './handler';
import { describeWithMoto, useMoto } from './moto';
import { natTargetOf, newEc2, routesOf, seedVpc, tagsOf } from './seed';

const V4 = '0.0.0.0/0';
const V6 = '64:ff9b::/96';

/** A table's routes in a comparable form (S3 prefix-list routes included). */
const shape = (routes: readonly Route[]) =>
  routes
    .map((r) => `${r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId} -> ${r.NatGatewayId ?? r.GatewayId}`)
    .sort();

describeWithMoto('reconcile handler against moto', () => {
  let ec2: EC2Client;
  useMoto(undefined, { resetEach: true });
  beforeAll(async () => {
    ec2 = newEc2();
  });

  it('fails a deleted gateway\'s table over (IPv4 and NAT64) and moves nothing unmanaged', async () => {
    // Prepare
    const vpc = await seedVpc(ec2);
    const [a, b, c] = vpc.azs;
    const before = {
      b: shape(await routesOf(ec2, b!.routeTableId)),
      c: shape(await routesOf(ec2, c!.routeTableId)),
      unmanaged: shape(await routesOf(ec2, vpc.unmanagedRouteTableId)),
      aEndpoints: (await routesOf(ec2, a!.routeTableId)).filter((r) => r.DestinationPrefixListId).map((r) => `${r.DestinationPrefixListId} -> ${r.GatewayId}`),
    };
    expect(before.aEndpoints).toHaveLength(1);
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    const invoke = await coldStart();

    // Act
    const summary = await invoke();

    // Assess: AZ a's table moved, both managed destinations, to a healthy gateway elsewhere.
    const aRoutes = await routesOf(ec2, a!.routeTableId);
    expect(natTargetOf(aRoutes, V4)).toBe(b!.natId);
    expect(natTargetOf(aRoutes, V6)).toBe(b!.natId);
    expect(summary.changes).toStrictEqual([
      expect.objectContaining({
        routeTableId: a!.routeTableId,
        transition: 'failover',
        status: 'applied',
        routes: [
          { destination: V4, from: a!.natId, to: b!.natId },
          { destination: V6, from: a!.natId, to: b!.natId },
        ],
      }),
    ]);
    expect(await tagsOf(ec2, a!.routeTableId)).toMatchObject({ 'nat-failover': 'enabled', 'nat-failover:state': 'failed-over', 'nat-failover:home-nat': a!.natId });
    // Assess: nothing else moved.
    expect(aRoutes.filter((r) => r.DestinationPrefixListId).map((r) => `${r.DestinationPrefixListId} -> ${r.GatewayId}`)).toStrictEqual(before.aEndpoints);
    expect(shape(await routesOf(ec2, b!.routeTableId))).toStrictEqual(before.b);
    expect(shape(await routesOf(ec2, c!.routeTableId))).toStrictEqual(before.c);
    expect(shape(await routesOf(ec2, vpc.unmanagedRouteTableId))).toStrictEqual(before.unmanaged);
    expect(Object.keys(await tagsOf(ec2, vpc.unmanagedRouteTableId))).toStrictEqual(['Name']);

    // A second run finds nothing to do.
    const again = await invoke();
    expect(again.changes).toStrictEqual([]);
  });

  it('near the invocation deadline starts no write, defers the change whole, and the next invocation makes it (issue 16)', async () => {
    // Prepare: a's gateway deleted; the invocation has less than WRAP_UP_MS left.
    const vpc = await seedVpc(ec2);
    const [a, b] = vpc.azs;
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    const invoke = await coldStart();

    // Act: the self-invoke goes to the emulator, where no such function exists: logged, not fatal.
    // Just under WRAP_UP_MS left: no write may start, and middy's own early timeout (at the
    // deadline) leaves the run the whole wrap-up time, even on a loaded machine.
    const cut = await invoke(undefined, WRAP_UP_MS - 1);

    // Assess: nothing written, nothing recorded as moved, the change reported deferred.
    expect(cut.changes).toStrictEqual([expect.objectContaining({ routeTableId: a!.routeTableId, status: 'deferred' })]);
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), V4)).toBe(a!.natId);
    expect((await tagsOf(ec2, a!.routeTableId))['nat-failover:state']).not.toBe('failed-over');

    // Act: the continuation, with a whole invocation ahead.
    const next = await invoke();

    // Assess
    expect(next.changes).toStrictEqual([expect.objectContaining({ routeTableId: a!.routeTableId, status: 'applied' })]);
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), V4)).toBe(b!.natId);
  });

  it('dry run reports the failover and changes nothing', async () => {
    const vpc = await seedVpc(ec2);
    const [a, b] = vpc.azs;
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    const tagsBefore = await tagsOf(ec2, a!.routeTableId);
    const invoke = await coldStart({ DRY_RUN: 'true' });

    const summary = await invoke();

    expect(summary.dryRun).toBe(true);
    expect(summary.changes).toStrictEqual([
      expect.objectContaining({ routeTableId: a!.routeTableId, status: 'dry-run', routes: [{ destination: V4, from: a!.natId, to: b!.natId }, { destination: V6, from: a!.natId, to: b!.natId }] }),
    ]);
    const aRoutes = await routesOf(ec2, a!.routeTableId);
    expect(natTargetOf(aRoutes, V4)).toBe(a!.natId);
    expect(natTargetOf(aRoutes, V6)).toBe(a!.natId);
    expect(await tagsOf(ec2, a!.routeTableId)).toStrictEqual(tagsBefore);
  });

  it('follows a replaced gateway: away while the AZ has none, then to the new one in the same AZ', async () => {
    // Prepare
    const vpc = await seedVpc(ec2);
    const [a, b] = vpc.azs;
    const publicSubnet = await subnetOfNat(ec2, a!.natId);
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    const invoke = await coldStart({ RESTORE_HOLD_DOWN_SECONDS: '0' });
    await invoke();
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), V4)).toBe(b!.natId);

    // Act: a new gateway in AZ a.
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const created = await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: eip.AllocationId! }));
    const replacement = created.NatGateway!.NatGatewayId!;
    const summary = await invoke();

    // Assess: home is the AZ, so the table goes to the replacement.
    const aRoutes = await routesOf(ec2, a!.routeTableId);
    expect(natTargetOf(aRoutes, V4)).toBe(replacement);
    expect(natTargetOf(aRoutes, V6)).toBe(replacement);
    expect(summary.changes.map((c) => [c.routeTableId, c.transition, c.status])).toStrictEqual([[a!.routeTableId, 'restore', 'applied']]);
    expect(await tagsOf(ec2, a!.routeTableId)).toMatchObject({ 'nat-failover:state': 'home', 'nat-failover:home-nat': replacement });
  });

  it('repoints straight to a replacement created before the controller noticed the old one was gone', async () => {
    const vpc = await seedVpc(ec2);
    const [a] = vpc.azs;
    const publicSubnet = await subnetOfNat(ec2, a!.natId);
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const replacement = (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnet, AllocationId: eip.AllocationId! }))).NatGateway!.NatGatewayId!;
    const invoke = await coldStart();

    const summary = await invoke();

    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), V4)).toBe(replacement);
    expect(summary.changes.map((c) => [c.transition, c.routes.map((r) => r.to)])).toStrictEqual([['repoint', [replacement, replacement]]]);
  });

  it('stops the cold start on an invalid value with one message naming the variable, no stack trace', async () => {
    const errors: string[] = [];
    const spy = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errors.push(args.map(String).join(' ')));
    try {
      const start = coldStart({ RESTORE_HOLD_DOWN_SECONDS: 'abc' });

      await expect(start).rejects.toMatchObject({ name: 'ConfigError', variable: 'RESTORE_HOLD_DOWN_SECONDS' });
      const err = (await start.catch((e: unknown) => e)) as Error;
      expect(err.message).toBe('RESTORE_HOLD_DOWN_SECONDS: expected a whole number, got "abc" (fix the function\'s environment / serverless.yml params)');
      expect(err.stack).toBe(`ConfigError: ${err.message}`);
      expect(errors).toStrictEqual([`nat-failover configuration error: ${err.message}`]);
      expect(errors[0]).not.toMatch(/\n\s+at /);
    } finally {
      spy.mockRestore();
    }
  });
});
