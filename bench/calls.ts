import { DEFAULTS } from '../src/config';
import { benchOn, nextMinute, run, warmUp } from './harness';
import { sdkSteadyState } from './sdkCheck';
import { benchWorld } from './world';

export interface SteadyRow {
  readonly tables: number;
  readonly vpcs: number;
  readonly natGateways: number;
  /** Every API attempt of one steady-state run (the Retrier's count), default configuration. */
  readonly calls: number;
  readonly byOperation: Record<string, number>;
  readonly retries: number;
  /**
   * Route tables that run read: all of them, or on a quiet run (the harness has the reconcile
   * function's table memory; above TABLES_READ_PER_RUN tables) one slice, the rest remembered.
   */
  readonly tablesRead: number;
  /** Route or tag changes planned by that run (0 = steady). */
  readonly actions: number;
  /** ALARMS=off on a minute the metric poll is due (every METRIC_POLL_MINUTES): one GetMetricData more. */
  readonly pollMinuteCallsAlarmsOff: number;
  /** Virtual wall time of the run at the benchmark's API latency. */
  readonly durationMs: number;
  /** CPU time the run took in this process (controller and simulator together: an upper bound). */
  readonly cpuMs: number;
}

export const STEADY_SIZES = [10, 100, 1000] as const;
export const STEADY_VPCS = 5;

async function steady(tables: number, alarms: 'managed' | 'off'): Promise<{ stats: ReturnType<typeof Object>; report: Awaited<ReturnType<typeof run>>; b: ReturnType<typeof benchOn> }> {
  const config = { ...DEFAULTS, alarms };
  const b = benchOn(benchWorld(tables, STEADY_VPCS), config);
  await warmUp(b);
  if (alarms === 'off') {
    // Land on a minute whose poll is due.
    while (Math.floor(b.sim.clock.nowMs() / 60_000) % config.metricPollMinutes !== 0) nextMinute(b);
  }
  const t0 = b.sim.clock.nowMs();
  const cpu = process.cpuUsage();
  const report = await run(b);
  const used = process.cpuUsage(cpu);
  return { stats: { ...b.sim.retrier.stats, ms: b.sim.clock.nowMs() - t0, cpuMs: Math.ceil((used.user + used.system) / 1000) }, report, b };
}

export async function steadyState(): Promise<{ rows: SteadyRow[]; sdk: Awaited<ReturnType<typeof sdkSteadyState>> }> {
  const rows: SteadyRow[] = [];
  let last: Awaited<ReturnType<typeof steady>> | undefined;
  for (const tables of STEADY_SIZES) {
    const managed = await steady(tables, 'managed');
    const off = await steady(tables, 'off');
    const s = managed.stats as { calls: number; retries: number; byOperation: Record<string, number>; ms: number; cpuMs: number };
    rows.push({
      tables: managed.report.observation.inventory.routeTables.length,
      vpcs: STEADY_VPCS,
      natGateways: managed.report.observation.inventory.natGateways.length,
      calls: s.calls,
      byOperation: { ...s.byOperation },
      retries: s.retries,
      tablesRead: managed.report.quiet?.tablesRead ?? managed.report.observation.inventory.routeTables.length,
      actions: managed.report.plan.actions.length,
      pollMinuteCallsAlarmsOff: (off.stats as { calls: number }).calls,
      durationMs: s.ms,
      cpuMs: s.cpuMs,
    });
    last = managed;
  }
  // The same 1,000-table world, state tags and alarms included, answered by SDK mocks instead
  // (a container without table memory: the mocks do not apply EC2's wildcards, so every run reads
  // every table; a quiet run makes the same calls, one DescribeRouteTables for its slice).
  const sdk = await sdkSteadyState(last!.b);
  return { rows, sdk };
}
