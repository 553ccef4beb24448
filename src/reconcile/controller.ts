import type { Clock } from '../clock';
import type { Config } from '../config';
import { IPV4_DEFAULT, TAGS } from '../core/constants';
import type { ProbeVerdictUpdate, SignalUpdate } from '../events/types';
import { MAX_HOLD_DOWN_SECONDS } from '../core/constants';
import { probeZoneKey } from '../core/probeHealth';
import { assessHealth, isEligibleTarget } from '../core/health';
import { plan as makePlan, type PlanOverrides, type Policy } from '../core/planner';
import type { ActionResult, RunReport } from './types';
import type { CloudPort, KnownGateways, Notifier, PrefetchedSignals, PushedSignalsRead, Recorder, SignalSource } from './ports';
import { isCloudError } from '../errors';
import { notificationFor, SAFETY } from './notification';
import { mapLimit } from '../retry';
import type { WritePacers } from '../pacer';
import { CONTINUATION_RESERVE_MS, RECORD_RESERVE_MS, settleBy, timeLeft, VERIFY_MIN_MS } from './wrapUp';
import { whyNotQuiet } from '../core/quiet';
import type { TableMemory } from './tableMemory';
import type { Finding, HealthReport, Inventory, MetricWindow, Observation, Plan, ProbeObservation, ProbeRound, Route, RouteChange, RouteTable, UnreadSignalSource } from '../core/types';

export type { ActionResult, ActionStatus, RunReport } from './types';
export type { Policy } from '../core/planner';

export interface ControllerDeps {
  readonly cloud: CloudPort;
  readonly clock: Clock;
  readonly recorder: Recorder;
  readonly signals?: SignalSource;
  readonly notifier?: Notifier;
  /**
   * Epoch ms by which this invocation must be done (Lambda's getRemainingTimeInMillis, through the
   * wiring); undefined: no deadline (the CLI, the simulator's scenarios).
   */
  readonly deadline?: () => number | undefined;
  /** The EC2 write pacer the cloud adapter meters writes with: when the next write would start. */
  readonly pacer?: Pick<WritePacers, 'readyAt'>;
  /**
   * The route tables this container last read, for quiet scheduled runs (tableMemory.ts). Only the
   * reconcile function has one; without it every run reads every table.
   */
  readonly tables?: TableMemory;
}

/**
 * Time kept before the deadline when a run stops starting route writes: the state tags of the
 * tables it moved (a few grouped CreateTags, paced), the verify read, the log lines, the
 * notification, and the Retrier's own DEADLINE_MARGIN_MS. A 60 s invocation writes for 45 s.
 * What follows the writes is itself bounded (wrapUp.ts): the verify starts only with
 * VERIFY_MIN_MS (10 s) left, the notification gives up CONTINUATION_RESERVE_MS (2 s) before the
 * deadline, so a slow last write or read costs the verify or the notification, never the record.
 */
export const WRAP_UP_MS = 15_000;

/** Tables per compare-and-swap read: EC2 takes 200 filter values per request (src/aws/ec2.ts). */
export const CAS_READ_CHUNK = 199;

export interface RunOptions {
  /** What woke the controller (schedule, alarm, health, manual…), for the logs. */
  readonly trigger?: string;
  /** Read metrics this run whatever the poll interval (e.g. an alarm fired). */
  readonly forceMetrics?: boolean;
  /**
   * Makes this one run a dry run (the `plan` action, a manual --dry-run). It can only add caution:
   * a deployment with DRY_RUN=true writes nothing whatever a request says.
   */
  readonly dryRun?: boolean;
  /** One-run operator instructions (manual restore). */
  readonly overrides?: PlanOverrides;
  /** The decision policy; ours by default. The drill swaps in the peers' rule to compare. */
  readonly policy?: Policy;
  /** Signal updates parsed from the event that woke this run (alarm, Health, ARC). */
  readonly signalUpdates?: readonly SignalUpdate[];
  /** A probe's verdict from the event that woke this run (the fast path); used only when PROBES=on. */
  readonly probeVerdict?: ProbeVerdictUpdate;
}


/** A dry-run deployment never writes; a run may still ask to be a dry run on its own. */
export const isDryRun = (config: Pick<Config, 'dryRun'>, opts: Pick<RunOptions, 'dryRun'> = {}): boolean => config.dryRun || opts.dryRun === true;

/** The minute-aligned window of complete periods the soft rules judge. */
export function metricWindow(now: Date, config: Pick<Config, 'metricLagSeconds' | 'softWindowPeriods'>): { start: Date; end: Date } {
  const end = Math.floor((now.getTime() - config.metricLagSeconds * 1000) / 60_000) * 60_000;
  return { start: new Date(end - config.softWindowPeriods * 60_000), end: new Date(end) };
}

/** Observe: one pass over the region, plus metrics when due, plus pushed signals. */
export async function observe(deps: ControllerDeps, config: Config, opts: RunOptions = {}): Promise<Observation> {
  return (await observeWith(deps, config, opts, {})).observation;
}

/** How a quiet run observes: its own inventory read (a slice merged with memory), signals checked, not written. */
interface ObserveHow {
  readonly inventory?: () => Promise<Inventory>;
  readonly check?: boolean;
  /** Reads a quiet attempt of this run already started (its DescribeAlarms): not asked again. */
  readonly prefetched?: PrefetchedSignals;
}

async function observeWith(deps: ControllerDeps, config: Config, opts: RunOptions, how: ObserveHow): Promise<{ observation: Observation; signalWrites: number; prefetched?: PrefetchedSignals }> {
  const now = deps.clock.now();
  // Reads that need no inventory (DescribeAlarms) start now and run beside the EC2 describes.
  const prefetched = how.prefetched ?? deps.signals?.prefetch?.(now);
  const inventory = await (how.inventory ? how.inventory() : deps.cloud.readInventory(config));
  // Alarms that watch the same rules make the scheduled poll redundant; forced reads still happen.
  // While polling, a table away from home reads metrics every run: a restore may only be decided on
  // a run that judged the soft signals (the static-stability guard and the degraded-monitoring
  // hold both need them), never on an off-poll minute where every quiet home looks restorable.
  const awayFromHome = inventory.routeTables.some((t) => t.tags[TAGS.state] === 'failed-over');
  const pollDue =
    !deps.signals?.watchesMetrics && (awayFromHome || Math.floor(now.getTime() / 60_000) % config.metricPollMinutes === 0);
  const watched = inventory.natGateways.filter((n) => n.state === 'available' && n.availabilityMode === 'zonal').map((n) => n.id);
  const w = metricWindow(now, config);
  const dryRun = isDryRun(config, opts);
  const [read, pushed] = await Promise.all([
    // A forced read (an alarm fired, an operator asked, a verify) is the run that chooses targets
    // or shows headroom: capacity rides in the same request. A plain poll reads the rules only.
    (pollDue || opts.forceMetrics) && watched.length > 0
      ? readMetricsOrUnknown(deps, watched, w, opts.forceMetrics === true)
      : Promise.resolve<MetricsRead>({ metrics: undefined }),
    deps.signals
      ? deps.signals.read(now, { inventory, dryRun, updates: opts.signalUpdates ?? [], ...(prefetched ? { prefetched } : {}), ...(how.check ? { check: true } : {}) })
      : Promise.resolve<PushedSignalsRead>({ evacuations: [], alarms: [] }),
  ]);
  // The probes are read when they can change a decision: a verdict woke the run (its failure needs
  // the other AZs' results), a table is away (a restore needs the proof), or an operator asked
  // (status, plan). A steady state needs no read: a failing probe sends its verdict at once.
  // GetMetricData is billed per metric requested ($0.01 per 1,000, CloudWatch pricing): reading
  // 3 AZs every run would be 129,600 metrics, $1.30 a month, for nothing. Not read = no data,
  // which proves nothing: a restore is never decided on a run that did not read the probes.
  const probesDue = opts.probeVerdict !== undefined || awayFromHome || opts.forceMetrics === true;
  const probes =
    config.probes !== 'on' ? undefined : probesDue ? await readProbesOrUnknown(deps, config, inventory, now, opts.probeVerdict) : { observation: notRead(now) };
  const unreadSignals = [...(read.unread ? [read.unread] : []), ...(pushed.unread ?? []), ...(probes?.unread ? [probes.unread] : [])];
  return {
    observation: { now, inventory, metrics: read.metrics, evacuations: pushed.evacuations, alarms: pushed.alarms, unreadSignals, ...(probes ? { probes: probes.observation } : {}) },
    signalWrites: pushed.pendingWrites ?? 0,
    ...(prefetched ? { prefetched } : {}),
  };
}

/** Thrown from a quiet run's inventory read when its slice disagrees with what is remembered. */
class ReadEveryTable extends Error {}

/** What a quiet run read, for the log and the report. */
export interface QuietRead {
  readonly buckets: readonly number[];
  readonly rescanMinutes: number;
  readonly tablesRead: number;
  readonly tables: number;
}

/**
 * Only a plain scheduled run may be quiet: an event, an operator, a continuation, a probe's
 * verdict or another policy has something to say, and reads everything.
 */
const mayBeQuiet = (opts: RunOptions): boolean =>
  opts.trigger === 'schedule' && opts.dryRun !== true && opts.overrides === undefined && opts.policy === undefined &&
  opts.probeVerdict === undefined && (opts.signalUpdates?.length ?? 0) === 0 && opts.forceMetrics !== true;

/**
 * A quiet scheduled run (issue 16: a steady run at 1,000 tables parsed 2.58 MB, nearly all of it
 * the route tables): it reads the gateways, zones, alarms and, when due, metrics as every run does,
 * but only a slice of the route tables (core/slices.ts), the rest from the container's memory
 * (tableMemory.ts). It ends there only if nothing is unwell and nothing is to be done
 * (core/quiet.ts); otherwise undefined, and the run reads every table and decides on that alone.
 */
async function observeQuietly(deps: ControllerDeps, config: Config, opts: RunOptions): Promise<QuietAttempt> {
  const memory = deps.tables;
  if (!memory) return {};
  // The reason, logged once per kind; and the zones and gateways the attempt read, if it got that
  // far: the full read reuses them, so an incident costs the run no extra round trip.
  const readAll = (reason: string, known?: KnownGateways, prefetched?: PrefetchedSignals): QuietAttempt => {
    memory.forget();
    if (memory.news(reason)) deps.recorder.info('reading every route table this run', { reason });
    return { ...(known ? { known } : {}), ...(prefetched ? { prefetched } : {}) };
  };
  if (!mayBeQuiet(opts)) {
    memory.forget();
    return {};
  }
  const now = deps.clock.now();
  const p = memory.plan(now, config.tablesReadPerRun);
  if ('full' in p) return readAll(p.full);
  const remembered = memory.size;
  const vpcIds = memory.vpcIds();
  let read: readonly RouteTable[] = [];
  let gateways: KnownGateways | undefined;
  // Started here, so that a full read after a failed attempt reuses it instead of asking again.
  const prefetched = deps.signals?.prefetch?.(now);
  try {
    const { observation, signalWrites } = await observeWith(deps, config, opts, {
      check: true,
      ...(prefetched ? { prefetched } : {}),
      inventory: async () => {
        const inv = await deps.cloud.readInventory(config, { buckets: p.slice, vpcIds, ids: p.ids, tagKeys: p.tagKeys });
        read = inv.routeTables;
        gateways = { zones: inv.zones, natGateways: inv.natGateways, vpcIds: [...new Set([...vpcIds, ...inv.routeTables.map((t) => t.vpcId)])] };
        const merged = memory.merge(p, inv.routeTables, now);
        if ('full' in merged) throw new ReadEveryTable(merged.full);
        return { ...inv, routeTables: merged.tables };
      },
    });
    const decided = decide(observation, config, opts);
    const why = whyNotQuiet(observation, decided.health, decided.plan, signalWrites);
    if (why !== undefined) return readAll(why, gateways, prefetched);
    memory.commit(p.slice, read, now);
    return { quiet: { observation, ...decided, quiet: { buckets: p.slice, rescanMinutes: p.rescanMinutes, tablesRead: read.length, tables: Math.max(remembered, observation.inventory.routeTables.length) } } };
  } catch (e) {
    if (e instanceof ReadEveryTable) return readAll(e.message, gateways, prefetched);
    memory.forget();
    throw e;
  }
}

/** A quiet attempt: the quiet run's decision, or what a full read may reuse. */
interface QuietAttempt {
  readonly quiet?: { observation: Observation; health: HealthReport; plan: Plan; quiet: QuietRead };
  readonly known?: KnownGateways;
  readonly prefetched?: PrefetchedSignals;
}

/** Probes configured but not read this run: no zone, no evidence, no proof. */
const notRead = (now: Date): ProbeObservation => ({ start: now, end: now, zones: new Map() });

/**
 * The probed paths: every AZ with a zonal gateway in a VPC that has managed tables. An AZ whose
 * probe was not deployed simply has no data: its failures never count, and its home is never
 * proven (tables homed there are restored by an operator only).
 */
export function probeZones(inventory: Inventory): { vpcId: string; az: string }[] {
  const vpcs = new Set(inventory.routeTables.map((t) => t.vpcId));
  const keys = new Map<string, { vpcId: string; az: string }>();
  for (const n of inventory.natGateways) {
    if (n.az === undefined || n.availabilityMode !== 'zonal' || !vpcs.has(n.vpcId)) continue;
    keys.set(probeZoneKey(n.vpcId, n.az), { vpcId: n.vpcId, az: n.az });
  }
  return [...keys.values()].sort((a, b) => a.vpcId.localeCompare(b.vpcId) || a.az.localeCompare(b.az));
}

/**
 * How far back the probes are read: the longest hold-down a table can be in (flap damping
 * doubles it up to MAX_HOLD_DOWN_SECONDS), plus the lag the proof allows, plus two minutes. The
 * proof can only start inside the window, so a shorter read could never prove a long hold-down.
 * GetMetricData is billed per metric read, not per datapoint (CloudWatch pricing), so the
 * length costs nothing extra; 127 one-minute points per AZ fit its 100,800-point limit easily.
 */
export const probeReadSeconds = (config: Pick<Config, 'restoreHoldDownSeconds' | 'probeLagSeconds'>): number =>
  Math.max(config.restoreHoldDownSeconds, MAX_HOLD_DOWN_SECONDS) + config.probeLagSeconds + 120;

async function readProbesOrUnknown(
  deps: ControllerDeps,
  config: Config,
  inventory: Inventory,
  now: Date,
  verdict: ProbeVerdictUpdate | undefined,
): Promise<{ observation: ProbeObservation; unread?: UnreadSignalSource }> {
  const zones = probeZones(inventory);
  // Through the end of the current minute: a datum for this minute counts once it is readable.
  const end = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + 60_000);
  const start = new Date(end.getTime() - Math.ceil(probeReadSeconds(config) / 60) * 60_000);
  const found = new Map<string, ProbeRound[]>(zones.map((z) => [probeZoneKey(z.vpcId, z.az), []]));
  let unread: UnreadSignalSource | undefined;
  if (zones.length > 0) {
    try {
      if (!deps.cloud.readProbeMetrics) throw new Error('this cloud has no probe metrics');
      const read = await deps.cloud.readProbeMetrics(zones, start, end);
      for (const [k, rounds] of read) if (found.has(k)) found.set(k, [...rounds]);
    } catch (e) {
      if (deps.cloud.readProbeMetrics && !isCloudError(e)) throw e;
      deps.recorder.error('probe metrics not read; probe verdicts unknown, no restore is proven', { error: (e as Error).message });
      unread = { source: 'probes', error: (e as Error).message };
    }
  }
  // The event's verdict fills the publication lag; it counts only for a probed path of ours.
  if (verdict) {
    const k = probeZoneKey(verdict.vpcId, verdict.az);
    const list = found.get(k);
    if (list) list.push(verdict.round);
    else deps.recorder.warn('probe verdict for a path this controller does not manage; ignored', { vpcId: verdict.vpcId, az: verdict.az });
  }
  return { observation: { start, end, zones: found }, ...(unread ? { unread } : {}) };
}

interface MetricsRead {
  readonly metrics: MetricWindow | undefined;
  readonly unread?: UnreadSignalSource;
}

/**
 * Metrics feed only the soft rules; hard signals (gateway state, blackhole, AZ state, evacuations)
 * come from EC2 and events. A throttled or failing GetMetricData must therefore not fail the run:
 * that would block the failovers a dead gateway needs, and with managed alarms every alarm and
 * manual run forces a read. Only the cloud port's own errors (throttled, transient, rejected) are
 * read as "soft signals unknown"; anything else is a bug and still fails the run.
 */
async function readMetricsOrUnknown(deps: ControllerDeps, ids: readonly string[], w: { start: Date; end: Date }, capacity = false): Promise<MetricsRead> {
  try {
    return { metrics: await deps.cloud.readMetrics(ids, w.start, w.end, capacity ? { capacity } : undefined) };
  } catch (e) {
    if (!isCloudError(e)) throw e;
    deps.recorder.error('metrics not read; soft signals unknown', { error: e.message });
    // Recorded as unread, not just absent: absent metrics on a poll-free minute are normal, a
    // failed read means the planner must not take the silence for a healthy home.
    return { metrics: undefined, unread: { source: 'metrics', error: e.message } };
  }
}

/** True when the plan sends some table to a gateway it chose: the runs whose choice headroom informs. */
export const choosesTargets = (plan: Plan): boolean => plan.actions.some((a) => a.routes.length > 0 && (a.transition === 'failover' || a.transition === 'pin'));

/**
 * Capacity on demand: a run that chooses failover targets without capacity data (the metric poll
 * was not due, or alarms watch the rules) reads it once, with the rule metrics, in one
 * GetMetricData, and decides again on it. Steady-state runs choose nothing and pay nothing. The
 * read failing costs only the preference: headroom stays unknown and the first plan stands.
 */
async function withCapacity(deps: ControllerDeps, config: Config, obs: Observation, plan: Plan): Promise<Observation | undefined> {
  // CloudWatch already failed this run (throttled, down): another read would only add to it.
  if (obs.metrics?.capacity !== undefined || obs.unreadSignals.some((u) => u.source === 'metrics') || !choosesTargets(plan)) return undefined;
  // Every zonal gateway that may still publish: a failed home's recent connections are what its
  // tables take with them (the planner's per-table share); the soft rules judge available ones only.
  const ids = obs.inventory.natGateways.filter((n) => n.state !== 'deleted' && n.availabilityMode === 'zonal').map((n) => n.id);
  if (ids.length === 0) return undefined;
  const w = metricWindow(obs.now, config);
  try {
    const metrics = await deps.cloud.readMetrics(ids, w.start, w.end, { capacity: true });
    return { ...obs, metrics };
  } catch (e) {
    if (!isCloudError(e)) throw e;
    deps.recorder.warn('capacity not read; failover targets chosen without headroom', { error: e.message });
    return undefined;
  }
}

/** Decide: pure. */
export function decide(obs: Observation, config: Config, opts: Pick<RunOptions, 'overrides' | 'policy'> = {}): { health: HealthReport; plan: Plan } {
  const health = assessHealth(obs, config);
  return { health, plan: (opts.policy ?? makePlan)(obs, health, config, opts.overrides) };
}

const groupKey = (o: Readonly<Record<string, string>> | readonly string[]): string =>
  JSON.stringify(Array.isArray(o) ? [...(o as readonly string[])].sort() : Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));

/**
 * Act: route writes checked against the tables as they are just before the writes (one batched
 * DescribeRouteTables for every table this pass moves), then the state tags, grouped so identical
 * tag sets cost one call. EC2 has no conditional ReplaceRoute, so the check narrows the race with
 * another writer but cannot close it: reconcile() re-reads after writing (verify) and re-decides
 * what it lost. (A read per table just before its write was measured: 113 instead of 59 calls and
 * half the speed for a 50-table failover, bench/failover.ts, for a window the verify covers anyway.)
 */
export async function act(deps: ControllerDeps, config: Config, plan: Plan): Promise<ActionResult[]> {
  const moving = plan.actions.filter((a) => a.routes.length > 0);
  // The compare-and-swap reads go chunk by chunk (one DescribeRouteTables each), the next chunk
  // read while this one is written: the first write no longer waits for every table's read (five
  // sequential reads, 0.5 s, for 1,000 tables), and each table is read closer to its write. A
  // failed read before any write fails the run as before; a later one fails only its chunk's
  // tables, unwritten, so what was written is still recorded below.
  const ids = moving.map((a) => a.routeTableId);
  const chunks: string[][] = [];
  for (let i = 0; i < ids.length; i += CAS_READ_CHUNK) chunks.push(ids.slice(i, i + CAS_READ_CHUNK));
  const chunkOf = new Map(ids.map((id, i) => [id, Math.floor(i / CAS_READ_CHUNK)]));
  const reads = new Map<number, Promise<ReadonlyMap<string, readonly Route[]>>>();
  // Chunks already read, so the common case takes no extra await per table.
  const done: (ReadonlyMap<string, readonly Route[]> | undefined)[] = [];
  const readChunk = (k: number): Promise<ReadonlyMap<string, readonly Route[]>> => {
    let p = reads.get(k);
    if (!p) {
      p = deps.cloud.readRoutes(chunks[k] ?? []);
      // A prefetch nobody awaits yet must not become an unhandled rejection; awaiting p still throws.
      p.then((m) => void (done[k] = m), () => undefined);
      reads.set(k, p);
    }
    return p;
  };
  if (chunks.length > 0) await readChunk(0);

  // A route write starts only if it can get its token and still leave WRAP_UP_MS before the
  // deadline: what is written is then recorded (tags, log, notification) in this invocation, and
  // the rest is left whole to the continuation (reconcile reports them `deferred`).
  const canStart = (): boolean => {
    const deadline = deps.deadline?.();
    if (deadline === undefined) return true;
    const startsAt = Math.max(deps.clock.now().getTime(), deps.pacer?.readyAt() ?? 0);
    return startsAt <= deadline - WRAP_UP_MS;
  };

  const routeResults = await mapLimit(moving, config.writeConcurrency, async (a): Promise<ActionResult> => {
    const k = chunkOf.get(a.routeTableId) ?? 0;
    if (k + 1 < chunks.length && !reads.has(k + 1)) void readChunk(k + 1);
    let now: readonly Route[] | undefined;
    try {
      now = (done[k] ?? (await readChunk(k))).get(a.routeTableId);
    } catch (e) {
      return { action: a, status: 'failed', applied: [], detail: `not written: the compare-and-swap read failed: ${(e as Error).message}` };
    }
    const drift = a.routes.find((c) => {
      const r = now?.find((x) => x.destination === c.destination);
      return !r || r.target.kind !== 'nat' || r.target.id !== c.from;
    });
    if (drift) {
      const r = now?.find((x) => x.destination === drift.destination);
      return { action: a, status: 'conflict', applied: [], detail: `${drift.destination} now points at ${r?.target.id ?? 'nothing'}, expected ${drift.from}: changed by someone else, not touched` };
    }
    // Checked once per table: its NAT64 route follows its IPv4 route within the wrap-up time.
    if (!canStart()) return { action: a, status: 'deferred', applied: [], detail: DEFERRED_DETAIL };
    const applied: RouteChange[] = [];
    for (const c of a.routes) {
      try {
        await deps.cloud.replaceRoute(a.routeTableId, c.destination, c.to);
        applied.push(c);
      } catch (e) {
        return { action: a, status: 'failed', applied, detail: `${c.destination}: ${(e as Error).message}` };
      }
    }
    return { action: a, status: 'applied', applied };
  });

  // Tags only where the IPv4 route is where the recorded state says (or did not need to move).
  // Maps and sets, not array searches: a 5,000-table evacuation is one pass over its actions.
  const byTable = new Map(routeResults.map((r) => [r.action.routeTableId, r]));
  const taggable = new Set(
    plan.actions.filter((a) => {
      const r = byTable.get(a.routeTableId);
      if (!r) return true;
      return r.status === 'applied' || (r.status === 'failed' && r.applied.some((c) => c.destination === IPV4_DEFAULT));
    }),
  );
  const tagFailures = new Map<string, string>();
  const setGroups = new Map<string, { tags: Readonly<Record<string, string>>; ids: string[] }>();
  const removeGroups = new Map<string, { keys: readonly string[]; ids: string[] }>();
  for (const a of taggable) {
    if (Object.keys(a.tags.set).length > 0) {
      const k = groupKey(a.tags.set);
      const g = setGroups.get(k) ?? { tags: a.tags.set, ids: [] };
      g.ids.push(a.routeTableId);
      setGroups.set(k, g);
    }
    if (a.tags.remove.length > 0) {
      const k = groupKey(a.tags.remove);
      const g = removeGroups.get(k) ?? { keys: a.tags.remove, ids: [] };
      g.ids.push(a.routeTableId);
      removeGroups.set(k, g);
    }
  }
  const run = async (writes: readonly { ids: readonly string[]; run: () => Promise<void> }[]) =>
    mapLimit(writes, config.writeConcurrency, async (w) => {
      try {
        await w.run();
      } catch (e) {
        for (const id of w.ids) tagFailures.set(id, `state tags not written: ${(e as Error).message}`);
      }
    });
  // Creates before deletes, and no delete on a table whose create failed: a removal may be a
  // legacy key (LEGACY_TAGS) whose replacement is in the create, and deleting it first would lose
  // the pin or flap count it holds.
  await run([...setGroups.values()].map((g) => ({ ids: g.ids, run: () => deps.cloud.createTags(g.ids, g.tags) })));
  const removals: { ids: string[]; run: () => Promise<void> }[] = [];
  for (const g of removeGroups.values()) {
    const ids = g.ids.filter((id) => !tagFailures.has(id));
    if (ids.length > 0) removals.push({ ids, run: () => deps.cloud.deleteTags(ids, g.keys) });
  }
  await run(removals);

  const results: ActionResult[] = [];
  for (const a of plan.actions) {
    const r = byTable.get(a.routeTableId) ?? { action: a, status: 'applied' as const, applied: [] };
    const tagErr = taggable.has(a) ? tagFailures.get(a.routeTableId) : undefined;
    results.push(tagErr && r.status === 'applied' ? { ...r, status: 'failed', detail: tagErr } : r);
  }
  return results;
}

export const DEFERRED_DETAIL = 'not started: the invocation deadline is near; the continuation run (invoked at once) does it';

function summarise(f: Finding): Record<string, unknown> {
  // `reason`, not `message`: the log line's own `message` is the event ("held by safety rule").
  return { kind: f.kind, routeTableId: f.routeTableId, vpcId: f.vpcId, az: f.az, reason: f.message };
}

/** Record: one log line per change and finding, EMF counters, a notification per change or hold. */
export async function record(deps: ControllerDeps, report: RunReport): Promise<void> {
  const { recorder } = deps;
  let failovers = 0;
  let restores = 0;
  // One line for what the deadline left over, not one per table: a 5,000-table evacuation
  // would otherwise log thousands of identical lines per invocation.
  const deferred = report.results.filter((r) => r.status === 'deferred').map((r) => r.action.routeTableId);
  if (deferred.length > 0) {
    recorder.warn('route changes deferred: invocation deadline near; continuing in a new invocation', { count: deferred.length, tables: deferred.slice(0, 20), trigger: report.trigger });
  }
  for (const r of report.results) {
    const a = r.action;
    if (r.status === 'deferred') continue;
    if (a.routes.length === 0) {
      if (r.status === 'failed') recorder.error('state tags not written', { routeTableId: a.routeTableId, detail: r.detail });
      continue;
    }
    const line = {
      routeTableId: a.routeTableId,
      vpcId: a.vpcId,
      homeAz: a.homeAz,
      transition: a.transition,
      status: r.status,
      routes: a.routes.map((c) => `${c.destination}: ${c.from} -> ${c.to}`),
      reasons: a.reasons,
      detail: r.detail,
      trigger: report.trigger,
    };
    if (r.status === 'applied') {
      recorder.info('route changed', line);
      // Failovers count moves away from home (automatic or pinned); repoints and NAT64
      // convergence are neither a failover nor a restore.
      if (a.transition === 'restore') restores++;
      else if (a.transition === 'failover' || a.transition === 'pin') failovers++;
    } else if (r.status === 'dry-run') recorder.info('would change route (dry run)', line);
    else if (r.status === 'conflict') recorder.warn('route conflict: another writer changed it (see detail)', line);
    else recorder.error('route change failed', line);
  }
  let safetyHolds = 0;
  for (const f of report.plan.findings) {
    if (SAFETY.has(f.kind)) {
      safetyHolds++;
      recorder.warn('held by safety rule', summarise(f));
    } else if (f.kind !== 'hold-down') recorder.info('finding', summarise(f));
  }
  const conflicts = report.results.filter((r) => r.status === 'conflict').length;

  // Custom metrics are billed per series-month, prorated by the hour a series is published
  // (CloudWatch pricing). A run publishes a series only when it has something to say: counts
  // when nonzero, tables away while any is away, and one last 0 per AZ from the run that brings
  // tables home, so a graph ends at 0 rather than at its last incident value. A quiet month
  // publishes nothing (bench/cost.ts: customMetrics).
  if (failovers > 0) recorder.count('Failovers', failovers);
  if (restores > 0) recorder.count('Restores', restores);
  if (safetyHolds + conflicts > 0) recorder.count('SkippedBySafety', safetyHolds + conflicts);
  const awayByAz = new Map<string, number>();
  for (const t of report.plan.tables) {
    if (t.homeAz === undefined || t.mode === 'unmanaged') continue;
    awayByAz.set(t.homeAz, (awayByAz.get(t.homeAz) ?? 0) + (t.desiredTarget !== t.homeNat ? 1 : 0));
  }
  const anyAway = [...awayByAz.values()].some((n) => n > 0);
  if (anyAway || restores > 0) for (const [az, n] of [...awayByAz].sort()) recorder.count('TablesAwayFromHome', n, { AvailabilityZone: az });

  // Everything above is synchronous (log lines, EMF counts held for middy's flush); the
  // notification is the first and only thing here that can block, so it comes last and is
  // bounded: it must end CONTINUATION_RESERVE_MS before the deadline (wrapUp.ts), and one that
  // does not fit is logged as not sent, never thrown, so the continuation still gets its turn.
  const notification = notificationFor(report);
  const { notifier } = deps;
  if (notifier && notification) {
    const by = deadlineLess(deps, CONTINUATION_RESERVE_MS);
    try {
      const sent = by !== undefined && by <= deps.clock.now().getTime() ? { done: false as const } : await settleBy(deps.clock, (signal) => notifier.notify(notification, signal), by);
      if (!sent.done) recorder.error(NOTIFICATION_NOT_SENT, { subject: notification.subject });
    } catch (e) {
      // A notification is not worth failing a run whose routes already moved.
      recorder.error('notification failed', { error: (e as Error).message });
    }
  }
}

export const NOTIFICATION_NOT_SENT = 'notification not sent in time: the invocation deadline is near; the log lines above record the run';

/** Route-writing passes per run: the first, then at most two corrections after a lost race. */
export const MAX_WRITE_PASSES = 3;

const natIndex = new WeakMap<Observation, ReadonlyMap<string, Observation['inventory']['natGateways'][number]>>();
/** The reading's gateways by id, built once per reading (not a search per written table). */
function natsOf(obs: Observation): ReadonlyMap<string, Observation['inventory']['natGateways'][number]> {
  let m = natIndex.get(obs);
  if (!m) natIndex.set(obs, (m = new Map(obs.inventory.natGateways.map((n) => [n.id, n]))));
  return m;
}

/** The gateway a route was written to is (still) somewhere traffic may go, on this reading. */
function eligibleOn(obs: Observation, health: HealthReport, natId: string): boolean {
  const nat = natsOf(obs).get(natId);
  return nat !== undefined && isEligibleTarget(nat, health.gateways.get(natId));
}

/**
 * Verify after writing, for a second writer (`--direct`, `invoke local` and the functions are not
 * serialised with each other, and EC2 has no conditional ReplaceRoute). One fresh read of the
 * region (signals included, nothing written) and a fresh decision. A table this run wrote or found
 * changed is a conflict when
 *  - a route no longer points where this run wrote it, nor back where it was (another writer
 *    wrote after us; a route still showing the old target is a read that does not see our write
 *    yet: EC2 is eventually consistent, and that is not a race), or
 *  - the gateway this run wrote to was eligible on the reading it decided on and is not on the
 *    fresh one (another writer's event opened an evacuation, an alarm fired, it died meanwhile), or
 *  - act() already found it changed by someone else before writing.
 * Only that evidence counts, never "the fresh decision differs": a one-run override (a forced
 * restore into a home that is soft-bad) does not apply to the fresh decision once the table is
 * home, and re-deciding on it would fail the table straight back over, a flap with no other writer.
 * Conflicted tables are re-decided on the fresh reading and written again (each write again
 * checked and verified), at most MAX_WRITE_PASSES passes in all. Whatever the interleaving, the
 * writer whose write stands has verified it against a reading at least as new as the other's,
 * so no table is left on a gateway either run knew to be dead, evacuated or unhealthy; the
 * writer that lost reports `conflict`.
 *
 * That holds for reads that see every completed write (the tests' region). The EC2 API is
 * eventually consistent ("Eventual consistency in the Amazon EC2 API", EC2 developer guide): a
 * Describe right after another caller's write may not show it yet, so on AWS a race can outlive
 * this verify; the next scheduled run (level-triggered, one minute later) is the backstop, and
 * reserved concurrency keeps the functions themselves to one writer. ReplaceRoute has no
 * condition parameter (EC2 API reference), hence read-write-read rather than compare-and-swap.
 *
 * The routes are already written when this runs: a failed verify read must not lose the record of
 * them (log line, notification, metrics), so it is logged and the first pass's results stand.
 */
async function verified(deps: ControllerDeps, config: Config, opts: RunOptions, first: { observation: Observation; health: HealthReport }, results: ActionResult[]): Promise<Verified> {
  let all = results;
  let last = results;
  let decidedOn = first;
  // A verify or correction the deadline cut short leaves what it would have repaired (another
  // writer's table on a gateway this run knows is dead) to a continuation, invoked at once, not to
  // the next schedule tick (found in review).
  const cut = (): Verified => ({ results: all, unfinished: true });
  for (let pass = 1; ; pass++) {
    const touched = last.filter((r) => r.applied.length > 0 || r.status === 'conflict');
    if (touched.length === 0) return { results: all, unfinished: false };
    // Near the deadline the record comes first (wrapUp.ts): a verify that cannot finish before
    // RECORD_RESERVE_MS is not started, and one that overruns is dropped, never awaited into the
    // record's time. The routes are written either way; the next run re-reads them.
    const left = timeLeft(deps.clock, deps.deadline);
    if (left < VERIFY_MIN_MS) {
      deps.recorder.warn(VERIFY_SKIPPED, { pass, secondsLeft: Math.floor(left / 1000), tables: touched.length });
      return cut();
    }
    // The fresh reading keeps what this run knew: its own event (re-applying an update to the memory
    // changes nothing, and a memory that could not be written must not be forgotten here), its
    // overrides, and metrics if it judged them. Dry run: the verify itself writes nothing.
    let fresh: Observation;
    try {
      const read = await settleBy(deps.clock, () => observe(deps, config, { ...opts, dryRun: true, forceMetrics: opts.forceMetrics || first.observation.metrics !== undefined }), deadlineLess(deps, RECORD_RESERVE_MS));
      if (!read.done) {
        deps.recorder.warn(VERIFY_SKIPPED, { pass, reason: 'the fresh read did not answer in time', tables: touched.length });
        return cut();
      }
      fresh = read.value;
    } catch (e) {
      deps.recorder.error('verify after writing not done: the fresh read failed; the next run re-reads and repairs', { error: (e as Error).message, pass });
      return { results: all, unfinished: false };
    }
    const { health, plan } = decide(fresh, config, opts);
    const again = new Map(plan.actions.filter((a) => a.routes.length > 0).map((a) => [a.routeTableId, a]));
    const tables = new Map(fresh.inventory.routeTables.map((t) => [t.id, t]));
    const conflicted = new Map<string, string>();
    for (const r of touched) {
      const id = r.action.routeTableId;
      const routeNow = (c: RouteChange) => tables.get(id)?.routes.find((x) => x.destination === c.destination);
      const lost = r.applied.find((c) => {
        const now = routeNow(c);
        const at = now?.target.kind === 'nat' ? now.target.id : undefined;
        return at !== c.to && at !== c.from;
      });
      // A half-written table (failed) is not re-decided here: its write failed, the next run retries.
      const spoiled = r.status === 'failed' ? undefined : r.applied.find((c) => eligibleOn(decidedOn.observation, decidedOn.health, c.to) && !eligibleOn(fresh, health, c.to));
      if (lost) {
        conflicted.set(id, `${lost.destination} written to ${lost.to}, now ${routeNow(lost)?.target.id ?? 'gone'}: another writer changed it after this run`);
      } else if (spoiled) {
        conflicted.set(id, `${spoiled.to}, written for ${spoiled.destination}, is no longer a healthy target on a newer reading: another writer or event changed the world after this run observed it`);
      } else if (r.status === 'conflict') {
        conflicted.set(id, r.detail ?? 'changed by someone else');
      }
    }
    // A table this run did not write, which another writer put on a gateway this run knew to be
    // no healthy target (its event opened an evacuation the other writer had not seen): the fresh
    // decision moves it, and this run, the one holding the newer knowledge, does it now instead of
    // leaving it there until the next scheduled run.
    // Only a route that moved since this run's first reading counts (a table the cap or the deadline
    // deferred has not moved, and stays deferred).
    const touchedIds = new Set(touched.map((r) => r.action.routeTableId));
    const firstTarget = (id: string, destination: string): string | undefined => {
      const t = first.observation.inventory.routeTables.find((x) => x.id === id)?.routes.find((x) => x.destination === destination)?.target;
      return t?.kind === 'nat' ? t.id : undefined;
    };
    for (const a of again.values()) {
      if (touchedIds.has(a.routeTableId)) continue;
      const stranded = a.routes.find((c) => firstTarget(a.routeTableId, c.destination) !== c.from && !eligibleOn(decidedOn.observation, decidedOn.health, c.from) && !eligibleOn(fresh, health, c.from));
      if (stranded) conflicted.set(a.routeTableId, `${stranded.destination} was moved to ${stranded.from} by another writer after this run read it; this run knows ${stranded.from} is no healthy target`);
    }
    if (conflicted.size === 0) return { results: all, unfinished: false };
    const lastSet = new Set(last);
    const mark = (r: ActionResult): ActionResult => {
      const why = conflicted.get(r.action.routeTableId);
      return why !== undefined && lastSet.has(r) && r.action.routes.length > 0 ? { ...r, status: 'conflict', detail: r.status === 'conflict' ? r.detail : why } : r;
    };
    all = all.map(mark);
    const redo = plan.actions.filter((a) => conflicted.has(a.routeTableId) && again.has(a.routeTableId));
    if (pass >= MAX_WRITE_PASSES || redo.length === 0) return { results: all, unfinished: false };
    // A correction pass is route writes: the same bar as act()'s own (no write starts inside
    // WRAP_UP_MS). Started later it could write nothing, yet its compare-and-swap read and the
    // verify after it would eat the record's time; the tables stay `conflict`, for the next run.
    if (timeLeft(deps.clock, deps.deadline) < WRAP_UP_MS) {
      deps.recorder.warn('lost a race with another writer; not re-deciding: the invocation deadline is near; a continuation re-reads and repairs', { tables: [...conflicted.keys()], pass });
      return cut();
    }
    deps.recorder.warn('lost a race with another writer; re-deciding on a fresh reading', { tables: [...conflicted.keys()], pass });
    decidedOn = { observation: fresh, health };
    last = await act(deps, config, { ...plan, actions: redo });
    all = [...all, ...last];
  }
}

export const VERIFY_SKIPPED = 'verify after writing skipped: the invocation deadline is near; the routes written are recorded, a continuation re-reads and repairs';

interface Verified {
  readonly results: ActionResult[];
  /** Cut short by the deadline: the run asks for a continuation (RunReport.continuation). */
  readonly unfinished: boolean;
}

/** The deadline less `ms` (undefined without a deadline). */
function deadlineLess(deps: Pick<ControllerDeps, 'deadline'>, ms: number): number | undefined {
  const at = deps.deadline?.();
  return at === undefined ? undefined : at - ms;
}

/** How often a run woken by a failing probe re-reads while it waits for the other AZs' probes. */
export const PROBE_WAIT_STEP_MS = 5_000;

/**
 * True while the run's failing verdict is neither corroborated nor contradicted: no other probed
 * AZ of the VPC failed, but some has no readable result yet from the minute the failure began.
 */
export function awaitingCorroboration(health: HealthReport, verdict: ProbeVerdictUpdate | undefined): boolean {
  if (!verdict?.round.failed || !health.probes) return false;
  const zones = health.probes.zones.filter((z) => z.vpcId === verdict.vpcId);
  const z = zones.find((x) => x.az === verdict.az);
  if (!z || z.verdict !== 'bad' || z.corroborated) return false;
  const others = zones.filter((o) => o.az !== z.az && o.last !== undefined);
  const since = Math.floor((z.failingSince ?? verdict.round.at).getTime() / 60_000) * 60_000;
  return others.length > 0 && others.every((o) => !o.last?.failed) && others.some((o) => (o.last?.at.getTime() ?? 0) < since);
}

/**
 * The fast path (issue 13). A failing verdict counts against its AZ only when the other AZs'
 * probes succeeded in the same minute or later (else it may be the internet or the targets, and
 * the static-stability guard holds). Those successes travel as metrics, readable only after
 * CloudWatch's publication delay (unbounded for fresh data in the PutMetricData API reference), so
 * a run woken by the verdict that finds them not yet readable waits and re-observes, every
 * PROBE_WAIT_STEP_MS, up to PROBE_WAIT_SECONDS: level-triggered, each pass a full fresh
 * observation. If time runs out the guard's finding stands and the scheduled runs take over
 * (the failing invocation's own datum carries the verdict to them). The wait is billed Lambda
 * time, paid only on failing verdicts.
 */
async function awaitProbeCorroboration(
  deps: ControllerDeps,
  config: Config,
  opts: RunOptions,
  first: Observation,
): Promise<{ observation: Observation; health: HealthReport; plan: Plan }> {
  let observation = first;
  let decided = decide(observation, config, opts);
  if (config.probes !== 'on') return { observation, ...decided };
  // Never wait into the invocation's wrap-up: a failover decided after the wait must still be
  // written in this invocation, not deferred to a continuation (found in review).
  const invocationEnd = deps.deadline?.();
  const deadline = Math.min(first.now.getTime() + config.probeWaitSeconds * 1000, invocationEnd === undefined ? Infinity : invocationEnd - WRAP_UP_MS - PROBE_WAIT_STEP_MS);
  let waited = false;
  while (awaitingCorroboration(decided.health, opts.probeVerdict)) {
    const left = deadline - deps.clock.now().getTime();
    if (left <= 0) {
      deps.recorder.info('probe failure not corroborated in time; the scheduled runs take over', { vpcId: opts.probeVerdict?.vpcId, az: opts.probeVerdict?.az, waitedSeconds: config.probeWaitSeconds });
      break;
    }
    waited = true;
    await deps.clock.sleep(Math.min(PROBE_WAIT_STEP_MS, left));
    observation = await observe(deps, config, opts);
    decided = decide(observation, config, opts);
  }
  if (waited) deps.recorder.info('waited for the other AZs\' probes', { seconds: Math.round((deps.clock.now().getTime() - first.now.getTime()) / 1000) });
  return { observation, ...decided };
}

/** One level-triggered pass: observe → decide → act → record. Safe to run again at any time. */
export async function reconcile(deps: ControllerDeps, config: Config, opts: RunOptions = {}): Promise<RunReport> {
  const started = deps.clock.now();
  const dryRun = isDryRun(config, opts);
  const attempt = await observeQuietly(deps, config, opts);
  const quiet = attempt.quiet;
  const known = attempt.known;
  let firstRead: { observation: Observation; signalWrites: number } | undefined;
  const fullRead: ObserveHow = {
    ...(known ? { inventory: () => deps.cloud.readInventory(config, undefined, known) } : {}),
    ...(attempt.prefetched ? { prefetched: attempt.prefetched } : {}),
  };
  const corroborated = quiet ?? (await awaitProbeCorroboration(deps, config, opts, (firstRead = await observeWith(deps, config, opts, fullRead)).observation));
  // Capacity informs our planner only; another policy (the drills' peers' rule) decides on what it
  // would have observed itself.
  const informed = opts.policy === undefined && !quiet ? await withCapacity(deps, config, corroborated.observation, corroborated.plan) : undefined;
  const { observation, health, plan } = informed ? { observation: informed, ...decide(informed, config, opts) } : corroborated;
  // A full read that was itself quiet (nothing written, nothing unwell) is what the next quiet runs
  // remember; anything else is forgotten, so the next run reads every table again at once (during
  // an incident no run pays for a slice it would then throw away).
  if (deps.tables && !quiet) {
    const asQuiet = firstRead !== undefined && firstRead.observation === observation && whyNotQuiet(observation, health, plan, firstRead.signalWrites) === undefined;
    if (asQuiet) deps.tables.remember(observation.inventory.routeTables, observation.now);
    else deps.tables.forget();
  }
  deps.recorder.info('plan', {
    trigger: opts.trigger ?? 'unknown',
    dryRun,
    tables: plan.tables.length,
    actions: plan.actions.length,
    routeChanges: plan.actions.filter((a) => a.routes.length > 0).length,
    periodsJudged: health.periodsJudged
      ? `${health.periodsJudged.start.toISOString()}..${health.periodsJudged.end.toISOString()}`
      : 'metrics not read this run',
    routeTablesRead: quiet
      ? `${quiet.quiet.tablesRead} of ${quiet.quiet.tables} (quiet run: the rest remembered, each re-read within ${quiet.quiet.rescanMinutes} minutes)`
      : 'all',
  });
  const { results, unfinished } = dryRun
    ? { results: plan.actions.map((a): ActionResult => ({ action: a, status: 'dry-run', applied: [] })), unfinished: false }
    : await verified(deps, config, opts, { observation, health }, await act(deps, config, plan));
  const continuation = unfinished || results.some((r) => r.status === 'deferred');
  const report: RunReport = { at: started, trigger: opts.trigger ?? 'unknown', dryRun, observation, health, plan, results, continuation, ...(quiet ? { quiet: quiet.quiet } : {}) };
  await record(deps, report);
  // No duration metric of our own: Lambda's Duration (AWS/Lambda, free) measures the same run.
  return report;
}
