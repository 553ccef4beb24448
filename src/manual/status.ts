import { primaryRoute, restoreProof } from '../core/planner';
import { readPin, readState } from '../core/state';
import { headroom, type HeadroomVerdict } from '../core/capacity';
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
  /**
   * Every gateway the table may egress from, with its IPs: its home, and each gateway it could be
   * failed over to now (healthy, interchangeable, inside the egress allow-list). Partners'
   * allow-lists must hold all of them before a failover needs them. Null for a skipped table.
   */
  readonly egress: readonly { natGatewayId: string; role: 'home' | 'target'; ips: readonly string[] | null }[] | null;
  /** Away from home: whether an automatic restore would be proven (probes) or unproven (no probes). */
  readonly restoreProof?: string | null;
}

/** One probed path (issue 13): what the AZ's probe function last said and whether it counts. */
export interface ProbeZoneStatus {
  readonly vpcId: string;
  readonly az: string;
  /** ok / bad (M of N rounds failed) / unknown (no fresh data, or not enough failed rounds yet). */
  readonly verdict: string;
  readonly lastVerdict: 'ok' | 'failed' | null;
  readonly lastAt: string | null;
  readonly lastSource: 'metric' | 'event' | null;
  readonly roundsFailed: number;
  readonly roundsCounted: number;
  /** Start of the unbroken run of successful minutes (the recovery proof), if any. */
  readonly provenSince: string | null;
  /** A bad verdict that counts against the AZ's gateway (the other AZs' probes succeeded meanwhile). */
  readonly counts: boolean;
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
  /**
   * Capacity as a failover target over the metric window: IPs, ActiveConnectionCount (highest
   * one-minute maximum), ErrorPortAllocation (sum), the proxy limit 55,000 x IPs, and the verdict
   * the planner ranks targets by (ok, unknown, short, port-errors). Null fields: no data.
   */
  readonly headroom: {
    readonly ips: readonly string[] | null;
    readonly activeConnections: number | null;
    readonly portAllocationErrors: number | null;
    readonly limit: number | null;
    readonly verdict: HeadroomVerdict;
    readonly detail: string;
  };
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
  /** Data-plane probes: `configured` false when PROBES is off (restores are then unproven). */
  readonly probes?: { readonly configured: boolean; readonly zones: readonly ProbeZoneStatus[] };
}

/** `status` sums ErrorPortAllocation over this many whole minutes. */
export const PORT_ALLOCATION_WINDOW_MINUTES = 5;

/** Capacity, not failure: moving the traffic would concentrate the load elsewhere (design brief §2). */
export const portAllocationInfo = (n: number, window = `the last ${PORT_ALLOCATION_WINDOW_MINUTES} min`): string =>
  `port allocation errors: ${n} in ${window} — capacity, not failure; no failover`;

function verdict(nat: NatGateway, h: GatewayHealth | undefined): GatewayVerdict {
  if (nat.state !== 'available' || (h?.hard.length ?? 0) > 0 || h?.soft === 'bad') return 'unhealthy';
  // Missing data is unknown, never healthy: a gateway with no judged minutes says nothing.
  return h?.soft === 'ok' ? 'healthy' : 'unknown';
}

function signals(nat: NatGateway, h: GatewayHealth | undefined, portErrors: number | undefined, window?: string): string[] {
  // Informational only: shown, never part of the verdict.
  const info = portErrors !== undefined && portErrors > 0 ? [`info: ${portAllocationInfo(portErrors, window)}`] : [];
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
      return { routeTableId: v.routeTableId, vpcId: v.vpcId, az: null, homeGateway: null, currentTarget: v.currentTarget ?? null, state: 'skipped', since: null, why: v.reason ?? null, next: null, pin: null, endpoints: null, egress: null };
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
      egress: (v.egress ?? []).map((e) => ({ natGatewayId: e.natGatewayId, role: e.role, ips: e.ips ? [...e.ips] : null })),
      restoreProof: state !== 'home' && v.homeAz !== undefined ? restoreProof(health, v.vpcId, v.homeAz).text : null,
    };
  });
  // As the gateways below: by VPC, then AZ, then id, so a VPC's tables read together.
  tables.sort((a, b) => a.vpcId.localeCompare(b.vpcId) || (a.az ?? '').localeCompare(b.az ?? '') || a.routeTableId.localeCompare(b.routeTableId));

  // Port errors read with the metrics (capacity) cover the minutes the soft rules judged.
  const judgedWindow = obs.metrics?.capacity !== undefined && health.periodsJudged ? `the minutes judged (${health.periodsJudged.start.toISOString().slice(11, 16)}..${health.periodsJudged.end.toISOString().slice(11, 16)} UTC)` : undefined;
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
      const room = headroom(n, obs.metrics?.capacity?.get(n.id));
      return {
        natGatewayId: n.id,
        vpcId: n.vpcId,
        az: n.az ?? null,
        state: n.state,
        connectivity: n.connectivityType,
        availabilityMode: n.availabilityMode,
        health: verdict(n, h),
        signals: signals(n, h, portErrors.get(n.id), judgedWindow),
        tablesServed: served.get(n.id) ?? 0,
        headroom: {
          ips: n.ips ? [...n.ips] : null,
          activeConnections: room.activeConnections ?? null,
          portAllocationErrors: room.portAllocationErrors ?? null,
          limit: room.limit ?? null,
          verdict: room.verdict,
          detail: room.detail,
        },
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
    probes: {
      configured: health.probes !== undefined,
      zones: (health.probes?.zones ?? []).filter(inScope).map((z) => ({
        vpcId: z.vpcId,
        az: z.az,
        verdict: z.verdict,
        lastVerdict: z.last ? (z.last.failed ? 'failed' : 'ok') : null,
        lastAt: z.last?.at.toISOString() ?? null,
        lastSource: z.last?.source ?? null,
        roundsFailed: z.roundsFailed,
        roundsCounted: z.roundsCounted,
        provenSince: z.provenSince?.toISOString() ?? null,
        counts: z.verdict === 'bad' && z.corroborated,
      })),
    },
  };
}
