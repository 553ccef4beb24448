import type { Config } from '../config';
import { FLAP_WINDOW_SECONDS, IPV4_DEFAULT, MANAGED_DESTINATIONS, TAG_PREFIX, TAGS } from '../core/constants';
import type { RunReport } from '../reconcile/controller';
import { holdDownSeconds } from '../core/planner';
import { allowListOf, isAllowListed } from '../core/capacity';
import type { Mutation, SimRegion } from './region';

export interface Violation {
  readonly minute: number;
  readonly invariant: 'healthy-target' | 'managed-only' | 'home-mapping' | 'change-cap' | 'hard-evacuation-uncapped' | 'hold-down' | 'allow-list' | 'restore-proof';
  readonly message: string;
}

export interface TableHome {
  readonly vpcId: string;
  readonly az: string;
}

/** Managed zonal tables and their home AZ, from the initial world (the ground truth the tags must keep). */
export function tableHomes(sim: SimRegion, managedTag: readonly [string, string]): Map<string, TableHome> {
  const out = new Map<string, TableHome>();
  for (const t of sim.initial.tables) {
    if (t.tags[managedTag[0]] !== managedTag[1]) continue;
    const target = t.routes.find((r) => r.destination === IPV4_DEFAULT)?.target;
    const nat = sim.initial.nats.find((n) => n.id === target?.id);
    if (!nat || nat.availabilityMode !== 'zonal') continue;
    const azs = [...new Set(t.subnetIds.map((s) => sim.initial.subnets.find((x) => x.id === s)?.az))];
    const az = t.tags[TAGS.homeAz] ?? (azs.length === 1 ? azs[0] : undefined);
    if (az) out.set(t.id, { vpcId: t.vpcId, az });
  }
  return out;
}

/** What must stay as it was: unmanaged tables whole, and on managed tables every foreign route and tag. */
function foreignState(sim: SimRegion, managed: ReadonlySet<string>, managedKey: string): string {
  return JSON.stringify(
    sim.world.tables.map((t) =>
      managed.has(t.id)
        ? [t.id, t.routes.filter((r) => !sim.isManagedDestination(r.destination)), Object.entries(t.tags).filter(([k]) => !k.startsWith(TAG_PREFIX) && k !== managedKey).sort()]
        : [t.id, t.routes, Object.entries(t.tags).sort()],
    ),
  );
}

/**
 * The safety rules checked after every controller run, against the simulator's ground truth
 * rather than the controller's own view.
 */
export class InvariantChecker {
  checks = 0;
  readonly violations: Violation[] = [];
  private readonly leftHome = new Map<string, number>();
  private readonly lastRestore = new Map<string, number>();
  private readonly flaps = new Map<string, number>();
  private before = '';
  private managed = new Set<string>();

  constructor(
    private readonly sim: SimRegion,
    private readonly config: Config,
    private readonly homes: ReadonlyMap<string, TableHome>,
  ) {}

  private natAz(id: string | undefined): string | undefined {
    return this.sim.world.nats.find((n) => n.id === id)?.az;
  }

  private fail(minute: number, invariant: Violation['invariant'], message: string): void {
    this.violations.push({ minute, invariant, message });
  }

  /** Snapshot taken after the minute's faults and before the run. */
  beforeRun(): void {
    this.managed = new Set(this.sim.world.tables.filter((t) => t.tags[this.config.managedTagKey] === this.config.managedTagValue).map((t) => t.id));
    this.before = foreignState(this.sim, this.managed, this.config.managedTagKey);
  }

  /** Moves made by people: they start a table's "away from home" clock too. */
  noteExternal(muts: readonly Mutation[]): void {
    for (const m of muts) if (m.op === 'ReplaceRoute' && m.destination === IPV4_DEFAULT) this.trackHome(m, false, 0);
  }

  private trackHome(m: Mutation, byController: boolean, minute: number): void {
    const home = this.homes.get(m.routeTableId);
    if (!home) return;
    const fromAz = this.natAz(m.from);
    const toAz = this.natAz(m.to);
    if (fromAz === home.az && toAz !== home.az) {
      this.leftHome.set(m.routeTableId, m.at);
      if (byController) {
        const last = this.lastRestore.get(m.routeTableId);
        this.flaps.set(m.routeTableId, last !== undefined && m.at - last < FLAP_WINDOW_SECONDS * 1000 ? (this.flaps.get(m.routeTableId) ?? 0) + 1 : 0);
      }
    } else if (fromAz !== home.az && toAz === home.az && byController) {
      // Going home early is allowed when the away gateway itself is failing (safety first).
      if (m.fromTruth?.status === 'ok') {
        this.checks++;
        const left = this.leftHome.get(m.routeTableId);
        const hold = holdDownSeconds(this.config.restoreHoldDownSeconds, this.flaps.get(m.routeTableId) ?? 0);
        if (left !== undefined && m.at - left < hold * 1000) {
          this.fail(minute, 'hold-down', `${m.routeTableId} restored to ${m.to} ${Math.round((m.at - left) / 1000)}s after leaving home (hold-down ${hold}s)`);
        }
        // With probes, an automatic restore needs proof: no probe round through the home path
        // failed during the hold-down (ground truth: the simulated probe functions' own rounds).
        if (this.config.probes === 'on') {
          this.checks++;
          if (this.sim.probeFailedBetween(home.vpcId, home.az, m.at - hold * 1000, m.at)) {
            this.fail(minute, 'restore-proof', `${m.routeTableId} restored to ${m.to} although a probe through ${home.az} failed in the ${hold}s before`);
          }
        }
      }
      this.lastRestore.set(m.routeTableId, m.at);
    }
  }

  /**
   * With an egress allow-list, no route is ever written to a gateway other than the table's home
   * whose IPs (as the simulator knows them, not as the controller saw them) fall outside it.
   */
  private checkAllowList(minute: number, m: Mutation): void {
    const list = allowListOf(this.config.egressAllowList);
    if (list === undefined || m.to === undefined) return;
    this.checks++;
    const nat = this.sim.world.nats.find((n) => n.id === m.to);
    const home = this.homes.get(m.routeTableId);
    if (!nat || (home !== undefined && nat.az === home.az)) return;
    if (!isAllowListed(list, nat)) this.fail(minute, 'allow-list', `${m.routeTableId} ${m.destination} -> ${m.to}, whose IPs ${nat.ips?.join(', ') ?? '(none)'} are outside the egress allow-list`);
  }

  /** Checks one run's writes (the controller's) and the state it left. */
  afterRun(minute: number, muts: readonly Mutation[], report: RunReport | undefined): void {
    const written = new Set<string>();
    for (const m of muts) {
      if (m.actor !== 'controller') continue;
      this.checks++;
      if (!this.managed.has(m.routeTableId)) this.fail(minute, 'managed-only', `${m.op} on unmanaged table ${m.routeTableId}`);
      if (m.op === 'ReplaceRoute') {
        written.add(m.routeTableId);
        this.checks += 2;
        if (!this.sim.isManagedDestination(m.destination ?? '') || m.fromTruth === undefined) {
          this.fail(minute, 'managed-only', `${m.routeTableId}: rewrote ${m.destination} from ${m.from} (not a managed NAT route)`);
        }
        const seen = m.to ? report?.health.gateways.get(m.to) : undefined;
        if (m.toTruth && m.toTruth.hard && m.toTruth.status !== 'ok') {
          this.fail(minute, 'healthy-target', `${m.routeTableId} ${m.destination} -> ${m.to}: ${m.toTruth.why}`);
        } else if (seen && (seen.hard.length > 0 || seen.soft === 'bad')) {
          this.fail(minute, 'healthy-target', `${m.routeTableId} ${m.destination} -> ${m.to}, which this run saw as unhealthy`);
        }
        this.checkAllowList(minute, m);
        if (m.destination === IPV4_DEFAULT) this.trackHome(m, true, minute);
      } else {
        this.checks++;
        const foreign = (m.keys ?? []).filter((k) => !k.startsWith(TAG_PREFIX));
        if (foreign.length > 0) this.fail(minute, 'managed-only', `${m.op} on ${m.routeTableId} touched ${foreign.join(', ')}`);
      }
    }
    // The cap bounds soft-signal failovers, pins and restores: tables written this run whose
    // action the planner classed `capped`. Hard evacuations are bounded by EC2 and the deadline.
    this.checks++;
    const classOf = new Map((report?.plan.actions ?? []).map((a) => [a.routeTableId, a.changeClass]));
    const cappedWritten = [...written].filter((id) => classOf.get(id) !== 'hard-evacuation');
    if (cappedWritten.length > this.config.maxChangesPerRun) {
      this.fail(minute, 'change-cap', `${cappedWritten.length} tables changed in one run on soft signals, pins or restores (cap ${this.config.maxChangesPerRun})`);
    }
    // And the cap never holds a table on a gateway that is certainly dead (ground truth: gone, not
    // available, blackholed, AZ impaired or unavailable, evacuated).
    for (const f of report?.plan.findings ?? []) {
      if (f.kind !== 'deferred-by-change-cap' || f.routeTableId === undefined) continue;
      this.checks++;
      for (const dest of MANAGED_DESTINATIONS) {
        const on = this.sim.target(f.routeTableId, dest);
        const truth = on?.startsWith('nat-') ? this.sim.truth(on) : undefined;
        if (truth?.hard && truth.status !== 'ok') {
          this.fail(minute, 'hard-evacuation-uncapped', `${f.routeTableId} ${dest} left on ${on} by the change cap: ${truth.why}`);
        }
      }
    }
    this.checks++;
    if (foreignState(this.sim, this.managed, this.config.managedTagKey) !== this.before) {
      this.fail(minute, 'managed-only', 'an unmanaged table, or a route or tag the controller does not own, changed during the run');
    }
    for (const [id, home] of this.homes) {
      const t = this.sim.world.tables.find((x) => x.id === id);
      if (!t) continue;
      this.checks++;
      const azs = [...new Set(t.subnetIds.map((s) => this.sim.world.subnets.find((x) => x.id === s)?.az))];
      const derived = t.tags[TAGS.homeAz] ?? (azs.length === 1 ? azs[0] : undefined);
      const homeNat = t.tags[TAGS.homeNat];
      if (derived !== home.az) this.fail(minute, 'home-mapping', `${id}: home AZ now reads as ${derived ?? 'unknown'}, was ${home.az}`);
      else if (homeNat !== undefined && this.natAz(homeNat) !== home.az) {
        this.fail(minute, 'home-mapping', `${id}: home-nat tag ${homeNat} is not a gateway of ${home.az}`);
      }
    }
  }
}
