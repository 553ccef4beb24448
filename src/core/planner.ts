import {
  EVACUATION_MEMORY_PREFIX,
  FLAP_WINDOW_SECONDS,
  IPV4_DEFAULT,
  MAX_HOLD_DOWN_SECONDS,
  NAT64_PREFIX,
  TAGS_PER_RESOURCE_MAX,
  type ManagedDestination,
} from './constants';
import { type AllowList, allowListAdvice, allowListOf, HEADROOM_RANK, type Headroom, headroom, isAllowListed } from './capacity';
import { explainHealth, isEligibleTarget, isFailoverTarget } from './health';
import { describeProof } from './probeHealth';
import { diffTags, fitTagBudget, isEmptyDiff, readStateChecked, stateTags, type UnreadableTag } from './state';
import type {
  ChangeClass,
  ConnectivityType,
  EgressOption,
  Finding,
  GatewayLoad,
  HealthReport,
  NatGateway,
  Observation,
  Pin,
  Plan,
  Route,
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
  /** CIDR blocks a public failover target's IPs must lie in; absent or empty = no allow-list. */
  readonly egressAllowList?: readonly string[];
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
 * hold a restore back for as long as it stays ahead of now, a future last restore (in `flaps`) would count
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
  /** Tables per gateway (primary route), updated as the plan moves tables: spreads failovers. */
  readonly load: Map<string, number>;
  readonly zoneByIdOrName: ReadonlyMap<string, string>;
  readonly overrides: PlanOverrides;
  /** Capacity over the metric window (empty when metrics were not read: headroom unknown). */
  readonly capacity: ReadonlyMap<string, GatewayLoad>;
  /** Estimated connections per table on each gateway at the start of the plan (see tableShares). */
  readonly share: ReadonlyMap<string, number>;
  /** Connections this plan has moved onto (+) or off (-) each gateway so far. */
  readonly added: Map<string, number>;
  /** Tables of unknown load (their gateway's connections unread, or gone) this plan moved onto each gateway. */
  readonly addedBlind: Map<string, number>;
  readonly allow: AllowList;
}

const eligible = (ctx: Ctx, nat: NatGateway | undefined): nat is NatGateway =>
  nat !== undefined && isEligibleTarget(nat, ctx.health.gateways.get(nat.id));

/** Eligible and in a known AZ: what a table may be sent to, or kept on, away from home. */
const targetable = (ctx: Ctx, nat: NatGateway | undefined): nat is NatGateway =>
  nat !== undefined && isFailoverTarget(nat, ctx.health.gateways.get(nat.id));

function describeUnhealthy(ctx: Ctx, nat: NatGateway | undefined, id: string | undefined): string {
  if (!nat) return id ? `${id} no longer exists` : 'no gateway in the home AZ';
  return `${nat.id} unhealthy: ${explainHealth(nat, ctx.health.gateways.get(nat.id))}`;
}

/**
 * The connectivity type of the gateways a table may use: its current gateway's, else its recorded
 * home's, else its VPC's when all the VPC's zonal gateways share one. When the table's gateway has
 * vanished from the API (deleted over an hour ago) and its recorded home with it, the VPC's
 * gateways can still tell. Undefined when nothing tells: never a guess of 'public', which could
 * send a private network's traffic to the internet.
 */
export function tableConnectivity(
  gateways: Iterable<NatGateway>,
  table: { readonly vpcId: string; readonly currentId: string | undefined; readonly homeNat: string | undefined },
): ConnectivityType | undefined {
  const all = [...gateways];
  const byId = (id: string | undefined) => (id === undefined ? undefined : all.find((n) => n.id === id));
  const vpcTypes = new Set(all.filter((n) => n.vpcId === table.vpcId && n.availabilityMode === 'zonal').map((n) => n.connectivityType));
  return byId(table.currentId)?.connectivityType ?? byId(table.homeNat)?.connectivityType ?? (vpcTypes.size === 1 ? [...vpcTypes][0] : undefined);
}

/**
 * The managed route that places a table: the IPv4 default when it targets a NAT gateway; on an
 * IPv6-only table (no IPv4 default at all) the NAT64 route, which then fails over like any other.
 * Undefined otherwise: nothing to manage. A table whose IPv4 default someone pointed at something
 * else (a NAT instance, a transit gateway) is theirs, NAT64 route included.
 */
export function primaryRoute(t: Pick<RouteTable, 'routes'>): (Route & { readonly destination: ManagedDestination }) | undefined {
  const v4 = t.routes.find((x) => x.destination === IPV4_DEFAULT);
  if (v4) return v4.target.kind === 'nat' ? { ...v4, destination: IPV4_DEFAULT } : undefined;
  const v6 = t.routes.find((x) => x.destination === NAT64_PREFIX && x.target.kind === 'nat');
  return v6 ? { ...v6, destination: NAT64_PREFIX } : undefined;
}

/**
 * Certainly unusable: gone from the API, or carrying a hard signal (state not available, blackhole
 * route, its AZ impaired or unavailable, an open evacuation of its AZ; core/health.ts). Soft
 * verdicts (metrics, alarms) never count: they may be wrong, which is what the change cap is for.
 */
const certainlyDead = (ctx: Ctx, natId: string): boolean => !ctx.nats.has(natId) || (ctx.health.gateways.get(natId)?.hard.length ?? 0) > 0;

/** A change is a hard evacuation when any of its routes leaves a certainly dead gateway. */
export function changeClassOf(routes: readonly RouteChange[], dead: (natId: string) => boolean): ChangeClass {
  return routes.some((c) => dead(c.from)) ? 'hard-evacuation' : 'capped';
}

/** Execution order: hard evacuations first, then by priority (restores last), then by table id. */
export function actionOrder(a: TableAction, b: TableAction): number {
  const rank = (x: TableAction) => (x.routes.length > 0 && x.changeClass === 'hard-evacuation' ? 0 : 1);
  return rank(a) - rank(b) || a.priority - b.priority || a.routeTableId.localeCompare(b.routeTableId);
}

const hasBlackhole = (ctx: Ctx, natId: string): boolean =>
  ctx.health.gateways.get(natId)?.hard.some((s) => s.kind === 'blackhole-route') ?? false;

const restoreRequest = (ctx: Ctx, homeAz: string): RestoreRequest | undefined =>
  ctx.overrides.restoreNow?.find((r) => ctx.zoneByIdOrName.get(r.az) === homeAz);

/** A failover target and why: the planner's reason names it, and any target passed over. */
interface TargetChoice {
  readonly nat: NatGateway;
  /** `target <id> in <az>: …`: why this one. */
  readonly why: string;
  /** Healthy candidates ranked lower for headroom (unknown, short, port errors), each with its numbers. */
  readonly passedOver: readonly string[];
}

/** A candidate's headroom with the tables this plan already moved onto it. */
const candidateHeadroom = (ctx: Ctx, n: NatGateway): Headroom => {
  const h = headroom(n, ctx.capacity.get(n.id), ctx.added.get(n.id) ?? 0);
  // Tables whose load is unknown (a deleted gateway's, or unread) make a target's headroom unknown
  // once they land there: otherwise one "ok" target would take them all and never fill up, where
  // the spread rule wants them shared (found in review: 40 tables of a deleted gateway on one).
  const blind = ctx.addedBlind.get(n.id) ?? 0;
  return blind > 0 && h.verdict === 'ok' ? { ...h, verdict: 'unknown', detail: `${h.detail}, plus tables of unknown load moved there this run` } : h;
};

/** Tables per IP: a gateway with two IPs takes twice the tables (IPs unknown count as one). */
const loadPerIp = (ctx: Ctx, n: NatGateway): number => (ctx.load.get(n.id) ?? 0) / Math.max(1, n.ips?.length ?? 1);

/**
 * Capacity-aware, deterministic spread: the healthy candidate with the best headroom (ok, then
 * unknown, then short, then port-allocation errors; see core/capacity.ts), then the fewest tables
 * per IP, ties broken by AZ then id. Headroom counts the connections of the tables this plan has
 * already sent there, so a batch of failovers fills one target until it runs short and then
 * spills to the next. When every candidate is short it still returns the best: a degraded target
 * beats a dead home (callers only ask when the table must move), and the reason says so.
 */
function chooseTarget(ctx: Ctx, candidates: readonly NatGateway[]): TargetChoice | undefined {
  const scored = candidates.map((n) => ({ n, h: candidateHeadroom(ctx, n) }));
  scored.sort(
    (a, b) =>
      HEADROOM_RANK[a.h.verdict] - HEADROOM_RANK[b.h.verdict] ||
      loadPerIp(ctx, a.n) - loadPerIp(ctx, b.n) ||
      (a.n.az ?? '').localeCompare(b.n.az ?? '') ||
      a.n.id.localeCompare(b.n.id),
  );
  const best = scored[0];
  if (!best) return undefined;
  const rank = HEADROOM_RANK[best.h.verdict];
  const short = (v: Headroom['verdict']) => v === 'short' || v === 'port-errors';
  // Every candidate ranked lower for capacity, unknown included: "why not nat-b?" has an answer.
  const passedOver = scored.filter((s) => HEADROOM_RANK[s.h.verdict] > rank).map((s) => `passed over ${s.n.id} in ${s.n.az}: ${s.h.detail}`);
  const capacity = short(best.h.verdict)
    ? `every healthy target is short of capacity, so the best of them (a degraded target beats a dead home): ${best.h.detail}`
    : best.h.detail;
  return { nat: best.n, why: `target ${best.n.id} in ${best.n.az}: healthy, same VPC and connectivity, least loaded; ${capacity}`, passedOver };
}

/**
 * Connections per table on each gateway: its active connections over the managed tables routed to
 * it. A proxy (tables differ), but it is what lets a batch of moves see a target fill up.
 */
function tableShares(capacity: ReadonlyMap<string, GatewayLoad>, load: ReadonlyMap<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [id, l] of capacity) {
    const tables = load.get(id) ?? 0;
    if (l.activeConnections !== undefined && tables > 0) out.set(id, l.activeConnections / tables);
  }
  return out;
}

function moveLoad(ctx: Ctx, from: string | undefined, to: string): void {
  if (from !== undefined) ctx.load.set(from, (ctx.load.get(from) ?? 1) - 1);
  ctx.load.set(to, (ctx.load.get(to) ?? 0) + 1);
  const share = from === undefined ? undefined : ctx.share.get(from);
  if (share !== undefined && from !== undefined) {
    ctx.added.set(from, (ctx.added.get(from) ?? 0) - share);
    ctx.added.set(to, (ctx.added.get(to) ?? 0) + share);
  } else ctx.addedBlind.set(to, (ctx.addedBlind.get(to) ?? 0) + 1);
}

/**
 * A gateway a table may be sent to as far as the egress allow-list goes: its own home always (the
 * list restricts where traffic fails over to, not where it lives), any other gateway only when
 * every IP it egresses from is inside the list.
 */
const allowedFor = (ctx: Ctx, m: Pick<ManagedTable, 'homeId'>, n: NatGateway): boolean => n.id === m.homeId || isAllowListed(ctx.allow, n);

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

/** A managed table resolved against the world: everything its decision depends on. */
interface ManagedTable {
  readonly t: RouteTable;
  /** As recorded in its tags, instants clamped to now. */
  readonly state: TableState;
  /** Tags that could not be read, treated as absent (reported). */
  readonly unreadable: readonly UnreadableTag[];
  /** The route that places the table: the IPv4 default, or NAT64 on an IPv6-only table. */
  readonly primary: ManagedDestination;
  /** Where the primary route points now. */
  readonly currentId: string;
  /** Undefined when that gateway is gone from the API. */
  readonly current: NatGateway | undefined;
  readonly homeAz: string;
  /** Zonal gateways of the table's VPC and connectivity type: the only interchangeable ones. */
  readonly peers: readonly NatGateway[];
  readonly home: NatGateway | undefined;
  /** The home gateway's id, or the recorded one when none is left in the home AZ. */
  readonly homeId: string | undefined;
  readonly homeHealthy: boolean;
}

/**
 * What one branch of the state machine decides, as data: where the IPv4 default should point,
 * why, and how urgent that is under the change cap. decideTable puts the pieces together.
 */
interface Move {
  readonly desired: string;
  readonly transition: Transition | undefined;
  readonly priority: number;
  readonly reasons: readonly string[];
  readonly findings: readonly Finding[];
}

const stayPut = (m: ManagedTable, findings: readonly Finding[] = [], reasons: readonly string[] = []): Move => ({
  desired: m.currentId,
  transition: undefined,
  priority: PRIORITY.record,
  reasons,
  findings,
});

const finding = (m: ManagedTable, kind: Finding['kind'], message: string): Finding => ({
  kind,
  routeTableId: m.t.id,
  vpcId: m.t.vpcId,
  az: m.homeAz,
  message,
});

/** Healthy gateways of another AZ than home, inside the egress allow-list. */
const awayCandidates = (ctx: Ctx, m: ManagedTable): NatGateway[] => m.peers.filter((n) => n.az !== m.homeAz && targetable(ctx, n) && allowedFor(ctx, m, n));

/** Healthy gateways of another AZ that the egress allow-list alone rules out, with what to add. */
function excludedByAllowList(ctx: Ctx, m: ManagedTable): string {
  const out = m.peers.filter((n) => n.az !== m.homeAz && targetable(ctx, n) && !allowedFor(ctx, m, n));
  return out.length === 0 ? '' : ` (outside the egress allow-list: ${out.map((n) => `${n.id}, ${allowListAdvice(ctx.allow, n)}`).join('; ')})`;
}

/** Steps aside from what the controller does not manage or cannot place; else the table, resolved. */
function resolveTable(ctx: Ctx, t: RouteTable): { readonly managed: ManagedTable } | { readonly skipped: TableDecision } {
  const skip = (message: string, current?: string, kind: Finding['kind'] = 'skipped-table') => ({
    skipped: { action: undefined, view: unmanagedView(t, current, message), findings: [{ kind, routeTableId: t.id, vpcId: t.vpcId, message }] },
  });

  if (t.tags[ctx.config.managedTagKey] !== ctx.config.managedTagValue) {
    return skip(`not tagged ${ctx.config.managedTagKey}=${ctx.config.managedTagValue}`);
  }
  const primary = primaryRoute(t);
  if (!primary) {
    const v4 = t.routes.find((r) => r.destination === IPV4_DEFAULT);
    return skip(
      v4 ? `default route targets ${v4.target.id}, not a NAT gateway: nothing to manage` : 'no default route and no NAT64 route to a NAT gateway: nothing to manage',
      v4?.target.id,
    );
  }
  const currentId = primary.target.id;
  const current = ctx.nats.get(currentId);
  if (current?.availabilityMode === 'regional') {
    return skip(`uses regional NAT gateway ${currentId}: AWS spans AZs itself, no failover needed`, currentId, 'regional-nat');
  }

  const read = readStateChecked(t.tags);
  const state = notAfter(read.state, ctx.obs.now);
  const homeAzRaw = state.homeAz ?? (t.subnetAzs.length === 1 ? t.subnetAzs[0] : undefined);
  if (homeAzRaw === undefined) {
    return skip(
      `home AZ unknown: associated with subnets in ${t.subnetAzs.length === 0 ? 'no AZ' : t.subnetAzs.join(', ')}; set the tag nat-failover:home-az`,
      currentId,
    );
  }
  const homeAz = ctx.zoneByIdOrName.get(homeAzRaw);
  if (homeAz === undefined) return skip(`home AZ "${homeAzRaw}" is not an AZ of this region`, currentId);

  // Only gateways of one connectivity type are interchangeable.
  const connectivity = tableConnectivity(ctx.nats.values(), { vpcId: t.vpcId, currentId, homeNat: state.homeNat });
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
    inHome.length === 0
      ? sharedHome(peers, state, currentId)
      : (availableHome.find((n) => n.id === state.homeNat) ??
        availableHome.find((n) => n.id === currentId) ??
        availableHome[0] ??
        inHome.find((n) => n.id === state.homeNat) ??
        inHome.find((n) => n.id === currentId));
  return {
    managed: {
      t,
      state,
      unreadable: read.unreadable,
      primary: primary.destination,
      currentId,
      current,
      homeAz,
      peers,
      home,
      homeId: home?.id ?? state.homeNat,
      homeHealthy: eligible(ctx, home),
    },
  };
}

/**
 * Home when the home AZ has no gateway of its own (one gateway serves several AZs by design): the
 * gateway recorded as home, else, while the table is recorded at home (first sight included), the
 * one it uses. Such a table is at home on that gateway, not failed over, and nobody moved it. A
 * recorded home that is gone stays the (missing) home, as for any table, and a table recorded
 * away is never re-homed onto the gateway it was moved to.
 */
function sharedHome(peers: readonly NatGateway[], state: TableState, currentId: string): NatGateway | undefined {
  if (state.homeNat !== undefined) return peers.find((n) => n.id === state.homeNat);
  return state.mode === 'home' ? peers.find((n) => n.id === currentId) : undefined;
}

/**
 * Tag room kept free for evacuation memory: one key per evacuated AZ the table lacks, and never
 * less than one. The memory is written by the signal source before the next event arrives, not by
 * this plan, so a plan that filled a table's last slot with its own state would leave the NEXT
 * evacuation nowhere to be remembered: it would act for one run and be forgotten the run after
 * (found in review: three tables at 46 owner tags, filled to 50 by their at-home state, could not
 * remember an autoshift that opened a run later). The same slot takes a close record
 * (`/closed`) that arrives for an AZ the table has no key for.
 */
export const MEMORY_SLOTS_MIN = 1;

function memoryReserve(ctx: Ctx, t: RouteTable): number {
  const ids = new Set<string>();
  for (const e of ctx.obs.evacuations) {
    const zone = ctx.obs.inventory.zones.find((z) => z.name === e.az || z.id === e.az);
    if (zone && !(`${EVACUATION_MEMORY_PREFIX}${zone.id}` in t.tags)) ids.add(zone.id);
  }
  return Math.max(ids.size, MEMORY_SLOTS_MIN);
}

/** The table's pin while it lasts; an expired one is released, and reported. */
function activePin(ctx: Ctx, m: ManagedTable): { readonly pin: Pin | undefined; readonly findings: readonly Finding[] } {
  const { pin } = m.state;
  if (pin === undefined) return { pin: undefined, findings: [] };
  if (pin.until === undefined || pin.until > ctx.obs.now) return { pin, findings: [] };
  return { pin: undefined, findings: [finding(m, 'pin-released', `pin away from ${pin.awayFromAz} expired at ${pin.until.toISOString()}; released`)] };
}

/** Pinned away from an AZ: a healthy gateway outside it, but never at the cost of safety. */
function decidePinned(ctx: Ctx, m: ManagedTable, pin: Pin): Move {
  const { current, currentId, home, peers } = m;
  // The manual function and ARC speak AZ IDs as readily as names; compare by name.
  const pinAwayAz = ctx.zoneByIdOrName.get(pin.awayFromAz) ?? pin.awayFromAz;
  const ok = (n: NatGateway | undefined): n is NatGateway => targetable(ctx, n) && n.az !== pinAwayAz && allowedFor(ctx, m, n);
  const pinned = pin.target !== undefined ? ctx.nats.get(pin.target) : undefined;
  const reasons = [`pinned away from ${pin.awayFromAz} by ${pin.by}: ${pin.reason}`];
  const findings: Finding[] = [];
  let desired = currentId;
  if (pinned && ok(pinned) && peers.includes(pinned)) desired = pinned.id;
  // An unusable explicit target (unhealthy, in the pinned AZ, or not interchangeable: another VPC
  // or connectivity type) is no reason to leave a good current gateway: moving anyway made the
  // table ping-pong between two gateways on alternate runs.
  else if (ok(current)) desired = currentId;
  else {
    // A healthy home outside the pinned AZ is where the table belongs anyway, once proven: with
    // probes, an unproven home is no target for a pin either (found in review).
    const proof = restoreProof(ctx.health, m.t.vpcId, m.homeAz);
    const homeUsable = ok(home) && (!proof.probes || proof.since !== undefined);
    const chosen = homeUsable ? undefined : chooseTarget(ctx, peers.filter((n) => ok(n) && n !== home));
    const choice = homeUsable ? home : chosen?.nat;
    if (chosen) reasons.push(chosen.why, ...chosen.passedOver);
    // A pin never wins over safety: rather than leave traffic on a dead gateway, use a healthy
    // one even inside the pinned AZ (home first), and say so.
    const rescue =
      choice || eligible(ctx, current) ? undefined : eligible(ctx, home) ? home : chooseTarget(ctx, peers.filter((n) => targetable(ctx, n) && allowedFor(ctx, m, n)))?.nat;
    if (choice) desired = choice.id;
    else if (rescue) {
      desired = rescue.id;
      reasons.push(`${describeUnhealthy(ctx, current, currentId)} and no healthy gateway outside ${pin.awayFromAz}: using ${rescue.id} despite the pin`);
      findings.push(finding(m, 'no-healthy-target', `pinned away from ${pin.awayFromAz} but no healthy gateway elsewhere and ${currentId} is unhealthy: moved to ${rescue.id} in ${rescue.az} despite the pin`));
    } else findings.push(finding(m, 'no-healthy-target', `pinned away from ${pin.awayFromAz} but no healthy gateway elsewhere: left on ${currentId}`));
  }
  if (desired === currentId) return stayPut(m, findings, reasons);
  return { desired, transition: 'pin', priority: eligible(ctx, current) ? PRIORITY.pin : PRIORITY.evacuateDead, reasons, findings };
}

/** An operator's restore: skips the hold-down; `force` also skips health, never availability. */
function decideManualRestore(ctx: Ctx, m: ManagedTable, req: RestoreRequest): Move {
  const { homeId, homeHealthy } = m;
  // Fresh lookup: the home may be unhealthy and still be where a forced restore goes.
  const homeGw = ctx.nats.get(homeId ?? '');
  if (homeGw && (homeHealthy || (req.force && homeGw.state === 'available'))) {
    const reasons = [`manual restore by ${req.by}${req.force && !homeHealthy ? ' (forced)' : ''}: ${req.reason}`];
    if (!homeHealthy) reasons.push(describeUnhealthy(ctx, homeGw, homeId));
    // The operator's word stands either way; the reason says whether the probes back it.
    reasons.push(restoreProof(ctx.health, m.t.vpcId, m.homeAz).text);
    return { desired: homeGw.id, transition: 'restore', priority: PRIORITY.restore, reasons, findings: [] };
  }
  return stayPut(m, [
    finding(m, 'no-healthy-target', `restore of ${m.homeAz} requested but ${describeUnhealthy(ctx, homeGw, homeId)}${homeGw?.state === 'available' ? '; force would restore anyway' : ''}: left on ${m.currentId}`),
  ]);
}

/** Home is healthy: stay, repoint within the home AZ, or restore once the hold-down allows. */
function decideHomeHealthy(ctx: Ctx, m: ManagedTable, home: NatGateway): Move {
  const { current, currentId, homeAz } = m;
  if (currentId === home.id) return stayPut(m);
  if (current?.az === homeAz || current === undefined) {
    return {
      desired: home.id,
      transition: 'repoint',
      // Off a gone or broken gateway this is an evacuation, and must not queue behind soft-signal
      // failovers under the change cap; between two healthy gateways of the AZ it can wait.
      priority: eligible(ctx, current) ? PRIORITY.repoint : PRIORITY.evacuateDead,
      reasons: [`${currentId} is not the home gateway of ${homeAz} (${current ? `state ${current.state}` : 'gone'}); ${home.id} is`],
      findings: [],
    };
  }
  return decideRestore(ctx, m, home);
}

/**
 * Positive proof of recovery (issue 13). With probes configured, the hold-down counts only from
 * the start of the home AZ's unbroken run of successful probe minutes: a quiet home proves
 * nothing (its traffic moved away), and a missing minute is unknown, never ok. Undefined `since`:
 * no proof at all. Without probes, the hold-down alone decides, as before, and says so.
 */
export interface RestoreProof {
  readonly probes: boolean;
  readonly since: Date | undefined;
  readonly text: string;
}

export function restoreProof(health: HealthReport, vpcId: string, homeAz: string): RestoreProof {
  if (!health.probes) return { probes: false, since: undefined, text: 'recovery unproven: no probes configured, the hold-down alone decides' };
  const z = health.probes.zones.find((x) => x.vpcId === vpcId && x.az === homeAz);
  return { probes: true, since: z?.provenSince, text: describeProof(z) };
}

/** Failing probes that did not count (every AZ failing, or no fresh success elsewhere): said once per VPC. */
function probeGuardFindings(health: HealthReport): Finding[] {
  return (health.probes?.guarded ?? []).map((g) => ({ kind: 'static-stability-guard' as const, vpcId: g.vpcId, message: g.message }));
}

/** Away from a healthy home: restore after the hold-down unless a safety rule holds it. */
function decideRestore(ctx: Ctx, m: ManagedTable, home: NatGateway): Move {
  const { state, current, currentId, homeAz, t } = m;
  const { now } = ctx.obs;
  const recordedOkSince = state.mode !== 'home' && state.homeOkSince ? state.homeOkSince : now;
  const proof = restoreProof(ctx.health, t.vpcId, homeAz);
  // With probes, the later of the two: healthy on every signal AND proven by the probes.
  const okSince = !proof.probes ? recordedOkSince : proof.since === undefined ? now : new Date(Math.max(recordedOkSince.getTime(), proof.since.getTime()));
  const unproven = proof.probes && proof.since === undefined;
  const hold = holdDownSeconds(ctx.config.restoreHoldDownSeconds, state.flaps);
  const held = unproven ? 0 : secondsBetween(okSince, now);
  // A guarded VPC's monitoring is suspect: "change nothing" includes restores, whose
  // evidence (a quiet, unknown home) is exactly what broken monitoring produces.
  const guarded = ctx.health.guardedVpcs.includes(t.vpcId);
  // A soft-unknown home looks restorable; when the run could not read a soft-signal source,
  // that unknown may hide a failing home (a CloudWatch outage outlasting the hold-down would
  // otherwise send tables back into it). Positive evidence (metrics judged the home ok) still
  // counts, and moves off a dead gateway below are not held.
  const blind = ctx.obs.unreadSignals.length > 0 && ctx.health.gateways.get(home.id)?.soft === 'unknown';
  if (held >= hold && !guarded && !blind && !unproven) {
    return { desired: home.id, transition: 'restore', priority: PRIORITY.restore, reasons: [`home ${home.id} in ${homeAz} healthy for ${Math.round(held)}s (hold-down ${hold}s)`, proof.text], findings: [] };
  }
  if (!eligible(ctx, current)) {
    const choice = chooseTarget(ctx, awayCandidates(ctx, m));
    // With probes, an unproven home is no early way out of a target that is only soft-bad: it may be
    // the very gateway the probes saw fail. A certainly dead target still goes home (found in review).
    if (!choice && unproven && !certainlyDead(ctx, currentId)) {
      return stayPut(m, [finding(m, 'hold-down', `${describeUnhealthy(ctx, current, currentId)}, but home ${home.id} ${proof.text}: left on ${currentId} until the probes prove the home or ${currentId} dies`)]);
    }
    return {
      desired: choice?.nat.id ?? home.id,
      transition: choice ? 'failover' : 'restore',
      priority: PRIORITY.evacuateDead,
      reasons: [`${describeUnhealthy(ctx, current, currentId)}; ${choice ? `home still in hold-down` : `home ${home.id} is healthy, so going home early`}`, ...(choice ? [choice.why, ...choice.passedOver] : proof.probes ? [proof.text] : [])],
      findings: [],
    };
  }
  if (guarded && held >= hold) {
    return stayPut(m, [finding(m, 'static-stability-guard', `restore to ${home.id} held: most of ${t.vpcId}'s gateways look unhealthy on soft signals, so the monitoring is not trusted`)]);
  }
  if (blind && held >= hold) {
    const unread = ctx.obs.unreadSignals.map((u) => `${u.source} (${u.error})`).join(', ');
    return stayPut(m, [finding(m, 'monitoring-degraded', `restore to ${home.id} held: ${unread} could not be read, so its soft health is unknown rather than ok; restores resume once monitoring is read again`)]);
  }
  if (unproven) return stayPut(m, [finding(m, 'hold-down', `home ${home.id} looks healthy but ${proof.text}; restore waits for ${hold}s of successful probes`)]);
  return stayPut(m, [finding(m, 'hold-down', `home ${home.id} healthy for ${Math.round(held)}s; restore after ${hold}s hold-down${proof.probes ? ' (counted from the probes\' proof)' : ''}`)]);
}

/** Home is unhealthy (or gone): keep a healthy target away from home, else fail over to one. */
function decideHomeUnhealthy(ctx: Ctx, m: ManagedTable): Move {
  const { current, currentId, home, homeId } = m;
  // A healthy target is kept: any away from the home AZ, and in the home AZ any but the (unhealthy)
  // home itself. AZ-wide trouble shows as a hard signal on every gateway there, so a healthy second
  // gateway is not caught in it, and moving across AZs would cost connections for nothing.
  // The egress allow-list is no exception: a current target outside it (the list changed) is left.
  if (targetable(ctx, current) && allowedFor(ctx, m, current) && (current.az !== m.homeAz || current.id !== homeId)) return stayPut(m);
  const chosen = chooseTarget(ctx, awayCandidates(ctx, m));
  const why = describeUnhealthy(ctx, home, homeId);
  if (!chosen) return stayPut(m, [finding(m, 'no-healthy-target', `${why}; no healthy gateway in another AZ${excludedByAllowList(ctx, m)}: left on ${currentId}`)]);
  const choice = chosen.nat;
  const homeHard = (ctx.health.gateways.get(homeId ?? '')?.hard.length ?? 1) > 0;
  const hardHome = homeHard || (current !== undefined && (ctx.health.gateways.get(currentId)?.hard.length ?? 0) > 0);
  return {
    desired: choice.id,
    transition: 'failover',
    priority: hardHome ? PRIORITY.evacuateDead : PRIORITY.evacuateSoft,
    reasons: [
      currentId !== homeId ? `${describeUnhealthy(ctx, current, currentId)}; home ${why}` : why,
      chosen.why,
      ...chosen.passedOver,
    ],
    findings: [],
  };
}

/**
 * Route changes: the IPv4 default, and the NAT64 route moving with it (only into a healthy
 * gateway). A NAT64 route that moves alone makes the move a `converge`.
 */
function followNat64(ctx: Ctx, m: ManagedTable, move: Move): { readonly routes: readonly RouteChange[]; readonly move: Move } {
  const routes: RouteChange[] = [];
  if (move.desired !== m.currentId) routes.push({ destination: m.primary, from: m.currentId, to: move.desired });
  if (m.primary !== IPV4_DEFAULT) return { routes, move };
  const v6 = m.t.routes.find((r) => r.destination === NAT64_PREFIX && r.target.kind === 'nat');
  const dest = ctx.nats.get(move.desired);
  // The allow-list binds the NAT64 route too: a gateway outside it is never written into (review).
  if (!v6 || v6.target.id === move.desired || !eligible(ctx, dest) || !dest || !allowedFor(ctx, m, dest)) return { routes, move };
  // A route on a regional gateway is never moved off it: AWS spans AZs for it.
  if (ctx.nats.get(v6.target.id)?.availabilityMode === 'regional') return { routes, move };
  routes.push({ destination: NAT64_PREFIX, from: v6.target.id, to: move.desired });
  if (routes.length > 1) return { routes, move };
  return {
    routes,
    move: {
      ...move,
      transition: 'converge',
      // A NAT64 route left on a dead gateway (a half-written move) is an evacuation, not a tidy-up.
      priority: eligible(ctx, ctx.nats.get(v6.target.id)) ? PRIORITY.converge : PRIORITY.evacuateDead,
      reasons: [...move.reasons, `NAT64 route points at ${v6.target.id}; it follows the IPv4 default to ${move.desired}`],
    },
  };
}

/** The state the table's tags record after this run (and a finding when it was moved behind our back). */
function nextState(ctx: Ctx, m: ManagedTable, pin: Pin | undefined, move: Move): { readonly next: TableState; readonly findings: readonly Finding[] } {
  const { state, currentId, homeId, homeHealthy } = m;
  const { now } = ctx.obs;
  const { desired, transition, reasons } = move;
  const mode: TableMode = pin ? 'pinned' : desired === homeId ? 'home' : 'failed-over';
  const moved = desired !== currentId;
  // Away from home with no recorded failover. A freshly pinned table that stays on its home is not
  // "away", whatever its new mode says.
  const externallyMoved = !moved && mode !== 'home' && state.mode === 'home' && currentId !== homeId;
  const findings = externallyMoved
    ? [finding(m, 'external-change', `found on ${currentId}, not home ${homeId ?? '(none)'}, with no recorded failover (a person, or a run that stopped half-way): adopted as failed over`)]
    : [];
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
  return { next, findings };
}

function decideTable(ctx: Ctx, t: RouteTable): TableDecision {
  const resolved = resolveTable(ctx, t);
  if ('skipped' in resolved) return resolved.skipped;
  const m = resolved.managed;

  const { pin, findings: released } = activePin(ctx, m);
  const req = restoreRequest(ctx, m.homeAz);
  const decided = pin
    ? decidePinned(ctx, m, pin)
    : req && m.currentId !== m.homeId
      ? decideManualRestore(ctx, m, req)
      : eligible(ctx, m.home)
        ? decideHomeHealthy(ctx, m, m.home)
        : decideHomeUnhealthy(ctx, m);
  const { routes, move } = followNat64(ctx, m, decided);
  if (move.desired !== m.currentId) moveLoad(ctx, m.currentId, move.desired);
  const { next, findings: adopted } = nextState(ctx, m, pin, move);

  // Counted before writing: a CreateTags past EC2's 50 tags fails whole. The route still moves (the
  // traffic comes first); what does not fit is reported, and the rest of the state is written.
  const reserve = memoryReserve(ctx, t);
  const budget = fitTagBudget(t.tags, diffTags(t.tags, stateTags(next)), reserve);
  const tags = budget.diff;
  const moving = routes.length > 0;
  const changeClass = changeClassOf(routes, (id) => certainlyDead(ctx, id));
  const action: TableAction | undefined =
    moving || !isEmptyDiff(tags)
      ? {
          routeTableId: t.id,
          vpcId: t.vpcId,
          homeAz: m.homeAz,
          transition: moving ? move.transition : undefined,
          routes,
          tags,
          reasons: moving ? move.reasons : ['record state'],
          // A route off a dead gateway makes the whole table urgent (a NAT64 route left on a dead
          // gateway beside an IPv4 restore included).
          priority: moving ? (changeClass === 'hard-evacuation' ? PRIORITY.evacuateDead : move.priority) : PRIORITY.record,
          changeClass,
        }
      : undefined;
  const unreadable = m.unreadable.map((u) =>
    finding(m, 'unreadable-state', `tag ${u.key}="${u.value}" is not readable (expected ${u.expected}): treated as absent: ${u.effect}`),
  );
  const overBudget =
    budget.dropped.length === 0
      ? []
      : [
          finding(
            m,
            'tag-budget',
            `${t.id} carries ${budget.count} of EC2's ${TAGS_PER_RESOURCE_MAX} tags${reserve > 0 ? ` (and keeps room for ${reserve} evacuation memory tag${reserve > 1 ? 's' : ''})` : ''}: no room to record ${budget.dropped.join(', ')}; the ${moving ? 'route change goes ahead, the ' : ''}state stays incomplete until tags are removed from the table`,
          ),
        ];
  return {
    action,
    findings: [...unreadable, ...released, ...move.findings, ...adopted, ...overBudget],
    view: {
      routeTableId: t.id,
      vpcId: t.vpcId,
      homeAz: m.homeAz,
      homeNat: m.homeId,
      currentTarget: m.currentId,
      desiredTarget: move.desired,
      mode: next.mode,
      since: next.since,
      reason: next.reason,
      egress: egressOptions(ctx, m),
    },
  };
}

/** Where a table may egress from: its home and every gateway it could be sent to now. */
function egressOptions(ctx: Ctx, m: ManagedTable): EgressOption[] {
  const home = m.homeId === undefined ? undefined : ctx.nats.get(m.homeId);
  const targets = awayCandidates(ctx, m).sort((a, b) => (a.az ?? '').localeCompare(b.az ?? '') || a.id.localeCompare(b.id));
  return [
    ...(home ? [{ natGatewayId: home.id, role: 'home' as const, ips: home.ips }] : []),
    ...targets.map((n) => ({ natGatewayId: n.id, role: 'target' as const, ips: n.ips })),
  ];
}

/**
 * Gateways the egress allow-list rules out as failover targets, once per run each, with the IPs to
 * add: operators fix the list before a failover needs it, not during one.
 */
function allowListFindings(ctx: Ctx): Finding[] {
  if (ctx.allow === undefined) return [];
  const vpcs = new Set(ctx.obs.inventory.routeTables.map((t) => t.vpcId));
  return [...ctx.nats.values()]
    .filter((n) => vpcs.has(n.vpcId) && n.availabilityMode === 'zonal' && n.state === 'available' && !isAllowListed(ctx.allow, n))
    .sort((a, b) => a.vpcId.localeCompare(b.vpcId) || a.id.localeCompare(b.id))
    .map((n) => ({
      kind: 'allow-list' as const,
      vpcId: n.vpcId,
      ...(n.az !== undefined ? { az: n.az } : {}),
      message: `${n.id} (${n.az ?? 'no AZ'}) egresses from ${n.ips && n.ips.length > 0 ? n.ips.join(', ') : 'unobserved IPs'}, not all inside the egress allow-list: never a failover target (it still serves its own AZ); ${allowListAdvice(ctx.allow, n)}`,
    }));
}


/** Pure decision: from what was seen (and its health) to a plan. */
export type Policy = (obs: Observation, health: HealthReport, config: PlannerConfig, overrides?: PlanOverrides) => Plan;

/**
 * The whole decision, pure: from one observation and its health report to the actions that
 * bring every managed table to its desired target, each with its reasons.
 */
export function plan(obs: Observation, health: HealthReport, config: PlannerConfig, overrides: PlanOverrides = {}): Plan {
  const nats = new Map(obs.inventory.natGateways.map((n) => [n.id, n]));
  const load = new Map<string, number>();
  for (const t of obs.inventory.routeTables) {
    const r = primaryRoute(t);
    if (r) load.set(r.target.id, (load.get(r.target.id) ?? 0) + 1);
  }
  const zoneByIdOrName = new Map<string, string>();
  for (const z of obs.inventory.zones) {
    zoneByIdOrName.set(z.name, z.name);
    zoneByIdOrName.set(z.id, z.name);
  }
  const capacity = obs.metrics?.capacity ?? new Map<string, GatewayLoad>();
  const ctx: Ctx = {
    obs,
    health,
    config,
    nats,
    load,
    zoneByIdOrName,
    overrides,
    capacity,
    share: tableShares(capacity, load),
    added: new Map(),
    addedBlind: new Map(),
    allow: allowListOf(config.egressAllowList),
  };

  const findings: Finding[] = health.guardedVpcs.map((vpcId) => ({
    kind: 'static-stability-guard' as const,
    vpcId,
    message: `more than half of ${vpcId}'s gateways look unhealthy on soft signals at once: treating it as broken monitoring, not moving on soft signals`,
  }));
  findings.push(...allowListFindings(ctx));
  findings.push(...probeGuardFindings(health));
  const decided: TableAction[] = [];
  const tables: TableView[] = [];
  for (const t of [...obs.inventory.routeTables].sort((a, b) => a.id.localeCompare(b.id))) {
    const d = decideTable(ctx, t);
    findings.push(...d.findings);
    tables.push(d.view);
    if (d.action) decided.push(d.action);
  }

  // Bounded blast radius: at most K tables whose change rests on something other than a certainly
  // dead gateway (soft-signal failovers, pins, restores) change routes per run, most urgent first.
  // Hard evacuations are not counted and never deferred here: what bounds them is EC2's write
  // budget (the writer paces to it) and the invocation's deadline (act() stops starting writes and
  // the run continues at once in a new invocation). Found in issue 16: 334 tables of a deleted
  // gateway took 7 runs and ~6 minutes under a cap of 50, where EC2 allows ~34 s.
  const capped = decided.filter((a) => a.routes.length > 0 && a.changeClass === 'capped').sort(actionOrder);
  const over = capped.slice(config.maxChangesPerRun);
  const deferred = new Set(over.map((a) => a.routeTableId));
  for (const a of over) {
    findings.push({ kind: 'deferred-by-change-cap', routeTableId: a.routeTableId, vpcId: a.vpcId, az: a.homeAz, message: `${a.transition} deferred: more than ${config.maxChangesPerRun} route tables to change on soft signals, pins or restores this run (evacuations off dead gateways are not capped)` });
  }
  const actions = decided.filter((a) => !deferred.has(a.routeTableId)).sort(actionOrder);
  return { at: obs.now, actions, findings, tables };
}
