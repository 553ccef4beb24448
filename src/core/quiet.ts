import type { HealthReport, Observation, Plan } from './types';

/**
 * Whether a scheduled run that read only a slice of the route tables (and remembered the rest) may
 * end there: undefined when it may, else the first reason it must read every table and decide
 * again on that. Pure.
 *
 * Quiet means nothing is unwell and nothing is to be done: every gateway and zone of the reading is
 * available and judged healthy, no evacuation, alarm or failing probe, no signal source unread, no
 * table away from home or pinned, and the plan changes nothing. Everything here except the
 * remembered tables was read fresh this run (gateways, zones, alarms, metrics when due, probes).
 * So a remembered table can only be stale in what another writer changed on it while every gateway
 * stayed healthy: a drift that costs no egress, repaired once the table's slice comes round. A
 * gateway that fails, an AZ that is impaired, an alarm that fires make the run unquiet at once,
 * whatever the remembered tables say, and the full read then finds every table on it.
 */
export function whyNotQuiet(obs: Observation, health: HealthReport, plan: Plan, pendingSignalWrites: number): string | undefined {
  if (obs.unreadSignals.length > 0) return `signal sources not read: ${obs.unreadSignals.map((u) => u.source).join(', ')}`;
  if (pendingSignalWrites > 0) return 'the evacuation memory or the managed alarms need writing';
  if (obs.evacuations.length > 0) return `an evacuation is open (${obs.evacuations[0]?.az ?? '?'})`;
  if (obs.alarms.length > 0) return `gateway alarm ${obs.alarms[0]?.alarmName ?? '?'} is in ALARM`;
  // The AZs that matter: those of the gateways and of the tables' subnets (a notice on an AZ the
  // controller has nothing in does not make every run read every table).
  const used = new Set([...obs.inventory.natGateways.map((n) => n.az), ...obs.inventory.routeTables.flatMap((t) => t.subnetAzs)]);
  // `information` and `constrained` are notices, not outages (core/health.ts): they decide nothing.
  const zone = obs.inventory.zones.find((z) => (z.state === 'impaired' || z.state === 'unavailable') && used.has(z.name));
  if (zone) return `zone ${zone.name} is ${zone.state}`;
  const nat = obs.inventory.natGateways.find((n) => n.state !== 'available');
  if (nat) return `gateway ${nat.id} is ${nat.state}`;
  for (const g of health.gateways.values()) {
    if (g.hard.length > 0 || g.soft === 'bad') return `gateway ${g.natGatewayId} has ${g.hard.length > 0 ? 'hard' : 'soft'} signals`;
  }
  if (health.guardedVpcs.length > 0) return `the static-stability guard holds in ${health.guardedVpcs[0] ?? '?'}`;
  const probe = health.probes?.zones.find((z) => z.verdict === 'bad' || z.last?.failed === true);
  if (probe) return `the probe of ${probe.az} in ${probe.vpcId} is failing`;
  if (plan.actions.length > 0) return `${plan.actions.length} tables to change`;
  const away = plan.tables.find((t) => t.mode === 'failed-over' || t.mode === 'pinned');
  if (away) return `${away.routeTableId} is ${away.mode}`;
  return undefined;
}
