import { primaryRoute } from '../core/planner';
import { readPin, readState } from '../core/state';
import type { GatewayHealth, NatGateway } from '../core/types';
import { auditEndpoints, type EndpointAudit } from './endpoints';
import type { GatewayEndpoint } from './ports';
import type { World } from './resolve';

/** Where every managed table points now and why, and what each gateway's health rests on. */

export type TableStatusState = 'home' | 'failed-over' | 'pinned' | 'skipped';

export interface TableStatus {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly az: string | null;
  readonly homeGateway: string | null;
  readonly currentTarget: string | null;
  readonly state: TableStatusState;
  readonly since: string | null;
  readonly why: string | null;
  /** Where the next run would point it, when that differs from now. */
  readonly next: string | null;
  readonly pin: { awayFrom: string; target: string | null; until: string | null; reason: string; by: string } | null;
  readonly endpoints: { present: readonly string[]; missing: readonly string[] } | null;
}

export type GatewayVerdict = 'healthy' | 'unhealthy' | 'unknown';

export interface GatewayStatus {
  readonly natGatewayId: string;
  readonly vpcId: string;
  readonly az: string | null;
  readonly state: string;
  readonly connectivity: string;
  readonly availabilityMode: string;
  readonly health: GatewayVerdict;
  /** Hard signals, soft signals that counted, and informational ones. */
  readonly signals: readonly string[];
  readonly tablesServed: number;
}

export interface StatusReport {
  readonly at: string;
  /** The VPC asked about (`status --vpc`), or null for every VPC. */
  readonly vpcId: string | null;
  readonly metricsJudged: { start: string; end: string } | null;
  readonly tables: readonly TableStatus[];
  readonly gateways: readonly GatewayStatus[];
  readonly regionalVpcs: readonly { vpcId: string; natGatewayIds: readonly string[]; note: string }[];
  readonly endpointAudit: { readonly flagged: readonly EndpointAudit[]; readonly note: string };
  readonly findings: readonly { kind: string; routeTableId: string | null; message: string }[];
}

/** `status` sums ErrorPortAllocation over this many whole minutes. */
export const PORT_ALLOCATION_WINDOW_MINUTES = 5;

/** Capacity, not failure: moving the traffic would concentrate the load elsewhere (design brief §2). */
export const portAllocationInfo = (n: number): string =>
  `port allocation errors: ${n} in the last ${PORT_ALLOCATION_WINDOW_MINUTES} min — capacity, not failure; no failover`;

function verdict(nat: NatGateway, h: GatewayHealth | undefined): GatewayVerdict {
  if (nat.state !== 'available' || (h?.hard.length ?? 0) > 0 || h?.soft === 'bad') return 'unhealthy';
  // Missing data is unknown, never healthy: a gateway with no judged minutes says nothing.
  return h?.soft === 'ok' ? 'healthy' : 'unknown';
}

function signals(nat: NatGateway, h: GatewayHealth | undefined, portErrors: number | undefined): string[] {
  // Informational only: shown, never part of the verdict.
  const info = portErrors !== undefined && portErrors > 0 ? [`info: ${portAllocationInfo(portErrors)}`] : [];
  if (!h) return [`state ${nat.state}`, ...info];
  const out = [...h.hard.map((s) => `hard: ${s.detail}`), ...h.softSignals.map((s) => `soft: ${s.detail}`), ...h.info.map((s) => `info: ${s.detail}`)];
  if (h.softSuppressed) out.push('soft signals set aside by the static-stability guard');
  if (out.length === 0) out.push(h.soft === 'ok' ? 'traffic metrics within limits' : 'no judged traffic minutes (silence is unknown)');
  return [...out, ...info];
}

export function buildStatus(
  w: World,
  endpoints: readonly GatewayEndpoint[],
  vpcId?: string,
  portErrors: ReadonlyMap<string, number> = new Map(),
): StatusReport {
  const { obs, health, plan } = w;
  const inScope = <T extends { vpcId: string }>(x: T) => vpcId === undefined || x.vpcId === vpcId;
  const audits = new Map(auditEndpoints(plan.tables, endpoints).map((a) => [a.routeTableId, a]));
  const tags = new Map(obs.inventory.routeTables.map((t) => [t.id, t.tags]));

  const tables: TableStatus[] = plan.tables.filter(inScope).map((v) => {
    const t = tags.get(v.routeTableId) ?? {};
    const recorded = readState(t);
    const pin = readPin(t);
    const pinActive = pin !== undefined && (pin.until === undefined || pin.until > obs.now);
    const audit = audits.get(v.routeTableId);
    if (v.mode === 'unmanaged') {
      return { routeTableId: v.routeTableId, vpcId: v.vpcId, az: null, homeGateway: null, currentTarget: v.currentTarget ?? null, state: 'skipped', since: null, why: v.reason ?? null, next: null, pin: null, endpoints: null };
    }
    // State from what the route does now; since/why from what the controller recorded.
    const state: TableStatusState = pinActive ? 'pinned' : v.currentTarget === v.homeNat ? 'home' : 'failed-over';
    const recordedMatches = recorded.mode === state;
    return {
      routeTableId: v.routeTableId,
      vpcId: v.vpcId,
      az: v.homeAz ?? null,
      homeGateway: v.homeNat ?? null,
      currentTarget: v.currentTarget ?? null,
      state,
      since: recordedMatches ? (recorded.since?.toISOString() ?? null) : null,
      why: recordedMatches ? (recorded.reason ?? null) : `not recorded (tags say ${recorded.mode}); next run: ${v.reason ?? '?'}`,
      next: v.desiredTarget !== undefined && v.desiredTarget !== v.currentTarget ? v.desiredTarget : null,
      pin: pin
        ? { awayFrom: pin.awayFromAz, target: pin.target ?? null, until: pin.until?.toISOString() ?? null, reason: pin.reason, by: pin.by }
        : null,
      endpoints: audit ? { present: audit.present, missing: audit.missing } : null,
    };
  });
  // As the gateways below: by VPC, then AZ, then id, so a VPC's tables read together.
  tables.sort((a, b) => a.vpcId.localeCompare(b.vpcId) || (a.az ?? '').localeCompare(b.az ?? '') || a.routeTableId.localeCompare(b.routeTableId));

  const served = new Map<string, number>();
  for (const t of obs.inventory.routeTables) {
    // The route that places the table: IPv4 default, or NAT64 on an IPv6-only table.
    const r = primaryRoute(t);
    if (r) served.set(r.target.id, (served.get(r.target.id) ?? 0) + 1);
  }
  const gateways: GatewayStatus[] = obs.inventory.natGateways
    .filter(inScope)
    .map((n) => {
      const h = health.gateways.get(n.id);
      return {
        natGatewayId: n.id,
        vpcId: n.vpcId,
        az: n.az ?? null,
        state: n.state,
        connectivity: n.connectivityType,
        availabilityMode: n.availabilityMode,
        health: verdict(n, h),
        signals: signals(n, h, portErrors.get(n.id)),
        tablesServed: served.get(n.id) ?? 0,
      };
    })
    .sort((a, b) => a.vpcId.localeCompare(b.vpcId) || (a.az ?? '').localeCompare(b.az ?? '') || a.natGatewayId.localeCompare(b.natGatewayId));

  const regional = new Map<string, string[]>();
  for (const n of obs.inventory.natGateways.filter(inScope)) {
    if (n.availabilityMode === 'regional') regional.set(n.vpcId, [...(regional.get(n.vpcId) ?? []), n.id]);
  }

  return {
    at: obs.now.toISOString(),
    vpcId: vpcId ?? null,
    metricsJudged: health.periodsJudged ? { start: health.periodsJudged.start.toISOString(), end: health.periodsJudged.end.toISOString() } : null,
    tables,
    gateways,
    regionalVpcs: [...regional].sort().map(([v, ids]) => ({ vpcId: v, natGatewayIds: ids.sort(), note: 'regional NAT gateway spans AZs itself: needs no failover' })),
    endpointAudit: {
      flagged: [...audits.values()].filter((a) => a.missing.length > 0 && inScope(a)),
      note: 'S3 and DynamoDB traffic should use a gateway endpoint (free) instead of crossing a NAT gateway (per-GB processing)',
    },
    findings: plan.findings
      .filter((f) => vpcId === undefined || f.vpcId === undefined || f.vpcId === vpcId)
      .map((f) => ({ kind: f.kind, routeTableId: f.routeTableId ?? null, message: f.message })),
  };
}
