import { type Cidr, hostCidr, outsideAllowList, parseCidr } from './cidr';
import { CONNECTIONS_PER_DESTINATION_PER_IP, HEADROOM_SHORT_RATIO } from './constants';
import type { GatewayLoad, NatGateway } from './types';

/**
 * Headroom of a gateway as a failover target, and the egress allow-list. Pure. Neither is ever a
 * reason to move a table: they only decide WHERE a table that must move goes.
 *
 * - `ok`: active connections known and below HEADROOM_SHORT_RATIO of 55,000 x its IPs, and no
 *   port-allocation error in the window.
 * - `unknown`: no capacity data (metrics not read, or no datapoint): neither preferred (it proves
 *   no headroom) nor excluded (silence proves no shortage either).
 * - `short`: active connections at or above that share of the proxy limit.
 * - `port-errors`: `ErrorPortAllocation` above zero in the window: the gateway is already failing
 *   to allocate source ports for some destination.
 */
export type HeadroomVerdict = 'ok' | 'unknown' | 'short' | 'port-errors';

/** Preference order: lower is better. */
export const HEADROOM_RANK: Readonly<Record<HeadroomVerdict, number>> = { ok: 0, unknown: 1, short: 2, 'port-errors': 3 };

export interface Headroom {
  readonly verdict: HeadroomVerdict;
  /** Egress IPs; undefined when the addresses were not observed. */
  readonly ips: number | undefined;
  readonly activeConnections: number | undefined;
  readonly portAllocationErrors: number | undefined;
  /** 55,000 x IPs (undefined without IPs). */
  readonly limit: number | undefined;
  /** One line: the numbers behind the verdict. */
  readonly detail: string;
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * Headroom of `nat` given its load over the window, plus `added` connections this plan is about
 * to move onto it (the tables' estimated share, see the planner).
 */
export function headroom(nat: Pick<NatGateway, 'ips'>, load: GatewayLoad | undefined, added = 0): Headroom {
  const ips = nat.ips === undefined || nat.ips.length === 0 ? undefined : nat.ips.length;
  const limit = ips === undefined ? undefined : ips * CONNECTIONS_PER_DESTINATION_PER_IP;
  const errors = load?.portAllocationErrors;
  const measured = load?.activeConnections;
  const active = measured === undefined ? undefined : measured + added;
  const ipText = ips === undefined ? 'IPs unknown' : `${ips} IP${ips > 1 ? 's' : ''}`;
  // Short: the reason lands in a 256-character tag after the health reason.
  const conns =
    active === undefined
      ? 'connections unknown'
      : `${fmt(active)}${limit !== undefined ? ` of ${fmt(limit)}` : ''} connections${added > 0 ? ` (${fmt(added)} moving in)` : ''}`;
  const base = { ips, activeConnections: active, portAllocationErrors: errors, limit };
  if (errors !== undefined && errors > 0) {
    return { ...base, verdict: 'port-errors', detail: `${fmt(errors)} port-allocation errors; ${conns} (${ipText})` };
  }
  // Both the connection count and the IP count are needed for a verdict: without IPs the proxy
  // limit is unknown, and a gateway with no connection datapoint proves nothing.
  if (active === undefined || limit === undefined) {
    return { ...base, verdict: 'unknown', detail: `headroom unknown: ${conns} (${ipText})` };
  }
  const verdict: HeadroomVerdict = active >= HEADROOM_SHORT_RATIO * limit ? 'short' : 'ok';
  return { ...base, verdict, detail: `${verdict === 'short' ? 'short of headroom' : 'headroom'}: ${conns} (${ipText})${errors === 0 ? ', no port errors' : ''}` };
}

/** The egress allow-list, parsed once per plan; undefined = none configured (every gateway may be used). */
export type AllowList = readonly Cidr[] | undefined;

/** Parses already-validated allow-list entries (src/config.ts rejects bad ones at cold start). */
export function allowListOf(entries: readonly string[] | undefined): AllowList {
  if (entries === undefined || entries.length === 0) return undefined;
  return entries.map((e) => {
    const c = parseCidr(e);
    if ('error' in c) throw new Error(`egress allow-list entry ${JSON.stringify(e.slice(0, 64))} ${c.error}`);
    return c;
  });
}

/**
 * The egress IPs of `nat` that the list does not cover: empty when it is allowed. The list applies
 * to public gateways only: their Elastic IPs are what partners on the internet see. A private
 * gateway's traffic leaves with private IPs towards other VPCs or on-premises networks, whose
 * filters name subnets of the VPC, not an internet allow-list, so the list does not restrict it.
 * A public gateway whose addresses were not observed is not provably inside: `unknown`.
 */
export function allowListGap(list: AllowList, nat: Pick<NatGateway, 'connectivityType' | 'ips'>): readonly string[] | 'unknown' {
  if (list === undefined || nat.connectivityType !== 'public') return [];
  if (nat.ips === undefined || nat.ips.length === 0) return 'unknown';
  return outsideAllowList(list, nat.ips);
}

export const isAllowListed = (list: AllowList, nat: Pick<NatGateway, 'connectivityType' | 'ips'>): boolean => {
  const gap = allowListGap(list, nat);
  return gap !== 'unknown' && gap.length === 0;
};

/** The entries to add for `nat` to be allowed (one /32 or /128 per IP outside the list). */
export function allowListAdvice(list: AllowList, nat: Pick<NatGateway, 'connectivityType' | 'ips'>): string {
  const gap = allowListGap(list, nat);
  if (gap === 'unknown') return 'its public IPs were not observed';
  return gap.length === 0 ? 'inside the allow-list' : `add ${gap.map(hostCidr).join(', ')}`;
}
