import { DEFAULTS } from './config';
import { assessProbes, probeSignal, type ProbeRules } from './probeHealth';
import { breaches, evaluate, type SoftRules, softRuleDefs } from './softRules';
import { readState } from './state';
import type {
  GatewayHealth,
  HealthReport,
  MetricPoint,
  ProbeReport,
  NatGateway,
  Observation,
  Signal,
  SoftVerdict,
} from './types';

/** AZ states that mean the AZ cannot be trusted; `information`/`constrained` are notices, not outages. */
const BAD_ZONE_STATES = new Set(['impaired', 'unavailable']);

const pct = (r: number): string => `${(r * 100).toFixed(3)}%`;

export type { SoftRules } from './softRules';

interface SoftResult {
  readonly verdict: SoftVerdict;
  readonly signals: readonly Signal[];
}

/**
 * M-of-N judgement over one-minute periods, by the rules of src/core/softRules.ts (the same
 * expressions the managed alarms send to CloudWatch). A minute where a rule's metrics are not
 * both present, or below its volume guard, is not judged by that rule: silence is unknown, never
 * healthy (a gateway whose traffic moved away is silent).
 */
export function judgeSoft(points: readonly MetricPoint[], rules: SoftRules, end?: Date): SoftResult {
  // The window is the last N *minutes* before `end`, not the last N points: with gaps in the data,
  // counting points would reach back to older minutes and judge stale trouble as current.
  const from = end === undefined ? -Infinity : end.getTime() - rules.softWindowPeriods * 60_000;
  const to = end === undefined ? Infinity : end.getTime();
  const recent = points
    .filter((p) => p.start.getTime() >= from && p.start.getTime() < to)
    .sort((a, b) => a.start.getTime() - b.start.getTime())
    .slice(-rules.softWindowPeriods);
  const defs = softRuleDefs(rules);
  const bad = defs.map(() => 0);
  const worst = defs.map((d): number => (d.comparison === 'GreaterThanThreshold' ? 0 : 1));
  let judged = 0;
  for (const p of recent) {
    const byId = new Map<string, number | undefined>();
    for (const d of defs) for (const i of d.inputs) byId.set(i.id, p.values[i.metric]);
    const get = (id: string) => byId.get(id);
    let judgedThis = false;
    defs.forEach((d, k) => {
      if (evaluate(d.judged, get) === 0) return;
      judgedThis = true;
      const value = evaluate(d.value, get);
      if (breaches(d, value)) bad[k] = (bad[k] as number) + 1;
      worst[k] = d.comparison === 'GreaterThanThreshold' ? Math.max(worst[k] as number, value) : Math.min(worst[k] as number, value);
    });
    if (judgedThis) judged++;
  }
  const n = rules.softWindowPeriods;
  const m = rules.softBadPeriods;
  const signals: Signal[] = [];
  defs.forEach((d, k) => {
    const count = bad[k] as number;
    if (count < m) return;
    const what = d.kind === 'packet-drops' ? `packet-drop ratio above ${pct(d.threshold)}` : `connections established/attempted below ${pct(d.threshold)}`;
    signals.push({ kind: d.kind, strength: 'soft', detail: `${what} in ${count} of the last ${n} minutes (worst ${pct(worst[k] as number)})` });
  });
  if (signals.length > 0) return { verdict: 'bad', signals };
  return { verdict: judged >= m ? 'ok' : 'unknown', signals };
}

/** Per gateway: what the managed routes that still point at it say about it. */
interface RouteEvidence {
  readonly blackholed: ReadonlySet<string>;
  /** Gateways with at least one route to them in state `active`. */
  readonly active: ReadonlySet<string>;
  /** Gateways remembered as blackholed, with the tables that remember them. */
  readonly remembered: ReadonlyMap<string, readonly string[]>;
}

function routeEvidence(obs: Observation): RouteEvidence {
  const blackholed = new Set<string>();
  const active = new Set<string>();
  const remembered = new Map<string, string[]>();
  for (const t of obs.inventory.routeTables) {
    for (const r of t.routes) {
      if (r.target.kind !== 'nat') continue;
      // Each state explicitly: only `active` is evidence the gateway carries the route's traffic.
      if (r.state === 'blackhole') blackholed.add(r.target.id);
      else if (r.state === 'active') active.add(r.target.id);
      else if (r.state !== 'filtered') throw new Error(`route ${r.destination} of ${t.id} has unknown state ${String(r.state).slice(0, 32)}`);
    }
    const nat = readState(t.tags).blackholeNat;
    if (nat !== undefined) remembered.set(nat, [...(remembered.get(nat) ?? []), t.id]);
  }
  return { blackholed, active, remembered };
}

function hardSignals(nat: NatGateway, obs: Observation, ev: RouteEvidence): Signal[] {
  const out: Signal[] = [];
  if (nat.state !== 'available') {
    out.push({ kind: 'nat-state', strength: 'hard', detail: `gateway state is ${nat.state}` });
  }
  const rememberedBy = ev.remembered.get(nat.id);
  if (ev.blackholed.has(nat.id)) {
    out.push({ kind: 'blackhole-route', strength: 'hard', detail: 'a route to the gateway is in state blackhole' });
  } else if (rememberedBy !== undefined && !(nat.state === 'available' && ev.active.has(nat.id))) {
    // A blackhole is only visible through routes that still point at the gateway: once every table
    // has moved away, the evidence is gone and the gateway would look healthy, so a hold-down later
    // the tables would go back into the same blackhole. Tables away from a blackholed home remember
    // it in their own tags, and that memory stays a hard signal until there is positive evidence
    // that it cleared: the gateway is `available` and some route to it is seen `active` with none
    // in `blackhole` (the branch above). Silence is not evidence. In AWS a route turns blackhole
    // when its gateway is deleted or failed, so the usual way out is a replacement gateway in the
    // home AZ, which becomes home and is judged on its own; otherwise an operator's forced restore
    // provides the evidence (the next run sees that route active, or blackhole again).
    out.push({
      kind: 'blackhole-route',
      strength: 'hard',
      detail: `routes to the gateway were blackhole (remembered by ${rememberedBy.join(', ')}); no route to it seen active since`,
    });
  }
  if (nat.az !== undefined) {
    const zone = obs.inventory.zones.find((z) => z.name === nat.az);
    if (zone && BAD_ZONE_STATES.has(zone.state)) {
      out.push({ kind: 'az-state', strength: 'hard', detail: `${zone.name} (${zone.id}) is ${zone.state}` });
    }
    for (const e of obs.evacuations) {
      if (e.az === nat.az) {
        out.push({
          kind: 'az-evacuation',
          strength: 'hard',
          detail: `${e.source} evacuation of ${e.az} open since ${e.since.toISOString()} (${e.id})`,
        });
      }
    }
  }
  return out;
}

const probeRules = (config: Partial<ProbeRules>): ProbeRules => ({
  probeBadRounds: config.probeBadRounds ?? DEFAULTS.probeBadRounds,
  probeWindowRounds: config.probeWindowRounds ?? DEFAULTS.probeWindowRounds,
  probeFreshSeconds: config.probeFreshSeconds ?? DEFAULTS.probeFreshSeconds,
  probeLagSeconds: config.probeLagSeconds ?? DEFAULTS.probeLagSeconds,
});

/**
 * The probes' soft signal, applied after the metrics' static-stability guard: a failing AZ whose
 * failure the other AZs' probes contradict (they succeeded in the same minute or later) is positive
 * evidence about that one gateway path, not the many-gateways-at-once pattern the guard is for.
 * An uncorroborated failure adds nothing here; the planner reports it (probeHealth.ts guard).
 */
function applyProbeSignals(obs: Observation, report: ProbeReport, raw: Map<string, GatewayHealth>): void {
  for (const z of report.zones) {
    if (z.verdict !== 'bad' || !z.corroborated) continue;
    const signal = probeSignal(z, report);
    for (const nat of obs.inventory.natGateways) {
      if (nat.vpcId !== z.vpcId || nat.az !== z.az || nat.availabilityMode !== 'zonal') continue;
      const h = raw.get(nat.id);
      if (h) raw.set(nat.id, { ...h, soft: 'bad', softSignals: [...h.softSignals, signal] });
    }
  }
}

/** Health of every observed gateway, with the static-stability guard applied per VPC. */
export function assessHealth(obs: Observation, config: SoftRules & Partial<ProbeRules>): HealthReport {
  const evidence = routeEvidence(obs);
  const alarmsByNat = new Map<string, string[]>();
  for (const a of obs.alarms) alarmsByNat.set(a.natGatewayId, [...(alarmsByNat.get(a.natGatewayId) ?? []), a.alarmName]);

  const raw = new Map<string, GatewayHealth>();
  for (const nat of obs.inventory.natGateways) {
    const hard = hardSignals(nat, obs, evidence);
    let soft: SoftResult = { verdict: 'unknown', signals: [] };
    if (obs.metrics) soft = judgeSoft(obs.metrics.byGateway.get(nat.id) ?? [], config, obs.metrics.end);
    const alarms = alarmsByNat.get(nat.id) ?? [];
    if (alarms.length > 0) {
      soft = {
        verdict: 'bad',
        signals: [...soft.signals, { kind: 'alarm', strength: 'soft', detail: `alarm in ALARM: ${alarms.join(', ')}` }],
      };
    }
    raw.set(nat.id, { natGatewayId: nat.id, hard, soft: soft.verdict, softSignals: soft.signals, info: [], softSuppressed: false });
  }

  // Static stability: if most of a VPC's gateways look soft-bad at once, the monitoring is the
  // likelier casualty. Soft verdicts there become unknown; hard signals still act.
  const guardedVpcs: string[] = [];
  const byVpc = new Map<string, NatGateway[]>();
  for (const nat of obs.inventory.natGateways) {
    if (nat.state !== 'available' || nat.availabilityMode !== 'zonal') continue;
    byVpc.set(nat.vpcId, [...(byVpc.get(nat.vpcId) ?? []), nat]);
  }
  for (const [vpcId, nats] of byVpc) {
    const bad = nats.filter((n) => raw.get(n.id)?.soft === 'bad').length;
    if (bad * 2 > nats.length && nats.length > 1) {
      guardedVpcs.push(vpcId);
      for (const n of nats) {
        const h = raw.get(n.id);
        if (h && h.soft === 'bad') raw.set(n.id, { ...h, soft: 'unknown', softSuppressed: true });
      }
    }
  }

  const probes = obs.probes ? assessProbes(obs.probes, obs.now, probeRules(config)) : undefined;
  if (probes) applyProbeSignals(obs, probes, raw);

  const periodsJudged = obs.metrics
    ? {
        start: new Date(Math.max(obs.metrics.start.getTime(), obs.metrics.end.getTime() - config.softWindowPeriods * 60_000)),
        end: obs.metrics.end,
      }
    : undefined;
  return { gateways: raw, guardedVpcs: guardedVpcs.sort(), periodsJudged, ...(probes ? { probes } : {}) };
}

/**
 * Why a gateway is not a healthy target, in words: its hard signals and, when they count, its soft
 * ones; else its state. One wording for the planner's reasons and the manual function's errors.
 */
export function explainHealth(nat: NatGateway, h: GatewayHealth | undefined): string {
  const signals = [...(h?.hard ?? []), ...(h?.soft === 'bad' ? h.softSignals : [])].map((s) => s.detail);
  return signals.length > 0 ? signals.join('; ') : `state ${nat.state}`;
}

export const isEligibleTarget = (nat: NatGateway, h: GatewayHealth | undefined): boolean =>
  nat.state === 'available' && h !== undefined && h.hard.length === 0 && h.soft !== 'bad';

/**
 * A gateway traffic may be moved to from another AZ: eligible, and in a known AZ. A zonal gateway
 * whose subnet was not found has no AZ: it could sit in the very AZ being left, and its AZ's hard
 * signals (state, evacuation) cannot be checked, so it never receives failed-over traffic.
 */
export const isFailoverTarget = (nat: NatGateway, h: GatewayHealth | undefined): boolean =>
  nat.az !== undefined && isEligibleTarget(nat, h);
