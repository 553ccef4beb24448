/** Route destinations the controller may rewrite; every other route is someone else's. */
export const IPV4_DEFAULT = '0.0.0.0/0' as const;
export const NAT64_PREFIX = '64:ff9b::/96' as const;
export const MANAGED_DESTINATIONS = [IPV4_DEFAULT, NAT64_PREFIX] as const;
export type ManagedDestination = (typeof MANAGED_DESTINATIONS)[number];

/** Prefix of every state tag the controller reads or writes on a route table. */
export const TAG_PREFIX = 'nat-failover:' as const;

/**
 * State tags, all under TAG_PREFIX. `home-az` and `home-nat` may also be set by people.
 *
 * Ten keys at most, because they share EC2's 50 tags per resource with the owner's own tags: the
 * pin's machine-read facts are one key (`pin`: `away-from=use1-az1 until=… by=alice target=nat-…`)
 * and the flap damping is one (`flaps`: `<count>@<last restore>`). The pin's free-text reason keeps
 * its own key, because it needs the full 256 characters a tag value holds.
 */
export const TAGS = {
  homeAz: `${TAG_PREFIX}home-az`,
  homeNat: `${TAG_PREFIX}home-nat`,
  state: `${TAG_PREFIX}state`,
  since: `${TAG_PREFIX}since`,
  reason: `${TAG_PREFIX}reason`,
  homeOkSince: `${TAG_PREFIX}home-ok-since`,
  /** `<count>` or `<count>@<ISO instant of the last restore>`, e.g. `2@2026-11-29T10:00:00Z`. */
  flaps: `${TAG_PREFIX}flaps`,
  /** The home gateway whose routes were seen blackhole while the table was away (see health.ts). */
  blackholeNat: `${TAG_PREFIX}blackhole-nat`,
  /** `away-from=<az> [until=<ISO instant>] [by=<who>] [target=<nat id>]`, space-separated. */
  pin: `${TAG_PREFIX}pin`,
  pinReason: `${TAG_PREFIX}pin-reason`,
} as const;

/**
 * Keys written by releases before the pin and flap damping were compacted (14 keys then). Deployed
 * tables still carry them: they are read when the new key is absent, and the next write replaces
 * them with the new key and removes them (state.ts). `flaps` kept its name; a bare count in it is
 * the old format, whose restore time is in `last-restore`.
 */
export const LEGACY_TAGS = {
  lastRestore: `${TAG_PREFIX}last-restore`,
  pinAwayFrom: `${TAG_PREFIX}pin-away-from`,
  pinTarget: `${TAG_PREFIX}pin-target`,
  pinUntil: `${TAG_PREFIX}pin-until`,
  pinBy: `${TAG_PREFIX}pin-by`,
} as const;

/** Which legacy keys each new key replaces: they go only when their replacement is written. */
export const REPLACED_BY: Readonly<Record<string, readonly string[]>> = {
  [TAGS.pin]: [LEGACY_TAGS.pinAwayFrom, LEGACY_TAGS.pinTarget, LEGACY_TAGS.pinUntil, LEGACY_TAGS.pinBy],
  [TAGS.flaps]: [LEGACY_TAGS.lastRestore],
};

/** EC2 tag values are limited to 256 characters. */
export const TAG_VALUE_MAX = 256;

/**
 * EC2 allows 50 user tags per resource; keys with the reserved `aws:` prefix (any case) are AWS's
 * and do not count ("Tag restrictions", Amazon EC2 User Guide: "Maximum number of tags per
 * resource – 50 … Tags with this prefix do not count against your tags per resource limit"). A
 * CreateTags that would pass 50 fails as a whole, for every table in the call.
 */
export const TAGS_PER_RESOURCE_MAX = 50;

/**
 * Evacuation memory keys (`nat-failover:evacuate:<az-id>`, written by src/events/memory.ts, whose
 * EVACUATION_TAG_PREFIX must equal this): one per evacuated AZ, on every managed table. The tag
 * budget counts them like any other key, and keeps room for the ones this run may add.
 */
export const EVACUATION_MEMORY_PREFIX = `${TAG_PREFIX}evacuate:` as const;

/** Flap damping: a failover within this long after a restore doubles the hold-down. */
export const FLAP_WINDOW_SECONDS = 3600;
export const MAX_HOLD_DOWN_SECONDS = 7200;

export const METRIC_NAMESPACE = 'AWS/NATGateway' as const;
/** The metrics the soft rules read; ErrorPortAllocation is read by `status` only. */
export const RULE_METRICS = [
  'PacketsDropCount',
  'PacketsOutToDestination',
  'ConnectionAttemptCount',
  'ConnectionEstablishedCount',
] as const;
export type RuleMetric = (typeof RULE_METRICS)[number];

/**
 * Capacity metrics, read with the rule metrics in the same GetMetricData call, for target choice
 * only (design brief: port-allocation errors are capacity, never a reason to fail over).
 * `ActiveConnectionCount` is read as the one-minute Maximum (the statistic AWS's NAT gateway
 * metric table gives for it); `ErrorPortAllocation` as the Sum.
 */
export const CAPACITY_METRICS = ['ErrorPortAllocation', 'ActiveConnectionCount'] as const;
export type CapacityMetric = (typeof CAPACITY_METRICS)[number];

/**
 * "A NAT gateway can support up to 55,000 simultaneous connections to each unique destination"
 * per IP address; each secondary IP adds as many (AWS VPC User Guide, "NAT gateway basics",
 * https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html; AWS Networking blog
 * "Attach multiple IPs to a NAT Gateway to scale your egress traffic pattern": 8 IPs, 440,000).
 */
export const CONNECTIONS_PER_DESTINATION_PER_IP = 55_000;

/**
 * A gateway whose active connections (with the tables this plan moves to it) reach this share of
 * 55,000 x its IPs is short of headroom. A proxy: AWS publishes no per-destination connection
 * count, so total connections against the per-destination limit is an upper bound on how close
 * the busiest destination can be, and a gateway far below it cannot be exhausted.
 */
export const HEADROOM_SHORT_RATIO = 0.8;
