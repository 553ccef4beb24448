import { type Config, DEFAULTS } from '../src/config';
import { type ControllerDeps, type RunOptions, type RunReport, reconcile } from '../src/reconcile/controller';
import { MemoryRecorder } from '../src/sim/recorder';
import { type SimOptions, SimRegion } from '../src/sim/region';
import type { World } from '../src/sim/world';
import { PushedSignals } from '../src/events/signals';
import { SimAlarmStore } from './simAlarms';
import { TableMemory } from '../src/reconcile/tableMemory';

/**
 * EC2's default token buckets (per account and Region), as the AWS documentation publishes them for
 * unlisted actions: non-mutating 100 burst / 20 a second, mutating 200 burst / 5 a second. The
 * account's real buckets can differ (per-action categories, quota increases).
 */
export const EC2_BUCKETS = {
  nonMutating: { capacity: 100, refillPerSecond: 20 },
  mutating: { capacity: 200, refillPerSecond: 5 },
} as const;

/** Round trip per simulated API call. */
export const LATENCY_MS = 100;

export interface Bench {
  readonly sim: SimRegion;
  readonly alarms: SimAlarmStore;
  readonly deps: ControllerDeps;
  readonly recorder: MemoryRecorder;
  readonly config: Config;
}

/**
 * The production wiring on the simulated region: PushedSignals with managed alarms (the default),
 * and one warm container's table memory, as src/lambda/wiring.ts gives the reconcile function (so
 * a scheduled run with nothing to do is quiet: a slice of the route tables, core/slices.ts).
 * `tables: false` leaves the memory out (every run reads every table).
 */
export function benchOn(world: World, config: Config = DEFAULTS, sim: SimOptions = {}, extra: Pick<ControllerDeps, 'deadline'> & { readonly tables?: TableMemory | false } = {}): Bench {
  // Writes paced as the Lambda wiring paces them (EC2_WRITE_BURST / EC2_WRITE_RATE) unless told otherwise.
  const region = new SimRegion(world, { latencyMs: LATENCY_MS, ...EC2_BUCKETS, writeBudget: { burst: config.ec2WriteBurst, perSecond: config.ec2WriteRate }, ...sim });
  const alarms = new SimAlarmStore(region);
  const recorder = new MemoryRecorder(() => region.clock.now());
  const signals = new PushedSignals({ cloud: region, alarms: config.alarms === 'managed' ? alarms : undefined, recorder }, config);
  const pacer = region.retrier.pacer;
  const tables = extra.tables === false ? undefined : (extra.tables ?? new TableMemory());
  return {
    sim: region,
    alarms,
    recorder,
    config,
    deps: { cloud: region, clock: region.clock, recorder, signals, ...(pacer ? { pacer } : {}), ...(extra.deadline ? { deadline: extra.deadline } : {}), ...(tables ? { tables } : {}) },
  };
}

export function run(b: Bench, opts: RunOptions = {}): Promise<RunReport> {
  return reconcile(b.deps, b.config, { trigger: 'schedule', ...opts });
}

/** Moves the virtual clock to the next whole minute (the next scheduled run). */
export function nextMinute(b: Bench): void {
  const t = b.sim.clock.nowMs();
  b.sim.clock.advanceTo(Math.floor(t / 60_000) * 60_000 + 60_000);
}

/**
 * First runs on a fresh region write the initial state tags and create the alarms; the benchmark
 * measures from the run after, as it would be in an account where the controller has been running.
 */
export async function warmUp(b: Bench): Promise<void> {
  for (let i = 0; i < 2; i++) {
    await run(b);
    nextMinute(b);
  }
  b.sim.retrier.reset();
}

export function failures(r: RunReport): number {
  return r.results.filter((x) => x.status === 'failed').length;
}
