/**
 * Invariants of the pure core over arbitrary worlds: whatever the gateways, AZs, tags, metrics and
 * evacuations look like, the plan never routes into an unhealthy gateway, never touches what it
 * does not own, converges in one step, respects the hold-down and the change cap, and is
 * deterministic.
 */
import fc from 'fast-check';
import type { Config } from '../../src/config';
import { MANAGED_DESTINATIONS, TAG_PREFIX } from '../../src/core/constants';
import { isEligibleTarget } from '../../src/core/health';
import { holdDownSeconds, type PlanOverrides } from '../../src/core/planner';
import { readState, readStateChecked } from '../../src/core/state';
import type {
  Evacuation,
  GatewayAlarm,
  Inventory,
  MetricPoint,
  NatGateway,
  Observation,
  Route,
  RouteTable,
  Zone,
} from '../../src/core/types';
import { DROPPING, GOOD, NOW, applyPlan, at, config, decideAt, type Decision } from './fixtures';
import { garbageFlaps, garbageInstant, garbagePin } from './garbage';

const AZS = [
  { name: 'us-east-1a', id: 'use1-az1' },
  { name: 'us-east-1b', id: 'use1-az2' },
  { name: 'us-east-1c', id: 'use1-az3' },
  { name: 'us-east-1d', id: 'use1-az4' },
] as const;
const MANAGED_TAG = 'nat-failover';

/** `undefined` about `pNone` of the time, else a value of `arb`. */
const maybe = <T>(arb: fc.Arbitrary<T>, pNone = 0.5): fc.Arbitrary<T | undefined> =>
  fc.oneof(
    { arbitrary: fc.constant(undefined), weight: Math.round(pNone * 100) },
    { arbitrary: arb, weight: Math.round((1 - pNone) * 100) },
  );
const weighted = <T>(...pairs: Array<[T, number]>): fc.Arbitrary<T> =>
  fc.oneof(...pairs.map(([v, weight]) => ({ arbitrary: fc.constant(v), weight })));

const offset = fc.integer({ min: -10_000, max: 600 });
const azRef = fc.record({ az: fc.nat(3), asId: fc.boolean() });

const natSpec = fc.record({
  vpc: fc.nat(2),
  az: fc.nat(3),
  state: weighted<NatGateway['state']>(['available', 8], ['pending', 1], ['failed', 1], ['deleting', 1], ['deleted', 1]),
  connectivity: weighted<NatGateway['connectivityType']>(['public', 4], ['private', 1]),
  regional: weighted<boolean>([false, 12], [true, 1]),
});

const tagSpec = fc.record({
  mode: maybe(fc.constantFrom('home', 'failed-over', 'pinned', 'sideways')),
  since: maybe(offset),
  homeOkSince: maybe(offset),
  flaps: maybe(fc.integer({ min: 0, max: 6 })),
  lastRestore: maybe(offset),
  homeAz: maybe(azRef, 0.7),
  homeNat: maybe(fc.nat(20), 0.6),
  pin: maybe(fc.record({ away: azRef, target: maybe(fc.nat(20)), until: maybe(offset) }), 0.8),
  note: fc.boolean(),
  // Written by a release before the pin and flap damping were compacted into one key each.
  legacy: weighted<boolean>([false, 3], [true, 1]),
});

const tableSpec = fc.record({
  vpc: fc.nat(2),
  managed: weighted<boolean>([true, 6], [false, 1]),
  // Mostly one AZ (the common case); sometimes none or two, which need the home-az tag.
  subnetAzs: fc.oneof({ arbitrary: fc.nat(3).map((x) => [x]), weight: 6 }, { arbitrary: fc.subarray([0, 1, 2, 3], { maxLength: 2 }), weight: 1 }),
  v4: weighted<'nat' | 'gone' | 'igw' | 'tgw' | 'none'>(['nat', 12], ['gone', 1], ['igw', 1], ['tgw', 1], ['none', 1]),
  v4Nat: fc.nat(20),
  v6Nat: maybe(fc.nat(20), 0.6),
  blackhole: fc.boolean(),
  extras: fc.boolean(),
  tags: tagSpec,
});

const minuteKind = weighted<'good' | 'drop' | 'collapse' | 'quiet' | 'missing'>(['good', 4], ['drop', 2], ['collapse', 1], ['quiet', 1], ['missing', 1]);

const worldSpec = fc.record({
  zoneCount: fc.integer({ min: 2, max: 4 }),
  vpcCount: fc.integer({ min: 1, max: 3 }),
  zoneStates: fc.array(weighted<Zone['state']>(['available', 10], ['information', 1], ['constrained', 1], ['impaired', 1], ['unavailable', 1]), { minLength: 4, maxLength: 4 }),
  nats: fc.array(natSpec, { minLength: 1, maxLength: 10 }),
  tables: fc.array(tableSpec, { minLength: 1, maxLength: 8 }),
  metrics: maybe(fc.array(fc.array(minuteKind, { minLength: 5, maxLength: 5 }), { minLength: 10, maxLength: 10 }), 0.3),
  evacuated: fc.subarray([0, 1, 2, 3], { maxLength: 1 }),
  alarms: fc.subarray([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { maxLength: 2 }),
  holdDown: fc.constantFrom(0, 60, 600),
  cap: fc.integer({ min: 1, max: 6 }),
  restoreNow: maybe(fc.array(azRef, { minLength: 1, maxLength: 2 }), 0.8),
  // Monitoring degraded: a soft-signal source could not be read this run.
  unread: weighted<ReadonlyArray<'metrics' | 'alarms'>>([[], 6], [['metrics'], 1], [['alarms'], 1], [['metrics', 'alarms'], 1]),
});
type WorldSpec = typeof worldSpec extends fc.Arbitrary<infer T> ? T : never;

interface World {
  readonly obs: Observation;
  readonly config: Config;
  readonly overrides: PlanOverrides;
}

const iso = (s: number) => at(s).toISOString();

function buildWorld(w: WorldSpec): World {
  const azs = AZS.slice(0, w.zoneCount);
  const az = (i: number) => azs[i % azs.length]!;
  const azName = (r: { az: number; asId: boolean }) => (r.asId ? az(r.az).id : az(r.az).name);
  const vpc = (i: number) => `vpc-0000000${(i % w.vpcCount) + 1}`;
  const zones: Zone[] = azs.map((a, i) => ({ ...a, state: w.zoneStates[i]! }));

  const nats: NatGateway[] = w.nats.map((n, i) => ({
    id: `nat-${i}`,
    vpcId: vpc(n.vpc),
    az: n.regional ? undefined : az(n.az).name,
    state: n.state,
    connectivityType: n.connectivity,
    availabilityMode: n.regional ? 'regional' : 'zonal',
  }));
  const natIn = (vpcId: string, i: number): NatGateway | undefined => {
    const mine = nats.filter((n) => n.vpcId === vpcId);
    return mine.length === 0 ? undefined : mine[i % mine.length];
  };
  const natRoute = (destination: string, n: NatGateway | undefined, id: string, blackhole: boolean): Route => ({
    destination,
    target: { kind: 'nat', id: n?.id ?? id },
    // Routes turn blackhole only when their gateway is gone or broken.
    state: blackhole && (n === undefined || n.state !== 'available') ? 'blackhole' : 'active',
  });

  const routeTables: RouteTable[] = w.tables.map((t, i) => {
    const vpcId = vpc(t.vpc);
    const routes: Route[] = [{ destination: '10.0.0.0/16', target: { kind: 'other', id: 'local' }, state: 'active' }];
    if (t.v4 === 'nat') routes.push(natRoute('0.0.0.0/0', natIn(vpcId, t.v4Nat), `nat-gone-${i}`, t.blackhole));
    if (t.v4 === 'gone') routes.push(natRoute('0.0.0.0/0', undefined, `nat-gone-${i}`, t.blackhole));
    if (t.v4 === 'igw') routes.push({ destination: '0.0.0.0/0', target: { kind: 'other', id: 'igw-0abc' }, state: 'active' });
    if (t.v4 === 'tgw') routes.push({ destination: '0.0.0.0/0', target: { kind: 'other', id: 'tgw-0abc' }, state: 'active' });
    if (t.v6Nat !== undefined) routes.push(natRoute('64:ff9b::/96', natIn(vpcId, t.v6Nat), `nat-gone-v6-${i}`, t.blackhole));
    if (t.extras) {
      routes.push({ destination: 'pl-63a5400a', target: { kind: 'other', id: 'vpce-0abc' }, state: 'active' });
      routes.push({ destination: '10.1.0.0/16', target: { kind: 'other', id: 'tgw-0abc' }, state: 'active' });
      // Not a managed destination, though it targets a NAT gateway: must never move.
      const n = natIn(vpcId, t.v4Nat);
      if (n) routes.push({ destination: '192.168.0.0/16', target: { kind: 'nat', id: n.id }, state: 'active' });
    }
    const g = t.tags;
    const tags: Record<string, string> = {};
    if (t.managed) tags[MANAGED_TAG] = 'enabled';
    tags.Name = `private-${i}`;
    if (g.note) tags['nat-failover:note'] = 'owned by a person';
    if (g.mode !== undefined) tags['nat-failover:state'] = g.mode;
    if (g.since !== undefined) tags['nat-failover:since'] = iso(g.since);
    if (g.homeOkSince !== undefined) tags['nat-failover:home-ok-since'] = iso(g.homeOkSince);
    if (g.legacy) {
      if (g.flaps !== undefined) tags['nat-failover:flaps'] = String(g.flaps);
      if (g.lastRestore !== undefined) tags['nat-failover:last-restore'] = iso(g.lastRestore);
    } else if (g.lastRestore !== undefined) tags['nat-failover:flaps'] = `${g.flaps ?? 0}@${iso(g.lastRestore)}`;
    else if (g.flaps !== undefined) tags['nat-failover:flaps'] = String(g.flaps);
    if (g.homeAz !== undefined) tags['nat-failover:home-az'] = azName(g.homeAz);
    if (g.homeNat !== undefined) tags['nat-failover:home-nat'] = natIn(vpcId, g.homeNat)?.id ?? 'nat-gone';
    if (g.pin !== undefined && g.legacy) {
      tags['nat-failover:pin-away-from'] = azName(g.pin.away);
      if (g.pin.target !== undefined) tags['nat-failover:pin-target'] = natIn(vpcId, g.pin.target)?.id ?? 'nat-gone';
      if (g.pin.until !== undefined) tags['nat-failover:pin-until'] = iso(g.pin.until);
      tags['nat-failover:pin-reason'] = 'maintenance';
      tags['nat-failover:pin-by'] = 'ops';
    } else if (g.pin !== undefined) {
      const target = g.pin.target === undefined ? [] : [`target=${natIn(vpcId, g.pin.target)?.id ?? 'nat-gone'}`];
      const until = g.pin.until === undefined ? [] : [`until=${iso(g.pin.until)}`];
      tags['nat-failover:pin'] = [`away-from=${azName(g.pin.away)}`, ...until, 'by=ops', ...target].join(' ');
      tags['nat-failover:pin-reason'] = 'maintenance';
    }
    return { id: `rtb-${String(i).padStart(2, '0')}`, vpcId, tags, subnetAzs: [...new Set(t.subnetAzs.map((x) => az(x).name))].sort(), routes };
  });

  const values = { good: GOOD, drop: DROPPING, collapse: { ConnectionAttemptCount: 1000, ConnectionEstablishedCount: 10 }, quiet: { PacketsOutToDestination: 10, PacketsDropCount: 5 } };
  const byGateway = new Map<string, MetricPoint[]>();
  if (w.metrics) {
    nats.forEach((n, i) => {
      const kinds = w.metrics![i % w.metrics!.length]!;
      const points: MetricPoint[] = [];
      kinds.forEach((k, m) => {
        if (k !== 'missing') points.push({ start: at((m - 5) * 60), values: values[k] });
      });
      byGateway.set(n.id, points);
    });
  }
  const evacuations: Evacuation[] = w.evacuated.filter((i) => i < azs.length).map((i) => ({ az: az(i).name, source: 'arc-zonal-shift', id: `shift-${i}`, since: at(-60) }));
  const alarms: GatewayAlarm[] = w.alarms.filter((i) => i < nats.length).map((i) => ({ natGatewayId: `nat-${i}`, alarmName: `alarm-${i}`, since: at(-30) }));

  return {
    obs: {
      now: NOW,
      inventory: { zones, natGateways: nats, routeTables },
      // A failed metric read leaves no metrics behind.
      metrics: w.metrics && !w.unread.includes('metrics') ? { start: at(-300), end: NOW, byGateway } : undefined,
      evacuations,
      alarms,
      unreadSignals: w.unread.map((source) => ({ source, error: 'throttled' })),
    },
    config: config({ restoreHoldDownSeconds: w.holdDown, maxChangesPerRun: w.cap }),
    // Manual restores without force only: forced ones may knowingly enter an unhealthy home.
    overrides: w.restoreNow ? { restoreNow: w.restoreNow.map((r) => ({ az: azName(r), force: false, reason: 'drill', by: 'ops' })) } : {},
  };
}

const worlds = worldSpec.map(buildWorld);
const decide = (w: World, inventory: Inventory = w.obs.inventory): Decision => decideAt({ ...w.obs, inventory }, w.config, w.overrides);
const RUNS = { numRuns: 300 };

describe('planner invariants over arbitrary worlds', () => {
  it('never routes into a gateway that is not available or is unhealthy, nor across VPC or connectivity type', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const { health, plan } = decide(w);
        const nats = new Map(w.obs.inventory.natGateways.map((n) => [n.id, n]));
        for (const a of plan.actions) {
          const t = w.obs.inventory.routeTables.find((x) => x.id === a.routeTableId)!;
          const v4 = nats.get(t.routes.find((r) => r.destination === '0.0.0.0/0')?.target.id ?? '');
          for (const c of a.routes) {
            const to = nats.get(c.to);
            expect(to).toBeDefined();
            expect(to!.state).toBe('available');
            // Spelled out rather than isEligibleTarget, so the oracle is not the code under test.
            const h = health.gateways.get(c.to)!;
            expect(h.hard).toEqual([]);
            expect(h.soft).not.toBe('bad');
            expect(to!.vpcId).toBe(t.vpcId);
            expect(to!.availabilityMode).toBe('zonal');
            if (v4) expect(to!.connectivityType).toBe(v4.connectivityType);
          }
        }
      }),
      RUNS,
    );
  });

  it('touches only managed tables, only the managed destinations currently on a NAT gateway, only nat-failover: state tags', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const { plan } = decide(w);
        for (const a of plan.actions) {
          const t = w.obs.inventory.routeTables.find((x) => x.id === a.routeTableId)!;
          expect(t.tags[MANAGED_TAG]).toBe('enabled');
          for (const c of a.routes) {
            expect(MANAGED_DESTINATIONS).toContain(c.destination);
            const r = t.routes.find((x) => x.destination === c.destination)!;
            expect(r.target).toEqual({ kind: 'nat', id: c.from });
            expect(c.to).not.toBe(c.from);
          }
          for (const k of [...Object.keys(a.tags.set), ...a.tags.remove]) {
            expect(k.startsWith(TAG_PREFIX)).toBe(true);
            expect(k).not.toBe('nat-failover:note');
          }
        }
        const after = applyPlan(w.obs.inventory, plan);
        w.obs.inventory.routeTables.forEach((t, i) => {
          const u = after.routeTables[i]!;
          const untouched = (r: Route) => !(MANAGED_DESTINATIONS as readonly string[]).includes(r.destination) || r.target.kind !== 'nat';
          expect(u.routes.filter(untouched)).toEqual(t.routes.filter(untouched));
          if (t.tags[MANAGED_TAG] !== 'enabled') expect(u).toBe(t);
          for (const [k, v] of Object.entries(t.tags)) if (!k.startsWith(TAG_PREFIX) || k === 'nat-failover:note') expect(u.tags[k]).toBe(v);
        });
      }),
      RUNS,
    );
  });

  it('is level-triggered: after applying a plan, a second plan at the same instant only holds what the cap deferred', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const first = decide(w).plan;
        const deferred = new Set(first.findings.filter((f) => f.kind === 'deferred-by-change-cap').map((f) => f.routeTableId));
        const second = decide(w, applyPlan(w.obs.inventory, first)).plan;
        expect(second.actions.filter((a) => !deferred.has(a.routeTableId))).toEqual([]);
        if (deferred.size === 0) expect(second.actions).toEqual([]);
      }),
      RUNS,
    );
  });

  it('never restores automatically inside the table\'s hold-down, or blind, while its current gateway is healthy', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const { health, plan } = decide(w);
        const nats = new Map(w.obs.inventory.natGateways.map((n) => [n.id, n]));
        for (const a of plan.actions.filter((x) => x.transition === 'restore')) {
          if (a.reasons.some((r) => r.startsWith('manual restore'))) continue;
          // The IPv4 default, or the NAT64 route of an IPv6-only table.
          const from = (a.routes.find((c) => c.destination === '0.0.0.0/0') ?? a.routes[0]!).from;
          const current = nats.get(from);
          if (!current || !isEligibleTarget(current, health.gateways.get(from))) continue; // escaping a dead gateway
          const t = w.obs.inventory.routeTables.find((x) => x.id === a.routeTableId)!;
          const s = readState(t.tags);
          // A recorded instant in the future counts as now (never as "not yet").
          const okSince = s.mode !== 'home' && s.homeOkSince && s.homeOkSince < NOW ? s.homeOkSince : NOW;
          const held = (NOW.getTime() - okSince.getTime()) / 1000;
          expect(held).toBeGreaterThanOrEqual(holdDownSeconds(w.config.restoreHoldDownSeconds, s.flaps));
          // Nor into a home whose soft health is unknown because monitoring could not be read.
          const home = (a.routes.find((c) => c.destination === '0.0.0.0/0') ?? a.routes[0]!).to;
          if (w.obs.unreadSignals.length > 0) expect(health.gateways.get(home)!.soft).not.toBe('unknown');
        }
      }),
      RUNS,
    );
  });

  it('caps only soft-signal, pin and restore changes; plans every hard evacuation in one run; hard first, restores last', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const { health, plan } = decide(w);
        const nats = new Set(w.obs.inventory.natGateways.map((n) => n.id));
        const dead = (id: string) => !nats.has(id) || (health.gateways.get(id)?.hard.length ?? 0) > 0;
        const moving = plan.actions.filter((a) => a.routes.length > 0);
        // The class is a fact about the world: hard iff a route leaves a gone or hard-signalled gateway.
        for (const a of moving) expect(a.changeClass).toBe(a.routes.some((c) => dead(c.from)) ? 'hard-evacuation' : 'capped');
        const capped = moving.filter((a) => a.changeClass === 'capped');
        expect(capped.length).toBeLessThanOrEqual(w.config.maxChangesPerRun);
        const deferred = plan.findings.filter((f) => f.kind === 'deferred-by-change-cap');
        if (deferred.length > 0) expect(capped).toHaveLength(w.config.maxChangesPerRun);
        const unlimited = decide({ ...w, config: { ...w.config, maxChangesPerRun: 10_000 } }).plan;
        // Every hard evacuation the unlimited plan makes is in this plan: the cap never defers one.
        const hardIds = unlimited.actions.filter((a) => a.routes.length > 0 && a.changeClass === 'hard-evacuation').map((a) => a.routeTableId);
        expect(moving.filter((a) => a.changeClass === 'hard-evacuation').map((a) => a.routeTableId)).toEqual(hardIds);
        // Urgent first: nothing deferred is more urgent than a capped change that went ahead.
        const worstAhead = Math.max(-1, ...capped.map((a) => a.priority));
        for (const f of deferred) {
          const a = unlimited.actions.find((x) => x.routeTableId === f.routeTableId)!;
          expect(a.changeClass).toBe('capped');
          expect(a.priority).toBeGreaterThanOrEqual(worstAhead);
        }
        // Order: every hard evacuation before any other action, then by priority (restores last).
        const rank = (a: (typeof plan.actions)[number]) => [a.routes.length > 0 && a.changeClass === 'hard-evacuation' ? 0 : 1, a.priority] as const;
        for (let i = 1; i < plan.actions.length; i++) {
          const [r0, p0] = rank(plan.actions[i - 1]!);
          const [r1, p1] = rank(plan.actions[i]!);
          expect(r0 < r1 || (r0 === r1 && p0 <= p1)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('is deterministic: the same world, in any listing order, gives the same plan', () => {
    fc.assert(
      fc.property(worlds, fc.integer({ min: 1, max: 1000 }), (w, seed) => {
        const shuffle = <T>(xs: readonly T[]): T[] => {
          const out = [...xs];
          let s = seed;
          for (let i = out.length - 1; i > 0; i--) {
            s = (s * 1103515245 + 12345) % 2 ** 31;
            const j = s % (i + 1);
            [out[i], out[j]] = [out[j]!, out[i]!];
          }
          return out;
        };
        const once = decide(w).plan;
        expect(decide(w).plan).toStrictEqual(once);
        const shuffled = { ...w.obs.inventory, routeTables: shuffle(w.obs.inventory.routeTables), natGateways: shuffle(w.obs.inventory.natGateways) };
        expect(decide(w, shuffled).plan).toStrictEqual(once);
      }),
      RUNS,
    );
  });
});

describe('the world generator', () => {
  it('reaches every kind of decision, so the invariants above are not vacuous', () => {
    // Prepare: a fixed sample, so the check is reproducible.
    const sample = fc.sample(worlds, { numRuns: 400, seed: 42 });

    // Act
    const seen = new Map<string, number>();
    const count = (k: string) => seen.set(k, (seen.get(k) ?? 0) + 1);
    for (const w of sample) {
      const { health, plan } = decide(w);
      for (const a of plan.actions) if (a.transition) count(a.transition);
      for (const a of plan.actions) if (a.routes.some((r) => r.destination === '64:ff9b::/96')) count('nat64');
      // An IPv6-only table moved on its own (not a NAT64 route converging behind IPv4).
      for (const a of plan.actions) if (a.routes.length > 0 && a.transition !== 'converge' && a.routes.every((r) => r.destination === '64:ff9b::/96')) count('ipv6-only');
      for (const f of plan.findings) count(f.kind);
      if (health.guardedVpcs.length > 0) count('guard');
    }

    // Assess
    const expected = ['failover', 'restore', 'repoint', 'pin', 'converge', 'nat64', 'no-healthy-target', 'deferred-by-change-cap', 'regional-nat', 'hold-down', 'monitoring-degraded', 'pin-released', 'external-change', 'skipped-table', 'guard', 'ipv6-only', 'unreadable-state'];
    expect(expected.filter((k) => !seen.has(k))).toEqual([]);
  });
});

describe('hostile state tags (issue 10, item 4): garbage never makes the controller act sooner', () => {
  const PIN_KEYS = ['nat-failover:pin', 'nat-failover:pin-reason', 'nat-failover:pin-away-from', 'nat-failover:pin-target', 'nat-failover:pin-until', 'nat-failover:pin-by'];
  const KEYS = ['nat-failover:since', 'nat-failover:home-ok-since', 'nat-failover:pin', 'nat-failover:state', 'nat-failover:flaps'] as const;
  const withTags = (inv: Inventory, id: string, tags: Record<string, string>): Inventory => ({
    ...inv,
    routeTables: inv.routeTables.map((t) => (t.id === id ? { ...t, tags } : t)),
  });
  // Garbage shaped for the key: a corrupted pin for `pin`, a corrupted count for `flaps`.
  const junkFor = (key: (typeof KEYS)[number]) => (key === 'nat-failover:pin' ? garbagePin : key === 'nat-failover:flaps' ? garbageFlaps : garbageInstant);
  const keyAndJunk = fc.constantFrom(...KEYS).chain((key) => fc.tuple(fc.constant(key), junkFor(key)));

  it('a garbage value in any state tag plans exactly as the tag absent (an unreadable pin: as no pin), and is reported', () => {
    fc.assert(
      fc.property(worlds, fc.nat(), keyAndJunk, (w, pick, [key, junk]) => {
        // Values that are not garbage for that key (a real mode, a readable flap count or pin).
        fc.pre(!(key === 'nat-failover:state' && ['home', 'failed-over', 'pinned'].includes(junk)));
        fc.pre(!((key === 'nat-failover:flaps' || key === 'nat-failover:pin') && readStateChecked({ [key]: junk }).unreadable.length === 0));
        const t = w.obs.inventory.routeTables[pick % w.obs.inventory.routeTables.length]!;
        const garbled: Record<string, string> = { ...t.tags, [key]: junk };
        const absent: Record<string, string> = { ...t.tags };
        delete absent[key];
        // The new key wins over the legacy ones: garbage in it is the whole pin, or the whole
        // flap damping (count and last restore), absent.
        if (key === 'nat-failover:pin') for (const k of PIN_KEYS) delete absent[k];
        if (key === 'nat-failover:flaps') delete absent['nat-failover:last-restore'];
        const hostile = withTags(w.obs.inventory, t.id, garbled);
        const clean = withTags(w.obs.inventory, t.id, absent);

        const a = decide(w, hostile).plan;
        const b = decide(w, clean).plan;

        // The same moves, at the same priority, for every table: garbage neither hastens nor adds one.
        // (A record-only action that rewrites the garbage is not a move.)
        const moves = (p: typeof a) => p.actions.filter((x) => x.routes.length > 0).map((x) => ({ id: x.routeTableId, transition: x.transition, routes: x.routes, priority: x.priority }));
        expect(moves(a)).toStrictEqual(moves(b));
        expect(a.tables).toStrictEqual(b.tables);
        // And, on a table the controller manages, the same recorded state afterwards (the garbage
        // is healed), so every later run and every later hold-down is the clean table's. A skipped
        // table's tags decide nothing and are left alone.
        // A table whose move the change cap deferred keeps its tags until the move happens (it is
        // judged the same way next run: garbage still reads as absent).
        const managed = a.tables.find((v) => v.routeTableId === t.id)!.mode !== 'unmanaged';
        const deferred = a.findings.some((f) => f.kind === 'deferred-by-change-cap' && f.routeTableId === t.id);
        const ownTags = (inv: Inventory) =>
          inv.routeTables.filter((x) => (managed && !deferred) || x.id !== t.id).map((x) => Object.fromEntries(Object.entries(x.tags).filter(([k]) => k.startsWith(TAG_PREFIX))));
        expect(ownTags(applyPlan(hostile, a))).toStrictEqual(ownTags(applyPlan(clean, b)));
        // Reported: one finding naming the key, when the table is one the controller manages.
        const others = (p: typeof a) => p.findings.filter((f) => f.kind !== 'unreadable-state');
        expect(others(a)).toStrictEqual(others(b));
        const reported = a.findings.filter((f) => f.kind === 'unreadable-state' && f.routeTableId === t.id && f.message.includes(`tag ${key}=`));
        expect(reported).toHaveLength(managed ? 1 : 0);
        expect(b.findings.some((f) => f.kind === 'unreadable-state' && f.routeTableId === t.id && f.message.includes(`tag ${key}=`))).toBe(false);
      }),
      RUNS,
    );
  });
});

describe('regional NAT gateways (issue 10, item 8)', () => {
  it('never moves a route off a regional gateway, whatever the world', () => {
    fc.assert(
      fc.property(worlds, (w) => {
        const { plan } = decide(w);
        const regional = new Set(w.obs.inventory.natGateways.filter((n) => n.availabilityMode === 'regional').map((n) => n.id));
        for (const a of plan.actions) for (const c of a.routes) expect(regional.has(c.from)).toBe(false);
        // A table placed by a regional gateway is reported as such, never planned.
        for (const t of w.obs.inventory.routeTables) {
          // Placed by the IPv4 default, or by NAT64 when there is no IPv4 default at all.
          const v4 = t.routes.find((r) => r.destination === '0.0.0.0/0');
          const placed = v4 ? (v4.target.kind === 'nat' ? v4 : undefined) : t.routes.find((r) => r.destination === '64:ff9b::/96' && r.target.kind === 'nat');
          if (t.tags[MANAGED_TAG] === 'enabled' && placed && regional.has(placed.target.id)) {
            expect(plan.actions.find((x) => x.routeTableId === t.id)).toBeUndefined();
            expect(plan.findings).toContainEqual(expect.objectContaining({ kind: 'regional-nat', routeTableId: t.id }));
          }
        }
      }),
      RUNS,
    );
  });
});
