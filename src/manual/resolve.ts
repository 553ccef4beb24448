import { allowListAdvice, allowListOf, isAllowListed } from '../core/capacity';
import { explainHealth, isEligibleTarget, isFailoverTarget } from '../core/health';
import { MEMORY_SLOTS_MIN, type RestoreRequest, tableConnectivity } from '../core/planner';
import type { HealthReport, NatGateway, Observation, Pin, Plan, TableView } from '../core/types';
import { TAGS, TAGS_PER_RESOURCE_MAX } from '../core/constants';
import { fitTagBudget, readPin } from '../core/state';
import { isoSeconds } from '../core/time';
import { type FailoverRequest, type ReleaseRequest, RequestError, type RestoreRequestInput } from './request';

/**
 * Checks that need the world: the AZ exists, the gateway is one we see, the target is one the
 * automatic rules would accept. Pure: same observation, same answer.
 */

export interface World {
  readonly obs: Observation;
  readonly health: HealthReport;
  readonly plan: Plan;
}

export interface ResolvedFailover {
  readonly kind: 'failover';
  readonly az: string;
  readonly tableIds: readonly string[];
  readonly pin: Pin;
}
export interface ResolvedRelease {
  readonly kind: 'release';
  readonly tableIds: readonly string[];
  /** Selected tables that carried no pin (nothing to drop). */
  readonly unpinned: readonly string[];
}
export interface ResolvedRestore {
  readonly kind: 'restore';
  readonly request: RestoreRequest;
  readonly tableIds: readonly string[];
  /** Tables of the AZ that are not at home now. */
  readonly away: readonly string[];
}

/** AZ name for an AZ name or id, or a RequestError listing the region's zones. */
export function normaliseAz(obs: Observation, raw: string, field = 'az'): string {
  const zone = obs.inventory.zones.find((z) => z.name === raw || z.id === raw);
  if (!zone) {
    const known = obs.inventory.zones.map((z) => `${z.name} (${z.id})`).join(', ');
    throw new RequestError(field, `unknown AZ "${raw}" in this region; known: ${known || 'none'}`);
  }
  return zone.name;
}

const managed = (w: World, vpcId: string | undefined): TableView[] =>
  w.plan.tables.filter((t) => t.mode !== 'unmanaged' && (vpcId === undefined || t.vpcId === vpcId));

function gatewayOf(w: World, id: string, field: string): NatGateway {
  const nat = w.obs.inventory.natGateways.find((n) => n.id === id);
  if (!nat) throw new RequestError(field, `${id} is not a NAT gateway of any VPC with managed route tables`);
  return nat;
}

const tagsOf = (w: World, id: string): Readonly<Record<string, string>> =>
  w.obs.inventory.routeTables.find((t) => t.id === id)?.tags ?? {};

const eligible = (w: World, n: NatGateway): boolean => isEligibleTarget(n, w.health.gateways.get(n.id));

const healthText = (w: World, n: NatGateway): string => explainHealth(n, w.health.gateways.get(n.id));

/** Tables selected by AZ or by home gateway, in one VPC if asked. */
function select(w: World, req: { az?: string; gateway?: string; vpcId?: string }): { az: string; tables: TableView[] } {
  if (req.vpcId !== undefined && !w.plan.tables.some((t) => t.vpcId === req.vpcId)) {
    throw new RequestError('vpcId', `${req.vpcId} has no managed route tables`);
  }
  if (req.gateway !== undefined) {
    const nat = gatewayOf(w, req.gateway, 'gateway');
    if (nat.availabilityMode === 'regional' || nat.az === undefined) {
      throw new RequestError('gateway', `${nat.id} is a regional NAT gateway: AWS spans AZs itself, there is nothing to fail over`);
    }
    const tables = managed(w, req.vpcId).filter((t) => t.homeNat === nat.id);
    if (tables.length === 0) throw new RequestError('gateway', `no managed route table has ${nat.id} as its home gateway`);
    return { az: nat.az, tables };
  }
  const az = normaliseAz(w.obs, req.az as string);
  const tables = managed(w, req.vpcId).filter((t) => t.homeAz === az);
  if (tables.length === 0) {
    throw new RequestError('az', `no managed route table has its home in ${az}${req.vpcId ? ` in ${req.vpcId}` : ''}`);
  }
  return { az, tables };
}

export function resolveFailover(w: World, req: FailoverRequest, by: string, egressAllowList: readonly string[] = []): ResolvedFailover {
  const now = w.obs.now;
  const { az, tables } = select(w, req);
  let until: Date | undefined;
  if (req.expiresAt !== undefined) {
    until = new Date(req.expiresAt);
    if (until <= now) throw new RequestError('expiresAt', `${req.expiresAt} is not in the future (now ${isoSeconds(now)})`);
  }
  const vpcs = [...new Set(tables.map((t) => t.vpcId))].sort();
  // The planner's rule, so the request is judged as the run will judge it. It never guesses
  // 'public': a private network must not be offered a public gateway.
  const connectivity = (t: TableView) => {
    const c = tableConnectivity(w.obs.inventory.natGateways, { vpcId: t.vpcId, currentId: t.currentTarget, homeNat: t.homeNat });
    if (c === undefined) throw new RequestError(req.gateway !== undefined ? 'gateway' : 'az', `cannot tell whether ${t.routeTableId} uses public or private gateways; set nat-failover:home-nat`);
    return c;
  };
  if (req.target !== undefined) {
    const target = gatewayOf(w, req.target, 'target');
    if (target.availabilityMode === 'regional') throw new RequestError('target', `${target.id} is a regional NAT gateway; only zonal gateways are failover targets`);
    if (target.az === az) throw new RequestError('target', `${target.id} is in ${az}, the AZ being moved away from`);
    if (target.az === undefined) throw new RequestError('target', `${target.id} has no known AZ (its subnet was not found): it could be in ${az} itself, so it is never a failover target`);
    const other = vpcs.filter((v) => v !== target.vpcId);
    if (other.length > 0) throw new RequestError('target', `${target.id} is in ${target.vpcId}, but tables in ${other.join(', ')} are selected too; add vpcId`);
    if (!eligible(w, target)) throw new RequestError('target', `${target.id} is not a healthy available gateway: ${healthText(w, target)}`);
    // As the planner: a gateway outside the egress allow-list is never a failover target, so a pin
    // naming one would be accepted here and then never honoured.
    const list = allowListOf(egressAllowList);
    if (!isAllowListed(list, target)) {
      throw new RequestError('target', `${target.id} is outside EGRESS_ALLOW_LIST, so never a failover target: ${allowListAdvice(list, target)}`);
    }
    const mismatch = tables.find((t) => connectivity(t) !== target.connectivityType);
    if (mismatch) throw new RequestError('target', `${target.id} is ${target.connectivityType}, but ${mismatch.routeTableId} uses a ${connectivity(mismatch)} gateway`);
  } else {
    const list = allowListOf(egressAllowList);
    for (const t of tables) {
      const peers = w.obs.inventory.natGateways.filter(
        (n) =>
          n.vpcId === t.vpcId &&
          n.availabilityMode === 'zonal' &&
          n.az !== az &&
          n.connectivityType === connectivity(t) &&
          isFailoverTarget(n, w.health.gateways.get(n.id)) &&
          (n.id === t.homeNat || isAllowListed(list, n)),
      );
      if (peers.length === 0) {
        const fenced = list === undefined ? '' : ' inside EGRESS_ALLOW_LIST';
        throw new RequestError(req.gateway !== undefined ? 'gateway' : 'az', `no healthy gateway${fenced} outside ${az} in ${t.vpcId} for ${t.routeTableId}: nothing to fail over to`);
      }
    }
  }
  // A pin is two tags (its facts, its reason) and EC2 refuses a CreateTags past 50 per table (aws:
  // keys aside): count first, so a crowded table is a clear refusal, not a failed write half-way.
  // Legacy pin keys on the table are removed after the write, so they are no room now. One slot
  // stays free for evacuation memory, as the planner keeps it (MEMORY_SLOTS_MIN).
  const pinKeys = [TAGS.pin, ...(req.reason !== '' ? [TAGS.pinReason] : [])];
  for (const t of tables) {
    const { dropped, count } = fitTagBudget(tagsOf(w, t.routeTableId), { set: Object.fromEntries(pinKeys.map((k) => [k, ''])), remove: [] }, MEMORY_SLOTS_MIN);
    if (dropped.length > 0) {
      throw new RequestError(req.gateway !== undefined ? 'gateway' : 'az', `${t.routeTableId} carries ${count} of EC2's ${TAGS_PER_RESOURCE_MAX} tags (one slot kept for evacuation memory): no room for the pin's ${dropped.length} new tag(s); remove tags from it first`);
    }
  }
  return {
    kind: 'failover',
    az,
    tableIds: tables.map((t) => t.routeTableId),
    pin: { awayFromAz: az, target: req.target, until, reason: req.reason, by },
  };
}

export function resolveRelease(w: World, req: ReleaseRequest): ResolvedRelease {
  const { tables } = select(w, req);
  const ids = tables.map((t) => t.routeTableId);
  return {
    kind: 'release',
    tableIds: ids.filter((id) => readPin(tagsOf(w, id)) !== undefined),
    unpinned: ids.filter((id) => readPin(tagsOf(w, id)) === undefined),
  };
}

export function resolveRestore(w: World, req: RestoreRequestInput, by: string): ResolvedRestore {
  const { az, tables } = select(w, { az: req.az });
  const now = w.obs.now;
  const pinned = tables.filter((t) => {
    const pin = readPin(tagsOf(w, t.routeTableId));
    return pin !== undefined && (pin.until === undefined || pin.until > now);
  });
  if (pinned.length > 0) {
    const pin = readPin(tagsOf(w, pinned[0]!.routeTableId))!;
    throw new RequestError(
      'az',
      `${pinned.map((t) => t.routeTableId).join(', ')} pinned away from ${pin.awayFromAz} by ${pin.by} (${pin.reason}); a pin wins over restore: release it first`,
    );
  }
  const away = tables.filter((t) => t.currentTarget !== t.homeNat);
  for (const t of away) {
    const home = w.obs.inventory.natGateways.find((n) => n.id === t.homeNat);
    if (!home) throw new RequestError('az', `${t.routeTableId} has no gateway in ${az} to return to`);
    if (home.state !== 'available') {
      throw new RequestError('az', `home gateway ${home.id} of ${t.routeTableId} is ${home.state}; restore never targets a gateway that is not available`);
    }
    if (!eligible(w, home) && !req.force) {
      throw new RequestError('force', `home gateway ${home.id} is unhealthy (${healthText(w, home)}); set force with a reason to restore anyway`);
    }
  }
  return {
    kind: 'restore',
    request: { az, force: req.force ?? false, reason: req.reason ?? 'operator restore', by },
    tableIds: tables.map((t) => t.routeTableId),
    away: away.map((t) => t.routeTableId),
  };
}
