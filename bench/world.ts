import { buildWorld, type World } from '../src/sim/world';

/**
 * A region with exactly `tables` managed route tables spread over `vpcs` zonal VPCs of `azs` AZs
 * (one NAT gateway per AZ), plus each VPC's unmanaged and opted-out tables, which the tag filter
 * must leave out. Tables are dealt round-robin over VPCs and AZs, so VPCs differ by at most one.
 */
export function benchWorld(tables: number, vpcs: number, azs = 3, opts: { nat64?: boolean } = {}): World {
  const perAz = Math.ceil(tables / (vpcs * azs));
  const world = buildWorld({ vpcs, azs, tablesPerAz: perAz, nat64: opts.nat64 ?? false, unmanagedTables: true });
  const managed = world.tables.filter((t) => t.tags['nat-failover'] === 'enabled');
  // Keep the first `tables` in round-robin order (table index, then AZ, then VPC).
  const order = [...managed].sort((a, b) => rank(a.id) - rank(b.id));
  const keep = new Set(order.slice(0, tables).map((t) => t.id));
  const drop = new Set(managed.filter((t) => !keep.has(t.id)).flatMap((t) => [t.id, ...t.subnetIds]));
  const pruned: World = {
    ...world,
    tables: world.tables.filter((t) => !drop.has(t.id)),
    subnets: world.subnets.filter((s) => !drop.has(s.id)),
  };
  return pruned;
}

/** rtb-<vpc><az letter><n> (or rtb-<az letter><n> with one VPC) → a round-robin rank. */
function rank(id: string): number {
  const m = /^rtb-(\d*)([a-f])(\d+)$/.exec(id);
  if (!m) return Number.MAX_SAFE_INTEGER;
  const vpc = Number(m[1] || '1');
  const az = m[2]!.charCodeAt(0) - 97;
  const n = Number(m[3]);
  return n * 1_000_000 + az * 1_000 + vpc;
}

/** Managed tables homed in the AZ of `natId`'s letter (e.g. every table on nat-a / nat-3a). */
export function tablesOn(world: World, natId: string): string[] {
  return world.tables.filter((t) => t.routes.some((r) => r.destination === '0.0.0.0/0' && r.target.id === natId) && t.tags['nat-failover'] === 'enabled').map((t) => t.id);
}
