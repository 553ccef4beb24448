import fc from 'fast-check';
import { allowListOf, headroom, isAllowListed } from '../../src/core/capacity';
import { isFailoverTarget } from '../../src/core/health';
import type { GatewayLoad, Inventory, MetricWindow, NatGateway } from '../../src/core/types';
import {
  actionFor,
  config,
  decideAt,
  failedOverTags,
  healthyMetrics,
  natGw,
  observation,
  standardInventory,
  table,
  targetsAfter,
  withNat,
  ZONES,
} from './fixtures';

const load = (active: number | undefined, errors: number | undefined = 0): GatewayLoad => ({ activeConnections: active, portAllocationErrors: errors });
const withCapacity = (m: MetricWindow, capacity: Record<string, GatewayLoad>): MetricWindow => ({ ...m, capacity: new Map(Object.entries(capacity)) });
const ip = (...ips: string[]) => ({ ips });

/** Three AZs, two tables at home in a, nat-a failed; every gateway with one EIP. */
function aFailed(over: Record<string, Partial<NatGateway>> = {}): Inventory {
  let inv: Inventory = {
    ...standardInventory(),
    natGateways: [
      natGw('nat-a', 'us-east-1a', { ips: ['192.0.2.1'], state: 'failed' }),
      natGw('nat-b', 'us-east-1b', { ips: ['192.0.2.2'] }),
      natGw('nat-c', 'us-east-1c', { ips: ['192.0.2.3'] }),
    ],
    routeTables: [
      table('rtb-a1', { subnetAzs: ['us-east-1a'], v4: 'nat-a' }),
      table('rtb-a2', { subnetAzs: ['us-east-1a'], v4: 'nat-a' }),
      table('rtb-b', { subnetAzs: ['us-east-1b'], v4: 'nat-b' }),
      table('rtb-c', { subnetAzs: ['us-east-1c'], v4: 'nat-c' }),
    ],
  };
  for (const [id, o] of Object.entries(over)) inv = withNat(inv, id, o);
  return inv;
}

const targets = (inv: Inventory, metrics: MetricWindow | undefined, cfg = config()) => {
  const d = decideAt(observation(inv, { metrics }), cfg);
  return { d, a1: targetsAfter(d.plan, inv.routeTables.find((t) => t.id === 'rtb-a1')!).v4, a2: targetsAfter(d.plan, inv.routeTables.find((t) => t.id === 'rtb-a2')!).v4 };
};

describe('headroom', () => {
  it('judges connections against 55,000 x IPs, port errors first, missing data unknown', () => {
    expect(headroom(ip('1'), load(10_000)).verdict).toBe('ok');
    expect(headroom(ip('1'), load(44_000)).verdict).toBe('short');
    // A second IP doubles the proxy limit: 44,000 of 110,000 is fine.
    expect(headroom(ip('1', '2'), load(44_000)).verdict).toBe('ok');
    expect(headroom(ip('1', '2'), load(10, 3)).verdict).toBe('port-errors');
    expect(headroom(ip('1'), load(undefined)).verdict).toBe('unknown');
    expect(headroom(ip('1'), undefined).verdict).toBe('unknown');
    // Without IPs there is no limit to compare with.
    expect(headroom({ ips: [] }, load(10)).verdict).toBe('unknown');
    expect(headroom(ip('1'), load(40_000), 5_000).verdict).toBe('short');
    expect(headroom(ip('1', '2'), load(44_000)).detail).toBe(
      'headroom: 44,000 of 110,000 connections (2 IPs), no port errors',
    );
  });
});

describe('capacity-aware target choice', () => {
  it('passes over a target with recent port-allocation errors when another has headroom, and says why', () => {
    const m = withCapacity(healthyMetrics(), { 'nat-a': load(10_000), 'nat-b': load(10_000, 40), 'nat-c': load(10_000) });
    const { d, a1, a2 } = targets(aFailed(), m);
    // Least-loaded alone would put rtb-a1 on nat-b (AZ order) and rtb-a2 on nat-c.
    expect([a1, a2]).toEqual(['nat-c', 'nat-c']);
    const reasons = actionFor(d.plan, 'rtb-a1')!.reasons;
    expect(reasons).toContain('target nat-c in us-east-1c: healthy, same VPC and connectivity, least loaded; headroom: 10,000 of 55,000 connections (1 IP), no port errors');
    expect(reasons).toContain('passed over nat-b in us-east-1b: 40 port-allocation errors; 10,000 of 55,000 connections (1 IP)');
  });

  it('passes over a target short of headroom, and fills the one with headroom until it runs short too', () => {
    // nat-b at 40,000: short once 5,000 more arrive (44,000 = 80 % of 55,000); nat-c at 30,000.
    // nat-a carried 20,000 over two tables: 10,000 each.
    const m = withCapacity(healthyMetrics(), { 'nat-a': load(20_000), 'nat-b': load(40_000), 'nat-c': load(30_000) });
    const { d, a1, a2 } = targets(aFailed(), m);
    // Both ok at first (same rank, same tables per IP): AZ order picks nat-b for rtb-a1.
    expect(a1).toBe('nat-b');
    // With rtb-a1's 10,000 connections on it nat-b is at 50,000: short; rtb-a2 goes to nat-c.
    expect(a2).toBe('nat-c');
    expect(actionFor(d.plan, 'rtb-a2')!.reasons).toContain(
      'passed over nat-b in us-east-1b: short of headroom: 50,000 of 55,000 connections (10,000 moving in) (1 IP), no port errors',
    );
  });

  it('prefers known headroom to unknown, and unknown to short', () => {
    const m = withCapacity(healthyMetrics(), { 'nat-b': load(undefined, undefined), 'nat-c': load(1_000) });
    const known = targets(aFailed(), m);
    expect(known.a1).toBe('nat-c');
    expect(actionFor(known.d.plan, 'rtb-a1')!.reasons).toContain('passed over nat-b in us-east-1b: headroom unknown: connections unknown (1 IP)');
    const m2 = withCapacity(healthyMetrics(), { 'nat-b': load(undefined, undefined), 'nat-c': load(50_000) });
    expect(targets(aFailed(), m2).a1).toBe('nat-b');
  });

  it('without any capacity data chooses as before: least loaded, AZ then id', () => {
    const { a1, a2 } = targets(aFailed(), healthyMetrics());
    expect([a1, a2]).toEqual(['nat-b', 'nat-c']);
  });

  it('spreads by tables per IP: a gateway with two IPs takes twice the tables', () => {
    const inv = aFailed({ 'nat-c': { ips: ['192.0.2.3', '192.0.2.13'] } });
    const { a1, a2 } = targets(inv, healthyMetrics());
    // nat-b: 1 table / 1 IP; nat-c: 1 table / 2 IPs: both go to nat-c (0.5, then 1.0 vs nat-b's 1.0: AZ b wins).
    expect(a1).toBe('nat-c');
    expect(a2).toBe('nat-b');
  });

  it('every target short: still fails over to the best one and says it is degraded', () => {
    const m = withCapacity(healthyMetrics(), { 'nat-b': load(50_000, 9), 'nat-c': load(50_000, 3) });
    const { d, a1 } = targets(aFailed(), m);
    expect(a1).toBe('nat-b');
    expect(actionFor(d.plan, 'rtb-a1')!.reasons.join('; ')).toContain('every healthy target is short of capacity, so the best of them (a degraded target beats a dead home)');
  });

  it('port-allocation errors on the home never move a table (report-only)', () => {
    const inv = aFailed({ 'nat-a': { state: 'available' } });
    const m = withCapacity(healthyMetrics(), { 'nat-a': load(54_000, 500) });
    expect(decideAt(observation(inv, { metrics: m })).plan.actions.filter((a) => a.routes.length > 0)).toEqual([]);
  });

  it('keeps a healthy current target even when it is short (no reshuffles)', () => {
    const inv: Inventory = {
      ...aFailed(),
      routeTables: [table('rtb-a1', { subnetAzs: ['us-east-1a'], v4: 'nat-b', tags: failedOverTags({ homeNat: 'nat-a', since: -600 }) })],
    };
    const m = withCapacity(healthyMetrics(), { 'nat-b': load(54_000, 100), 'nat-c': load(0) });
    expect(actionFor(decideAt(observation(inv, { metrics: m })).plan, 'rtb-a1')?.routes ?? []).toEqual([]);
  });
});

describe('egress allow-list', () => {
  const cfg = config({ egressAllowList: ['192.0.2.1/32', '192.0.2.2/32'] });

  it('never chooses a target outside the list; reports it once per run with the IP to add', () => {
    const { d, a1, a2 } = targets(aFailed(), healthyMetrics(), cfg);
    expect([a1, a2]).toEqual(['nat-b', 'nat-b']);
    const found = d.plan.findings.filter((f) => f.kind === 'allow-list');
    expect(found).toHaveLength(1);
    expect(found[0]!.message).toBe(
      'nat-c (us-east-1c) egresses from 192.0.2.3, not all inside the egress allow-list: never a failover target (it still serves its own AZ); add 192.0.2.3/32',
    );
  });

  it('a gateway with one of two IPs outside is outside; the finding names only the missing IP', () => {
    const inv = aFailed({ 'nat-b': { ips: ['192.0.2.2', '198.51.100.9'] } });
    const { d, a1 } = targets(inv, healthyMetrics(), config({ egressAllowList: ['192.0.2.0/24'] }));
    expect(a1).toBe('nat-c');
    expect(d.plan.findings.find((f) => f.kind === 'allow-list')!.message).toMatch(/^nat-b .*; add 198\.51\.100\.9\/32$/);
  });

  it('with no allowed healthy target leaves the table and says which IPs to add', () => {
    const inv = aFailed({ 'nat-b': { state: 'failed' } });
    const d = decideAt(observation(inv, { metrics: healthyMetrics() }), cfg);
    expect(actionFor(d.plan, 'rtb-a1')?.routes ?? []).toEqual([]);
    expect(d.plan.findings.find((f) => f.kind === 'no-healthy-target' && f.routeTableId === 'rtb-a1')!.message).toContain(
      'no healthy gateway in another AZ (outside the egress allow-list: nat-c, add 192.0.2.3/32): left on nat-a',
    );
  });

  it('moves a table off a current target the list no longer allows', () => {
    const inv: Inventory = {
      ...aFailed(),
      routeTables: [table('rtb-a1', { subnetAzs: ['us-east-1a'], v4: 'nat-c', tags: failedOverTags({ homeNat: 'nat-a', since: -600 }) })],
    };
    expect(targetsAfter(decideAt(observation(inv, { metrics: healthyMetrics() }), cfg).plan, inv.routeTables[0]!).v4).toBe('nat-b');
  });

  it('applies to public gateways only: a private gateway is never ruled out by it', () => {
    const priv = natGw('nat-p', 'us-east-1b', { connectivityType: 'private', ips: ['10.0.1.9'] });
    expect(isAllowListed(allowListOf(['192.0.2.0/24']), priv)).toBe(true);
    // A public gateway whose addresses were not observed is not provably inside.
    expect(isAllowListed(allowListOf(['192.0.2.0/24']), natGw('nat-x', 'us-east-1b'))).toBe(false);
    expect(isAllowListed(allowListOf([]), natGw('nat-x', 'us-east-1b'))).toBe(true);
  });

  it('status data: each table lists its home and every eligible target with their IPs', () => {
    const { d } = targets(aFailed({ 'nat-a': { state: 'available' } }), healthyMetrics(), cfg);
    expect(d.plan.tables.find((t) => t.routeTableId === 'rtb-a1')!.egress).toEqual([
      { natGatewayId: 'nat-a', role: 'home', ips: ['192.0.2.1'] },
      { natGatewayId: 'nat-b', role: 'target', ips: ['192.0.2.2'] },
    ]);
    // nat-c's own tables egress from it (home); allowed targets for them are nat-a and nat-b.
    expect(d.plan.tables.find((t) => t.routeTableId === 'rtb-c')!.egress!.map((e) => [e.natGatewayId, e.role])).toEqual([
      ['nat-c', 'home'],
      ['nat-a', 'target'],
      ['nat-b', 'target'],
    ]);
  });
});

describe('properties', () => {
  const AZS = ZONES.map((z) => z.name);
  const gatewayArb = fc.record({
    state: fc.constantFrom('available', 'available', 'available', 'failed'),
    ips: fc.array(fc.constantFrom('192.0.2.1', '192.0.2.2', '192.0.2.3', '198.51.100.1', '198.51.100.2'), { maxLength: 3 }),
    active: fc.option(fc.integer({ min: 0, max: 120_000 }), { nil: undefined }),
    errors: fc.option(fc.constantFrom(0, 0, 5), { nil: undefined }),
  });
  const worldArb = fc.record({
    gws: fc.array(gatewayArb, { minLength: 3, maxLength: 3 }),
    tables: fc.array(fc.record({ home: fc.nat(2), on: fc.nat(2), v6: fc.option(fc.nat(2), { nil: undefined }) }), { minLength: 1, maxLength: 8 }),
    allow: fc.constantFrom<readonly string[]>([], ['192.0.2.0/24'], ['192.0.2.1/32', '198.51.100.0/24']),
  });

  interface World {
    readonly gws: readonly { readonly state: string; readonly ips: readonly string[]; readonly active: number | undefined; readonly errors: number | undefined }[];
    readonly tables: readonly { readonly home: number; readonly on: number; readonly v6?: number | undefined }[];
    readonly allow: readonly string[];
  }

  function build(w: World) {
    const nats = w.gws.map((g, i) => natGw(`nat-${'abc'[i]}`, AZS[i], { state: g.state as NatGateway['state'], ips: [...new Set(g.ips)] }));
    const tables = w.tables.map((t, i) =>
      table(`rtb-${String(i).padStart(2, '0')}`, {
        subnetAzs: [AZS[t.home]!],
        v4: nats[t.on]!.id,
        // A NAT64 route, sometimes left elsewhere (a half-written move).
        ...(t.v6 !== undefined ? { v6: nats[t.v6]!.id } : {}),
        ...(t.on !== t.home ? { tags: failedOverTags({ homeNat: nats[t.home]!.id, since: -120 }) } : {}),
      }),
    );
    const capacity: Record<string, GatewayLoad> = {};
    w.gws.forEach((g, i) => (capacity[nats[i]!.id] = { activeConnections: g.active, portAllocationErrors: g.errors }));
    const inv: Inventory = { zones: ZONES, natGateways: nats, routeTables: tables };
    return { inv, obs: observation(inv, { metrics: withCapacity(healthyMetrics(), capacity) }), cfg: config({ egressAllowList: w.allow }) };
  }

  it('every target chosen is healthy, in another AZ, and allow-listed unless it is the home', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { inv, obs, cfg } = build(w);
        const { plan, health } = decideAt(obs, cfg);
        const list = allowListOf(cfg.egressAllowList);
        for (const a of plan.actions) {
          for (const r of a.routes) {
            const to = inv.natGateways.find((n) => n.id === r.to)!;
            if (a.transition === 'failover') {
              expect(isFailoverTarget(to, health.gateways.get(to.id))).toBe(true);
              expect(to.az).not.toBe(a.homeAz);
              expect(isAllowListed(list, to)).toBe(true);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('no route of any transition (NAT64 following IPv4 included) is written into a gateway outside the list, except the home', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { inv, obs, cfg } = build(w);
        const list = allowListOf(cfg.egressAllowList);
        for (const a of decideAt(obs, cfg).plan.actions) {
          const homeId = inv.natGateways.find((n) => n.az === a.homeAz)?.id;
          for (const r of a.routes) {
            const to = inv.natGateways.find((n) => n.id === r.to)!;
            if (to.id !== homeId) expect({ table: a.routeTableId, route: r, allowed: isAllowListed(list, to) }).toEqual({ table: a.routeTableId, route: r, allowed: true });
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('no failover target has worse headroom than a candidate passed over (preference order)', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        // One table failing over at a time isolates the order from the plan's own moves.
        const one = { ...w, tables: [{ home: 0, on: 0 }], gws: [{ ...w.gws[0]!, state: 'failed' }, ...w.gws.slice(1)] };
        const { inv, obs, cfg } = build(one);
        const { plan, health } = decideAt(obs, cfg);
        const a = plan.actions.find((x) => x.transition === 'failover');
        if (!a) return;
        const rank = { ok: 0, unknown: 1, short: 2, 'port-errors': 3 } as const;
        const list = allowListOf(cfg.egressAllowList);
        const cap = obs.metrics!.capacity!;
        const to = inv.natGateways.find((n) => n.id === a.routes[0]!.to)!;
        for (const n of inv.natGateways) {
          if (n.az === 'us-east-1a' || !isFailoverTarget(n, health.gateways.get(n.id)) || !isAllowListed(list, n)) continue;
          expect(rank[headroom(to, cap.get(to.id)).verdict]).toBeLessThanOrEqual(rank[headroom(n, cap.get(n.id)).verdict]);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('deterministic: the same observation in any table order gives the same plan', () => {
    fc.assert(
      fc.property(worldArb, (w) => {
        const { inv, cfg, obs } = build(w);
        const reversed = { ...obs, inventory: { ...inv, routeTables: [...inv.routeTables].reverse(), natGateways: [...inv.natGateways].reverse() } };
        expect(decideAt(reversed, cfg).plan.actions).toEqual(decideAt(obs, cfg).plan.actions);
      }),
      { numRuns: 200 },
    );
  });

  it('spread: with equal headroom and IPs, tables failing over together land within one of each other', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 12 }), (n) => {
        const inv: Inventory = {
          zones: ZONES,
          natGateways: [natGw('nat-a', 'us-east-1a', { state: 'failed', ips: ['192.0.2.1'] }), natGw('nat-b', 'us-east-1b', { ips: ['192.0.2.2'] }), natGw('nat-c', 'us-east-1c', { ips: ['192.0.2.3'] })],
          routeTables: Array.from({ length: n }, (_, i) => table(`rtb-a${String(i).padStart(2, '0')}`, { subnetAzs: ['us-east-1a'], v4: 'nat-a' })),
        };
        const { plan } = decideAt(observation(inv, { metrics: healthyMetrics() }));
        const to = plan.actions.map((a) => a.routes[0]!.to);
        const b = to.filter((x) => x === 'nat-b').length;
        const c = to.filter((x) => x === 'nat-c').length;
        expect(b + c).toBe(n);
        expect(Math.abs(b - c)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
