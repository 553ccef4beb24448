/**
 * Issue 16: evacuating one large AZ whose gateway is deleted, as fast as EC2's write budget allows.
 * Ours runs as deployed: each run is one Lambda invocation (60 s timeout, serverless.yml) that stops
 * starting writes WRAP_UP_MS before its deadline and continues at once in a new invocation (the
 * asynchronous self-invoke, which Lambda starts about a second later). The alterNAT-style writer
 * (chime/terraform-aws-alternat's replace-route function) is one describe, then a sequential
 * ReplaceRoute per table, no tags, no invocation limit; both on the same simulated region model,
 * in the same `npm run bench`.
 */
import { DEFAULTS, type Config } from '../src/config';
import { IPV4_DEFAULT } from '../src/core/constants';
import { primaryRoute } from '../src/core/planner';
import { reconcile, type RunReport } from '../src/reconcile/controller';
import { LAMBDA_TIMEOUT_MS } from '../src/sim/runner';
import { buildWorld, type World } from '../src/sim/world';
import { type Bench, benchOn, EC2_BUCKETS, nextMinute, warmUp } from './harness';
import { round } from './failover';

export const ONE_AZ_SIZES = [100, 1_000, 5_000] as const;
/** Lambda starts a queued asynchronous invoke after a throttle about 1 s later (Lambda developer guide). */
export const CONTINUATION_GAP_MS = 1_000;
/** Target: 1,000 tables evacuated within this factor of the token-bucket bound. */
export const LIMIT_FACTOR_MAX = 1.15;

export interface OneAzDeadRow {
  readonly tables: number;
  /** Mutating EC2 calls the controller made (ReplaceRoute, CreateTags, DeleteTags; retries included). */
  readonly writes: number;
  /** Invocations: the scheduled run and its continuations. */
  readonly runs: number;
  /** From the scheduled run that saw the dead gateway to the last route switched. */
  readonly seconds: number;
  /** ReplaceRoute calls among them. */
  readonly routeWrites: number;
  /**
   * The token-bucket lower bound for the route writes: (routeWrites - burst) / refill, never below
   * 0. EC2 keeps one bucket per action, so ReplaceRoute's bounds the evacuation; the state tags
   * draw on CreateTags's own.
   */
  readonly limitSeconds: number;
  readonly failedChanges: number;
  /** RequestLimitExceeded answers EC2 gave the controller. */
  readonly throttled: number;
  /** The alterNAT-style sequential writer on the same region model, same run. */
  readonly alternatStyleSeconds: number;
  readonly alternatStyleFailed: number;
  readonly alternatStyleThrottled: number;
}

export interface ConcurrencyRow {
  readonly tables: number;
  readonly writeConcurrency: number;
  readonly seconds: number;
  readonly throttled: number;
}

/** `n` managed tables in AZ a (IPv4 default only), one in each other AZ; one VPC. */
export function oneAzWorld(n: number): World {
  const w = buildWorld({ vpcs: 1, azs: 3, tablesPerAz: n, nat64: false, unmanagedTables: true });
  const keep = (id: string) => /^rtb-a\d+$/.test(id) || id === 'rtb-b1' || id === 'rtb-c1' || /^rtb-x/.test(id);
  const dropped = new Set(w.tables.filter((t) => !keep(t.id)).flatMap((t) => t.subnetIds));
  return { ...w, tables: w.tables.filter((t) => keep(t.id)), subnets: w.subnets.filter((s) => !dropped.has(s.id)) };
}

const MUTATING = ['ReplaceRoute', 'CreateTags', 'DeleteTags'];

function limitSeconds(writes: number): number {
  const { capacity, refillPerSecond } = EC2_BUCKETS.mutating;
  return round(Math.max(0, writes - capacity) / refillPerSecond, 1);
}

async function setUp(n: number, config: Config, paced: boolean): Promise<{ b: Bench; moving: string[]; deadline: { start: number } }> {
  const deadline = { start: 0 };
  const b = benchOn(oneAzWorld(n), config, paced ? {} : { writeBudget: null }, { deadline: () => deadline.start + LAMBDA_TIMEOUT_MS });
  await warmUp(b);
  nextMinute(b);
  // Let both buckets refill fully, as in an account that has been quiet for a while.
  b.sim.clock.advanceTo(b.sim.clock.nowMs() + 60_000);
  b.sim.setNatState('nat-a', 'deleted');
  const moving = b.sim.world.tables.filter((t) => /^rtb-a\d+$/.test(t.id)).map((t) => t.id);
  return { b, moving, deadline };
}

/** Ours: the scheduled run, then continuations at once until nothing is deferred. */
async function ours(n: number, config: Config): Promise<Omit<OneAzDeadRow, 'alternatStyleSeconds' | 'alternatStyleFailed' | 'alternatStyleThrottled' | 'limitSeconds'> & { lastSwitch: number }> {
  const { b, moving, deadline } = await setUp(n, config, true);
  const before = b.sim.stats();
  const mutBefore = b.sim.mutations.length;
  const started = b.sim.clock.nowMs();
  let runs = 0;
  let failed = 0;
  let report: RunReport | undefined;
  for (; runs < 200; ) {
    deadline.start = b.sim.clock.nowMs();
    report = await reconcile(b.deps, b.config, { trigger: runs === 0 ? 'schedule' : 'continuation' });
    runs++;
    failed += report.results.filter((r) => r.status === 'failed').length;
    if (!report.continuation) break;
    b.sim.clock.advanceTo(b.sim.clock.nowMs() + CONTINUATION_GAP_MS);
  }
  const after = b.sim.stats();
  const switched = b.sim.mutations.slice(mutBefore).filter((m) => m.op === 'ReplaceRoute' && m.actor === 'controller');
  const lastSwitch = Math.max(started, ...switched.map((m) => m.at));
  const writes = MUTATING.reduce((a, op) => a + (after.byOperation[op] ?? 0) - (before.byOperation[op] ?? 0), 0);
  const throttled = MUTATING.reduce((a, op) => a + (after.throttled[op] ?? 0) - (before.throttled[op] ?? 0), 0);
  const routeWrites = (after.byOperation.ReplaceRoute ?? 0) - (before.byOperation.ReplaceRoute ?? 0);
  const left = moving.filter((id) => b.sim.target(id) === 'nat-a').length;
  return { tables: n, writes, routeWrites, runs, seconds: round((lastSwitch - started) / 1000, 1), failedChanges: failed + left, throttled, lastSwitch };
}

/**
 * alterNAT-style: one DescribeRouteTables for the tables on the dead gateway, then ReplaceRoute
 * for each in sequence (its Lambda loops over the route tables of the AZ; boto3's standard retry
 * backs off on RequestLimitExceeded, here the same Retrier without the pacer). No state tags.
 */
async function alternatStyle(n: number): Promise<{ seconds: number; failed: number; throttled: number }> {
  const { b, moving } = await setUp(n, { ...DEFAULTS }, false);
  const before = b.sim.stats();
  const started = b.sim.clock.nowMs();
  const routes = await b.sim.readRoutes(moving);
  let failed = 0;
  let last = started;
  for (const id of moving) {
    const r = primaryRoute({ routes: routes.get(id) ?? [] });
    if (r?.destination !== IPV4_DEFAULT) continue;
    try {
      await b.sim.replaceRoute(id, IPV4_DEFAULT, 'nat-b');
      last = b.sim.clock.nowMs();
    } catch {
      failed++;
    }
  }
  const after = b.sim.stats();
  const throttled = (after.throttled.ReplaceRoute ?? 0) - (before.throttled.ReplaceRoute ?? 0);
  return { seconds: round((last - started) / 1000, 1), failed, throttled };
}

export async function oneAzDead(): Promise<OneAzDeadRow[]> {
  const rows: OneAzDeadRow[] = [];
  for (const n of ONE_AZ_SIZES) {
    const o = await ours(n, { ...DEFAULTS });
    const a = await alternatStyle(n);
    rows.push({
      tables: o.tables,
      writes: o.writes,
      routeWrites: o.routeWrites,
      runs: o.runs,
      seconds: o.seconds,
      limitSeconds: limitSeconds(o.routeWrites),
      failedChanges: o.failedChanges,
      throttled: o.throttled,
      alternatStyleSeconds: a.seconds,
      alternatStyleFailed: a.failed,
      alternatStyleThrottled: a.throttled,
    });
  }
  return rows;
}

/** WRITE_CONCURRENCY revisited: a 100- and a 1,000-table evacuation at 1, 2, 5, 10 and 20 in flight. */
export async function writeConcurrencySweep(): Promise<ConcurrencyRow[]> {
  const rows: ConcurrencyRow[] = [];
  for (const n of [100, 1_000]) {
    for (const writeConcurrency of [1, 2, 5, 10, 20]) {
      const o = await ours(n, { ...DEFAULTS, writeConcurrency });
      rows.push({ tables: n, writeConcurrency, seconds: o.seconds, throttled: o.throttled });
    }
  }
  return rows;
}
