import type { Config } from '../config';
import { LEGACY_TAGS, TAGS } from '../core/constants';
import { type ControllerDeps, decide, isDryRun, observe, reconcile, type RunReport } from '../reconcile/controller';
import { NatFailoverError, oneLine } from '../errors';
import type { PlanOverrides } from '../core/planner';
import { type RunSummary, summarizeRun } from '../reconcile/report';
import { pinValue, truncate } from '../core/state';
import type { Observation, Pin } from '../core/types';
import { isoSeconds } from '../core/time';
import type { GatewayEndpointReader, PortAllocationReader, ReconcileRequest, ReconcileRunner } from './ports';
import { ACTIONS, type ActionName, type ManualRequest, parseRequest, RequestError } from './request';
import { resolveFailover, resolveRelease, resolveRestore, type World } from './resolve';
import { buildStatus, PORT_ALLOCATION_WINDOW_MINUTES, type StatusReport } from './status';

export interface ManualDeps extends ControllerDeps {
  readonly endpoints: GatewayEndpointReader;
  readonly runner: ReconcileRunner;
  /** Read by `status` only (one extra GetMetricData); absent, status shows no port-allocation line. */
  readonly portAllocation?: PortAllocationReader;
}

/**
 * `ErrorPortAllocation` over the last few whole minutes, for the gateways `status` shows. A failure
 * here costs the operator one informational line, not the status: it is logged and left out.
 */
async function portAllocationErrors(deps: ManualDeps, w: World, vpcId: string | undefined): Promise<ReadonlyMap<string, number> | undefined> {
  const nats = w.obs.inventory.natGateways.filter((n) => vpcId === undefined || n.vpcId === vpcId).map((n) => n.id);
  // status's own forced metric read carries ErrorPortAllocation already (capacity, issue 13): the
  // same numbers the headroom column shows, and no second GetMetricData.
  const capacity = w.obs.metrics?.capacity;
  if (capacity !== undefined) {
    const out = new Map<string, number>();
    for (const id of nats) {
      const errors = capacity.get(id)?.portAllocationErrors;
      if (errors !== undefined) out.set(id, errors);
    }
    return out;
  }
  if (!deps.portAllocation || nats.length === 0) return undefined;
  const end = new Date(Math.floor(w.obs.now.getTime() / 60_000) * 60_000);
  const start = new Date(end.getTime() - PORT_ALLOCATION_WINDOW_MINUTES * 60_000);
  try {
    return await deps.portAllocation.readPortAllocationErrors(nats, start, end);
  } catch (e) {
    deps.recorder.warn('status: ErrorPortAllocation not read', { error: e instanceof Error ? e.message : String(e) });
    return undefined;
  }
}

export type ErrorCode = 'invalid-request' | 'busy' | 'cloud-error' | 'internal';

export interface ManualError {
  readonly ok: false;
  readonly action: string | null;
  readonly error: { readonly code: ErrorCode; readonly field: string | null; readonly message: string };
  /** What was already recorded when a later step failed (the next scheduled run completes it). */
  readonly recorded?: readonly string[];
  /**
   * The error itself, for an in-process caller (the CLI words it: credentials, region, endpoint).
   * Not enumerable: it never reaches JSON, so the function's answer is unchanged.
   */
  readonly cause?: unknown;
}

export interface StatusResult extends StatusReport {
  readonly ok: true;
  readonly action: 'status';
}
export interface PlanResult {
  readonly ok: true;
  readonly action: 'plan';
  readonly plan: RunSummary;
}
export interface ChangeResult {
  readonly ok: true;
  readonly action: 'failover' | 'restore' | 'release';
  readonly dryRun: boolean;
  readonly by: string;
  /** The route tables the request selected. */
  readonly tables: readonly string[];
  readonly pin: { awayFrom: string; target: string | null; until: string | null; reason: string } | null;
  readonly message: string;
  /** How the run was made: the reconcile function, reconcile in this process, or not at all. */
  readonly via: 'lambda' | 'in-process' | 'plan-only' | 'none';
  /** The reconcile run's own report (a dry-run plan when dryRun). */
  readonly run: RunSummary | null;
}

export type ManualResult = StatusResult | PlanResult | ChangeResult | ManualError;

/** Every key a pin may occupy, the legacy five-key form included (a release removes them all). */
export const PIN_TAG_KEYS = [TAGS.pin, TAGS.pinReason, LEGACY_TAGS.pinAwayFrom, LEGACY_TAGS.pinTarget, LEGACY_TAGS.pinUntil, LEGACY_TAGS.pinBy] as const;

/** A pin as tags: its facts in one key, its free-text reason in another (see TAGS). */
export function pinTags(pin: Pin): Record<string, string> {
  const out: Record<string, string> = { [TAGS.pin]: pinValue(pin) };
  if (pin.reason !== '') out[TAGS.pinReason] = truncate(pin.reason);
  return out;
}

/** The observation as it would be read after a tag write, so a dry run plans the real thing. */
function withTags(obs: Observation, ids: readonly string[], set: Readonly<Record<string, string>>, remove: readonly string[]): Observation {
  const chosen = new Set(ids);
  return {
    ...obs,
    inventory: {
      ...obs.inventory,
      routeTables: obs.inventory.routeTables.map((t) => {
        if (!chosen.has(t.id)) return t;
        const tags = { ...t.tags, ...set };
        for (const k of remove) delete tags[k];
        return { ...t, tags };
      }),
    },
  };
}

/** A dry-run summary straight from the decision: nothing is written, nothing is recorded. */
function dryRunSummary(obs: Observation, config: Config, trigger: string, overrides?: PlanOverrides): RunSummary {
  const { health, plan } = decide(obs, config, { overrides });
  const report: RunReport = {
    at: obs.now,
    trigger,
    dryRun: true,
    observation: obs,
    health,
    plan,
    results: plan.actions.map((action) => ({ action, status: 'dry-run' as const, applied: [] })),
  };
  return summarizeRun(report);
}

/** reconcile() in this process: `invoke local` and the CLI's break-glass `--direct` mode. */
export function inProcessRunner(deps: ControllerDeps, config: Config): ReconcileRunner {
  return {
    mode: 'in-process',
    run: async (r: ReconcileRequest) =>
      summarizeRun(await reconcile(deps, config, { trigger: `manual:${r.action}`, forceMetrics: true, dryRun: r.dryRun, overrides: r.overrides })),
  };
}

const fail = (action: string | null, code: ErrorCode, message: string, field: string | null = null, recorded?: readonly string[]): ManualError => ({
  ok: false,
  action,
  error: { code, field, message },
  ...(recorded ? { recorded } : {}),
});

function toFailure(action: string | null, e: unknown, recorded?: readonly string[]): ManualError {
  return Object.defineProperty(failure(action, e, recorded), 'cause', { value: e, enumerable: false });
}

function failure(action: string | null, e: unknown, recorded?: readonly string[]): ManualError {
  if (e instanceof RequestError) return fail(action, 'invalid-request', e.message, e.field);
  const note = recorded ? ` (intent already recorded on ${recorded.join(', ')}: the next scheduled run applies it)` : '';
  // Any error may quote input (an SDK error echoing a parameter, a bug's message): one bounded line.
  const message = oneLine(e instanceof Error ? e.message : String(e)) + note;
  if (e instanceof NatFailoverError) return fail(action, e.name === 'ReconcileBusyError' ? 'busy' : 'cloud-error', message, null, recorded);
  return fail(action, 'internal', message, null, recorded);
}

async function world(deps: ManualDeps, config: Config): Promise<World> {
  // Read-only: as a dry run, the signal source neither writes evacuation memory nor manages alarms,
  // which stay the reconcile function's writes.
  const obs = await observe(deps, config, { forceMetrics: true, dryRun: true });
  const { health, plan } = decide(obs, config);
  return { obs, health, plan };
}

async function runChange(deps: ManualDeps, config: Config, req: Exclude<ManualRequest, { action: 'status' | 'plan' }>, by: string): Promise<ChangeResult> {
  const w = await world(deps, config);
  // A DRY_RUN deployment answers every change as a dry run: no pin tags, no run, nothing written.
  const dryRun = isDryRun(config, req);
  const would = (text: string) => (config.dryRun ? `DRY_RUN deployment, nothing written: ${text}` : text);
  const runVia = async (r: ReconcileRequest) => ({ via: deps.runner.mode, run: await deps.runner.run(r) });

  if (req.action === 'failover') {
    const f = resolveFailover(w, req, by, config.egressAllowList);
    const set = pinTags(f.pin);
    const stale = PIN_TAG_KEYS.filter((k) => !(k in set));
    const pin = { awayFrom: f.pin.awayFromAz, target: f.pin.target ?? null, until: f.pin.until?.toISOString() ?? null, reason: f.pin.reason };
    const base = { ok: true as const, action: req.action, dryRun, by, tables: f.tableIds, pin };
    if (dryRun) {
      const run = dryRunSummary(withTags(w.obs, f.tableIds, set, stale), config, 'manual:failover');
      return { ...base, message: would(`would pin ${f.tableIds.length} table(s) away from ${f.az}`), via: 'plan-only', run };
    }
    // Intent first, as tags; the one writer then moves the routes. If the invoke fails, the pin
    // stays recorded and the next scheduled run honours it.
    await deps.cloud.createTags(f.tableIds, set);
    // An empty key list would make EC2 delete every tag on the tables: only ask when needed.
    if (stale.length > 0) await recordedThen(f.tableIds, () => deps.cloud.deleteTags(f.tableIds, stale));
    const out = await recordedThen(f.tableIds, () => runVia({ action: 'failover', by, dryRun: false }));
    return { ...base, message: `pinned ${f.tableIds.length} table(s) away from ${f.az}${f.pin.until ? ` until ${isoSeconds(f.pin.until)}` : ''}`, ...out };
  }

  if (req.action === 'release') {
    const r = resolveRelease(w, req);
    const base = { ok: true as const, action: req.action, dryRun, by, tables: r.tableIds, pin: null };
    if (r.tableIds.length === 0) {
      return { ...base, message: `nothing to release: ${r.unpinned.join(', ')} carry no pin`, via: 'none', run: null };
    }
    if (dryRun) {
      const run = dryRunSummary(withTags(w.obs, r.tableIds, {}, PIN_TAG_KEYS), config, 'manual:release');
      return { ...base, message: would(`would release the pin on ${r.tableIds.length} table(s)`), via: 'plan-only', run };
    }
    await deps.cloud.deleteTags(r.tableIds, PIN_TAG_KEYS);
    const out = await recordedThen(r.tableIds, () => runVia({ action: 'release', by, dryRun: false }));
    return { ...base, message: `released the pin on ${r.tableIds.length} table(s); automatic control resumes`, ...out };
  }

  const r = resolveRestore(w, req, by);
  const base = { ok: true as const, action: req.action, dryRun, by, tables: r.tableIds, pin: null };
  if (r.away.length === 0) {
    return { ...base, message: `every managed table of ${r.request.az} is already at home`, via: 'none', run: null };
  }
  const overrides: PlanOverrides = { restoreNow: [r.request] };
  if (dryRun) {
    return { ...base, message: would(`would restore ${r.away.length} table(s) to ${r.request.az}`), via: 'plan-only', run: dryRunSummary(w.obs, config, 'manual:restore', overrides) };
  }
  const out = await runVia({ action: 'restore', by, dryRun: false, overrides });
  return { ...base, message: `asked reconcile to restore ${r.away.length} table(s) to ${r.request.az}`, ...out };
}

/** Marks a failure after tags were written, so the caller learns what is already recorded. */
class AfterRecord extends Error {
  constructor(
    readonly recorded: readonly string[],
    readonly inner: unknown,
  ) {
    super('after record');
  }
}
async function recordedThen<T>(ids: readonly string[], fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw new AfterRecord(ids, e);
  }
}

/**
 * One operator request, start to end. Never throws: every failure is a structured result naming
 * the field or the step, and a request that fails validation has read the world but written nothing.
 */
export async function handleManual(deps: ManualDeps, config: Config, raw: unknown, caller?: string): Promise<ManualResult> {
  const named = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).action : undefined;
  let action: ActionName | null = (ACTIONS as readonly unknown[]).includes(named) ? (named as ActionName) : null;
  try {
    const req = parseRequest(raw);
    action = req.action;
    if (req.action === 'status') {
      const w = await world(deps, config);
      const vpcIds = [...new Set(w.plan.tables.filter((t) => t.mode !== 'unmanaged').map((t) => t.vpcId))];
      const endpoints = vpcIds.length > 0 ? await deps.endpoints.gatewayEndpoints(vpcIds) : [];
      const portErrors = await portAllocationErrors(deps, w, req.vpcId);
      return { ok: true, action: 'status', ...buildStatus(w, endpoints, req.vpcId, portErrors) };
    }
    if (req.action === 'plan') {
      const w = await world(deps, config);
      const plan = dryRunSummary(w.obs, config, 'manual:plan');
      const keep = <T extends { vpcId: string | null }>(x: T) => req.vpcId === undefined || x.vpcId === null || x.vpcId === req.vpcId;
      const tables = new Set(plan.tables.filter(keep).map((t) => t.routeTableId));
      return { ok: true, action: 'plan', plan: { ...plan, tables: plan.tables.filter(keep), changes: plan.changes.filter((c) => tables.has(c.routeTableId)), findings: plan.findings.filter(keep) } };
    }
    const by = req.by ?? caller ?? 'manual';
    const result = await runChange(deps, config, req, by);
    deps.recorder.info('manual action', { action: req.action, by, dryRun: result.dryRun, tables: result.tables, via: result.via, outcome: result.message });
    return result;
  } catch (e) {
    const failure = e instanceof AfterRecord ? toFailure(action, e.inner, e.recorded) : toFailure(action, e);
    const { code, field, message: reason } = failure.error;
    deps.recorder[code === 'invalid-request' ? 'warn' : 'error']('manual action failed', { action, code, field, reason });
    return failure;
  }
}
