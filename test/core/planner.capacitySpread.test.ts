/** Found in review (2026-11-29): capacity ranking vs spreading when the failed gateway's share is unknown. */
import type { GatewayLoad, Inventory } from '../../src/core/types';
import { config, decideAt, healthyMetrics, natGw, observation, standardInventory, table, targetsAfter } from '../core/fixtures';

const load = (active: number | undefined): GatewayLoad => ({ activeConnections: active, portAllocationErrors: 0 });

/** nat-a deleted over an hour ago (gone from DescribeNatGateways, no metrics) with 40 tables on it. */
const deadGatewayWorld = (): Inventory => ({
  ...standardInventory(),
  natGateways: [natGw('nat-b', 'us-east-1b', { ips: ['192.0.2.2'] }), natGw('nat-c', 'us-east-1c', { ips: ['192.0.2.3'] })],
  routeTables: [
    ...Array.from({ length: 40 }, (_, i) => table(`rtb-a${String(i).padStart(2, '0')}`, { subnetAzs: ['us-east-1a'], v4: 'nat-a' })),
    table('rtb-b', { subnetAzs: ['us-east-1b'], v4: 'nat-b' }),
    table('rtb-c', { subnetAzs: ['us-east-1c'], v4: 'nat-c' }),
  ],
});

describe('a deleted gateway\'s tables and headroom', () => {
  it('spreads 40 tables of a gateway gone from the API over the healthy targets', () => {
    const inv = deadGatewayWorld();
    // nat-b at 43,000 of 55,000 (ok, just under the 80 % short line); nat-c has no ActiveConnectionCount datum (unknown).
    const metrics = { ...healthyMetrics({}, ['nat-b', 'nat-c']), capacity: new Map([['nat-b', load(43_000)], ['nat-c', load(undefined)]]) };
    const d = decideAt(observation(inv, { metrics }), config());
    const to = new Map<string, number>();
    for (const t of inv.routeTables.filter((x) => x.id.startsWith('rtb-a'))) {
      const v4 = targetsAfter(d.plan, t).v4 ?? 'none';
      to.set(v4, (to.get(v4) ?? 0) + 1);
    }
    expect(to.get('nat-b') ?? 0).toBeLessThan(40);
  });

  it('records the same state on every table moved to one target, so the tags are written in grouped CreateTags (not one per table)', () => {
    // Found by bench/evacuation.ts: a running count in the headroom text ("plus N table(s) ...")
    // made every table's reason tag different, so 1,000 tables cost 1,847 writes instead of ~1,010
    // and their evacuation 183.9 s instead of 160.6 s (the token bucket's bound is 160 s).
    const inv = deadGatewayWorld();
    const metrics = { ...healthyMetrics({}, ['nat-b', 'nat-c']), capacity: new Map([['nat-b', load(10_000)], ['nat-c', load(10_000)]]) };
    const d = decideAt(observation(inv, { metrics }), config());
    const moved = d.plan.actions.filter((a) => a.routeTableId.startsWith('rtb-a'));
    expect(moved).toHaveLength(40);
    const targets = new Set(moved.map((a) => a.routes[0]?.to));
    const tagSets = new Set(moved.map((a) => JSON.stringify([a.tags.set, a.tags.remove])));
    // At most a handful of distinct tag sets per target (first one there, the rest), never one per table.
    expect(tagSets.size).toBeLessThanOrEqual(2 * targets.size);
  });
});
