import { DEFAULTS } from '../src/config';
import { decide, observe } from '../src/reconcile/controller';
import { type Bench, benchOn, failures, nextMinute, run, warmUp } from './harness';
import { benchWorld } from './world';

export const FAILOVER_SIZES = [3, 50, 200] as const;

export interface FailoverSide {
  /** First run: virtual ms from the decision (plan made) to the last route switched. */
  readonly firstRunMs: number;
  /** Every run until all tables moved: from the first decision to the last route switched. */
  readonly totalMs: number;
  readonly runs: number;
  readonly calls: number;
  readonly mutatingCalls: number;
  readonly retries: number;
  readonly throttled: number;
  readonly failedChanges: number;
  readonly tablesMoved: number;
}

export interface FailoverRow {
  readonly tables: number;
  readonly maxChangesPerRun: number;
  readonly writeConcurrency: number;
  readonly ours: FailoverSide;
  readonly naive: FailoverSide;
  /** naive / ours wall time, first run and total. */
  readonly ratioFirstRun: number;
  readonly ratioTotal: number;
}

const MUTATING = new Set(['ReplaceRoute', 'CreateTags', 'DeleteTags']);

/** One VPC, three AZs, `tables` tables per AZ; nat-a fails (a hard signal), its `tables` tables move. */
async function setUp(tables: number): Promise<Bench> {
  const b = benchOn(benchWorld(tables * 3, 1));
  await warmUp(b);
  b.sim.setNatState('nat-a', 'failed');
  return b;
}

/**
 * The naive implementation of the same plan: our observe and decide, then per table and in
 * sequence a describe (its compare-and-swap read), ReplaceRoute per route, and its tag writes.
 */
async function naiveRun(b: Bench): Promise<{ decidedAt: number; failed: number; actions: number }> {
  const obs = await observe(b.deps, b.config, { trigger: 'schedule' });
  const { plan } = decide(obs, b.config);
  const decidedAt = b.sim.clock.nowMs();
  let failed = 0;
  for (const a of plan.actions) {
    try {
      if (a.routes.length > 0) {
        const now = (await b.sim.readRoutes([a.routeTableId])).get(a.routeTableId);
        if (a.routes.some((c) => now?.find((r) => r.destination === c.destination)?.target.id !== c.from)) continue;
        for (const c of a.routes) await b.sim.replaceRoute(a.routeTableId, c.destination, c.to);
      }
      if (Object.keys(a.tags.set).length > 0) await b.sim.createTags([a.routeTableId], a.tags.set);
      if (a.tags.remove.length > 0) await b.sim.deleteTags([a.routeTableId], a.tags.remove);
    } catch {
      failed++;
    }
  }
  return { decidedAt, failed, actions: plan.actions.filter((x) => x.routes.length > 0).length };
}

async function measure(tables: number, naive: boolean): Promise<FailoverSide> {
  const b = await setUp(tables);
  const managed = (t: { tags: Record<string, string> }) => t.tags[b.config.managedTagKey] === b.config.managedTagValue;
  const moving = new Set(b.sim.world.tables.filter((t) => managed(t) && t.routes.some((r) => r.target.id === 'nat-a')).map((t) => t.id));
  let s = b.sim.stats();
  let firstDecision: number | undefined;
  let firstRunMs = 0;
  let runs = 0;
  let failed = 0;
  let lastSwitch = 0;
  for (; runs < 20; runs++) {
    const before = b.sim.mutations.length;
    let decidedAt: number;
    let routeActions: number;
    if (naive) {
      const r = await naiveRun(b);
      decidedAt = r.decidedAt;
      failed += r.failed;
      routeActions = r.actions;
    } else {
      const report = await run(b);
      const plan = [...b.recorder.logs].reverse().find((l) => l.message === 'plan');
      decidedAt = plan!.at.getTime();
      failed += failures(report);
      routeActions = report.plan.actions.filter((a) => a.routes.length > 0).length;
    }
    if (routeActions === 0) break;
    s = b.sim.stats();
    const switched = b.sim.mutations.slice(before).filter((m) => m.op === 'ReplaceRoute' && m.actor === 'controller');
    const last = Math.max(...switched.map((m) => m.at));
    firstDecision ??= decidedAt;
    if (runs === 0) firstRunMs = last - decidedAt;
    lastSwitch = Math.max(lastSwitch, last);
    nextMinute(b);
  }
  const moved = [...moving].filter((id) => b.sim.target(id) !== 'nat-a').length;
  return {
    firstRunMs,
    totalMs: lastSwitch - (firstDecision ?? 0),
    runs,
    calls: s.calls,
    mutatingCalls: Object.entries(s.byOperation).filter(([op]) => MUTATING.has(op)).reduce((a, [, n]) => a + n, 0),
    retries: s.retries,
    throttled: Object.values(s.throttled).reduce((a, n) => a + n, 0),
    failedChanges: failed + (moving.size - moved),
    tablesMoved: moved,
  };
}

export async function failover(): Promise<FailoverRow[]> {
  const rows: FailoverRow[] = [];
  for (const tables of FAILOVER_SIZES) {
    const ours = await measure(tables, false);
    const naive = await measure(tables, true);
    rows.push({
      tables,
      maxChangesPerRun: DEFAULTS.maxChangesPerRun,
      writeConcurrency: DEFAULTS.writeConcurrency,
      ours,
      naive,
      ratioFirstRun: round(naive.firstRunMs / ours.firstRunMs, 1),
      ratioTotal: round(naive.totalMs / ours.totalMs, 2),
    });
  }
  return rows;
}

export const round = (x: number, digits = 0): number => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
