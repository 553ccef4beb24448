/**
 * The controller's settings as the pure core sees them. Loading and validating them from the
 * environment is src/config.ts's job; the core only needs the shape and the defaults.
 */

/** Everything the controller can be told, read once at cold start. */
export interface Config {
  /** Tag key/value that opts a route table in. The IAM policy is keyed on the same tag. */
  readonly managedTagKey: string;
  readonly managedTagValue: string;
  /** Restrict to these VPCs; empty = every VPC with managed tables in the region. */
  readonly vpcIds: readonly string[];
  readonly dryRun: boolean;
  readonly restoreHoldDownSeconds: number;
  readonly maxChangesPerRun: number;
  /** Soft rules: M bad periods out of the last N one-minute periods. */
  readonly softBadPeriods: number;
  readonly softWindowPeriods: number;
  /** PacketsDropCount / PacketsOutToDestination above this ratio is a bad minute. */
  readonly packetDropRatio: number;
  readonly packetDropMinPackets: number;
  /** ConnectionEstablishedCount / ConnectionAttemptCount below this ratio is a bad minute. */
  readonly connectionSuccessRatio: number;
  readonly connectionMinAttempts: number;
  /** CloudWatch's one-minute data lands 1-3 minutes late: judge only periods older than this. */
  readonly metricLagSeconds: number;
  /** Read metrics on runs whose minute is a multiple of this (cost control; 1 = every run). */
  readonly metricPollMinutes: number;
  /**
   * Parallel route writes in flight. The pacer, not this, keeps writes inside EC2's bucket: this
   * only sets how fast a burst is spent (measured, bench/results.json failover.writeConcurrency:
   * 100 tables in 2.5 s at 5, 1.5 s at 10, 1.0 s at 20; 1,000 tables in 161 s at any of them).
   */
  readonly writeConcurrency: number;
  /**
   * The client-side token bucket EC2 writes are paced to: EC2's mutating-request bucket, per
   * account and Region (200 burst, 5 a second by default), which Terraform and the console share.
   */
  readonly ec2WriteBurst: number;
  readonly ec2WriteRate: number;
  /**
   * Managed route tables a quiet scheduled run reads (0: every table every run). Above it, a quiet
   * run reads a slice and remembers the rest from the last runs, so each table is re-read at least
   * every k minutes, k the smallest power of two with tables / k <= this, at most 16 (core/slices.ts).
   * Any run that may change something reads every table first (reconcile/tableMemory.ts).
   */
  readonly tablesReadPerRun: number;
  /** SNS topic (ARN, or name in the function's own account/region) for notifications; empty = none. */
  readonly notifyTopic: string | undefined;
  /**
   * `managed`: CloudWatch alarms watch the soft rules per gateway (created, updated and deleted by
   * the controller), so the scheduled metric poll is skipped. `off`: no alarms; poll instead.
   */
  readonly alarms: 'managed' | 'off';
  /** Every managed alarm is named `<prefix>-gw-<nat-id>-<rule>`; the IAM policy is scoped to `<prefix>-gw-*`. */
  readonly alarmPrefix: string;
  /** An evacuation signal AWS has not confirmed for this long is forgotten (a lost "closed" event). */
  readonly evacuationMaxAgeSeconds: number;
  /**
   * Egress allow-list (CIDR blocks, IPv4 or IPv6): a public gateway with an IP outside it is never
   * a failover target. Empty = no allow-list.
   */
  readonly egressAllowList: readonly string[];
  /**
   * Data-plane probes (issue 13): `on` when probe functions publish to the probe namespace (the
   * stack sets it when `probeSubnets` is given). Then reconcile reads their metrics and verdict
   * events, a failing AZ is a soft signal, and an automatic restore needs the home's probes to have
   * succeeded throughout the hold-down. `off`: none of that; restores are reported unproven.
   */
  readonly probes: 'on' | 'off';
  /** M of N probe rounds failing through one AZ's gateway make its path bad. */
  readonly probeBadRounds: number;
  readonly probeWindowRounds: number;
  /** A newest probe invocation older than this is no evidence about now. */
  readonly probeFreshSeconds: number;
  /** Probe minutes newer than this may not be readable yet; the recovery proof does not require them. */
  readonly probeLagSeconds: number;
  /**
   * A run woken by a failing verdict waits up to this long for the other AZs' probes of the same
   * minute to become readable (their success is what tells a gateway from the internet). At most
   * 45 s: the reconcile function's timeout is 60 s (serverless.yml) and the run must still write.
   */
  readonly probeWaitSeconds: number;
}

export const DEFAULTS: Config = {
  managedTagKey: 'nat-failover',
  managedTagValue: 'enabled',
  vpcIds: [],
  dryRun: false,
  restoreHoldDownSeconds: 600,
  maxChangesPerRun: 50,
  softBadPeriods: 3,
  softWindowPeriods: 5,
  packetDropRatio: 0.001,
  packetDropMinPackets: 1000,
  connectionSuccessRatio: 0.5,
  connectionMinAttempts: 100,
  metricLagSeconds: 120,
  metricPollMinutes: 3,
  writeConcurrency: 10,
  ec2WriteBurst: 200,
  tablesReadPerRun: 250,
  ec2WriteRate: 5,
  notifyTopic: undefined,
  alarms: 'managed',
  alarmPrefix: 'nat-failover',
  evacuationMaxAgeSeconds: 21_600,
  egressAllowList: [],
  probes: 'off',
  probeBadRounds: 2,
  probeWindowRounds: 3,
  probeFreshSeconds: 180,
  probeLagSeconds: 120,
  probeWaitSeconds: 40,
};
