import { peerPolicy } from '../core/baseline';
import { type Config, DEFAULTS } from '../config';
import { IPV4_DEFAULT, NAT64_PREFIX, TAGS } from '../core/constants';
import { pinValue } from '../core/state';
import { type ControllerDeps, type RunOptions, type RunReport, reconcile } from '../reconcile/controller';
import { TableMemory } from '../reconcile/tableMemory';
import { PROBE_EVENT_DETAIL_TYPE, PROBE_EVENT_SOURCE, type ProbeVerdictEvent } from '../core/probe';
import { triggerOf } from '../events/triggers';
import { InvariantChecker, tableHomes, type Violation } from './invariants';
import { type MinuteSample, type Measures, measure } from './measures';
import { MemoryNotifier, MemoryRecorder } from './recorder';
import { type Mutation, SimRegion, type SimProbeInvocation, type TruthStatus } from './region';
import { describeFault, type Expectation, type Fault, type Scenario } from './scenario';
import { buildWorld } from './world';

export type PolicyName = 'ours' | 'baseline';

export interface ChangeRecord {
  readonly table: string;
  readonly transition: string | undefined;
  readonly status: string;
  readonly routes: readonly string[];
  readonly reasons: readonly string[];
  readonly detail?: string;
}

export interface StepRecord {
  /** Whole for scheduled runs; fractional for a run a probe's verdict woke mid-minute. */
  readonly minute: number;
  readonly at: Date;
  /** What woke a run other than the schedule (e.g. `probe`). */
  readonly trigger?: string;
  /** Faults and people's actions that took effect at this minute. */
  readonly events: readonly string[];
  readonly outcome: 'ok' | 'crashed' | 'error' | 'skipped';
  readonly error?: string;
  readonly changes: readonly ChangeRecord[];
  readonly findings: readonly { readonly kind: string; readonly table?: string; readonly message: string }[];
  /** What the controller saw: gateways with hard signals or bad soft verdicts, guarded VPCs. */
  readonly signals: readonly string[];
  readonly metricsRead: boolean;
  /** IPv4 default target of every table after the run (and NAT64 where there is one). */
  readonly targets: Readonly<Record<string, string>>;
  readonly targets6: Readonly<Record<string, string>>;
  readonly homes: Readonly<Record<string, string | undefined>>;
  readonly truth: Readonly<Record<string, TruthStatus>>;
  readonly calls: number;
  readonly retries: number;
  readonly durationMs: number;
  readonly violations: readonly Violation[];
  /** Set when the run was quiet: it read a slice of the route tables and remembered the rest. */
  readonly quiet?: { readonly tablesRead: number; readonly tables: number; readonly rescanMinutes: number };
}

export interface ExpectationResult {
  readonly text: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly policy: PolicyName;
  readonly start: Date;
  readonly steps: readonly StepRecord[];
  readonly invariantChecks: number;
  readonly violations: readonly Violation[];
  readonly expectations: readonly ExpectationResult[];
  readonly measures: Measures;
  readonly managedTables: readonly string[];
  readonly stats: ReturnType<SimRegion['stats']>;
  readonly notifications: number;
}

interface TimedEvent {
  readonly at: number;
  readonly text: string;
  readonly apply: (sim: SimRegion) => void;
}

const MIN = 60_000;
/** The reconcile function's timeout (serverless.yml `provider.timeout`). */
export const LAMBDA_TIMEOUT_MS = 60_000;
/** Continuations one scheduled minute may chain (a guard against a loop, far above any evacuation). */
const MAX_CONTINUATIONS = 100;

/** Turns the scenario's faults into timed levers on the simulator (and registers time functions). */
function schedule(s: Scenario, sim: SimRegion, start: number): TimedEvent[] {
  const ms = (m: number) => start + m * MIN;
  const out: TimedEvent[] = [];
  const add = (at: number, text: string, apply: (sim: SimRegion) => void) => out.push({ at, text, apply });
  const noop = () => {};
  const natsOfAz = (az: string) => sim.world.nats.filter((n) => n.az === az).map((n) => n.id);
  for (const f of s.faults) {
    const text = describeFault(f);
    const until = 'until' in f && f.until !== undefined ? f.until : undefined;
    switch (f.kind) {
      case 'nat-state':
        add(f.at, text, (x) => x.setNatState(f.nat, f.state));
        if (until !== undefined) add(until, `${f.nat} is available again`, (x) => x.setNatState(f.nat, 'available'));
        break;
      case 'nat-replaced':
        add(f.at, text, (x) => {
          const old = x.nat(f.nat);
          x.setNatState(f.nat, 'deleted');
          x.addNat({ ...old, id: f.by, state: 'pending' });
        });
        add(f.at + f.readyAfter, `${f.by} is available`, (x) => x.setNatState(f.by, 'available'));
        break;
      case 'blackhole':
        add(f.at, text, (x) => x.setBlackhole(f.nat, true));
        if (until !== undefined) add(until, `routes to ${f.nat} are active again`, (x) => x.setBlackhole(f.nat, false));
        break;
      case 'az-state':
        add(f.at, text, (x) => x.setZoneState(f.az, f.state));
        if (until !== undefined) add(until, `${f.az} is available again`, (x) => x.setZoneState(f.az, 'available'));
        break;
      case 'packet-drops':
      case 'connection-failures':
        sim.addTrafficFault({
          nat: f.nat,
          from: ms(f.at),
          to: until === undefined ? Infinity : ms(until),
          drop: f.kind === 'packet-drops' ? f.rate : 0,
          connFail: f.kind === 'connection-failures' ? f.rate : 0,
          pattern: f.pattern ?? { kind: 'steady' },
          truth: f.truth ?? 'degraded',
        });
        add(f.at, text, noop);
        if (until !== undefined) add(until, `${f.nat === '*' ? 'every gateway' : f.nat}: ${f.kind} end`, noop);
        break;
      case 'capacity':
        sim.addCapacityFault({
          nat: f.nat,
          from: ms(f.at),
          to: until === undefined ? Infinity : ms(until),
          portErrorsPerMinute: f.portErrorsPerMinute ?? 0,
          extraConnections: f.extraConnections ?? 0,
        });
        add(f.at, text, noop);
        if (until !== undefined) add(until, `${f.nat}: capacity trouble ends`, noop);
        break;
      case 'metrics-missing':
      case 'metrics-late':
        sim.addMetricDelay({ nat: f.nat, from: ms(f.at), to: ms(f.until), extraLagMs: f.kind === 'metrics-missing' ? Infinity : f.minutes * MIN });
        add(f.at, text, noop);
        add(f.until, `CloudWatch delivery for ${f.nat === '*' ? 'every gateway' : f.nat} back to normal`, noop);
        break;
      case 'evacuation': {
        const id = `${f.source}-${f.azId}-${f.at}`;
        add(f.at, text, (x) => x.openEvacuation(id, f.azId, f.source));
        if (until !== undefined) add(until, `${f.source} evacuation away from ${f.azId} closes`, (x) => x.closeEvacuation(id));
        break;
      }
      case 'alarm':
        add(f.at, text, (x) => x.setAlarm(`${f.nat}-packet-drops`, f.nat, true));
        if (until !== undefined) add(until, `alarm on ${f.nat} back to OK`, (x) => x.setAlarm(`${f.nat}-packet-drops`, f.nat, false));
        break;
      case 'throttling-storm':
        add(f.at, text, (x) => x.throttlingStorm(f.bucket, f.share));
        add(f.until, `throttling storm on the ${f.bucket} bucket ends`, (x) => x.throttlingStorm(f.bucket, 0));
        break;
      case 'write-error':
        sim.addWriteFault({ from: ms(f.at), to: ms(f.until), destination: f.destination, routeTableId: f.table });
        add(f.at, text, noop);
        break;
      case 'crash':
        add(f.at, text, (x) => x.armCrash(f.afterWrites));
        break;
      case 'human-edit': {
        const to = f.to.startsWith('nat-') ? { kind: 'nat' as const, id: f.to } : { kind: 'other' as const, id: f.to };
        const dest = f.destination ?? IPV4_DEFAULT;
        add(f.at, text, (x) => (f.duringRun ? x.editDuringRun(f.table, dest, to) : x.editRoute(f.table, dest, to)));
        break;
      }
      case 'gray-failure':
        sim.addGrayFault({ nat: f.nat, from: ms(f.at), to: until === undefined ? Infinity : ms(until) });
        if (f.inMetrics) {
          sim.addTrafficFault({ nat: f.nat, from: ms(f.at), to: until === undefined ? Infinity : ms(until), drop: 0, connFail: 1, pattern: { kind: 'steady' }, truth: 'dead' });
        }
        add(f.at, text, noop);
        if (until !== undefined) add(until, `${f.nat}: gray failure ends`, noop);
        break;
      case 'probe-targets-down':
        sim.addGrayFault({ nat: '*', from: ms(f.at), to: until === undefined ? Infinity : ms(until) });
        add(f.at, text, noop);
        if (until !== undefined) add(until, 'the probe targets are reachable again', noop);
        break;
      case 'pin':
        add(f.at, text, (x) => {
          for (const t of x.world.tables) {
            const subnetAz = t.subnetIds.map((id) => x.world.subnets.find((sn) => sn.id === id)?.az);
            if (t.tags[DEFAULTS.managedTagKey] !== DEFAULTS.managedTagValue || !subnetAz.includes(f.az)) continue;
            x.editTags(t.id, {
              [TAGS.pin]: pinValue({ awayFromAz: f.awayFrom, until: new Date(ms(f.until)), by: 'operator', target: undefined, reason: f.reason }),
              [TAGS.pinReason]: f.reason,
            });
          }
        });
        break;
    }
  }
  void natsOfAz;
  return out.sort((a, b) => a.at - b.at);
}

/** The verdict event a failing simulated probe sends reconcile (the contract's shape, src/core/probe.ts). */
export function probeVerdictEvent(inv: SimProbeInvocation): ProbeVerdictEvent {
  return {
    source: PROBE_EVENT_SOURCE,
    'detail-type': PROBE_EVENT_DETAIL_TYPE,
    time: new Date(inv.endsAt).toISOString(),
    detail: {
      version: 1,
      vpcId: inv.vpcId,
      availabilityZone: inv.az,
      subnetId: `subnet-probe-${inv.az.slice(-1)}`,
      ...(inv.natGatewayId ? { natGatewayId: inv.natGatewayId } : {}),
      verdict: inv.failed ? 'failed' : 'ok',
      roundsRun: inv.rounds,
      roundsFailed: inv.roundsFailed,
      at: new Date(inv.at).toISOString(),
      results: [{ target: 'tls://probe-target.example:443', ok: !inv.failed, stage: inv.failed ? 'tcp' : 'ok', ms: inv.failed ? 2000 : 40, ...(inv.failed ? { error: 'timeout' } : {}) }],
    },
  };
}

/** Seconds from `fromMs` to the last table homed in `az` switched away from it by the controller; undefined if not all. */
export function switchedAfter(sim: SimRegion, homes: ReadonlyMap<string, { az: string }>, az: string, fromMs: number): number | undefined {
  const tables = [...homes].filter(([, h]) => h.az === az).map(([id]) => id);
  let last = -Infinity;
  for (const t of tables) {
    const m = sim.mutations.find((x) => x.actor === 'controller' && x.op === 'ReplaceRoute' && x.routeTableId === t && x.destination === IPV4_DEFAULT && x.at >= fromMs && sim.world.nats.find((n) => n.id === x.to)?.az !== az);
    if (!m) return undefined;
    last = Math.max(last, m.at);
  }
  return tables.length === 0 ? undefined : (last - fromMs) / 1000;
}

/** Runs a scenario minute by minute against a fresh simulated region, under one policy. */
export async function runScenario(
  s: Scenario,
  opts: {
    policy?: PolicyName;
    /** Read metrics on every run (the peers' check runs every minute); default: the configured poll interval. */
    metricsEveryRun?: boolean;
    onStep?: (step: StepRecord) => void;
  } = {},
): Promise<ScenarioResult> {
  const policy = opts.policy ?? 'ours';
  const config: Config = { ...DEFAULTS, ...s.config };
  // Writes are paced as the Lambda wiring paces them (EC2_WRITE_BURST / EC2_WRITE_RATE).
  const sim = new SimRegion(buildWorld(s.world), { writeBudget: { burst: config.ec2WriteBurst, perSecond: config.ec2WriteRate }, ...s.sim });
  const start = sim.clock.nowMs();
  const recorder = new MemoryRecorder(() => sim.clock.now());
  const notifier = new MemoryNotifier();
  // Each run is one Lambda invocation with the function's timeout: the run stops starting writes
  // near it, and the handler's self-invoke (a continuation) starts the next one at once.
  let invocationStart = sim.clock.nowMs();
  // One warm container: its table memory outlives runs (quiet scheduled runs read a slice), and a
  // crash (a new container) loses it.
  const deps: ControllerDeps = { cloud: sim, clock: sim.clock, recorder, signals: sim, notifier, pacer: sim.retrier.pacer, deadline: () => invocationStart + LAMBDA_TIMEOUT_MS, tables: new TableMemory() };
  const events = schedule(s, sim, start);
  const homes = tableHomes(sim, [config.managedTagKey, config.managedTagValue]);
  const checker = new InvariantChecker(sim, config, homes);
  const managedTables = sim.initial.tables.filter((t) => t.tags[config.managedTagKey] === config.managedTagValue).map((t) => t.id);
  const initialTargets = new Map(sim.initial.tables.map((t) => [t.id, sim.target(t.id) as string]));
  const runPolicy = policy === 'baseline' ? peerPolicy(config) : undefined;
  const samples: MinuteSample[] = [];
  const intentional = new Set<string>();
  const steps: StepRecord[] = [];
  let next = 0;

  const homesNow = (): Record<string, string | undefined> => {
    const out: Record<string, string | undefined> = {};
    for (const [id, h] of homes) {
      out[id] = sim.world.nats.filter((n) => n.vpcId === h.vpcId && n.az === h.az && n.state === 'available').map((n) => n.id).sort()[0];
    }
    return out;
  };
  const truthNow = (): Record<string, TruthStatus> => Object.fromEntries(sim.world.nats.map((n) => [n.id, sim.truth(n.id).status]));

  /** One controller run (scheduled, or woken by a probe's verdict), checked and recorded as a step. */
  const runOnce = async (minute: number, runAt: number, applied: readonly string[], runOpts: RunOptions, snapshot: () => Pick<StepRecord, 'targets' | 'targets6' | 'homes' | 'truth'>): Promise<void> => {
    const calls = sim.retrier.stats.calls;
    const retries = sim.retrier.stats.retries;
    const violationsBefore = checker.violations.length;
    const controllerMuts: Mutation[] = [];
    const reports: RunReport[] = [];
    let report: RunReport | undefined;
    let error: string | undefined;
    let crashed = false;
    // A run cut short by its invocation's deadline asks for a continuation (the handler's
    // self-invoke): the next invocation starts at once, a plain level-triggered run.
    for (let invocation = 0; invocation < MAX_CONTINUATIONS; invocation++) {
      checker.beforeRun();
      const mutStart = sim.mutations.length;
      sim.beginRun();
      invocationStart = sim.clock.nowMs();
      let r: RunReport | undefined;
      try {
        r = await reconcile(deps, config, invocation === 0 ? runOpts : { trigger: 'continuation', ...(runOpts.policy ? { policy: runOpts.policy } : {}), ...(runOpts.forceMetrics !== undefined ? { forceMetrics: runOpts.forceMetrics } : {}) });
      } catch (e) {
        error = (e as Error).message;
      }
      crashed = sim.crashed;
      if (crashed) {
        deps.tables?.forget();
        sim.newContainer();
      }
      sim.endRun();
      const runMuts = sim.mutations.slice(mutStart);
      const mine = runMuts.filter((x) => x.actor === 'controller');
      controllerMuts.push(...mine);
      checker.noteExternal(runMuts.filter((x) => x.actor === 'external'));
      checker.afterRun(minute, mine, r);
      if (r) reports.push(r);
      report ??= r;
      if (!r?.continuation || crashed) break;
    }
    // The step shows every invocation's changes; a change deferred by one and made by the next
    // shows once, as made.
    const made = new Set(reports.flatMap((r) => r.results.filter((x) => x.status !== 'deferred').map((x) => x.action.routeTableId)));
    const results = reports.flatMap((r) => r.results.filter((x) => x.status !== 'deferred' || !made.has(x.action.routeTableId)));
    let changes: ChangeRecord[] = [];
    if (crashed) {
      changes = controllerMuts
        .filter((x) => x.op === 'ReplaceRoute')
        .map((x) => ({ table: x.routeTableId, transition: undefined, status: 'applied', routes: [`${x.destination}: ${x.from} -> ${x.to}`], reasons: ['written before the crash'] }));
    } else if (report) {
      changes = results
        .filter((r) => r.action.routes.length > 0)
        .map((r) => ({
          table: r.action.routeTableId,
          transition: r.action.transition,
          status: r.status,
          routes: r.action.routes.map((c) => `${c.destination}: ${c.from} -> ${c.to}`),
          reasons: r.action.reasons,
          detail: r.detail,
        }));
      for (const r of results) if (r.action.transition === 'pin' && r.status === 'applied') intentional.add(`${r.action.routeTableId}@${minute}`);
    }
    const signals: string[] = [];
    if (report) {
      for (const [id, h] of [...report.health.gateways].sort(([a], [b]) => a.localeCompare(b))) {
        for (const sig of h.hard) signals.push(`${id}: ${sig.detail}`);
        if (h.soft === 'bad') for (const sig of h.softSignals) signals.push(`${id}: ${sig.detail}`);
        if (h.softSuppressed) signals.push(`${id}: soft signals set aside (static-stability guard)`);
      }
    }
    steps.push({
      minute,
      at: new Date(runAt),
      ...(runOpts.trigger && runOpts.trigger !== 'schedule' ? { trigger: runOpts.trigger } : {}),
      events: applied,
      outcome: crashed ? 'crashed' : error ? 'error' : 'ok',
      error: crashed ? `crashed after ${controllerMuts.filter((x) => x.op === 'ReplaceRoute').length} write(s)` : error,
      changes,
      findings: crashed ? [] : (report?.plan.findings ?? []).map((f) => ({ kind: f.kind, table: f.routeTableId, message: f.message })),
      signals,
      metricsRead: report?.observation.metrics !== undefined,
      ...snapshot(),
      calls: sim.retrier.stats.calls - calls,
      retries: sim.retrier.stats.retries - retries,
      durationMs: sim.clock.nowMs() - runAt,
      violations: checker.violations.slice(violationsBefore),
      ...(report?.quiet ? { quiet: { tablesRead: report.quiet.tablesRead, tables: report.quiet.tables, rescanMinutes: report.quiet.rescanMinutes } } : {}),
    });
    opts.onStep?.(steps.at(-1) as StepRecord);
  };

  for (let m = 0; m <= s.minutes; m++) {
    const runAt = start + m * MIN;
    const overran = sim.clock.nowMs() > runAt;
    if (!overran) sim.clock.advanceTo(runAt);
    const applied: string[] = [];
    const mutBefore = sim.mutations.length;
    while (next < events.length && (events[next] as TimedEvent).at <= m) {
      const e = events[next++] as TimedEvent;
      e.apply(sim);
      applied.push(e.text);
    }
    checker.noteExternal(sim.mutations.slice(mutBefore));
    samples.push({
      truth: truthNow(),
      gateways: sim.world.nats
        .filter((n) => n.state === 'available' && n.availabilityMode === 'zonal' && n.az)
        .map((n) => ({ id: n.id, vpcId: n.vpcId, az: n.az as string })),
    });
    const snapshot = () => ({
      targets: Object.fromEntries(sim.world.tables.map((t) => [t.id, sim.target(t.id) ?? '-'])),
      targets6: Object.fromEntries(sim.world.tables.filter((t) => t.routes.some((r) => r.destination === NAT64_PREFIX)).map((t) => [t.id, sim.target(t.id, NAT64_PREFIX) ?? '-'])),
      homes: homesNow(),
      truth: truthNow(),
    });
    if (overran) {
      steps.push({ minute: m, at: new Date(runAt), events: applied, outcome: 'skipped', error: 'previous run still in flight', changes: [], findings: [], signals: [], metricsRead: false, ...snapshot(), calls: 0, retries: 0, durationMs: 0, violations: [] });
      opts.onStep?.(steps.at(-1) as StepRecord);
      continue;
    }

    await runOnce(m, runAt, applied, { trigger: 'schedule', policy: runPolicy, forceMetrics: opts.metricsEveryRun ?? policy === 'baseline' }, snapshot);

    // Probes (PROBES=on): every AZ's probe function starts at the same second of the minute; a
    // failing verdict invokes reconcile asynchronously with the verdict event (the fast path).
    if (config.probes === 'on') {
      const probeAt = runAt + (sim.options.probe.offsetSeconds ?? 0) * 1000;
      // The probe functions run on their own schedule, whether or not a reconcile run is still busy.
      if (m < s.minutes) {
        if (sim.clock.nowMs() < probeAt) sim.clock.advanceTo(probeAt);
        const invocations = sim.runProbes(probeAt);
        for (const inv of invocations.filter((i) => i.failed)) {
          // The direct invoke leaves through the probe's own gateway: when that is what broke, the
          // verdict arrives by the OnFailure destination after the invoke's timeout instead.
          const p = sim.options.probe;
          const delay = inv.pathDead ? (p.invokeTimeoutMs ?? 0) + (p.destinationLatencyMs ?? 0) : (p.invokeLatencyMs ?? 0);
          const at = Math.max(inv.endsAt + delay, sim.clock.nowMs());
          sim.clock.advanceTo(at);
          const trigger = triggerOf(probeVerdictEvent(inv));
          await runOnce(m + (at - runAt) / MIN, at, [], { trigger: trigger.name, policy: runPolicy, ...(trigger.probe ? { probeVerdict: trigger.probe } : {}) }, snapshot);
        }
      }
    }
  }

  const measures = measure(start, s.minutes, samples, homes, initialTargets, sim.mutations, intentional);
  return {
    scenario: s,
    policy,
    start: new Date(start),
    steps,
    invariantChecks: checker.checks,
    violations: checker.violations,
    expectations: s.expect.map((e) => {
      if (e.kind !== 'switched-within') return checkExpectation(e, steps, homes, (nat) => sim.world.nats.find((n) => n.id === nat)?.az);
      const secs = switchedAfter(sim, homes, e.az, start + e.from * MIN);
      return { text: `${e.az}'s tables switched away within ${e.seconds} s of T+${e.from}m`, ok: secs !== undefined && secs <= e.seconds, detail: secs === undefined ? 'not all switched' : `last switched after ${secs.toFixed(1)} s` };
    }),
    measures,
    managedTables,
    stats: sim.stats(),
    notifications: notifier.sent.length,
  };
}

function describeExpectation(e: Expectation): string {
  switch (e.kind) {
    case 'failover':
      return `${e.az}'s tables on a healthy gateway in another AZ within ${e.within} min of T+${e.from}m`;
    case 'home':
      return `every table back on its home gateway by T+${e.by}m and staying there`;
    case 'no-route-change':
      return 'no route change at all';
    case 'stays-home':
      return `${e.az}'s tables stay home${e.until !== undefined ? ` until T+${e.until}m` : ''}`;
    case 'finding':
      return `reports ${e.finding}`;
    case 'conflict':
      return `compare-and-swap skips ${e.table}`;
    case 'target':
      return `${e.table} points at ${e.target} after the run at T+${e.minute}m`;
    case 'nat64-follows':
      return `NAT64 routes follow IPv4 by T+${e.by}m`;
    case 'max-route-changes':
      return `at most ${e.max} route change(s)`;
    case 'no-restore':
      return 'no automatic restore';
    case 'switched-within':
      return `${e.az}'s tables switched away within ${e.seconds} s of T+${e.from}m`;
  }
}

export function checkExpectation(
  e: Expectation,
  steps: readonly StepRecord[],
  homes: ReadonlyMap<string, { az: string }>,
  azOf: (nat: string) => string | undefined,
): ExpectationResult {
  const text = describeExpectation(e);
  const res = (ok: boolean, detail: string): ExpectationResult => ({ text, ok, detail });
  const tablesOf = (az?: string) => [...homes].filter(([, h]) => az === undefined || h.az === az).map(([id]) => id);
  const writes = steps.flatMap((s) => s.changes.filter((c) => c.status === 'applied' || c.status === 'failed').map((c) => ({ minute: s.minute, ...c })));
  switch (e.kind) {
    case 'failover': {
      const tables = tablesOf(e.az);
      const done = steps.find((s) => s.minute >= e.from && tables.every((t) => azOf(s.targets[t] ?? '') !== e.az && s.truth[s.targets[t] ?? ''] === 'ok'));
      if (tables.length === 0) return res(false, `no managed table homed in ${e.az}`);
      return res(done !== undefined && done.minute <= e.from + e.within, done ? `done after the run at T+${done.minute}m` : 'never');
    }
    case 'home': {
      const all = tablesOf();
      const bad = steps.filter((s) => s.minute >= e.by).find((s) => all.some((t) => s.targets[t] !== s.homes[t]));
      const first = steps.find((s, i) => steps.slice(i).every((x) => all.every((t) => x.targets[t] === x.homes[t])));
      return res(bad === undefined, first ? `home from T+${first.minute}m` : `still away at T+${bad?.minute}m`);
    }
    case 'no-route-change': {
      const n = writes.filter((w) => w.status === 'applied').length;
      return res(n === 0, `${n} change(s)`);
    }
    case 'stays-home': {
      const tables = tablesOf(e.az);
      const left = steps.find((s) => (e.until === undefined || s.minute < e.until) && tables.some((t) => s.targets[t] !== s.homes[t]));
      return res(left === undefined, left ? `left home at T+${left.minute}m` : 'stayed home');
    }
    case 'finding': {
      const s = steps.find((x) => x.findings.some((f) => f.kind === e.finding));
      return res(s !== undefined, s ? `first at T+${s.minute}m` : 'never reported');
    }
    case 'conflict': {
      const w = writes.find((x) => x.table === e.table && x.status === 'conflict');
      const c = steps.find((s) => s.changes.some((x) => x.table === e.table && x.status === 'conflict'));
      return res(c !== undefined || w !== undefined, c ? `skipped at T+${c.minute}m` : 'no conflict reported');
    }
    case 'target': {
      const s = steps.find((x) => x.minute === e.minute);
      return res(s?.targets[e.table] === e.target, `points at ${s?.targets[e.table] ?? '?'}`);
    }
    case 'nat64-follows': {
      const bad = steps.filter((s) => s.minute >= e.by).find((s) => Object.entries(s.targets6).some(([t, v6]) => homes.has(t) && v6 !== s.targets[t]));
      return res(bad === undefined, bad ? `NAT64 differs at T+${bad.minute}m` : 'always together');
    }
    case 'max-route-changes': {
      const n = writes.filter((w) => w.status === 'applied').length;
      return res(n <= e.max, `${n} change(s)`);
    }
    case 'no-restore': {
      const r = writes.find((w) => w.status === 'applied' && w.transition === 'restore');
      return res(r === undefined, r ? `${r.table} restored at T+${r.minute}m` : 'none');
    }
    case 'switched-within':
      // Needs the region's write times: graded in runScenario.
      return res(false, 'graded by runScenario only');
  }
}

export type { Fault };
