/**
 * What the data-plane probes (issue 13; contract in ./probe.ts) say about each home path, judged
 * purely: a soft signal against one AZ's gateway, the probes' static-stability guard, and the
 * positive proof of recovery an automatic restore needs when probes are configured.
 *
 * Evidence comes in two forms, merged per (VPC, AZ) and per minute:
 *  - the `ProbeFailed` metric, one datum per probe invocation, read with GetMetricData at a period
 *    of 60 s (so an invocation is known to the minute it started), and
 *  - the verdict event a failing invocation sends (to the second, with its round counts). It only
 *    closes the gap until the same invocation's datum is readable: custom metrics published with
 *    PutMetricData become readable after a delay AWS does not bound for fresh data (the
 *    PutMetricData API reference bounds only back-dated data: "between 3 and 24 hours ago can take
 *    as much as 2 hours"), so nothing here assumes the datum is there.
 *
 * Minute granularity decides what "at the same time" means: the other AZs' probes corroborate a
 * failure only with a success in the same minute as the first failing invocation or later. Probe
 * functions that share one schedule (the default) start in the same minute, so a success from the
 * minute before the fault never vouches for the other paths. Pure: imports only src/core.
 */
import type { ProbeObservation, ProbeReport, ProbeRound, ProbeVerdict, Signal, ZoneProbeState } from './types';

export type { ProbeObservation, ProbeReport, ProbeRound, ProbeVerdict, ZoneProbeState } from './types';

export const probeZoneKey = (vpcId: string, az: string): string => `${vpcId} ${az}`;

export interface ProbeRules {
  /** M: failed rounds among the last N that make the AZ's path bad. */
  readonly probeBadRounds: number;
  /** N. */
  readonly probeWindowRounds: number;
  /** A newest invocation older than this says nothing about now (missing = unknown). */
  readonly probeFreshSeconds: number;
  /** Minutes newer than this may not be readable yet: the proof does not require them. */
  readonly probeLagSeconds: number;
}

const MIN = 60_000;
/**
 * An invocation dated slightly after `now` is the probe function's clock running ahead of
 * reconcile's (two Lambda hosts): accepted within this much, so the fast path does not lose a
 * verdict to clock skew. Anything further ahead is ignored until its time comes.
 */
export const CLOCK_SKEW_MS = 10_000;
const minuteOf = (d: Date): number => Math.floor(d.getTime() / MIN) * MIN;

/** Metric data and events of one AZ merged per minute: an event replaces the datum of its minute. */
export function mergeRounds(rounds: readonly ProbeRound[]): ProbeRound[] {
  const byMinute = new Map<number, ProbeRound>();
  for (const r of rounds) {
    if (!Number.isFinite(r.at.getTime())) continue;
    const m = minuteOf(r.at);
    const had = byMinute.get(m);
    // Two data in one minute: the event (it has the round counts) wins; between equals a failure does.
    if (!had || (r.source === 'event' && had.source !== 'event') || (r.source === had.source && r.failed && !had.failed)) byMinute.set(m, r);
  }
  return [...byMinute.entries()].sort(([a], [b]) => a - b).map(([, r]) => r);
}

/** One AZ's verdict from its own probes alone (corroboration is the VPC's business). */
export function judgeZone(vpcId: string, az: string, raw: readonly ProbeRound[], now: Date, rules: ProbeRules): ZoneProbeState {
  const rounds = mergeRounds(raw).filter((r) => r.at.getTime() <= now.getTime() + CLOCK_SKEW_MS);
  const last = rounds.at(-1);
  // The last N rounds, newest first: an event's invocation contributes its own rounds.
  let counted = 0;
  let failed = 0;
  for (let i = rounds.length - 1; i >= 0 && counted < rules.probeWindowRounds; i--) {
    const r = rounds[i] as ProbeRound;
    const n = Math.max(1, Math.floor(r.rounds));
    const f = Math.min(n, Math.max(r.failed ? 1 : 0, Math.floor(r.roundsFailed)));
    const take = Math.min(n, rules.probeWindowRounds - counted);
    // The newest rounds of an invocation are the confirmations: count its failures first.
    failed += Math.min(f, take);
    counted += take;
  }
  let failingSince: Date | undefined;
  if (last?.failed) {
    let i = rounds.length - 1;
    while (i > 0 && (rounds[i - 1] as ProbeRound).failed) i--;
    failingSince = (rounds[i] as ProbeRound).at;
  }
  const fresh = last !== undefined && now.getTime() - last.at.getTime() <= rules.probeFreshSeconds * 1000;
  const verdict: ProbeVerdict = !fresh ? 'unknown' : last.failed ? (failed >= rules.probeBadRounds ? 'bad' : 'unknown') : 'ok';
  return { vpcId, az, verdict, last, roundsFailed: failed, roundsCounted: counted, failingSince, provenSince: provenSince(rounds, now, rules), corroborated: false };
}

/**
 * The start of the unbroken successful streak that reaches the newest required minute. Required:
 * every whole minute up to `now - lag` (minutes after that may simply not be readable yet, but a
 * failure seen there, by an event or an early datum, still breaks the proof). Missing = unknown.
 */
export function provenSince(rounds: readonly ProbeRound[], now: Date, rules: Pick<ProbeRules, 'probeLagSeconds'>): Date | undefined {
  const merged = mergeRounds(rounds).filter((r) => r.at.getTime() <= now.getTime() + CLOCK_SKEW_MS);
  if (merged.some((r) => r.failed && minuteOf(r.at) > minuteOf(new Date(now.getTime() - rules.probeLagSeconds * 1000)))) return undefined;
  const required = minuteOf(new Date(now.getTime() - rules.probeLagSeconds * 1000));
  const byMinute = new Map(merged.map((r) => [minuteOf(r.at), r]));
  // The newest required minute must itself be a success; then walk back while minutes are ok.
  let m = required;
  if (byMinute.get(m)?.failed !== false) {
    // The lag is an upper bound: data may already be there for later minutes, never required.
    return undefined;
  }
  while (byMinute.get(m - MIN)?.failed === false) m -= MIN;
  return new Date(m);
}

/**
 * Every probed AZ judged, and the VPC-level rule: a failing AZ is a soft signal only when every
 * other probed AZ of its VPC succeeded in the minute its failure began or later (and at least one
 * did). Failing everywhere is the internet or the targets, and a failing AZ with no fresh success
 * elsewhere cannot be told from that: both set the probes' signals aside (static stability).
 * AZs whose probes said nothing in the whole read window are not probed and do not vote.
 */
export function assessProbes(obs: ProbeObservation, now: Date, rules: ProbeRules): ProbeReport {
  const byVpc = new Map<string, ZoneProbeState[]>();
  for (const [key, rounds] of obs.zones) {
    const sp = key.indexOf(' ');
    const vpcId = key.slice(0, sp);
    const az = key.slice(sp + 1);
    const z = judgeZone(vpcId, az, rounds, now, rules);
    byVpc.set(vpcId, [...(byVpc.get(vpcId) ?? []), z]);
  }
  const zones: ZoneProbeState[] = [];
  const guarded: { vpcId: string; message: string }[] = [];
  for (const [vpcId, list] of [...byVpc].sort(([a], [b]) => a.localeCompare(b))) {
    const probed = list.filter((z) => z.last !== undefined);
    const held: string[] = [];
    for (const z of list.sort((a, b) => a.az.localeCompare(b.az))) {
      if (z.verdict !== 'bad') {
        zones.push(z);
        continue;
      }
      const since = minuteOf(z.failingSince ?? (z.last as ProbeRound).at);
      const others = probed.filter((o) => o.az !== z.az);
      const vouching = others.filter((o) => o.verdict === 'ok' && minuteOf((o.last as ProbeRound).at) >= since);
      const ok = others.length > 0 && vouching.length === others.length;
      zones.push({ ...z, corroborated: ok });
      if (!ok) held.push(z.az);
    }
    if (held.length > 0) {
      // Every probed AZ's newest invocation failed (bad already, or on its way): the internet or the targets.
      const allBad = probed.every((z) => z.last?.failed === true);
      guarded.push({
        vpcId,
        message: allBad
          ? `probes fail through every probed AZ of ${vpcId} (${probed.map((z) => z.az).join(', ')}): the internet or the probe targets, not our gateways; nothing moves on probes`
          : `probes fail through ${held.join(', ')} in ${vpcId} but no other AZ has a fresh success since the failure began (${probed
              .filter((o) => !held.includes(o.az))
              .map((o) => `${o.az}: ${o.verdict}${o.last ? ` at ${o.last.at.toISOString()}` : ''}`)
              .join(', ') || 'no other AZ probed'}): cannot tell a gateway from the internet; nothing moves on probes yet`,
      });
    }
  }
  return { zones, guarded };
}

/** The soft signal against the gateways of a corroborated failing AZ, in words. */
export function probeSignal(z: ZoneProbeState, report: ProbeReport): Signal {
  const others = report.zones.filter((o) => o.vpcId === z.vpcId && o.az !== z.az && o.last !== undefined).map((o) => o.az);
  const last = z.last as ProbeRound;
  return {
    kind: 'probe-failures',
    strength: 'soft',
    detail: `probes through ${z.az} failed ${z.roundsFailed} of the last ${z.roundsCounted} rounds (last ${last.source} at ${last.at.toISOString()}) while probes through ${others.join(', ')} succeeded`,
  };
}

/** What `status` and the planner say about a home's recovery proof. */
export function describeProof(z: ZoneProbeState | undefined): string {
  if (!z || z.last === undefined) return 'no probe data for the home AZ: recovery unproven (missing data is unknown)';
  if (z.provenSince === undefined) {
    return z.last.failed
      ? `home probes failing (last at ${z.last.at.toISOString()}): recovery unproven`
      : `home probes have a missing or failed minute since ${z.last.at.toISOString()} or just before: recovery unproven`;
  }
  return `home probes succeeded every minute since ${z.provenSince.toISOString()}`;
}
