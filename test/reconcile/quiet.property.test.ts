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
import { DEFAULTS, type Config } from '../../src/config';
import { type ControllerDeps, reconcile, type RunReport } from '../../src/reconcile/controller';
import { silentRecorder } from '../../src/reconcile/ports';
import { TableMemory } from '../../src/reconcile/tableMemory';
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
  const sim = new SimRegion(w, { latencyMs: 1 });
  const deps: ControllerDeps = { cloud: sim, clock: sim.clock, recorder: silentRecorder, signals: sim, ...(memory ? { tables: new TableMemory() } : {}) };
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
    // quiet run saw none of it and kept the small VPC's AZ a on its dead gateway for up to k - 1 runs.
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
