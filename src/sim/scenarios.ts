import type { Scenario } from './scenario';

const A = 'us-east-1a';
const B = 'us-east-1b';
const C = 'us-east-1c';

/**
 * The scenario library: the project's reliability suite and the drills an operator can run.
 * Times are minutes after the start; the controller runs every minute with the default
 * configuration (hold-down 10 min, soft rules 3 of 5 minutes, metrics every 3 min, 2 min lag).
 */
export const SCENARIOS: readonly Scenario[] = [
  {
    name: 'az-outage',
    summary: 'AZ a (2 tables) goes unavailable for 15 minutes: its tables fail over at once, spread over b and c, and return after the hold-down.',
    minutes: 40,
    world: { tablesPerAz: 2 },
    faults: [{ at: 5, kind: 'az-state', az: A, state: 'unavailable', until: 20 }],
    expect: [
      { kind: 'failover', az: A, from: 5, within: 1 },
      { kind: 'stays-home', az: B },
      { kind: 'home', by: 32 },
    ],
  },
  {
    name: 'nat-failed',
    summary: 'nat-a enters state failed for good: AZ a fails over within a minute and stays away.',
    minutes: 30,
    faults: [{ at: 5, kind: 'nat-state', nat: 'nat-a', state: 'failed' }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'target', table: 'rtb-a1', minute: 30, target: 'nat-b' }],
  },
  {
    name: 'nat-deleted',
    summary: 'nat-a is deleted: its routes turn blackhole and AZ a fails over within a minute.',
    minutes: 20,
    faults: [{ at: 5, kind: 'nat-state', nat: 'nat-a', state: 'deleted' }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'nat64-follows', by: 5 }],
  },
  {
    name: 'nat-replaced',
    summary: 'nat-a is deleted and nat-a2 created in the same AZ: tables fail over, then adopt nat-a2 as home.',
    minutes: 35,
    faults: [{ at: 5, kind: 'nat-replaced', nat: 'nat-a', by: 'nat-a2', readyAfter: 4 }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'home', by: 22 }, { kind: 'target', table: 'rtb-a1', minute: 35, target: 'nat-a2' }],
  },
  {
    name: 'blackhole-route',
    summary: 'Routes to nat-a turn blackhole while the gateway still says available: hard signal, fail over; no route is left to show it cleared, so the tables stay away (remembered in their tags) rather than restore blind.',
    minutes: 35,
    faults: [{ at: 5, kind: 'blackhole', nat: 'nat-a', until: 12 }],
    // Once AZ a's tables have left nat-a, nothing the controller reads can tell that the blackhole
    // cleared at T+12m (the same observations as a blackhole that lasts): restoring after the
    // hold-down would be a guess, and a wrong guess is an outage. An operator's forced restore, or
    // a replacement gateway, brings them home.
    expect: [{ kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'target', table: 'rtb-a1', minute: 35, target: 'nat-b' }],
  },
  {
    name: 'az-impaired',
    summary: 'EC2 reports AZ a impaired: treated as hard for that AZ; tables fail over and return after the hold-down.',
    minutes: 35,
    faults: [{ at: 5, kind: 'az-state', az: A, state: 'impaired', until: 15 }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'home', by: 27 }],
  },
  {
    name: 'arc-zonal-shift',
    summary: 'ARC zonal autoshift away from use1-az4 (AZ a, named by ID): fail over while it is open, restore after it closes.',
    minutes: 35,
    faults: [{ at: 5, kind: 'evacuation', azId: 'use1-az4', source: 'arc-zonal-shift', until: 15 }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'stays-home', az: B }, { kind: 'home', by: 27 }],
  },
  {
    name: 'health-event',
    summary: 'An AWS Health event for NAT gateways in use1-az6 (AZ b): AZ b evacuates until the event closes.',
    minutes: 35,
    faults: [{ at: 5, kind: 'evacuation', azId: 'use1-az6', source: 'aws-health', until: 12 }],
    expect: [{ kind: 'failover', az: B, from: 5, within: 1 }, { kind: 'stays-home', az: A }, { kind: 'home', by: 24 }],
  },
  {
    name: 'packet-drops',
    summary: 'nat-a drops 5% of packets for 8 minutes: soft signal, fails over once 3 of 5 minutes are bad, restores after.',
    minutes: 35,
    faults: [{ at: 5, kind: 'packet-drops', nat: 'nat-a', rate: 0.05, until: 13 }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 8 }, { kind: 'stays-home', az: B }, { kind: 'home', by: 30 }],
  },
  {
    name: 'connection-failures',
    summary: 'Most connections through nat-a fail (port exhaustion upstream): soft signal, M-of-N, fail over.',
    minutes: 30,
    faults: [{ at: 5, kind: 'connection-failures', nat: 'nat-a', rate: 0.8, until: 14, truth: 'dead' }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 8 }],
  },
  {
    name: 'intermittent-drops',
    summary: 'nat-a shows harmless drop blips in about 1 minute of 10 for 40 minutes: never enough to move.',
    minutes: 45,
    faults: [{ at: 3, kind: 'packet-drops', nat: 'nat-a', rate: 0.02, until: 43, pattern: { kind: 'intermittent', probability: 0.1 }, truth: 'noise' }],
    expect: [{ kind: 'no-route-change' }],
  },
  {
    name: 'flapping-gateway',
    summary: 'nat-a is bad 3 minutes, fine 3 minutes, for 40 minutes: fail over once, and flap damping stretches the hold-down.',
    minutes: 60,
    faults: [{ at: 5, kind: 'packet-drops', nat: 'nat-a', rate: 0.1, until: 45, pattern: { kind: 'flapping', onMinutes: 3, offMinutes: 3 } }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 10 }, { kind: 'max-route-changes', max: 6 }],
  },
  {
    name: 'region-wide-blip',
    summary: 'Every gateway drops 3% for 6 minutes: nowhere better to go; the static-stability guard holds all routes.',
    minutes: 25,
    faults: [{ at: 5, kind: 'packet-drops', nat: '*', rate: 0.03, until: 11 }],
    expect: [{ kind: 'no-route-change' }, { kind: 'finding', finding: 'static-stability-guard' }],
  },
  {
    name: 'monitoring-artefact',
    summary: 'CloudWatch reports collapsed connections on 2 of 3 gateways while traffic is fine: believe the monitoring is broken, move nothing.',
    minutes: 25,
    faults: [
      { at: 5, kind: 'connection-failures', nat: 'nat-a', rate: 0.9, until: 15, truth: 'noise' },
      { at: 5, kind: 'connection-failures', nat: 'nat-b', rate: 0.9, until: 15, truth: 'noise' },
    ],
    expect: [{ kind: 'no-route-change' }, { kind: 'finding', finding: 'static-stability-guard' }],
  },
  {
    name: 'late-metrics',
    summary: 'CloudWatch delivers every gateway\'s data 6 minutes late for 20 minutes: missing is unknown, not bad; nothing moves.',
    minutes: 35,
    faults: [{ at: 5, kind: 'metrics-late', nat: '*', minutes: 6, until: 25 }],
    expect: [{ kind: 'no-route-change' }],
  },
  {
    name: 'missing-metrics',
    summary: 'nat-b\'s metrics vanish for 25 minutes: silence is unknown, never a reason to move (or to trust).',
    minutes: 35,
    faults: [{ at: 5, kind: 'metrics-missing', nat: 'nat-b', until: 30 }],
    expect: [{ kind: 'no-route-change' }],
  },
  {
    name: 'alarm-fast-path',
    summary: 'A CloudWatch alarm on nat-b fires with real drops: the alarm counts at once, AZ b moves without waiting for 3 of 5.',
    minutes: 30,
    faults: [
      { at: 5, kind: 'packet-drops', nat: 'nat-b', rate: 0.2, until: 12, truth: 'dead' },
      { at: 6, kind: 'alarm', nat: 'nat-b', until: 12 },
    ],
    expect: [{ kind: 'failover', az: B, from: 5, within: 2 }],
  },
  {
    name: 'throttling-storm',
    summary: 'A Terraform apply drains the mutating EC2 bucket as AZ a fails: writes back off and retry; all 4 tables still move.',
    minutes: 20,
    world: { tablesPerAz: 4 },
    faults: [
      { at: 4, kind: 'throttling-storm', bucket: 'mutating', share: 0.95, until: 9 },
      { at: 5, kind: 'nat-state', nat: 'nat-a', state: 'deleted' },
    ],
    expect: [{ kind: 'failover', az: A, from: 5, within: 5 }, { kind: 'nat64-follows', by: 10 }],
  },
  {
    name: 'half-written',
    summary: 'ReplaceRoute for NAT64 keeps failing after the IPv4 route moved: the next run finishes the job.',
    minutes: 15,
    faults: [
      { at: 5, kind: 'nat-state', nat: 'nat-a', state: 'deleted' },
      { at: 5, kind: 'write-error', destination: '64:ff9b::/96', until: 6 },
    ],
    expect: [{ kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'nat64-follows', by: 6 }],
  },
  {
    name: 'crash-mid-run',
    summary: 'The controller dies after 3 of 6 writes while failing AZ a over: the next run completes it from the routes it finds.',
    minutes: 15,
    world: { tablesPerAz: 3 },
    faults: [
      { at: 5, kind: 'nat-state', nat: 'nat-a', state: 'deleted' },
      { at: 5, kind: 'crash', afterWrites: 3 },
    ],
    expect: [{ kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'nat64-follows', by: 6 }],
  },
  {
    name: 'human-edit-during-run',
    summary: 'A person moves rtb-a1 to nat-c while the controller is about to move it to nat-b: CAS skips it; the next run adopts nat-c.',
    minutes: 30,
    faults: [
      { at: 5, kind: 'nat-state', nat: 'nat-a', state: 'deleted' },
      { at: 5, kind: 'human-edit', table: 'rtb-a1', to: 'nat-c', duringRun: true },
    ],
    expect: [{ kind: 'conflict', table: 'rtb-a1' }, { kind: 'target', table: 'rtb-a1', minute: 6, target: 'nat-c' }, { kind: 'failover', az: A, from: 5, within: 1 }],
  },
  {
    name: 'human-takes-over',
    summary: 'A person points rtb-a1 at a NAT instance (an ENI): the table is no longer a NAT route, so it is left alone even when nat-a dies.',
    minutes: 20,
    faults: [
      { at: 3, kind: 'human-edit', table: 'rtb-a1', to: 'eni-0natinstance', duringRun: false },
      { at: 6, kind: 'nat-state', nat: 'nat-a', state: 'deleted' },
    ],
    expect: [{ kind: 'no-route-change' }, { kind: 'target', table: 'rtb-a1', minute: 20, target: 'eni-0natinstance' }, { kind: 'finding', finding: 'skipped-table' }],
  },
  {
    name: 'regional-nat-vpc',
    summary: 'One VPC on a regional NAT gateway beside a zonal one; AZ a is impaired: the regional VPC is reported and left alone.',
    minutes: 20,
    world: { vpcs: 1, regionalVpcs: 1 },
    faults: [{ at: 5, kind: 'az-state', az: A, state: 'impaired', until: 10 }],
    expect: [{ kind: 'finding', finding: 'regional-nat' }, { kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'target', table: 'rtb-2a1', minute: 8, target: 'nat-2r' }],
  },
  {
    name: 'change-cap',
    summary: 'nat-a drops 20% of packets (a soft signal) with MAX_CHANGES_PER_RUN=2: at most 2 of AZ a\'s 5 tables move per run; the rest follow on the next runs.',
    minutes: 20,
    world: { tablesPerAz: 5 },
    config: { maxChangesPerRun: 2 },
    faults: [{ at: 5, kind: 'packet-drops', nat: 'nat-a', rate: 0.2, truth: 'dead' }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 10 }, { kind: 'finding', finding: 'deferred-by-change-cap' }],
  },
  {
    name: 'dead-gateway-uncapped',
    summary: 'nat-a is deleted with MAX_CHANGES_PER_RUN=2: the cap bounds soft signals only, so all 5 of AZ a\'s tables move in the first run.',
    minutes: 10,
    world: { tablesPerAz: 5 },
    config: { maxChangesPerRun: 2 },
    faults: [{ at: 5, kind: 'nat-state', nat: 'nat-a', state: 'deleted' }],
    expect: [{ kind: 'failover', az: A, from: 5, within: 0 }, { kind: 'nat64-follows', by: 5 }],
  },
  {
    name: 'large-az-terraform',
    summary: 'nat-a (300 tables, IPv4 + NAT64: 600 writes) is deleted while a Terraform apply drains the EC2 write bucket: writes pace and back off, nothing fails, all move.',
    minutes: 15,
    world: { tablesPerAz: 300 },
    faults: [
      { at: 4, kind: 'throttling-storm', bucket: 'mutating', share: 0.5, until: 8 },
      { at: 5, kind: 'nat-state', nat: 'nat-a', state: 'deleted' },
    ],
    expect: [{ kind: 'failover', az: A, from: 5, within: 6 }, { kind: 'nat64-follows', by: 12 }],
  },
  {
    name: 'quiet-large-drift',
    summary:
      '900 tables over 3 AZs, so steady runs are quiet (each reads a quarter of the tables, k = 4): a person moves 4 at-home tables of one slice onto other healthy gateways at T+4m; quiet runs miss them until their slice comes round at T+7m (within k), then they are home after the hold-down; at T+21m (runs are quiet again) nat-b is deleted and all 300 of AZ b\'s tables fail over at once.',
    minutes: 25,
    world: { tablesPerAz: 300 },
    faults: [
      // Both routes of 4 tables homed in AZs a and c (one restored into nat-b shortly before it dies
      // would count as a needless move), all in the slice read last: a table's bucket is the last
      // hex digit of its id, and from T+4m the slices read buckets 0/4/8/12, then 1/5/9/13,
      // 2/6/10/14, 3/7/11/15 (core/slices.ts). Runs at T+4m to T+6m are quiet and stale about
      // them; T+7m reads their slice (4 + k - 1).
      ...([['rtb-a7', 'nat-b'], ['rtb-c13', 'nat-b'], ['rtb-c247', 'nat-a'], ['rtb-a183', 'nat-c']] as const).flatMap(([table, to]) =>
        ['0.0.0.0/0', '64:ff9b::/96'].map((destination) => ({ at: 4, kind: 'human-edit' as const, table, to, destination, duringRun: false })),
      ),
      { at: 21, kind: 'nat-state', nat: 'nat-b', state: 'deleted' },
    ],
    expect: [
      { kind: 'finding', finding: 'external-change' },
      // Noticed at T+7m (adopted as failed over), home the hold-down (10 minutes) later, or one run
      // more: the noticing run's full read starts after its quiet check, so its clock is a little
      // later than the run's minute and the hold-down ends just after T+17m.
      { kind: 'target', table: 'rtb-a7', minute: 18, target: 'nat-a' },
      { kind: 'target', table: 'rtb-c13', minute: 18, target: 'nat-c' },
      { kind: 'target', table: 'rtb-c247', minute: 18, target: 'nat-c' },
      { kind: 'target', table: 'rtb-a183', minute: 18, target: 'nat-a' },
      { kind: 'failover', az: B, from: 21, within: 1 },
      { kind: 'nat64-follows', by: 22 },
    ],
  },
  {
    name: 'target-dies-too',
    summary: 'AZ a fails over to nat-b, then nat-b fails: a\'s tables move again, to nat-c, and nobody goes to a dead gateway.',
    minutes: 25,
    faults: [
      { at: 5, kind: 'az-state', az: A, state: 'unavailable' },
      { at: 10, kind: 'nat-state', nat: 'nat-b', state: 'failed' },
    ],
    expect: [{ kind: 'failover', az: A, from: 5, within: 1 }, { kind: 'target', table: 'rtb-a1', minute: 10, target: 'nat-c' }, { kind: 'target', table: 'rtb-b1', minute: 10, target: 'nat-c' }],
  },
  {
    name: 'no-healthy-target',
    summary: 'Two AZs, both gateways fail: nowhere to go, so routes stay where they are and the controller says why.',
    minutes: 15,
    world: { azs: 2 },
    faults: [
      { at: 5, kind: 'nat-state', nat: 'nat-a', state: 'failed' },
      { at: 5, kind: 'nat-state', nat: 'nat-b', state: 'failed' },
    ],
    expect: [{ kind: 'no-route-change' }, { kind: 'finding', finding: 'no-healthy-target' }],
  },
  {
    name: 'maintenance-pin',
    summary: 'An operator pins AZ b\'s tables away from us-east-1b for 15 minutes: they move, stay pinned, and return when it expires.',
    minutes: 35,
    faults: [{ at: 5, kind: 'pin', az: B, awayFrom: B, until: 20, reason: 'NAT maintenance' }],
    expect: [{ kind: 'failover', az: B, from: 5, within: 1 }, { kind: 'home', by: 22 }],
  },
  {
    name: 'capacity-port-errors-target',
    summary: 'nat-b reports port-allocation errors (capacity, not failure: its own tables stay), then nat-a fails: AZ a\'s two tables both go to nat-c, passing over nat-b, instead of one each.',
    minutes: 20,
    world: { tablesPerAz: 2 },
    faults: [
      { at: 1, kind: 'capacity', nat: 'nat-b', portErrorsPerMinute: 40 },
      { at: 8, kind: 'nat-state', nat: 'nat-a', state: 'failed' },
    ],
    expect: [
      { kind: 'failover', az: A, from: 8, within: 1 },
      { kind: 'target', table: 'rtb-a1', minute: 9, target: 'nat-c' },
      { kind: 'target', table: 'rtb-a2', minute: 9, target: 'nat-c' },
      { kind: 'stays-home', az: B },
    ],
  },
  {
    name: 'capacity-short-target',
    summary: 'nat-c carries 40,000 connections that are not ours on its one IP (short of headroom against 55,000 per destination per IP), then nat-a fails: both of AZ a\'s tables go to nat-b.',
    minutes: 20,
    world: { tablesPerAz: 2 },
    faults: [
      { at: 1, kind: 'capacity', nat: 'nat-c', extraConnections: 40_000 },
      { at: 8, kind: 'nat-state', nat: 'nat-a', state: 'failed' },
    ],
    expect: [
      { kind: 'failover', az: A, from: 8, within: 1 },
      { kind: 'target', table: 'rtb-a1', minute: 9, target: 'nat-b' },
      { kind: 'target', table: 'rtb-a2', minute: 9, target: 'nat-b' },
      { kind: 'stays-home', az: C },
    ],
  },
  {
    name: 'capacity-every-target-short',
    summary: 'Every other gateway reports port-allocation errors when nat-a fails: AZ a still fails over (a degraded target beats a dead home), spread as before.',
    minutes: 20,
    world: { tablesPerAz: 2 },
    faults: [
      { at: 1, kind: 'capacity', nat: 'nat-b', portErrorsPerMinute: 40 },
      { at: 1, kind: 'capacity', nat: 'nat-c', portErrorsPerMinute: 40 },
      { at: 8, kind: 'nat-state', nat: 'nat-a', state: 'failed' },
    ],
    expect: [
      { kind: 'failover', az: A, from: 8, within: 1 },
      { kind: 'target', table: 'rtb-a1', minute: 9, target: 'nat-b' },
      { kind: 'target', table: 'rtb-a2', minute: 9, target: 'nat-c' },
    ],
  },
  {
    name: 'allowlist-target-outside',
    summary: 'EGRESS_ALLOW_LIST covers nat-a and nat-b (192.0.2.1-2) but not nat-c (192.0.2.3): reported every run with the IP to add; when nat-a fails both of its tables go to nat-b, never nat-c.',
    minutes: 20,
    world: { tablesPerAz: 2 },
    config: { egressAllowList: ['192.0.2.1/32', '192.0.2.2/32'] },
    faults: [{ at: 5, kind: 'nat-state', nat: 'nat-a', state: 'failed' }],
    expect: [
      { kind: 'failover', az: A, from: 5, within: 1 },
      { kind: 'target', table: 'rtb-a1', minute: 20, target: 'nat-b' },
      { kind: 'target', table: 'rtb-a2', minute: 20, target: 'nat-b' },
      { kind: 'finding', finding: 'allow-list' },
    ],
  },
  // Data-plane probes (issue 13). Each AZ's probe function starts at second 5 of every minute;
  // a failing verdict invokes reconcile at once; probe metrics are readable 20 s after publication.
  {
    name: 'probe-gray-failure',
    summary: 'nat-a fails gray at T+5m30s (available, metrics normal, new connections fail): the probes see it, the failing verdict wakes reconcile, and AZ a is switched within 60 s.',
    minutes: 20,
    world: { tablesPerAz: 2 },
    config: { probes: 'on' },
    faults: [{ at: 5.5, kind: 'gray-failure', nat: 'nat-a' }],
    expect: [{ kind: 'switched-within', az: A, from: 5.5, seconds: 60 }, { kind: 'stays-home', az: B }, { kind: 'no-restore' }],
  },
  {
    name: 'probe-gray-failure-metrics-only',
    summary: 'The same gray failure without probes, as the connection metrics show it: the metric rules need minutes (publication lag plus 3 of 5 minutes).',
    minutes: 20,
    world: { tablesPerAz: 2 },
    faults: [{ at: 5.5, kind: 'gray-failure', nat: 'nat-a', inMetrics: true }],
    expect: [{ kind: 'failover', az: A, from: 6, within: 8 }, { kind: 'stays-home', az: B }],
  },
  {
    name: 'probe-targets-down',
    summary: 'The probe targets are unreachable from every AZ for 10 minutes: the internet or the targets, not our gateways; nothing moves and the guard says why.',
    minutes: 20,
    config: { probes: 'on' },
    faults: [{ at: 5, kind: 'probe-targets-down', until: 15 }],
    expect: [{ kind: 'no-route-change' }, { kind: 'finding', finding: 'static-stability-guard' }],
  },
  {
    name: 'probe-home-quiet-failing',
    summary: 'nat-a fails gray for good: AZ a is switched at the next probe round (within 90 s); its home is quiet (no traffic, no metrics) but its probes keep failing, so it is never restored.',
    minutes: 40,
    config: { probes: 'on' },
    faults: [{ at: 5.2, kind: 'gray-failure', nat: 'nat-a' }],
    expect: [{ kind: 'switched-within', az: A, from: 5.2, seconds: 90 }, { kind: 'no-restore' }, { kind: 'target', table: 'rtb-a1', minute: 40, target: 'nat-b' }],
  },
  {
    name: 'probe-home-recovers',
    summary: 'nat-a fails gray from T+5m10s to T+12m: switched at the next probe round, restored only once the home probes have succeeded for the whole 10-minute hold-down.',
    minutes: 35,
    config: { probes: 'on' },
    faults: [{ at: 5.17, kind: 'gray-failure', nat: 'nat-a', until: 12 }],
    expect: [{ kind: 'switched-within', az: A, from: 5.17, seconds: 90 }, { kind: 'home', by: 26 }],
  },
];

export const DEFAULT_SCENARIO = 'az-outage';

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
