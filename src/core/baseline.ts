import type { Config } from './config';
import { IPV4_DEFAULT, NAT64_PREFIX, TAGS } from './constants';
import type { Policy } from './planner';
import type { MetricPoint, NatGateway, Observation, Plan, RouteChange, TableAction, TableView } from './types';

/** The thresholds the peers' check uses: the same ones ours does, judged on one minute. */
export type PeerRules = Pick<Config, 'packetDropRatio' | 'packetDropMinPackets' | 'connectionSuccessRatio' | 'connectionMinAttempts'>;

function latestFails(points: readonly MetricPoint[] | undefined, rules: PeerRules): boolean {
  const p = [...(points ?? [])].sort((a, b) => b.start.getTime() - a.start.getTime())[0];
  if (!p) return false;
  const { PacketsDropCount: drop, PacketsOutToDestination: out, ConnectionAttemptCount: att, ConnectionEstablishedCount: est } = p.values;
  const drops = out !== undefined && drop !== undefined && out + drop >= Math.max(1, rules.packetDropMinPackets) && drop / Math.max(out, 1) > rules.packetDropRatio;
  const conns = att !== undefined && est !== undefined && att >= Math.max(1, rules.connectionMinAttempts) && est / att < rules.connectionSuccessRatio;
  return drops || conns;
}

/**
 * The best-known peers' rule (chime/terraform-aws-alternat's replace-route function), for the
 * drill's decision-quality comparison only: a gateway fails its check on any hard signal, alarm or
 * bad latest minute; a table leaves a failing home for the first passing gateway elsewhere and goes
 * back the moment home passes again. No M-of-N, no hold-down, no flap damping, no static-stability
 * guard, no change cap, no state tags. A gateway with no data passes ("no failure seen").
 */
export function peerPolicy(rules: PeerRules): Policy {
  return (obs: Observation, health): Plan => {
    const nats = new Map(obs.inventory.natGateways.map((n) => [n.id, n]));
    const zoneName = new Map(obs.inventory.zones.flatMap((z) => [[z.name, z.name], [z.id, z.name]] as [string, string][]));
    const fails = (n: NatGateway | undefined): boolean =>
      !n ||
      n.state !== 'available' ||
      (health.gateways.get(n.id)?.hard.length ?? 0) > 0 ||
      obs.alarms.some((a) => a.natGatewayId === n.id) ||
      latestFails(obs.metrics?.byGateway.get(n.id), rules);

    const actions: TableAction[] = [];
    const tables: TableView[] = [];
    for (const t of [...obs.inventory.routeTables].sort((a, b) => a.id.localeCompare(b.id))) {
      const v4 = t.routes.find((r) => r.destination === IPV4_DEFAULT && r.target.kind === 'nat');
      const current = v4 ? nats.get(v4.target.id) : undefined;
      const homeAz = zoneName.get(t.tags[TAGS.homeAz] ?? (t.subnetAzs.length === 1 ? (t.subnetAzs[0] as string) : ''));
      if (!v4 || current?.availabilityMode === 'regional' || homeAz === undefined) continue;
      const peers = [...nats.values()]
        .filter((n) => n.vpcId === t.vpcId && n.availabilityMode === 'zonal' && n.connectivityType === (current?.connectivityType ?? 'public'))
        .sort((a, b) => (a.az ?? '').localeCompare(b.az ?? '') || a.id.localeCompare(b.id));
      const home = peers.find((n) => n.az === homeAz && n.state === 'available') ?? peers.find((n) => n.az === homeAz);
      let desired = v4.target.id;
      if (home && !fails(home)) desired = home.id;
      else if (fails(current) || current?.az === homeAz) desired = peers.find((n) => n.az !== homeAz && !fails(n))?.id ?? desired;

      const routes: RouteChange[] = [];
      if (desired !== v4.target.id) routes.push({ destination: IPV4_DEFAULT, from: v4.target.id, to: desired });
      const v6 = t.routes.find((r) => r.destination === NAT64_PREFIX && r.target.kind === 'nat');
      if (v6 && v6.target.id !== desired && !fails(nats.get(desired))) routes.push({ destination: NAT64_PREFIX, from: v6.target.id, to: desired });
      const toHome = desired === home?.id;
      if (routes.length > 0) {
        actions.push({
          routeTableId: t.id,
          vpcId: t.vpcId,
          homeAz,
          transition: toHome ? 'restore' : 'failover',
          routes,
          tags: { set: {}, remove: [] },
          reasons: [toHome ? `home ${desired} passes its check` : `${v4.target.id} fails its check; ${desired} passes`],
          priority: 0,
          // The peers' rule has no cap to be bounded by: every change goes in one run.
          changeClass: 'hard-evacuation',
        });
      }
      tables.push({ routeTableId: t.id, vpcId: t.vpcId, homeAz, homeNat: home?.id, currentTarget: v4.target.id, desiredTarget: desired, mode: toHome ? 'home' : 'failed-over', since: undefined, reason: undefined });
    }
    return { at: obs.now, actions, findings: [], tables };
  };
}
