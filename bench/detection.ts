import { DEFAULTS } from '../src/config';
import { runScenario } from '../src/sim/runner';
import { PROBE_SIM_DEFAULTS, SimRegion } from '../src/sim/region';
import type { Scenario } from '../src/sim/scenario';
import { buildWorld } from '../src/sim/world';

/** Fault start times spread across one minute, every 5 s (the probes run at second 5 of each minute). */
export const FAULT_OFFSETS_SECONDS = Array.from({ length: 12 }, (_, i) => i * 5);
const FAULT_MINUTE = 5;

export interface GrayFailureDetection {
  /** Fault start to the last route of the AZ switched, with probes: median and worst over the offsets. */
  readonly probesSeconds: number;
  readonly probesWorstSeconds: number;
  /** The same fault as the connection metrics show it, without probes: median over the offsets. */
  readonly metricsSeconds: number;
  readonly metricsWorstSeconds: number;
  readonly faultOffsetsSeconds: readonly number[];
  readonly runs: readonly { readonly offsetSeconds: number; readonly probesSeconds: number; readonly metricsSeconds: number; readonly violations: number }[];
  /** What the figures rest on (the probe function's timing and CloudWatch's publication delay are assumptions). */
  readonly assumptions: {
    readonly probeOffsetSeconds: number;
    readonly confirmRounds: number;
    readonly failedRoundSeconds: number;
    readonly probePublishLagSeconds: number;
    readonly invokeTimeoutSeconds: number;
    readonly destinationLatencySeconds: number;
    readonly probeWaitSeconds: number;
    readonly natMetricLagSeconds: number;
    readonly softRule: string;
  };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
};
const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Runs a drill whose one expectation is `switched-within`, and reads the graded switch time. */
async function secondsToSwitch(s: Scenario): Promise<{ seconds: number; violations: number }> {
  const r = await runScenario(s);
  const m = /last switched after ([\d.]+) s/.exec(r.expectations[0]?.detail ?? '');
  return { seconds: m ? Number(m[1]) : Number.NaN, violations: r.violations.length };
}

/**
 * detection.grayFailure: a gray failure of nat-a (available, metrics normal, new connections fail)
 * started at every 5th second of a minute; with probes (the fast path) and, for comparison, seen
 * by the connection metrics alone. Virtual time on the simulated region, so the figures are exact
 * for its assumptions, which the result states.
 */
export async function grayFailureDetection(): Promise<GrayFailureDetection> {
  const runs: { offsetSeconds: number; probesSeconds: number; metricsSeconds: number; violations: number }[] = [];
  for (const off of FAULT_OFFSETS_SECONDS) {
    const at = FAULT_MINUTE + off / 60;
    const probes = await secondsToSwitch({
        name: `probe-gray-failure@${off}s`,
        summary: '',
        minutes: 12,
        world: { tablesPerAz: 2 },
        config: { probes: 'on' },
        faults: [{ at, kind: 'gray-failure', nat: 'nat-a' }],
        expect: [{ kind: 'switched-within', az: 'us-east-1a', from: at, seconds: 3600 }],
      });
    const metrics = await secondsToSwitch({
        name: `gray-failure-metrics@${off}s`,
        summary: '',
        minutes: 20,
        world: { tablesPerAz: 2 },
        faults: [{ at, kind: 'gray-failure', nat: 'nat-a', inMetrics: true }],
        expect: [{ kind: 'switched-within', az: 'us-east-1a', from: at, seconds: 3600 }],
      });
    runs.push({ offsetSeconds: off, probesSeconds: round1(probes.seconds), metricsSeconds: round1(metrics.seconds), violations: probes.violations + metrics.violations });
  }
  const p = runs.map((r) => r.probesSeconds);
  const m = runs.map((r) => r.metricsSeconds);
  return {
    probesSeconds: round1(median(p)),
    probesWorstSeconds: Math.max(...p),
    metricsSeconds: round1(median(m)),
    metricsWorstSeconds: Math.max(...m),
    faultOffsetsSeconds: FAULT_OFFSETS_SECONDS,
    runs,
    assumptions: {
      probeOffsetSeconds: PROBE_SIM_DEFAULTS.offsetSeconds,
      confirmRounds: PROBE_SIM_DEFAULTS.confirmRounds,
      failedRoundSeconds: PROBE_SIM_DEFAULTS.failedRoundSeconds,
      probePublishLagSeconds: PROBE_SIM_DEFAULTS.publishLagSeconds,
      // A gray failure of the probe's own gateway also breaks its direct invoke of reconcile: the
      // verdict goes by the OnFailure destination, after the invoke's timeout (upper bound) and an
      // assumed delivery delay.
      invokeTimeoutSeconds: PROBE_SIM_DEFAULTS.invokeTimeoutMs / 1000,
      destinationLatencySeconds: PROBE_SIM_DEFAULTS.destinationLatencyMs / 1000,
      probeWaitSeconds: DEFAULTS.probeWaitSeconds,
      natMetricLagSeconds: new SimRegion(buildWorld()).options.metricLagSeconds,
      softRule: `${DEFAULTS.softBadPeriods} of ${DEFAULTS.softWindowPeriods} minutes, judged ${DEFAULTS.metricLagSeconds} s late, polled every minute while away and every ${DEFAULTS.metricPollMinutes} min otherwise`,
    },
  };
}
