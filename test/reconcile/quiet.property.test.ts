/**
 * Quiet scheduled runs (issue 16, item 3: a run reads a slice of the route tables and remembers the
 * rest) against their safety claim, on the simulated region through the real controller: a quiet
 * run is stale only about what another writer changed on an at-home table while every gateway
 * stayed healthy (drift), repaired once that table's slice comes round; it never writes, never
 * delays a failover or an evacuation, never routes into an unhealthy gateway.
 *
 * Each case runs two containers minute by minute on twin regions that see the same events: ours
 * keeps a TableMemory (slicing on, TABLES_READ_PER_RUN low so k is 2 to 16 on a small world), the
 * twin has none (every run reads every table, the behaviour before slicing).
 */
import fc from 'fast-check';
import { DEFAULTS, type Config } from '../../src/config';
import { TAGS } from '../../src/core/constants';
import { rescanMinutes } from '../../src/core/slices';
import { pinValue } from '../../src/core/state';
import { type ControllerDeps, reconcile, type RunReport } from '../../src/reconcile/controller';
import { silentRecorder } from '../../src/reconcile/ports';
import { TableMemory } from '../../src/reconcile/tableMemory';
import { PushedSignals } from '../../src/events/signals';
import type { SignalUpdate } from '../../src/events/types';
import { MemoryCloud, managedTable, nat as natOf, ZONES } from './memoryCloud';
import type { Mutation } from '../../src/sim/region';
import { SimRegion } from '../../src/sim/region';
import { buildWorld, type SimTable, type World } from '../../src/sim/world';

const MIN = 60_000;
const TAG: readonly [string, string] = [DEFAULTS.managedTagKey, DEFAULTS.managedTagValue];

/**
 * A world with EC2-like route table ids (`rtb-` and 8 hex digits), so the 16 buckets are all used
 * (the default world's `rtb-a1` ids end in decimal digits only). `small` VPCs have one table per AZ.
 */
function world(opts: { azs: number; tablesPerAz: number; smallVpcs?: number; seed?: number }): World {
  const big = buildWorld({ vpcs: 1 + (opts.smallVpcs ?? 0), azs: opts.azs, tablesPerAz: opts.tablesPerAz, unmanagedTables: false });
  let x = (opts.seed ?? 7) >>> 0;
  const used = new Set<string>();
  const fresh = (): string => {
    for (;;) {
      x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
      const id = `rtb-${x.toString(16).padStart(8, '0')}`;
      if (!used.has(id)) {
        used.add(id);
        return id;
      }
    }
  };
  const tables: SimTable[] = [];
  for (const t of big.tables) {
    // Small VPCs (2, 3, …): only each AZ's first table.
    const small = t.vpcId !== big.vpcs[0];
    if (small && !/[a-f]1$/.test(t.id)) continue;
    tables.push({ ...t, id: fresh() });
  }
  return { ...big, tables };
}

interface Container {
  readonly sim: SimRegion;
  readonly deps: ControllerDeps;
  readonly config: Config;
  readonly start: number;
}

function container(w: World, config: Config, memory: boolean): Container {
  // Writes paced as the Lambda wiring paces them (EC2_WRITE_BURST / EC2_WRITE_RATE), as the drill
  // runner does: unpaced, a mass failover's writes run out of retries on EC2's bucket, and which
  // ones do depends on how many other writes the run had.
  const sim = new SimRegion(w, { latencyMs: 1, writeBudget: { burst: config.ec2WriteBurst, perSecond: config.ec2WriteRate } });
  const deps: ControllerDeps = {
    cloud: sim,
    clock: sim.clock,
    recorder: silentRecorder,
    signals: sim,
    ...(sim.retrier.pacer ? { pacer: sim.retrier.pacer } : {}),
    ...(memory ? { tables: new TableMemory() } : {}),
  };
  return { sim, deps, config, start: sim.clock.nowMs() };
}

interface Run {
  readonly report: RunReport;
  readonly writes: readonly Mutation[];
}

/** The scheduled run at `minute` (after any earlier run's writes ended). */
async function tick(c: Container, minute: number): Promise<Run> {
  c.sim.clock.advanceTo(Math.max(c.sim.clock.nowMs(), c.start + minute * MIN));
  const from = c.sim.mutations.length;
  c.sim.beginRun();
  const report = await reconcile(c.deps, c.config, { trigger: 'schedule' });
  c.sim.endRun();
  return { report, writes: c.sim.mutations.slice(from).filter((m) => m.actor === 'controller') };
}

const managed = (sim: SimRegion): SimTable[] => sim.world.tables.filter((t) => t.tags[TAG[0]] === TAG[1]);
const ipv4 = (t: SimTable): string | undefined => t.routes.find((r) => r.destination === '0.0.0.0/0')?.target.id;
const homeNat = (sim: SimRegion, t: SimTable): string | undefined => {
  const az = sim.world.subnets.find((s) => s.id === t.subnetIds[0])?.az;
  return sim.world.nats.find((n) => n.vpcId === t.vpcId && n.az === az)?.id;
};
/** Managed tables whose IPv4 default route points at a gateway that is down in the control plane (hard truth). */
const onHardDown = (sim: SimRegion): string[] =>
  managed(sim)
    .filter((t) => {
      const to = ipv4(t);
      if (to === undefined || !to.startsWith('nat-')) return false;
      const truth = sim.truth(to);
      return truth.hard && truth.status !== 'ok';
    })
    .map((t) => t.id)
    .sort();

describe('quiet runs do not delay a failover (found by these tests)', () => {
  it('routes that turn blackhole on a gateway whose tables are all remembered (none in the slice) fail over on the next run, as without slicing', async () => {
    // One big VPC (k = 4 with TABLES_READ_PER_RUN 10) and a small one whose three tables sit in
    // three buckets: at most minutes their slice is not read. A blackhole is evidence that only
    // routes carry (the gateway still says `available`): without a fresh route to the gateway, the
    // quiet run saw none of it and kept the small VPC's AZ a on its dead gateway for up to k - 1 runs
    // (fails on 5b41dc4; fixed here by re-reading a table per uncovered gateway, and on main by the
    // review's same fix in the slice request itself, TableMemory's watched ids, which replaced it).
    const w = world({ azs: 3, tablesPerAz: 12, smallVpcs: 1, seed: 3 });
    const config: Config = { ...DEFAULTS, alarms: 'off', tablesReadPerRun: 10 };
    const ours = container(w, config, true);
    const twin = container(w, config, false);
    const small = (c: Container) => managed(c.sim).filter((t) => t.vpcId === w.vpcs[1] && homeNat(c.sim, t) === 'nat-2a');
    expect(small(ours).length).toBe(1);
    let quietRuns = 0;
    // Every minute offset of the slice cycle: one of them does not read the small table's bucket.
    for (let minute = 0; minute < 8; minute++) {
      const r = await tick(ours, minute);
      await tick(twin, minute);
      if (r.report.quiet) quietRuns++;
    }
    expect(quietRuns).toBeGreaterThan(0);
    for (let offset = 0; offset < 4; offset++) {
      const a = container(w, config, true);
      const b = container(w, config, false);
      for (let minute = 0; minute < 6 + offset; minute++) {
        await tick(a, minute);
        await tick(b, minute);
      }
      a.sim.setBlackhole('nat-2a', true);
      b.sim.setBlackhole('nat-2a', true);
      const ra = await tick(a, 6 + offset);
      await tick(b, 6 + offset);
      expect({ offset, quiet: ra.report.quiet !== undefined, onDead: onHardDown(a.sim) }).toStrictEqual({ offset, quiet: false, onDead: onHardDown(b.sim) });
      expect(onHardDown(a.sim)).toStrictEqual([]);
    }
  });
});

describe('what quiet runs can miss, and for how long', () => {
  it('a person pointing a table at a gateway no other table routes to, whose routes are blackhole while it says available: failed over when the table\'s slice comes round (within k runs)', async () => {
    // A blackhole is read from routes, and no remembered route points at the gateway, so nothing
    // watched shows it (the documented exception to "gateways stay healthy" in docs/how-it-decides.md).
    const w = world({ azs: 3, tablesPerAz: 12, seed: 5 });
    const homeC = (sim: SimRegion, t: SimTable) => homeNat(sim, t) === 'nat-c';
    const config: Config = { ...DEFAULTS, alarms: 'off', tablesReadPerRun: 6 };
    const k = 4;
    const late: number[] = [];
    for (let offset = 0; offset < k; offset++) {
      const c = container(w, config, true);
      // AZ c has no managed table: nothing routes to nat-c.
      for (const t of c.sim.world.tables) if (homeC(c.sim, t)) delete t.tags[TAG[0]];
      const victim = managed(c.sim).find((t) => homeNat(c.sim, t) === 'nat-a')!;
      let moved: number | undefined;
      for (let minute = 0; minute < 4 + offset + k; minute++) {
        if (minute === 4 + offset) {
          c.sim.setBlackhole('nat-c', true);
          c.sim.editRoute(victim.id, '0.0.0.0/0', { kind: 'nat', id: 'nat-c' });
        }
        const r = await tick(c, minute);
        if (minute === 3) expect(r.report.quiet?.rescanMinutes).toBe(k);
        if (moved === undefined && minute >= 4 + offset && ipv4(c.sim.world.tables.find((t) => t.id === victim.id)!) !== 'nat-c') moved = minute - (4 + offset);
      }
      expect(moved).toBeDefined();
      expect(moved).toBeLessThan(k);
      late.push(moved!);
    }
    expect(Math.max(...late)).toBeGreaterThan(0);
  });

  it('a VPC brought under management while its gateway is already down: failed over when its table\'s slice comes round (within k runs), not at the next run', async () => {
    // Its gateways are not read until one of its tables is: the documented exception to "only
    // drift" (docs/how-it-decides.md, Quiet runs). The VPC had no egress before it was tagged.
    const w = world({ azs: 3, tablesPerAz: 12, smallVpcs: 1, seed: 3 });
    const newcomer = w.tables.find((t) => t.vpcId === w.vpcs[1] && t.subnetIds[0]?.startsWith('subnet-2a'))!;
    const config: Config = { ...DEFAULTS, alarms: 'off', tablesReadPerRun: 10 };
    const k = rescanMinutes(36, 10);
    expect(k).toBe(4);
    const late: number[] = [];
    for (let offset = 0; offset < k; offset++) {
      const c = container(w, config, true);
      for (const t of c.sim.world.tables) if (t.vpcId === w.vpcs[1]) delete t.tags[TAG[0]];
      let moved: number | undefined;
      for (let minute = 0; minute < 4 + offset + k; minute++) {
        if (minute === 4 + offset) {
          c.sim.setNatState('nat-2a', 'failed');
          c.sim.editTags(newcomer.id, { [TAG[0]]: TAG[1] });
        }
        await tick(c, minute);
        if (moved === undefined && ipv4(c.sim.world.tables.find((t) => t.id === newcomer.id)!) !== 'nat-2a') moved = minute - (4 + offset);
      }
      expect(moved).toBeDefined();
      expect(moved).toBeLessThan(k);
      late.push(moved!);
    }
    // At some offset of the slice cycle it is late: the test sees the exception it documents.
    expect(Math.max(...late)).toBeGreaterThan(0);
  });
});

// ------------------------------------------------------------------------------------------------
// Generated event sequences.
// ------------------------------------------------------------------------------------------------

/** What happens between two scheduled runs; indices are taken modulo what exists when it happens. */
type Ev =
  | { readonly kind: 'nat'; readonly nat: number; readonly state: 'failed' | 'deleted' | 'available' }
  | { readonly kind: 'blackhole'; readonly nat: number; readonly on: boolean }
  | { readonly kind: 'az'; readonly az: number; readonly state: 'impaired' | 'unavailable' | 'available' }
  | { readonly kind: 'alarm'; readonly nat: number; readonly on: boolean }
  | { readonly kind: 'evacuation'; readonly az: number; readonly on: boolean }
  | { readonly kind: 'drift'; readonly table: number; readonly to: number }
  | { readonly kind: 'delete'; readonly table: number }
  | { readonly kind: 'add'; readonly az: number; readonly id: number }
  | { readonly kind: 'untag'; readonly table: number }
  | { readonly kind: 'opt-out'; readonly table: number }
  | { readonly kind: 'pin'; readonly table: number; readonly az: number };

const idx = fc.nat({ max: 10_000 });
const gatewayEvent: fc.Arbitrary<Ev> = fc.oneof(
  fc.record({ kind: fc.constant('nat' as const), nat: idx, state: fc.constantFrom('failed' as const, 'deleted' as const, 'available' as const) }),
  fc.record({ kind: fc.constant('blackhole' as const), nat: idx, on: fc.boolean() }),
  fc.record({ kind: fc.constant('az' as const), az: idx, state: fc.constantFrom('impaired' as const, 'unavailable' as const, 'available' as const) }),
  fc.record({ kind: fc.constant('alarm' as const), nat: idx, on: fc.boolean() }),
  fc.record({ kind: fc.constant('evacuation' as const), az: idx, on: fc.boolean() }),
);
const tableEvent: fc.Arbitrary<Ev> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('drift' as const), table: idx, to: idx }) },
  fc.record({ kind: fc.constant('delete' as const), table: idx }),
  fc.record({ kind: fc.constant('add' as const), az: idx, id: fc.nat({ max: 0xffff }) }),
  fc.record({ kind: fc.constant('untag' as const), table: idx }),
  fc.record({ kind: fc.constant('opt-out' as const), table: idx }),
  fc.record({ kind: fc.constant('pin' as const), table: idx, az: idx }),
);

/** An event made concrete on the current world: the same on both twins. */
type Applied =
  | { readonly kind: 'drift'; readonly table: string; readonly to: string }
  | { readonly kind: 'gone'; readonly table: string }
  | { readonly kind: 'pin'; readonly table: string }
  | { readonly kind: 'added'; readonly table: string }
  | { readonly kind: 'gateway' };

const at = <T>(xs: readonly T[], i: number): T | undefined => (xs.length === 0 ? undefined : xs[i % xs.length]);
const zonalNats = (sim: SimRegion) => sim.world.nats.filter((n) => n.availabilityMode === 'zonal');

/** Resolves `e` on `ref` (ours), or undefined when it does not apply now (a drift off a table not at home, …). */
function resolve(ref: SimRegion, e: Ev, minute: number): ((sim: SimRegion) => void) & { applied?: Applied } | undefined {
  const tables = managed(ref);
  const mk = (f: (sim: SimRegion) => void, applied: Applied) => Object.assign(f, { applied });
  switch (e.kind) {
    case 'nat': {
      const n = at(zonalNats(ref), e.nat);
      // A deleted gateway stays deleted; only a failed one comes back.
      if (!n || n.state === 'deleted' || (e.state === 'available' && n.state !== 'failed')) return undefined;
      return mk((sim) => sim.setNatState(n.id, e.state), { kind: 'gateway' });
    }
    case 'blackhole': {
      const n = at(zonalNats(ref), e.nat);
      return n ? mk((sim) => sim.setBlackhole(n.id, e.on), { kind: 'gateway' }) : undefined;
    }
    case 'az': {
      const z = at(ref.world.zones, e.az);
      return z ? mk((sim) => sim.setZoneState(z.name, e.state), { kind: 'gateway' }) : undefined;
    }
    case 'alarm': {
      const n = at(zonalNats(ref), e.nat);
      return n ? mk((sim) => sim.setAlarm(`${n.id}-packet-drops`, n.id, e.on), { kind: 'gateway' }) : undefined;
    }
    case 'evacuation': {
      const z = at(ref.world.zones, e.az);
      if (!z) return undefined;
      return mk((sim) => (e.on ? sim.openEvacuation(`shift-${z.id}`, z.id, 'arc-zonal-shift') : sim.closeEvacuation(`shift-${z.id}`)), { kind: 'gateway' });
    }
    case 'drift': {
      // Another writer moves an at-home table (home healthy, no pin) to another healthy gateway of its VPC.
      const t = at(tables, e.table);
      if (!t || t.tags[TAGS.pin] !== undefined) return undefined;
      const home = homeNat(ref, t);
      if (!home || ipv4(t) !== home || ref.truth(home).status !== 'ok') return undefined;
      const to = at(
        zonalNats(ref).filter((n) => n.vpcId === t.vpcId && n.id !== home && ref.truth(n.id).status === 'ok'),
        e.to,
      );
      if (!to) return undefined;
      return mk((sim) => sim.editRoute(t.id, '0.0.0.0/0', { kind: 'nat', id: to.id }), { kind: 'drift', table: t.id, to: to.id });
    }
    case 'delete': {
      const t = at(tables, e.table);
      if (!t) return undefined;
      return mk((sim) => sim.world.tables.splice(sim.world.tables.findIndex((x) => x.id === t.id), 1), { kind: 'gone', table: t.id });
    }
    case 'untag': {
      const t = at(tables, e.table);
      if (!t) return undefined;
      return mk((sim) => delete sim.world.tables.find((x) => x.id === t.id)!.tags[TAG[0]], { kind: 'gone', table: t.id });
    }
    case 'opt-out': {
      const t = at(tables, e.table);
      if (!t) return undefined;
      return mk((sim) => sim.editTags(t.id, { [TAG[0]]: 'disabled' }), { kind: 'gone', table: t.id });
    }
    case 'pin': {
      const t = at(tables, e.table);
      const z = at(ref.world.zones, e.az);
      if (!t || !z) return undefined;
      const value = pinValue({ awayFromAz: z.name, until: new Date(ref.clock.nowMs() + 30 * MIN), by: 'operator', target: undefined, reason: 'maintenance' });
      return mk((sim) => sim.editTags(t.id, { [TAGS.pin]: value, [TAGS.pinReason]: 'maintenance' }), { kind: 'pin', table: t.id });
    }
    case 'add': {
      // A new managed table in AZ `az` of the first VPC, on its home gateway, with a fresh hex id.
      const z = at(ref.world.zones, e.az);
      const vpcId = ref.world.vpcs[0]!;
      const home = z && zonalNats(ref).find((n) => n.vpcId === vpcId && n.az === z.name);
      const id = `rtb-0000${e.id.toString(16).padStart(4, '0')}`;
      if (!z || !home || ref.world.tables.some((t) => t.id === id)) return undefined;
      return mk((sim) => {
        const subnetId = `subnet-new-${id}`;
        sim.world.subnets.push({ id: subnetId, vpcId, az: z.name, public: false });
        sim.world.tables.push({
          id,
          vpcId,
          tags: { [TAG[0]]: TAG[1] },
          subnetIds: [subnetId],
          routes: [
            { destination: '10.0.0.0/16', target: { kind: 'other', id: 'local' } },
            { destination: '0.0.0.0/0', target: { kind: 'nat', id: home.id } },
          ],
        });
      }, { kind: 'added', table: id });
    }
  }
  void minute;
}

interface Case {
  readonly azs: number;
  readonly tablesPerAz: number;
  readonly smallVpcs: number;
  readonly perRun: number;
  readonly seed: number;
  readonly minutes: number;
  /** events[m]: what happens just before the run at minute m. */
  readonly events: readonly (readonly Ev[])[];
  /** Minutes whose scheduled tick never came (EventBridge skipped it, or the container missed it). */
  readonly skipped: ReadonlySet<number>;
}

const WARM_UP = 3;

function caseOf(opts: { gateways: boolean; skips: boolean; minutes: number; ks?: readonly number[] }): fc.Arbitrary<Case> {
  const ev = opts.gateways ? fc.oneof({ weight: 2, arbitrary: tableEvent }, { weight: 1, arbitrary: gatewayEvent }) : tableEvent;
  const shape = fc
    .record({ azs: fc.integer({ min: 2, max: 3 }), tablesPerAz: fc.integer({ min: 8, max: 30 }), smallVpcs: fc.integer({ min: 0, max: 1 }), k: fc.constantFrom(...(opts.ks ?? [2, 4, 8, 16])) })
    // TABLES_READ_PER_RUN that makes the re-read period k at the start (core/slices.ts).
    .map(({ k, ...s }) => ({ ...s, perRun: Math.ceil((s.azs * s.tablesPerAz + s.smallVpcs * s.azs) / k) }));
  return fc.record({
    shape,
    seed: fc.nat(),
    minutes: fc.constant(opts.minutes),
    // Most minutes bring nothing: quiet runs need a quiet background, and the events that matter
    // most are those that land on one.
    events: fc
      .array(fc.oneof({ weight: 3, arbitrary: fc.constant<Ev[]>([]) }, { weight: 2, arbitrary: fc.array(ev, { minLength: 1, maxLength: 2 }) }), { minLength: opts.minutes, maxLength: opts.minutes })
      .map((es) => es.map((e, m) => (m < WARM_UP ? [] : e))),
    skipped: opts.skips ? fc.uniqueArray(fc.integer({ min: WARM_UP + 1, max: opts.minutes - 1 }), { maxLength: Math.floor(opts.minutes / 3) }).map((xs) => new Set(xs)) : fc.constant(new Set<number>()),
  }).map(({ shape, ...rest }) => ({ ...shape, ...rest }));
}

interface Trace {
  readonly c: Case;
  readonly config: Config;
  readonly ours: Container;
  readonly twin: Container;
  /** Per minute that ran: ours's and the twin's run. */
  readonly runs: Map<number, { readonly ours: Run; readonly twin: Run; readonly k: number; readonly badOurs: string[]; readonly badTwin: string[] }>;
  readonly applied: { readonly minute: number; readonly applied: Applied }[];
}

/** Plays a case on twin regions: events before each minute, then a scheduled run on each that ticks. */
async function play(c: Case): Promise<Trace> {
  const w = world({ azs: c.azs, tablesPerAz: c.tablesPerAz, smallVpcs: c.smallVpcs, seed: c.seed });
  // The cap bounds soft-signal moves per run; drift makes the two regions' counts differ, and the
  // cap is not what is under test here.
  // A short hold-down brings failed-over tables home (and runs back to quiet) within a case.
  const config: Config = { ...DEFAULTS, alarms: 'off', tablesReadPerRun: c.perRun, maxChangesPerRun: 100_000, restoreHoldDownSeconds: 120 };
  const ours = container(w, config, true);
  const twin = container(w, config, false);
  const trace: Trace = { c, config, ours, twin, runs: new Map(), applied: [] };
  for (let minute = 0; minute < c.minutes; minute++) {
    // Events land between runs, on both regions alike.
    for (const ts of [ours, twin]) ts.sim.clock.advanceTo(Math.max(ts.sim.clock.nowMs(), ts.start + minute * MIN - 1000));
    for (const e of c.events[minute] ?? []) {
      const f = resolve(ours.sim, e, minute);
      if (!f) continue;
      f(ours.sim);
      f(twin.sim);
      if (f.applied) trace.applied.push({ minute, applied: f.applied });
    }
    if (c.skipped.has(minute)) continue;
    const k = rescanMinutes(managed(ours.sim).length, c.perRun);
    const o = await tick(ours, minute);
    const t = await tick(twin, minute);
    trace.runs.set(minute, { ours: o, twin: t, k, badOurs: onHardDown(ours.sim), badTwin: onHardDown(twin.sim) });
  }
  return trace;
}

const written = (r: Run): Set<string> => new Set(r.writes.map((m) => m.routeTableId));

// The counts asserted after each property are floors that keep it from passing vacuously (enough
// generated cases reached what it is about), set at about half the lowest count seen over 22 runs:
// the cases are random, and a floor near the typical count failed about once in 16 runs.
describe('quiet runs on generated event sequences (twin regions: slicing on and off)', () => {
  it('(a) a run that writes anything was decided on a full read (report.quiet undefined); a quiet run plans nothing', async () => {
    let quiet = 0;
    await fc.assert(
      fc.asyncProperty(caseOf({ gateways: true, skips: true, minutes: 14 }), async (c) => {
        const trace = await play(c);
        for (const [minute, { ours }] of trace.runs) {
          if (ours.report.quiet) quiet++;
          if (ours.writes.length > 0) expect({ minute, quiet: ours.report.quiet }).toStrictEqual({ minute, quiet: undefined });
          if (ours.report.quiet) expect({ minute, actions: ours.report.plan.actions.length }).toStrictEqual({ minute, actions: 0 });
        }
      }),
      { numRuns: 12 },
    );
    // The property is not vacuous: slicing was on for many runs.
    expect(quiet).toBeGreaterThanOrEqual(10);
  });

  it('(b) after every run no more managed tables are on a gateway that is down than without slicing; none when the twin has none', async () => {
    let onQuiet = 0;
    await fc.assert(
      fc.asyncProperty(caseOf({ gateways: true, skips: false, minutes: 14 }), async (c) => {
        const trace = await play(c);
        for (const [minute, { badOurs, badTwin }] of trace.runs) {
          const extra = badOurs.filter((id) => !badTwin.includes(id));
          expect({ minute, extra }).toStrictEqual({ minute, extra: [] });
          // The runs that matter: a gateway event landing on a container whose last run was quiet.
          if (trace.runs.get(minute - 1)?.ours.report.quiet && trace.applied.some((a) => a.minute === minute && a.applied.kind === 'gateway')) onQuiet++;
        }
      }),
      { numRuns: 20 },
    );
    // Not vacuous: gateway events did land on containers whose last run was quiet. A floor, not a
    // typical count (20 generated cases give 8-20; a floor of 9 failed about once in 16 runs).
    expect(onQuiet).toBeGreaterThanOrEqual(3);
  });

  it('(c) drift on an at-home table is acted on within k runs (the table\'s slice comes round), as the twin acts at once', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(caseOf({ gateways: false, skips: false, minutes: 16 }), async (c) => {
        const trace = await play(c);
        for (const { minute, applied } of trace.applied) {
          if (applied.kind !== 'drift') continue;
          const first = trace.runs.get(minute);
          // Only a drift the twin repaired at once, on a table nothing else touched meanwhile.
          if (!first || !written(first.twin).has(applied.table)) continue;
          const k = Math.max(...[...trace.runs.entries()].filter(([m]) => m >= minute && m < minute + 16).map(([, r]) => r.k));
          const window = [...trace.runs.entries()].filter(([m]) => m >= minute && m < minute + k);
          if (window.length < k) continue;
          const touched = trace.applied.some((a) => a.minute > minute && a.minute < minute + k && 'table' in a.applied && a.applied.table === applied.table);
          if (touched) continue;
          checked++;
          const acted = window.find(([, r]) => written(r.ours).has(applied.table));
          expect({ minute, table: applied.table, k, acted: acted !== undefined }).toStrictEqual({ minute, table: applied.table, k, acted: true });
        }
      }),
      { numRuns: 15 },
    );
    expect(checked).toBeGreaterThanOrEqual(5);
  });

  it('(c\') with schedule ticks skipped, drift is acted on by the first run at least 2k minutes after it', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(caseOf({ gateways: false, skips: true, minutes: 20, ks: [2, 4] }), async (c) => {
        const trace = await play(c);
        const minutes = [...trace.runs.keys()].sort((a, b) => a - b);
        for (const { minute, applied } of trace.applied) {
          if (applied.kind !== 'drift') continue;
          const k = Math.max(...[...trace.runs.entries()].filter(([m]) => m >= minute).map(([, r]) => r.k));
          const last = minutes.find((m) => m >= minute + 2 * k);
          if (last === undefined) continue;
          const touched = trace.applied.some((a) => a.minute > minute && a.minute <= last && 'table' in a.applied && a.applied.table === applied.table);
          if (touched) continue;
          const twinActed = minutes.some((m) => m >= minute && m <= last && written(trace.runs.get(m)!.twin).has(applied.table));
          if (!twinActed) continue;
          checked++;
          const acted = minutes.some((m) => m >= minute && m <= last && written(trace.runs.get(m)!.ours).has(applied.table));
          expect({ minute, table: applied.table, k, last, acted }).toStrictEqual({ minute, table: applied.table, k, last, acted: true });
        }
      }),
      { numRuns: 10 },
    );
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('at scale (400-1,200 tables, the default TABLES_READ_PER_RUN 250, k 2-8): (a), (b) and (d) together', async () => {
    let quiet = 0;
    await fc.assert(
      fc.asyncProperty(
        caseOf({ gateways: true, skips: true, minutes: 10 }).chain((c) =>
          fc.record({ azs: fc.integer({ min: 2, max: 3 }), tablesPerAz: fc.integer({ min: 200, max: 400 }) }).map((big) => ({ ...c, ...big, perRun: DEFAULTS.tablesReadPerRun })),
        ),
        async (c) => {
          const trace = await play(c);
          const gone = trace.applied.filter((a) => a.applied.kind === 'gone');
          for (const [minute, { ours, badOurs, badTwin, k }] of trace.runs) {
            expect(k).toBeGreaterThanOrEqual(2);
            if (ours.report.quiet) quiet++;
            if (ours.writes.length > 0) expect({ minute, quiet: ours.report.quiet }).toStrictEqual({ minute, quiet: undefined });
            expect({ minute, extra: badOurs.filter((id) => !badTwin.includes(id)) }).toStrictEqual({ minute, extra: [] });
            for (const g of gone.filter((x) => x.minute <= minute)) {
              const id = (g.applied as { table: string }).table;
              expect({ minute, id, written: written(ours).has(id) }).toStrictEqual({ minute, id, written: false });
            }
          }
        },
      ),
      {
        numRuns: 6,
        // Found by this property with unpaced writes: drift noticed in the run an evacuation opened
        // (tick 5 missed) took one more write from EC2's bucket, and one more evacuation write ran
        // out of retries. Paced as deployed, every write of the run lands.
        examples: [
          [
            {
              azs: 2,
              tablesPerAz: 200,
              smallVpcs: 0,
              perRun: 250,
              seed: 0,
              minutes: 10,
              events: [[], [], [], [], [], [{ kind: 'drift', table: 0, to: 0 }], [], [{ kind: 'evacuation', az: 0, on: true }], [], []],
              skipped: new Set([5]),
            },
          ],
        ],
      },
    );
    expect(quiet).toBeGreaterThanOrEqual(3);
  });

  it('(e) a pin written by another writer (its reconcile invoke lost, or IaC) is applied by the next run, as without slicing', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(caseOf({ gateways: false, skips: false, minutes: 12 }), async (c) => {
        const trace = await play(c);
        for (const { minute, applied } of trace.applied) {
          if (applied.kind !== 'pin') continue;
          const run = trace.runs.get(minute);
          if (!run || !written(run.twin).has(applied.table)) continue;
          checked++;
          expect({ minute, table: applied.table, ours: written(run.ours).has(applied.table) }).toStrictEqual({ minute, table: applied.table, ours: true });
        }
      }),
      { numRuns: 15 },
    );
    expect(checked).toBeGreaterThanOrEqual(2);
  });

  it('(d) a deleted, un-tagged or opted-out table is never planned for nor written to', async () => {
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(caseOf({ gateways: true, skips: true, minutes: 14 }), async (c) => {
        const trace = await play(c);
        for (const { minute, applied } of trace.applied) {
          if (applied.kind !== 'gone') continue;
          checked++;
          for (const [m, { ours }] of trace.runs) {
            if (m < minute) continue;
            expect({ m, table: applied.table, written: written(ours).has(applied.table), planned: ours.report.plan.actions.some((a) => a.routeTableId === applied.table) }).toStrictEqual({
              m,
              table: applied.table,
              written: false,
              planned: false,
            });
          }
        }
      }),
      { numRuns: 12 },
    );
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});

// ------------------------------------------------------------------------------------------------
// Two containers: the one that takes the schedule keeps memory; events go to another.
// ------------------------------------------------------------------------------------------------

describe('two containers: scheduled runs quiet in one, evacuation events handled by another (PushedSignals, memory in tags)', () => {
  type TwoEv =
    | { readonly kind: 'open' | 'close'; readonly az: number }
    | { readonly kind: 'gateway'; readonly nat: number; readonly state: 'failed' | 'available' | 'deleted' };
  const twoEv: fc.Arbitrary<TwoEv> = fc.oneof(
    fc.record({ kind: fc.constantFrom('open' as const, 'close' as const), az: fc.nat({ max: 2 }) }),
    fc.record({ kind: fc.constant('gateway' as const), nat: fc.nat({ max: 2 }), state: fc.constantFrom('failed' as const, 'available' as const, 'deleted' as const) }),
  );
  const NATS = ['nat-a', 'nat-b', 'nat-c'];

  function region(tables: number, seed: number): MemoryCloud {
    const cloud = new MemoryCloud(ZONES.map((z) => ({ ...z })), NATS.map((n, i) => natOf(n, ZONES[i]!.name)));
    let x = seed >>> 0;
    for (let i = 0; i < tables; i++) {
      x = (Math.imul(x ^ (x >>> 15), 2246822519) + 0x9e3779b9) >>> 0;
      cloud.addTable(managedTable(`rtb-${x.toString(16).padStart(8, '0')}${i.toString(16)}`, ZONES[i % 3]!.name, NATS[i % 3]!));
    }
    return cloud;
  }
  const state = (c: MemoryCloud) => [...c.tables.values()].map((t) => ({ id: t.id, tags: t.tags, routes: t.routes.map((r) => `${r.destination}>${r.target.id}`) }));

  it('after every scheduled run the region is exactly what one container that reads every table leaves', async () => {
    let quiet = 0;
    let eventsOnQuiet = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 30, max: 60 }),
        fc.constantFrom(2, 4, 8),
        fc.nat(),
        fc.array(fc.oneof({ weight: 2, arbitrary: fc.constant<TwoEv[]>([]) }, { weight: 1, arbitrary: fc.array(twoEv, { minLength: 1, maxLength: 2 }) }), { minLength: 14, maxLength: 14 }),
        async (tables, k, seed, events) => {
          const config: Config = { ...DEFAULTS, alarms: 'off', tablesReadPerRun: Math.ceil(tables / k), maxChangesPerRun: 100_000, restoreHoldDownSeconds: 120 };
          let now = new Date('2026-11-23T10:00:00.000Z').getTime();
          const clock = { now: () => new Date(now), sleep: async () => {} };
          const ours = region(tables, seed);
          const twin = region(tables, seed);
          const deps = (cloud: MemoryCloud, memory: boolean): ControllerDeps => ({
            cloud,
            clock,
            recorder: silentRecorder,
            signals: new PushedSignals({ cloud, recorder: silentRecorder }, config),
            ...(memory ? { tables: new TableMemory() } : {}),
          });
          const scheduled = deps(ours, true);
          const eventful = deps(ours, false);
          const single = deps(twin, false);
          let lastQuiet = false;
          for (let minute = 0; minute < events.length; minute++) {
            now += 30_000;
            for (const e of minute < WARM_UP ? [] : (events[minute] ?? [])) {
              if (e.kind === 'gateway') {
                for (const c of [ours, twin]) c.nats = c.nats.map((n) => (n.id !== NATS[e.nat] || n.state === 'deleted' ? n : { ...n, state: e.state }));
                continue;
              }
              const zone = ZONES[e.az]!;
              const update: SignalUpdate = { kind: e.kind === 'open' ? 'evacuation-open' : 'evacuation-close', source: 'arc-zonal-shift', key: `zonal-shift:${zone.id}`, zones: [zone.id], at: new Date(now), detail: 'test' };
              // The event wakes a run in another container (no memory), and in the twin's one.
              if (lastQuiet) eventsOnQuiet++;
              await reconcile(eventful, config, { trigger: 'arc', signalUpdates: [update] });
              await reconcile(single, config, { trigger: 'arc', signalUpdates: [update] });
            }
            now += 30_000;
            const r = await reconcile(scheduled, config, { trigger: 'schedule' });
            await reconcile(single, config, { trigger: 'schedule' });
            lastQuiet = r.quiet !== undefined;
            if (lastQuiet) quiet++;
            expect({ minute, state: state(ours) }).toStrictEqual({ minute, state: state(twin) });
          }
        },
      ),
      { numRuns: 30 },
    );
    expect(quiet).toBeGreaterThanOrEqual(15);
    expect(eventsOnQuiet).toBeGreaterThanOrEqual(5);
  });
});
