import { AwsCloud } from '../aws/cloud';
import { EmulatorSeeder } from '../aws/seed';
import { type Config, DEFAULTS } from '../config';
import { reconcile } from '../reconcile/controller';
import type { RuleMetric } from '../core/constants';
import { VirtualClock } from './clock';
import { renderHtml } from './html';
import { tableHomes } from './invariants';
import { MemoryRecorder } from './recorder';
import { SIM_DEFAULTS, SimRegion, trafficFaultActive, type TrafficFault, type TruthStatus } from './region';
import { checkExpectation, type ScenarioResult, type StepRecord } from './runner';
import { describeFault, onEmulator, type Scenario } from './scenario';
import { renderHeader, renderTimeline, renderVerdict } from './timeline';
import { buildWorld } from './world';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const MIN = 60_000;

/** One line, no stack: the emulator is not there. */
async function assertReachable(endpoint: string): Promise<void> {
  try {
    await fetch(endpoint, { signal: AbortSignal.timeout(3000) });
  } catch (e) {
    const c = (e as { cause?: { code?: string; errors?: { code?: string }[] } }).cause;
    const cause = c?.code ?? c?.errors?.[0]?.code ?? (e as Error).name;
    throw new Error(`cannot reach the emulator at ${endpoint} (${cause}); start one, e.g. \`moto_server -H 127.0.0.1 -p 5000\`, and pass its URL`);
  }
}

/**
 * The scenario against an emulator through the real AWS adapter. Only what the emulator can
 * express is played (deleted or replaced gateways, metrics); the rest is listed and skipped.
 */
export async function runOnEmulator(s: Scenario, endpoint: string, outDir: string, log: (line: string) => void = console.log): Promise<number> {
  await assertReachable(endpoint);
  // The standard SDK environment, pointed at the emulator; emulators accept any credentials.
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION ??= 'us-east-1';
  if (!process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE) {
    process.env.AWS_ACCESS_KEY_ID = 'emulator';
    process.env.AWS_SECRET_ACCESS_KEY = 'emulator';
  }
  const skipped = s.faults.filter((f) => onEmulator(f) === 'no');
  const approximate = s.faults.filter((f) => onEmulator(f) === 'approximate');
  for (const f of skipped) log(`skipped (the emulator cannot express it): ${describeFault(f)}`);
  for (const f of approximate) log(`approximated (the emulator's timing differs; expectations not graded): ${describeFault(f)}`);
  const world = buildWorld(s.world);
  if (world.nats.some((n) => n.availabilityMode === 'regional')) throw new Error(`scenario ${s.name} needs a regional NAT gateway, which the emulator cannot create`);

  const seeder = new EmulatorSeeder();
  await seeder.seed(world);
  log(`seeded ${world.vpcs.length} VPC(s), ${world.nats.length} NAT gateways, ${world.tables.length} route tables at ${endpoint}`);

  // Minutes in the recent past, so CloudWatch accepts the datapoints.
  const start = Math.floor(Date.now() / MIN) * MIN - (s.minutes + 10) * MIN;
  const clock = new VirtualClock(new Date(start));
  const cloud = AwsCloud.fromEnvironment(clock);
  const recorder = new MemoryRecorder(() => clock.now());
  // Scoped to the VPCs seeded for this drill: the emulator may hold earlier drills' resources.
  const config: Config = { ...DEFAULTS, ...s.config, vpcIds: world.vpcs.map((v) => seeder.ids.toCloud.get(v) as string) };
  const sim = new SimRegion(world); // the simulator's naming and home AZs, for the report
  const homes = tableHomes(sim, [config.managedTagKey, config.managedTagValue]);
  const managedTables = world.tables.filter((t) => t.tags[config.managedTagKey] === config.managedTagValue).map((t) => t.id);
  const azOf = (nat: string) => world.nats.find((n) => n.id === nat || nat.startsWith(`${n.id}`))?.az;
  const rename = (text: string) => [...seeder.ids.toSim].reduce((acc, [cloudId, simId]) => acc.split(cloudId).join(simId), text);

  const ms = (m: number) => start + m * MIN;
  const traffic: TrafficFault[] = [];
  const silent: { nat: string; from: number; to: number }[] = [];
  for (const f of s.faults) {
    if (f.kind === 'packet-drops' || f.kind === 'connection-failures') {
      traffic.push({ nat: f.nat, from: ms(f.at), to: f.until === undefined ? Infinity : ms(f.until), drop: f.kind === 'packet-drops' ? f.rate : 0, connFail: f.kind === 'connection-failures' ? f.rate : 0, pattern: f.pattern ?? { kind: 'steady' }, truth: f.truth ?? 'degraded' });
    }
    if (f.kind === 'metrics-missing') silent.push({ nat: f.nat, from: ms(f.at), to: ms(f.until) });
  }
  const gone = new Set<string>();
  const natAz = new Map(world.nats.map((n) => [n.id, n.az as string]));
  const truthOf = (nat: string, minuteStart: number): TruthStatus => {
    if (gone.has(nat)) return 'dead';
    const f = traffic.filter((x) => x.truth !== 'noise' && trafficFaultActive(x, nat, minuteStart, SIM_DEFAULTS.seed));
    return f.some((x) => x.truth === 'dead') ? 'dead' : f.length > 0 ? 'degraded' : 'ok';
  };
  const metricsFor = async (minuteStart: number) => {
    const targets = await seeder.targets();
    const byNat = new Map<string, Partial<Record<RuleMetric, number>>>();
    for (const nat of natAz.keys()) {
      const tables = [...targets.values()].filter((t) => t.v4 === nat).length;
      if (gone.has(nat) || tables === 0 || silent.some((x) => (x.nat === '*' || x.nat === nat) && x.from <= minuteStart && minuteStart < x.to)) continue;
      const active = traffic.filter((x) => trafficFaultActive(x, nat, minuteStart, SIM_DEFAULTS.seed));
      const drop = Math.min(1, active.reduce((a, x) => a + x.drop, 0.00001));
      const connFail = Math.min(1, active.reduce((a, x) => a + x.connFail, 0.001));
      const packets = SIM_DEFAULTS.packetsPerTable * tables;
      const attempts = SIM_DEFAULTS.attemptsPerTable * tables;
      byNat.set(nat, { PacketsDropCount: Math.round(packets * drop), PacketsOutToDestination: packets - Math.round(packets * drop), ConnectionAttemptCount: attempts, ConnectionEstablishedCount: Math.round(attempts * (1 - connFail)) });
    }
    await seeder.putMetrics(new Date(minuteStart), byNat);
  };
  for (let m = -6; m < 0; m++) await metricsFor(ms(m));

  const steps: StepRecord[] = [];
  for (let m = 0; m <= s.minutes; m++) {
    if (clock.nowMs() < ms(m)) clock.advanceTo(ms(m));
    const events: string[] = [];
    for (const f of s.faults.filter((x) => x.at === m && onEmulator(x) !== 'no')) {
      events.push(describeFault(f));
      if (f.kind === 'nat-state') {
        await seeder.deleteNat(f.nat);
        gone.add(f.nat);
      } else if (f.kind === 'nat-replaced') {
        await seeder.replaceNat(f.nat, f.by);
        gone.add(f.nat);
        natAz.set(f.by, natAz.get(f.nat) as string);
      }
    }
    await metricsFor(ms(m - 1));
    const calls = cloud.retry.stats.calls;
    let outcome: StepRecord['outcome'] = 'ok';
    let error: string | undefined;
    let report: Awaited<ReturnType<typeof reconcile>> | undefined;
    try {
      report = await reconcile({ cloud, clock, recorder }, config, { trigger: 'schedule' });
    } catch (e) {
      outcome = 'error';
      error = rename((e as Error).message);
    }
    const after = await seeder.targets();
    const targets = Object.fromEntries([...after].map(([t, r]) => [t, r.v4 ?? '-']));
    const targets6 = Object.fromEntries([...after].filter(([, r]) => r.v6).map(([t, r]) => [t, r.v6 as string]));
    const homesNow = Object.fromEntries([...homes].map(([t, h]) => [t, [...natAz].find(([n, az]) => az === h.az && !gone.has(n))?.[0]]));
    const signals: string[] = [];
    for (const [id, h] of report?.health.gateways ?? []) {
      for (const sig of h.hard) signals.push(rename(`${id}: ${sig.detail}`));
      if (h.soft === 'bad') for (const sig of h.softSignals) signals.push(rename(`${id}: ${sig.detail}`));
      if (h.softSuppressed) signals.push(rename(`${id}: soft signals set aside (static-stability guard)`));
    }
    steps.push({
      minute: m,
      at: new Date(ms(m)),
      events,
      outcome,
      error,
      changes: (report?.results ?? [])
        .filter((r) => r.action.routes.length > 0)
        .map((r) => ({ table: rename(r.action.routeTableId), transition: r.action.transition, status: r.status, routes: r.action.routes.map((c) => rename(`${c.destination}: ${c.from} -> ${c.to}`)), reasons: r.action.reasons.map(rename), detail: r.detail && rename(r.detail) })),
      findings: (report?.plan.findings ?? []).map((f) => ({ kind: f.kind, table: f.routeTableId && rename(f.routeTableId), message: rename(f.message) })),
      signals: signals.sort(),
      metricsRead: report?.observation.metrics !== undefined,
      targets,
      targets6,
      homes: homesNow,
      truth: Object.fromEntries([...natAz.keys()].map((n) => [n, truthOf(n, ms(m))])),
      calls: cloud.retry.stats.calls - calls,
      retries: 0,
      durationMs: clock.nowMs() - ms(m),
      violations: [],
    });
    if (process.stderr.isTTY) process.stderr.write(`\r\x1b[Krunning ${s.name} on ${endpoint}: T+${m}m of ${s.minutes}m`);
  }
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');

  const result: ScenarioResult = {
    scenario: s,
    policy: 'ours',
    start: new Date(start),
    steps,
    invariantChecks: 0,
    violations: [],
    expectations: skipped.length + approximate.length === 0 ? s.expect.map((e) => checkExpectation(e, steps, homes, azOf)) : [],
    measures: { routeChanges: steps.reduce((a, x) => a + x.changes.filter((c) => c.status === 'applied').length, 0), needless: 0, missed: 0, deadMinutes: 0, timeToFailover: [], timeToRestore: [] },
    managedTables,
    stats: { calls: cloud.retry.stats.calls, retries: cloud.retry.stats.retries, byOperation: { ...cloud.retry.stats.byOperation }, throttled: {}, elapsedMs: clock.elapsedMs },
    notifications: 0,
  };
  log(`${renderHeader(result)} [emulator: ${endpoint}]\n\n${renderTimeline(result)}\n\n${renderVerdict(result)}`);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `drill-${s.name}-emulator.html`);
  writeFileSync(file, renderHtml(result));
  log(`\nreport: ${file}`);
  return result.expectations.every((e) => e.ok) ? 0 : 1;
}
