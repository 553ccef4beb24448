import { DEFAULTS } from '../../src/config';
import { reconcile } from '../../src/reconcile/controller';
import { ThrottledError } from '../../src/errors';
import { silentRecorder } from '../../src/reconcile/ports';
import { SimRegion } from '../../src/sim/region';
import { buildWorld } from '../../src/sim/world';

const scope = { managedTagKey: 'nat-failover', managedTagValue: 'enabled', vpcIds: [] };

describe('SimRegion as a CloudPort', () => {
  it('reads only managed tables, with the EC2 adapter\'s four describe calls', async () => {
    const sim = new SimRegion(buildWorld({ azs: 3, tablesPerAz: 2 }));
    const inv = await sim.readInventory(scope);
    expect(inv.routeTables.map((t) => t.id).sort()).toEqual(['rtb-a1', 'rtb-a2', 'rtb-b1', 'rtb-b2', 'rtb-c1', 'rtb-c2']);
    expect(inv.routeTables[0]?.subnetAzs).toEqual(['us-east-1a']);
    expect(inv.zones.map((z) => `${z.name}=${z.id}`)).toEqual(['us-east-1a=use1-az4', 'us-east-1b=use1-az6', 'us-east-1c=use1-az1']);
    expect(sim.stats().byOperation).toEqual({ DescribeRouteTables: 1, DescribeAvailabilityZones: 1, DescribeSubnets: 1, DescribeNatGateways: 1 });
  });

  it('reads 1,000 tables in one DescribeRouteTables, as the adapter asks (no MaxResults)', async () => {
    const sim = new SimRegion(buildWorld({ azs: 4, tablesPerAz: 250 }));
    const inv = await sim.readInventory(scope);
    expect(inv.routeTables).toHaveLength(1000);
    expect(sim.stats().byOperation).toEqual({ DescribeRouteTables: 1, DescribeAvailabilityZones: 1, DescribeSubnets: 1, DescribeNatGateways: 1 });
  });

  it('pages when told the API truncates, with no empty trailing page', async () => {
    const sim = new SimRegion(buildWorld({ azs: 3, tablesPerAz: 100 }), { describePage: 100 });
    const inv = await sim.readInventory(scope);
    expect(inv.routeTables).toHaveLength(300);
    expect(sim.stats().byOperation.DescribeRouteTables).toBe(3);
    expect(sim.stats().byOperation.DescribeSubnets).toBe(4); // 3 public + 300 private subnets
  });

  it('tag writes find tables by id however the world was edited between them (the id index is never trusted stale)', async () => {
    // Prepare: one write builds the index; then the world is edited the way drills and tests do.
    const sim = new SimRegion(buildWorld({ azs: 3, tablesPerAz: 2 }), { latencyMs: 0 });
    await sim.createTags(['rtb-a1', 'rtb-c2'], { k: '1' });
    const removed = sim.world.tables.splice(0, 1)[0]!;
    sim.world.tables.push({ id: 'rtb-new', vpcId: removed.vpcId, tags: {}, subnetIds: [], routes: [] });
    sim.world.tables.reverse();

    // Act
    await sim.createTags(['rtb-new', 'rtb-c2', 'rtb-b1'], { k: '2' });

    // Assess: every table written is the one with that id; the removed one is gone, as in EC2.
    expect(sim.world.tables.filter((t) => t.tags.k === '2').map((t) => t.id).sort()).toEqual(['rtb-b1', 'rtb-c2', 'rtb-new']);
    await expect(sim.deleteTags([removed.id], ['k'])).rejects.toThrow(`${removed.id} does not exist`);
  });

  it('marks routes to a deleted gateway as blackhole and refuses writes into it', async () => {
    const sim = new SimRegion(buildWorld());
    sim.setNatState('nat-a', 'deleted');
    const inv = await sim.readInventory(scope);
    expect(inv.routeTables.find((t) => t.id === 'rtb-a1')?.routes.find((r) => r.destination === '0.0.0.0/0')?.state).toBe('blackhole');
    await expect(sim.replaceRoute('rtb-b1', '0.0.0.0/0', 'nat-a')).rejects.toThrow(/InvalidNatGatewayID.NotFound/);
  });

  it('emits metrics only for gateways that carry traffic, after the delivery lag', async () => {
    const sim = new SimRegion(buildWorld(), { metricLagSeconds: 90 });
    const now = sim.clock.nowMs();
    await sim.replaceRoute('rtb-c1', '0.0.0.0/0', 'nat-b');
    sim.clock.advanceTo(now + 5 * 60_000);
    const w = await sim.readMetrics(['nat-a', 'nat-b', 'nat-c'], new Date(now - 5 * 60_000), new Date(now + 5 * 60_000));
    // nat-c lost its only table at `now`: silent from then on.
    const cMinutes = (w.byGateway.get('nat-c') ?? []).map((p) => p.start.getTime());
    expect(Math.max(...cMinutes)).toBe(now - 60_000);
    // A minute is readable 90 s after it closes: at now+5m the newest is the one starting at now+2m.
    const bMinutes = (w.byGateway.get('nat-b') ?? []).map((p) => p.start.getTime());
    expect(Math.max(...bMinutes)).toBe(now + 2 * 60_000);
    expect(w.byGateway.get('nat-b')?.at(-1)?.values.PacketsOutToDestination).toBeGreaterThan(190_000);
  });

  it('throttles mutating calls past the bucket and the Retrier backs off on virtual time', async () => {
    const sim = new SimRegion(buildWorld(), { mutating: { capacity: 1, refillPerSecond: 1 }, latencyMs: 0 });
    await sim.replaceRoute('rtb-a1', '0.0.0.0/0', 'nat-b');
    await sim.replaceRoute('rtb-a1', '0.0.0.0/0', 'nat-c');
    const s = sim.stats();
    expect(s.throttled.ReplaceRoute).toBeGreaterThan(0);
    expect(s.retries).toBe(s.throttled.ReplaceRoute);
    expect(s.elapsedMs).toBeGreaterThan(0);
    expect(sim.target('rtb-a1')).toBe('nat-c');
  });

  it('gives up with ThrottledError when a storm outlasts the retries', async () => {
    const sim = new SimRegion(buildWorld(), { latencyMs: 0 });
    sim.throttlingStorm('mutating', 1);
    await expect(sim.replaceRoute('rtb-a1', '0.0.0.0/0', 'nat-b')).rejects.toBeInstanceOf(ThrottledError);
    expect(sim.stats().byOperation.ReplaceRoute).toBe(8);
  });

  it('runs the real reconcile unchanged: a deleted gateway fails its table over', async () => {
    const sim = new SimRegion(buildWorld());
    const deps = { cloud: sim, clock: sim.clock, recorder: silentRecorder, signals: sim };
    await reconcile(deps, DEFAULTS);
    expect(sim.target('rtb-a1')).toBe('nat-a');
    sim.setNatState('nat-a', 'deleted');
    const report = await reconcile(deps, DEFAULTS);
    expect(report.results.map((r) => `${r.action.routeTableId}:${r.status}`)).toEqual(['rtb-a1:applied']);
    expect(sim.target('rtb-a1')).not.toBe('nat-a');
    expect(sim.target('rtb-a1', '64:ff9b::/96')).toBe(sim.target('rtb-a1'));
    expect(sim.target('rtb-x1')).toBe('nat-a'); // unmanaged: never touched
  });
});
