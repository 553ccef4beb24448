import { CreateTagsCommand, DeleteNatGatewayCommand, DescribeAvailabilityZonesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { describeWithMoto, useMoto } from '../integration/moto';
import { natTargetOf, newEc2, routesOf, type SeededVpc, seedVpc, tagsOf } from '../integration/seed';

type Handler = (event: unknown, context: never) => Promise<any>;
const ctx = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:nat-failover-prod-manual' } as never;

describeWithMoto('manual function through its handler, invoke-local mode, against moto', () => {
  let ec2: EC2Client;
  let vpc: SeededVpc;
  let handler: Handler;

  useMoto(undefined, { resetEach: true });
  beforeAll(async () => {
    process.env.IS_LOCAL = 'true';
    jest.resetModules();
    handler = (await import('../../handlers/manual')).handler as unknown as Handler;
  });
  afterAll(async () => {
    delete process.env.IS_LOCAL;
  });
  beforeEach(async () => {
    ec2 = newEc2();
    vpc = await seedVpc(ec2);
  });

  const snapshot = async () =>
    Promise.all([...vpc.azs.map((a) => a.routeTableId), vpc.unmanagedRouteTableId].map(async (id) => ({ id, routes: await routesOf(ec2, id), tags: await tagsOf(ec2, id) })));

  it('status lists every managed table at home, every gateway, and flags the missing DynamoDB endpoint', async () => {
    const res = await handler({ action: 'status' }, ctx);
    expect(res.ok).toBe(true);
    expect(res.tables.map((t: any) => [t.routeTableId, t.az, t.homeGateway, t.currentTarget, t.state])).toEqual(
      // One VPC: sorted by AZ (status sorts by VPC, then AZ).
      vpc.azs.map((a) => [a.routeTableId, a.az, a.natId, a.natId, 'home']).sort((x, y) => x[1]!.localeCompare(y[1]!)),
    );
    expect(res.gateways).toHaveLength(3);
    expect(res.gateways.every((g: any) => g.state === 'available' && g.tablesServed >= 1)).toBe(true);
    // The seed gives every managed table an S3 endpoint route and none a DynamoDB one.
    expect(res.endpointAudit.flagged.map((f: any) => [f.routeTableId, f.present, f.missing]).sort()).toEqual(
      vpc.azs.map((a) => [a.routeTableId, ['s3'], ['dynamodb']]).sort(),
    );
  });

  it('plan reports what a run would do after a gateway is deleted, and changes nothing', async () => {
    const [a, b] = vpc.azs;
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: a!.natId }));
    const before = await snapshot();
    const res = await handler({ action: 'plan' }, ctx);
    expect(res.ok).toBe(true);
    const change = res.plan.changes.find((c: any) => c.routeTableId === a!.routeTableId);
    expect(change.transition).toBe('failover');
    expect(change.status).toBe('dry-run');
    expect(change.routes[0]).toEqual({ destination: '0.0.0.0/0', from: a!.natId, to: expect.stringMatching(/^nat-/) });
    expect(change.routes[0].to).not.toBe(a!.natId);
    expect(change.reasons.join(' ')).toContain('deleted');
    expect(await snapshot()).toEqual(before);
    void b;
  });

  it('failover pins an AZ away (tags) and reconcile moves its routes; release then brings it home', async () => {
    const [a, b, c] = vpc.azs;
    // Given by AZ id, as ARC and AWS Health name AZs: normalised to the name.
    const zones = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: [a!.az] }));
    const azId = zones.AvailabilityZones![0]!.ZoneId!;
    const res = await handler({ action: 'failover', az: azId, reason: 'maintenance CHG-42', expiresAt: '2099-01-01T00:00:00Z', by: 'alice' }, ctx);
    expect(res).toMatchObject({ ok: true, action: 'failover', via: 'in-process', tables: [a!.routeTableId] });
    const tags = await tagsOf(ec2, a!.routeTableId);
    expect(tags).toMatchObject({
      'nat-failover:pin': `away-from=${a!.az} until=2099-01-01T00:00:00.000Z by=alice`,
      'nat-failover:pin-reason': 'maintenance CHG-42',
      'nat-failover:state': 'pinned',
    });
    const moved = natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0');
    expect([b!.natId, c!.natId]).toContain(moved);
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '64:ff9b::/96')).toBe(moved);
    expect(natTargetOf(await routesOf(ec2, vpc.unmanagedRouteTableId), '0.0.0.0/0')).toBe(a!.natId);

    const status = await handler({ action: 'status' }, ctx);
    expect(status.tables.find((t: any) => t.routeTableId === a!.routeTableId)).toMatchObject({ state: 'pinned', currentTarget: moved, pin: { awayFrom: a!.az, by: 'alice' } });

    // Restore is refused while pinned: a pin wins over restore.
    const refused = await handler({ action: 'restore', az: a!.az }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid-request', field: 'az' } });

    const released = await handler({ action: 'release', az: a!.az }, ctx);
    expect(released).toMatchObject({ ok: true, action: 'release', tables: [a!.routeTableId] });
    const after = await tagsOf(ec2, a!.routeTableId);
    expect(Object.keys(after).filter((k) => k.startsWith('nat-failover:pin'))).toEqual([]);
    // Home was healthy all along but hold-down starts with the release run: still away.
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0')).toBe(moved);

    const restored = await handler({ action: 'restore', az: a!.az, reason: 'maintenance done' }, ctx);
    expect(restored).toMatchObject({ ok: true, action: 'restore', via: 'in-process' });
    expect(restored.run.changes).toEqual([expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'restore', status: 'applied' })]);
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0')).toBe(a!.natId);
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '64:ff9b::/96')).toBe(a!.natId);
    expect((await tagsOf(ec2, a!.routeTableId))['nat-failover:state']).toBe('home');
  });

  it('the reconcile handler takes the manual payload: restoreNow brings a released AZ home at once', async () => {
    const [a] = vpc.azs;
    await handler({ action: 'failover', az: a!.az, reason: 'maintenance' }, ctx);
    await handler({ action: 'release', az: a!.az }, ctx);
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0')).not.toBe(a!.natId);
    const reconcileHandler = (await import('../../handlers/reconcile')).handler as unknown as Handler;
    const payload = { 'nat-failover': 'manual', action: 'restore', by: 'ops', dryRun: false, overrides: { restoreNow: [{ az: a!.az, force: false, reason: 'done', by: 'ops' }] } };
    const summary = await reconcileHandler(payload, ctx);
    expect(summary).toMatchObject({ trigger: 'manual:restore', changes: [expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'restore', status: 'applied' })] });
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0')).toBe(a!.natId);
    const before = await snapshot();
    await expect(reconcileHandler({ 'nat-failover': 'manual', action: 'restore', by: 'ops', dryRun: 'no' }, ctx)).rejects.toThrow('dryRun');
    expect(await snapshot()).toEqual(before);
  });

  it('failover to an explicit target by gateway moves exactly that gateway\'s tables there', async () => {
    const [a, , c] = vpc.azs;
    const res = await handler({ action: 'failover', gateway: a!.natId, target: c!.natId, reason: 'replace EIP' }, ctx);
    expect(res).toMatchObject({ ok: true, tables: [a!.routeTableId], pin: { target: c!.natId, until: null } });
    expect(natTargetOf(await routesOf(ec2, a!.routeTableId), '0.0.0.0/0')).toBe(c!.natId);
    expect((await tagsOf(ec2, a!.routeTableId))['nat-failover:pin']).toBe(`away-from=${a!.az} by=manual target=${c!.natId}`);
  });

  it('dry-run failover shows the move and writes neither routes nor tags', async () => {
    const [a] = vpc.azs;
    const before = await snapshot();
    const res = await handler({ action: 'failover', az: a!.az, reason: 'rehearsal', dryRun: true }, ctx);
    expect(res).toMatchObject({ ok: true, dryRun: true, via: 'plan-only' });
    expect(res.run.changes).toEqual([expect.objectContaining({ routeTableId: a!.routeTableId, transition: 'pin', status: 'dry-run' })]);
    expect(await snapshot()).toEqual(before);
  });

  it.each([
    [{ action: 'failover', az: 'us-east-1z', reason: 'x' }, 'az'],
    [{ action: 'failover', az: 'us-east-1a' }, 'reason'],
    [{ action: 'failover', az: 'us-east-1a', reason: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt'],
    [{ action: 'failover', az: 'us-east-1a', reason: 'x', extra: 1 }, 'extra'],
    [{ action: 'restore', az: 'us-east-1a', force: true }, 'reason'],
    [{ action: 'reboot' }, 'action'],
  ])('invalid request %j names %s and changes nothing', async (req, field) => {
    const before = await snapshot();
    const res = await handler(req, ctx);
    expect(res).toMatchObject({ ok: false, error: { code: 'invalid-request', field } });
    expect(await snapshot()).toEqual(before);
  });

  it('a target in the AZ being evacuated is refused by name, and nothing changes', async () => {
    const [a] = vpc.azs;
    await ec2.send(new CreateTagsCommand({ Resources: [a!.routeTableId], Tags: [{ Key: 'team', Value: 'net' }] }));
    const before = await snapshot();
    const res = await handler({ action: 'failover', az: a!.az, target: a!.natId, reason: 'x' }, ctx);
    expect(res).toMatchObject({ ok: false, error: { field: 'target', message: expect.stringContaining('the AZ being moved away from') } });
    expect(await snapshot()).toEqual(before);
  });
});
