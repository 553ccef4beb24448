/**
 * The probes' fast path in the controller (issue 13), on the simulated region: when the probes are
 * read, and how a run woken by a failing verdict waits for the other AZs' probes of the same minute.
 */
import { DEFAULTS, type Config } from '../../src/config';
import { reconcile, type RunOptions } from '../../src/reconcile/controller';
import { triggerOf } from '../../src/events/triggers';
import { MemoryRecorder } from '../../src/sim/recorder';
import { SimRegion } from '../../src/sim/region';
import { probeVerdictEvent } from '../../src/sim/runner';
import { buildWorld } from '../../src/sim/world';

const MIN = 60_000;

function setUp(over: Partial<Config> = {}) {
  const sim = new SimRegion(buildWorld());
  const recorder = new MemoryRecorder(() => sim.clock.now());
  const config: Config = { ...DEFAULTS, probes: 'on', ...over };
  const run = (opts: RunOptions = {}) => reconcile({ cloud: sim, clock: sim.clock, recorder, signals: sim }, config, { trigger: 'schedule', ...opts });
  return { sim, recorder, config, run };
}
const metricReads = (sim: SimRegion): number => sim.stats().byOperation.GetMetricData ?? 0;
const start = (sim: SimRegion): number => sim.clock.nowMs();

describe('when the probes are read (cost: GetMetricData is billed per metric)', () => {
  it('not on a steady scheduled run (all home, no verdict): a failing probe sends its verdict anyway', async () => {
    const { sim, run } = setUp();
    await run(); // first sight: records state
    sim.clock.advanceTo(start(sim) + MIN + 1000); // a minute that is no metric-poll minute
    const before = metricReads(sim);
    const r = await run();
    expect(metricReads(sim) - before).toBe(0);
    // Configured but not read: nothing proven, so nothing could be restored on this run.
    expect(r.health.probes).toStrictEqual({ zones: [], guarded: [] });
  });

  it('on a run woken by a verdict, and on every run while a table is away', async () => {
    const { sim, run } = setUp();
    await run();
    const t0 = Math.floor(start(sim) / MIN) * MIN + 2 * MIN;
    // A minute of history: every AZ's probes succeeded the minute before the fault.
    sim.clock.advanceTo(t0 - MIN + 5_000);
    sim.runProbes(t0 - MIN + 5_000);
    sim.clock.advanceTo(t0 + 5_000);
    sim.addGrayFault({ nat: 'nat-a', from: t0, to: Infinity });
    const failing = sim.runProbes(t0 + 5_000).filter((i) => i.failed);
    expect(failing.map((i) => i.az)).toStrictEqual(['us-east-1a']);
    sim.clock.advanceTo(failing[0]!.endsAt + 300);
    const before = metricReads(sim);
    const trigger = triggerOf(probeVerdictEvent(failing[0]!));
    await run({ trigger: trigger.name, probeVerdict: trigger.probe });
    expect(metricReads(sim) - before).toBeGreaterThan(0);
    expect(sim.target('rtb-a1')).not.toBe('nat-a');

    // Away now: the next scheduled run reads them (a restore needs the proof).
    sim.clock.advanceTo(t0 + MIN + 1000);
    const again = metricReads(sim);
    await run();
    expect(metricReads(sim) - again).toBeGreaterThan(0);
  });
});

describe('a run woken by a failing verdict waits for the other AZs\' probes of the same minute', () => {
  async function woken(over: Partial<Config>) {
    const env = setUp(over);
    const { sim, run } = env;
    await run();
    const t0 = Math.floor(start(sim) / MIN) * MIN + 2 * MIN;
    // A minute of history: every AZ's probes succeeded the minute before the fault.
    sim.clock.advanceTo(t0 - MIN + 5_000);
    sim.runProbes(t0 - MIN + 5_000);
    sim.clock.advanceTo(t0 + 5_000);
    sim.addGrayFault({ nat: 'nat-a', from: t0, to: Infinity });
    const invocations = sim.runProbes(t0 + 5_000);
    const failing = invocations.find((i) => i.failed)!;
    sim.clock.advanceTo(failing.endsAt + 300);
    const wokeAt = sim.clock.nowMs();
    const trigger = triggerOf(probeVerdictEvent(failing));
    const report = await run({ trigger: trigger.name, probeVerdict: trigger.probe });
    // The other AZs' data became readable publishLagSeconds after their (short, ok) invocation ended.
    const readable = Math.max(...invocations.filter((i) => !i.failed).map((i) => i.endsAt)) + sim.options.probe.publishLagSeconds! * 1000;
    return { ...env, report, wokeAt, readable };
  }

  it('re-observes until they are readable, then fails AZ a over on the corroborated signal', async () => {
    const { sim, report, wokeAt, readable, recorder } = await woken({});
    expect(readable).toBeGreaterThan(wokeAt); // they were not readable when the run woke
    expect(sim.target('rtb-a1')).not.toBe('nat-a');
    const switched = sim.mutations.find((m) => m.op === 'ReplaceRoute' && m.routeTableId === 'rtb-a1')!;
    expect(switched.at).toBeGreaterThanOrEqual(readable);
    expect(switched.at - readable).toBeLessThan(5_000 + 2_000); // one wait step and the writes
    expect(report.health.gateways.get('nat-a')?.softSignals.map((s) => s.kind)).toStrictEqual(['probe-failures']);
    expect(recorder.logs.some((l) => l.message.startsWith('waited for the other AZs'))).toBe(true);
  });

  it('with PROBE_WAIT_SECONDS=0 it does not wait: the guard holds and the scheduled runs decide', async () => {
    const { sim, report } = await woken({ probeWaitSeconds: 0 });
    expect(sim.target('rtb-a1')).toBe('nat-a');
    expect(report.plan.findings.map((f) => f.kind)).toContain('static-stability-guard');
  });

  it('stops waiting as soon as another AZ fails too (the internet or the targets): nothing moves', async () => {
    const { sim, run } = setUp();
    await run();
    const t0 = Math.floor(start(sim) / MIN) * MIN + 2 * MIN;
    sim.clock.advanceTo(t0 - MIN + 5_000);
    sim.runProbes(t0 - MIN + 5_000);
    sim.clock.advanceTo(t0 + 5_000);
    sim.addGrayFault({ nat: '*', from: t0, to: Infinity });
    const invocations = sim.runProbes(t0 + 5_000);
    expect(invocations.every((i) => i.failed)).toBe(true);
    sim.clock.advanceTo(invocations[0]!.endsAt + 300);
    const woke = sim.clock.nowMs();
    const trigger = triggerOf(probeVerdictEvent(invocations[0]!));
    const report = await run({ trigger: trigger.name, probeVerdict: trigger.probe });
    expect(sim.mutations.filter((m) => m.op === 'ReplaceRoute')).toStrictEqual([]);
    expect(report.plan.findings.find((f) => f.kind === 'static-stability-guard')?.message).toMatch(/every probed AZ/);
    // It waited (the others' minute was not readable yet) and stopped when their failures became
    // readable, well before PROBE_WAIT_SECONDS.
    const readable = Math.max(...invocations.map((i) => i.endsAt)) + sim.options.probe.publishLagSeconds! * 1000;
    expect(sim.clock.nowMs()).toBeGreaterThanOrEqual(readable);
    expect(sim.clock.nowMs() - woke).toBeLessThan(DEFAULTS.probeWaitSeconds * 1000);
  });
});
