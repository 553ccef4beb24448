import { FLAP_WINDOW_SECONDS, IPV4_DEFAULT, MAX_HOLD_DOWN_SECONDS, NAT64_PREFIX } from './constants';
import { isEligibleTarget, isFailoverTarget } from './health';
import { diffTags, isEmptyDiff, readState, stateTags } from './state';
import type {
  Finding,
  HealthReport,
  NatGateway,
  Observation,
  Plan,
  RouteChange,
  RouteTable,
  TableAction,
  TableMode,
  TableState,
  TableView,
  Transition,
} from './types';

export interface PlannerConfig {
  readonly managedTagKey: string;
  readonly managedTagValue: string;
  readonly restoreHoldDownSeconds: number;
  readonly maxChangesPerRun: number;
}

/** An operator's "bring this AZ home now" (skips the hold-down; `force` also skips health). */
export interface RestoreRequest {
  /** AZ name. */
  readonly az: string;
  /** Restore even if the home gateway looks unhealthy; never into a gateway that is not `available`. */
  readonly force: boolean;
  readonly reason: string;
  readonly by: string;
}

/** One-run instructions from the `manual` function; pins live in tags, these do not. */
export interface PlanOverrides {
  readonly restoreNow?: readonly RestoreRequest[];
}

/** Lower runs first under the change cap. */
const PRIORITY = { evacuateDead: 0, evacuateSoft: 1, repoint: 1, converge: 1, pin: 2, restore: 3, record: 9 } as const;

/** Hold-down for a table: doubled per recent flap, capped. */
export function holdDownSeconds(base: number, flaps: number): number {
  return Math.min(base * 2 ** Math.max(0, flaps), Math.max(base, MAX_HOLD_DOWN_SECONDS));
}

const secondsBetween = (a: Date, b: Date): number => (b.getTime() - a.getTime()) / 1000;

/**
 * Recorded instants cannot lie in the future: a hand-edited or clock-skewed `home-ok-since` would
 * hold a restore back for as long as it stays ahead of now, a future `last-restore` would count
 * every failover as a flap for as long. Clamped here (readState has no clock) and written back
 * clamped, so the bad value heals on the next tag write. The pin's expiry is meant to be ahead.
 */
function notAfter(s: TableState, now: Date): TableState {
  const clamp = (d: Date | undefined): Date | undefined => (d !== undefined && d > now ? now : d);
  return { ...s, since: clamp(s.since), homeOkSince: clamp(s.homeOkSince), lastRestore: clamp(s.lastRestore) };
}

interface Ctx {
  readonly obs: Observation;
  readonly health: HealthReport;
  readonly config: PlannerConfig;
  readonly nats: ReadonlyMap<string, NatGateway>;
  /** Tables per gateway (IPv4 default route), updated as the plan moves tables: spreads failovers. */
  readonly load: Map<string, number>;
  readonly zoneByIdOrName: ReadonlyMap<string, string>;
  readonly overrides: PlanOverrides;
}

const eligible = (ctx: Ctx, nat: NatGateway | undefined): nat is NatGateway =>
  nat !== undefined && isEligibleTarget(nat, ctx.health.gateways.get(nat.id));

/** Eligible and in a known AZ: what a table may be sent to, or kept on, away from home. */
const targetable = (ctx: Ctx, nat: NatGateway | undefined): nat is NatGateway =>
  nat !== undefined && isFailoverTarget(nat, ctx.health.gateways.get(nat.id));

function describeUnhealthy(ctx: Ctx, nat: NatGateway | undefined, id: string | undefined): string {
  if (!nat) return id ? `${id} no longer exists` : 'no gateway in the home AZ';
  const h = ctx.health.gateways.get(nat.id);
  const parts = [...(h?.hard ?? []), ...(h?.soft === 'bad' ? (h?.softSignals ?? []) : [])].map((s) => s.detail);
  return `${nat.id} unhealthy: ${parts.join('; ') || `state ${nat.state}`}`;
}

const hasBlackhole = (ctx: Ctx, natId: string): boolean =>
  ctx.health.gateways.get(natId)?.hard.some((s) => s.kind === 'blackhole-route') ?? false;

const restoreRequest = (ctx: Ctx, homeAz: string): RestoreRequest | undefined =>
  ctx.overrides.restoreNow?.find((r) => ctx.zoneByIdOrName.get(r.az) === homeAz);

/** Deterministic spread: the least-loaded eligible gateway, ties broken by AZ then id. */
function chooseTarget(ctx: Ctx, candidates: readonly NatGateway[]): NatGateway | undefined {
  return [...candidates].sort(
    (a, b) =>
      (ctx.load.get(a.id) ?? 0) - (ctx.load.get(b.id) ?? 0) ||
      (a.az ?? '').localeCompare(b.az ?? '') ||
      a.id.localeCompare(b.id),
  )[0];
}

function moveLoad(ctx: Ctx, from: string | undefined, to: string): void {
  if (from !== undefined) ctx.load.set(from, (ctx.load.get(from) ?? 1) - 1);
  ctx.load.set(to, (ctx.load.get(to) ?? 0) + 1);
}

interface TableDecision {
  readonly action: TableAction | undefined;
  readonly view: TableView;
  readonly findings: readonly Finding[];
}

function unmanagedView(t: RouteTable, current: string | undefined, reason: string): TableView {
  return {
    routeTableId: t.id,
    vpcId: t.vpcId,
    homeAz: undefined,
    homeNat: undefined,
    currentTarget: current,
    desiredTarget: undefined,
    mode: 'unmanaged',
    since: undefined,
    reason,
  };
}

function decideTable(ctx: Ctx, t: RouteTable): TableDecision {
  const { now } = ctx.obs;
  const findings: Finding[] = [];
  const skip = (message: string, current?: string, kind: Finding['kind'] = 'skipped-table'): TableDecision => ({
    action: undefined,
    view: unmanagedView(t, current, message),
    findings: [{ kind, routeTableId: t.id, vpcId: t.vpcId, message }],
  });

  if (t.tags[ctx.config.managedTagKey] !== ctx.config.managedTagValue) {
    return skip(`not tagged ${ctx.config.managedTagKey}=${ctx.config.managedTagValue}`);
  }
  const v4 = t.routes.find((r) => r.destination === IPV4_DEFAULT);
  if (!v4 || v4.target.kind !== 'nat') {
    return skip(`default route ${v4 ? `targets ${v4.target.id}` : 'is missing'}, not a NAT gateway: nothing to manage`, v4?.target.id);
  }
  const currentId = v4.target.id;
  const current = ctx.nats.get(currentId);
  if (current?.availabilityMode === 'regional') {
    return skip(`uses regional NAT gateway ${currentId}: AWS spans AZs itself, no failover needed`, currentId, 'regional-nat');
  }

  const state = notAfter(readState(t.tags), now);
  const homeAzRaw = state.homeAz ?? (t.subnetAzs.length === 1 ? t.subnetAzs[0] : undefined);
  if (homeAzRaw === undefined) {
    return skip(
      `home AZ unknown: associated with subnets in ${t.subnetAzs.length === 0 ? 'no AZ' : t.subnetAzs.join(', ')}; set the tag nat-failover:home-az`,
      currentId,
    );
  }
  const homeAz = ctx.zoneByIdOrName.get(homeAzRaw);
  if (homeAz === undefined) return skip(`home AZ "${homeAzRaw}" is not an AZ of this region`, currentId);

  // Only gateways of one connectivity type are interchangeable. When the table's gateway has
  // vanished from the API (deleted over an hour ago) and its recorded home with it, the VPC's
  // gateways can still tell, if they are all of one type; guessing 'public' could send a private
  // network's traffic to the internet.
  const vpcTypes = new Set(
    [...ctx.nats.values()].filter((n) => n.vpcId === t.vpcId && n.availabilityMode === 'zonal').map((n) => n.connectivityType),
  );
  const connectivity =
    current?.connectivityType ??
    ctx.nats.get(state.homeNat ?? '')?.connectivityType ??
    (vpcTypes.size === 1 ? [...vpcTypes][0] : undefined);
  if (connectivity === undefined) {
    return skip(`${currentId} is gone and the VPC mixes public and private gateways: cannot tell which may replace it; set nat-failover:home-nat`, currentId);
  }
  const peers = [...ctx.nats.values()].filter(
    (n) => n.vpcId === t.vpcId && n.availabilityMode === 'zonal' && n.connectivityType === connectivity,
  );

  // Home is an AZ: its gateway is the available one there (named by home-nat, else the current).
  const inHome = peers.filter((n) => n.az === homeAz);
  const availableHome = inHome.filter((n) => n.state === 'available').sort((a, b) => a.id.localeCompare(b.id));
  const home =
    availableHome.find((n) => n.id === state.homeNat) ??
    availableHome.find((n) => n.id === currentId) ??
    availableHome[0] ??
    inHome.find((n) => n.id === state.homeNat) ??
    inHome.find((n) => n.id === currentId);
  const homeId = home?.id ?? state.homeNat;
  const homeHealthy = eligible(ctx, home);

  const pinActive = state.pin !== undefined && (state.pin.until === undefined || state.pin.until > now);
  if (state.pin && !pinActive) {
    findings.push({ kind: 'pin-released', routeTableId: t.id, vpcId: t.vpcId, az: homeAz, message: `pin away from ${state.pin.awayFromAz} expired at ${state.pin.until?.toISOString()}; released` });
  }
  const pin = pinActive ? state.pin : undefined;
  // The manual function and ARC speak AZ IDs as readily as names; compare by name.
  const pinAwayAz = pin ? (ctx.zoneByIdOrName.get(pin.awayFromAz) ?? pin.awayFromAz) : undefined;

  let desired = currentId;
  let transition: Transition | undefined;
  let priority: number = PRIORITY.record;
  const reasons: string[] = [];
  const awayCandidates = (excludeAz: string) => peers.filter((n) => n.az !== excludeAz && n.az !== homeAz && targetable(ctx, n));

  if (pin) {
    const ok = (n: NatGateway | undefined): n is NatGateway => targetable(ctx, n) && n.az !== pinAwayAz;
    const pinned = pin.target !== undefined ? ctx.nats.get(pin.target) : undefined;
    reasons.push(`pinned away from ${pin.awayFromAz} by ${pin.by}: ${pin.reason}`);
    if (pinned && ok(pinned) && peers.includes(pinned)) desired = pinned.id;
    // An unusable explicit target (unhealthy, in the pinned AZ, or not interchangeable: another VPC
    // or connectivity type) is no reason to leave a good current gateway: moving anyway made the
    // table ping-pong between two gateways on alternate runs.
    else if (ok(current)) desired = currentId;
    else {
      // A healthy home outside the pinned AZ is where the table belongs anyway.
      const choice = ok(home) ? home : chooseTarget(ctx, peers.filter((n) => ok(n)));
      // A pin never wins over safety: rather than leave traffic on a dead gateway, use a healthy
      // one even inside the pinned AZ (home first), and say so.
      const rescue = choice || eligible(ctx, current) ? undefined : eligible(ctx, home) ? home : chooseTarget(ctx, peers.filter((n) => targetable(ctx, n)));
      if (choice) desired = choice.id;
      else if (rescue) {
        desired = rescue.id;
        reasons.push(`${describeUnhealthy(ctx, current, currentId)} and no healthy gateway outside ${pin.awayFromAz}: using ${rescue.id} despite the pin`);
        findings.push({ kind: 'no-healthy-target', routeTableId: t.id, vpcId: t.vpcId, az: homeAz, message: `pinned away from ${pin.awayFromAz} but no healthy gateway elsewhere and ${currentId} is unhealthy: moved to ${rescue.id} in ${rescue.az} despite the pin` });
      } else findings.push({ kind: 'no-healthy-target', routeTableId: t.id, vpcId: t.vpcId, az: homeAz, message: `pinned away from ${pin.awayFromAz} but no healthy gateway elsewhere: left on ${currentId}` });
    }
    if (desired !== currentId) {
      transition = 'pin';
      priority = eligible(ctx, current) ? PRIORITY.pin : PRIORITY.evacuateDead;
    }
  } else if (restoreRequest(ctx, homeAz) && currentId !== homeId) {
    const req = restoreRequest(ctx, homeAz) as RestoreRequest;
    // Fresh lookup: `home` is narrowed by the homeHealthy guard above.
    const homeGw = ctx.nats.get(homeId ?? '');
    if (homeGw && (homeHealthy || (req.force && homeGw.state === 'available'))) {
      desired = homeGw.id;
      transition = 'restore';
      priority = PRIORITY.restore;
      reasons.push(`manual restore by ${req.by}${req.force && !homeHealthy ? ' (forced)' : ''}: ${req.reason}`);
      if (!homeHealthy) reasons.push(describeUnhealthy(ctx, homeGw, homeId));
    } else {
      findings.push({ kind: 'no-healthy-target', routeTableId: t.id, vpcId: t.vpcId, az: homeAz, message: `restore of ${homeAz} requested but ${describeUnhealthy(ctx, homeGw, homeId)}${homeGw?.state === 'available' ? '; force would restore anyway' : ''}: left on ${currentId}` });
    }
  } else if (homeHealthy) {
    if (currentId === home.id) {
      // at home: nothing to move
    } else if (current?.az === homeAz || current === undefined) {
      desired = home.id;
      transition = 'repoint';
      // Off a gone or broken gateway this is an evacuation, and must not queue behind soft-signal
      // failovers under the change cap; between two healthy gateways of the AZ it can wait.
      priority = eligible(ctx, current) ? PRIORITY.repoint : PRIORITY.evacuateDead;
      reasons.push(`${currentId} is not the home gateway of ${homeAz} (${current ? `state ${current.state}` : 'gone'}); ${home.id} is`);
    } else {
      const okSince = state.mode !== 'home' && state.homeOkSince ? state.homeOkSince : now;
      const hold = holdDownSeconds(ctx.config.restoreHoldDownSeconds, state.flaps);
      const held = secondsBetween(okSince, now);
      // A guarded VPC's monitoring is suspect: "change nothing" includes restores, whose
      // evidence (a quiet, unknown home) is exactly what broken monitoring produces.
      const guarded = ctx.health.guardedVpcs.includes(t.vpcId);
      // A soft-unknown home looks restorable; when the run could not read a soft-signal source,
      // that unknown may hide a failing home (a CloudWatch outage outlasting the hold-down would
      // otherwise send tables back into it). Positive evidence (metrics judged the home ok) still
      // counts, and moves off a dead gateway below are not held.
      const blind = ctx.obs.unreadSignals.length > 0 && ctx.health.gateways.get(home.id)?.soft === 'unknown';
      if (held >= hold && !guarded && !blind) {
        desired = home.id;
        transition = 'restore';
        priority = PRIORITY.restore;
        reasons.push(`home ${home.id} in ${homeAz} healthy for ${Math.round(held)}s (hold-down ${hold}s)`);
      } else if (!eligible(ctx, current)) {
        const choice = chooseTarget(ctx, awayCandidates(homeAz));
        desired = choice?.id ?? home.id;
        transition = choice ? 'failover' : 'restore';
        priority = PRIORITY.evacuateDead;
        reasons.push(`${describeUnhealthy(ctx, current, currentId)}; ${choice ? `home still in hold-down` : `home ${home.id} is healthy, so going home early`}`);
      } else if (guarded && held >= hold) {
        findings.push({ kind: 'static-stability-guard', routeTableId: t.id, vpcId: t.vpcId, az: homeAz, message: `restore to ${home.id} held: most of ${t.vpcId}'s gateways look unhealthy on soft signals, so the monitoring is not trusted` });
      } else if (blind && held >= hold) {
        const unread = ctx.obs.unreadSignals.map((u) => `${u.source} (${u.error})`).join(', ');
        findings.push({ kind: 'monitoring-degraded', routeTableId: t.id, vpcId: t.vpcId, az: homeAz, message: `restore to ${home.id} held: ${unread} could not be read, so its soft health is unknown rather than ok; restores resume once monitoring is read again` });
      } else {
        findings.push({ kind: 'hold-down', routeTableId: t.id, vpcId: t.vpcId, az: homeAz, message: `home ${home.id} healthy for ${Math.round(held)}s; restore after ${hold}s hold-down` });
      }
    }
  } else {
    const stay = targetable(ctx, current) && current.az !== homeAz;
    if (!stay) {
      const choice = chooseTarget(ctx, awayCandidates(homeAz));
      const why = describeUnhealthy(ctx, home, homeId);
      if (choice) {
        desired = choice.id;
        transition = 'failover';
        const homeHard = (ctx.health.gateways.get(homeId ?? '')?.hard.length ?? 1) > 0;
        const hardHome = homeHard || (current !== undefined && (ctx.health.gateways.get(currentId)?.hard.length ?? 0) > 0);
        priority = hardHome ? PRIORITY.evacuateDead : PRIORITY.evacuateSoft;
        reasons.push(currentId !== homeId ? `${describeUnhealthy(ctx, current, currentId)}; home ${why}` : why);
        reasons.push(`target ${choice.id} in ${choice.az}: healthy, same VPC and connectivity, least loaded`);
      } else {
        findings.push({ kind: 'no-healthy-target', routeTableId: t.id, vpcId: t.vpcId, az: homeAz, message: `${why}; no healthy gateway in another AZ: left on ${currentId}` });
      }
    }
  }

  // Route changes: the IPv4 default, and the NAT64 route moving with it (only into a healthy gateway).
  const routes: RouteChange[] = [];
  if (desired !== currentId) routes.push({ destination: IPV4_DEFAULT, from: currentId, to: desired });
  const v6 = t.routes.find((r) => r.destination === NAT64_PREFIX && r.target.kind === 'nat');
  if (v6 && v6.target.id !== desired && eligible(ctx, ctx.nats.get(desired))) {
    routes.push({ destination: NAT64_PREFIX, from: v6.target.id, to: desired });
    if (routes.length === 1) {
      transition = 'converge';
      priority = PRIORITY.converge;
      reasons.push(`NAT64 route points at ${v6.target.id}; it follows the IPv4 default to ${desired}`);
    }
  }
  if (desired !== currentId) moveLoad(ctx, currentId, desired);

  // Recorded state after this run.
  const mode: TableMode = pin ? 'pinned' : desired === homeId ? 'home' : 'failed-over';
  const moved = desired !== currentId;
  // Away from home with no recorded failover. A freshly pinned table that stays on its home is not
  // "away", whatever its new mode says.
  const externallyMoved = !moved && mode !== 'home' && state.mode === 'home' && currentId !== homeId;
  if (externallyMoved) {
    findings.push({ kind: 'external-change', routeTableId: t.id, vpcId: t.vpcId, az: homeAz, message: `found on ${currentId}, not home ${homeId ?? '(none)'}, with no recorded failover (a person, or a run that stopped half-way): adopted as failed over` });
  }
  const modeChanged = mode !== state.mode || moved;
  let flaps = state.flaps;
  let lastRestore = state.lastRestore;
  if (transition === 'failover' && state.mode === 'home') {
    flaps = lastRestore && secondsBetween(lastRestore, now) < FLAP_WINDOW_SECONDS ? flaps + 1 : 0;
  }
  if (transition === 'restore') lastRestore = now;
  const next: TableState = {
    mode,
    since: modeChanged ? now : (state.since ?? now),
    reason: moved
      ? reasons.join('; ')
      : externallyMoved
        ? `found on ${currentId} without a recorded failover`
        : modeChanged || state.reason === undefined
          ? mode === 'home' ? 'at home' : reasons.join('; ') || state.reason
          : state.reason,
    homeNat: homeId,
    homeAz: state.homeAz,
    homeOkSince: mode !== 'home' && homeHealthy ? (state.mode !== 'home' && state.homeOkSince ? state.homeOkSince : now) : undefined,
    flaps,
    lastRestore,
    // Away from a home whose routes are (or are remembered as) blackhole: remember it, so the
    // memory outlives the routes that showed it (health.ts keeps it a hard signal until a route to
    // the gateway is seen active). Back home, or home now another gateway, the memory goes.
    blackholeNat: mode !== 'home' && homeId !== undefined && hasBlackhole(ctx, homeId) ? homeId : undefined,
    pin,
  };
  const tags = diffTags(t.tags, stateTags(next));
  const action: TableAction | undefined =
    routes.length > 0 || !isEmptyDiff(tags)
      ? { routeTableId: t.id, vpcId: t.vpcId, homeAz, transition: routes.length > 0 ? transition : undefined, routes, tags, reasons: routes.length > 0 ? reasons : ['record state'], priority: routes.length > 0 ? priority : PRIORITY.record }
      : undefined;
  return {
    action,
    findings,
    view: {
      routeTableId: t.id,
      vpcId: t.vpcId,
      homeAz,
      homeNat: homeId,
      currentTarget: currentId,
      desiredTarget: desired,
      mode,
      since: next.since,
      reason: next.reason,
    },
  };
}

/**
 * The whole decision, pure: from one observation and its health report to the actions that
 * bring every managed table to its desired target, each with its reasons.
 */
export function plan(obs: Observation, health: HealthReport, config: PlannerConfig, overrides: PlanOverrides = {}): Plan {
  const nats = new Map(obs.inventory.natGateways.map((n) => [n.id, n]));
  const load = new Map<string, number>();
  for (const t of obs.inventory.routeTables) {
    const r = t.routes.find((x) => x.destination === IPV4_DEFAULT && x.target.kind === 'nat');
    if (r) load.set(r.target.id, (load.get(r.target.id) ?? 0) + 1);
  }
  const zoneByIdOrName = new Map<string, string>();
  for (const z of obs.inventory.zones) {
    zoneByIdOrName.set(z.name, z.name);
    zoneByIdOrName.set(z.id, z.name);
  }
  const ctx: Ctx = { obs, health, config, nats, load, zoneByIdOrName, overrides };

  const findings: Finding[] = health.guardedVpcs.map((vpcId) => ({
    kind: 'static-stability-guard' as const,
    vpcId,
    message: `more than half of ${vpcId}'s gateways look unhealthy on soft signals at once: treating it as broken monitoring, not moving on soft signals`,
  }));
  const decided: TableAction[] = [];
  const tables: TableView[] = [];
  for (const t of [...obs.inventory.routeTables].sort((a, b) => a.id.localeCompare(b.id))) {
    const d = decideTable(ctx, t);
    findings.push(...d.findings);
    tables.push(d.view);
    if (d.action) decided.push(d.action);
  }

  // Bounded blast radius: at most K tables change routes per run, most urgent first.
  const moving = decided.filter((a) => a.routes.length > 0).sort((a, b) => a.priority - b.priority || a.routeTableId.localeCompare(b.routeTableId));
  const deferred = new Set(moving.slice(config.maxChangesPerRun).map((a) => a.routeTableId));
  for (const a of moving.slice(config.maxChangesPerRun)) {
    findings.push({ kind: 'deferred-by-change-cap', routeTableId: a.routeTableId, vpcId: a.vpcId, az: a.homeAz, message: `${a.transition} deferred: more than ${config.maxChangesPerRun} route tables to change this run` });
  }
  const actions = decided
    .filter((a) => !deferred.has(a.routeTableId))
    .sort((a, b) => a.priority - b.priority || a.routeTableId.localeCompare(b.routeTableId));
  return { at: obs.now, actions, findings, tables };
}
