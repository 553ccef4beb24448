import { type Config, DEFAULTS } from './core/config';
// A bad value appears in an error quoted, escaped and capped (errors.ts `quoted`), so a stray
// newline or a pasted blob cannot turn the one-line cold-start error into several log lines.
import { ConfigError, quoted } from './errors';
import { parseCidr } from './core/cidr';

export type { Config } from './core/config';
export { DEFAULTS } from './core/config';

/** The environment variables, their meaning and defaults: docs/configuration.md's table. */
export const ENV_VARS = {
  MANAGED_TAG_KEY: 'managedTagKey',
  MANAGED_TAG_VALUE: 'managedTagValue',
  VPC_IDS: 'vpcIds',
  DRY_RUN: 'dryRun',
  RESTORE_HOLD_DOWN_SECONDS: 'restoreHoldDownSeconds',
  MAX_CHANGES_PER_RUN: 'maxChangesPerRun',
  SOFT_BAD_PERIODS: 'softBadPeriods',
  SOFT_WINDOW_PERIODS: 'softWindowPeriods',
  PACKET_DROP_RATIO: 'packetDropRatio',
  PACKET_DROP_MIN_PACKETS: 'packetDropMinPackets',
  CONNECTION_SUCCESS_RATIO: 'connectionSuccessRatio',
  CONNECTION_MIN_ATTEMPTS: 'connectionMinAttempts',
  METRIC_LAG_SECONDS: 'metricLagSeconds',
  METRIC_POLL_MINUTES: 'metricPollMinutes',
  WRITE_CONCURRENCY: 'writeConcurrency',
  EC2_WRITE_BURST: 'ec2WriteBurst',
  EC2_WRITE_RATE: 'ec2WriteRate',
  TABLES_READ_PER_RUN: 'tablesReadPerRun',
  NOTIFY_TOPIC: 'notifyTopic',
  ALARMS: 'alarms',
  ALARM_PREFIX: 'alarmPrefix',
  EVACUATION_MAX_AGE_SECONDS: 'evacuationMaxAgeSeconds',
  EGRESS_ALLOW_LIST: 'egressAllowList',
  PROBES: 'probes',
  PROBE_BAD_ROUNDS: 'probeBadRounds',
  PROBE_WINDOW_ROUNDS: 'probeWindowRounds',
  PROBE_FRESH_SECONDS: 'probeFreshSeconds',
  PROBE_LAG_SECONDS: 'probeLagSeconds',
  PROBE_WAIT_SECONDS: 'probeWaitSeconds',
} as const satisfies Record<string, keyof Config>;

type Env = Readonly<Record<string, string | undefined>>;

/** Shared with the probe's own loader (src/probe/config.ts): one definition of blank and whole number. */
export const present = (env: Env, key: string): string | undefined => {
  const v = env[key];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
};

export const int = (env: Env, key: string, def: number, min: number, max: number): number => {
  const raw = present(env, key);
  if (raw === undefined) return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(key, `expected a whole number, got ${quoted(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(key, `expected ${min}..${max}, got ${n}`);
  return n;
};

const ratio = (env: Env, key: string, def: number): number => {
  const raw = present(env, key);
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n >= 1 || !/^[0-9.eE+-]+$/.test(raw)) {
    throw new ConfigError(key, `expected a ratio between 0 and 1 exclusive (e.g. 0.001), got ${quoted(raw)}`);
  }
  return n;
};

const bool = (env: Env, key: string, def: boolean): boolean => {
  const raw = present(env, key);
  if (raw === undefined) return def;
  const v = raw.toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  throw new ConfigError(key, `expected true or false, got ${quoted(raw)}`);
};

/** More entries than any partner allow-list needs; keeps the one-line error and the plan bounded. */
export const EGRESS_ALLOW_LIST_MAX = 200;

/**
 * `EGRESS_ALLOW_LIST`: comma-separated CIDR blocks (IPv4 or IPv6), strictly parsed (core/cidr.ts):
 * an entry that is not exactly a CIDR block fails the cold start, naming the entry, because a
 * misread list would either allow a gateway partners do not, or rule out every target.
 */
export function parseEgressAllowList(raw: string | undefined): readonly string[] {
  if (raw === undefined) return [];
  const entries = raw.split(',').map((s) => s.trim());
  if (entries.length > EGRESS_ALLOW_LIST_MAX) throw new ConfigError('EGRESS_ALLOW_LIST', `${entries.length} entries; at most ${EGRESS_ALLOW_LIST_MAX}`);
  return entries.map((e, i) => {
    if (e === '') throw new ConfigError('EGRESS_ALLOW_LIST', `entry ${i + 1} is empty (stray comma?)`);
    const c = parseCidr(e);
    if ('error' in c) throw new ConfigError('EGRESS_ALLOW_LIST', `entry ${i + 1} ${quoted(e)} ${c.error}`);
    return c.text;
  });
}

const TAG_KEY = /^[\p{L}\p{N} _.:/=+\-@]{1,128}$/u;

/** Reads and validates the configuration; throws one ConfigError naming the first bad variable. */
export function loadConfig(env: Env): Config {
  // The stack fixes this to the literal its IAM conditions key on (serverless.yml); the CLI reads it
  // from the operator's environment. Change the key only together with those three conditions.
  const managedTagKey = present(env, 'MANAGED_TAG_KEY') ?? DEFAULTS.managedTagKey;
  if (!TAG_KEY.test(managedTagKey) || managedTagKey.startsWith('aws:')) {
    throw new ConfigError('MANAGED_TAG_KEY', `${quoted(managedTagKey)} is not a valid EC2 tag key`);
  }
  if (managedTagKey.startsWith('nat-failover:')) {
    throw new ConfigError('MANAGED_TAG_KEY', 'must not start with "nat-failover:" (the state-tag prefix)');
  }
  const managedTagValue = present(env, 'MANAGED_TAG_VALUE') ?? DEFAULTS.managedTagValue;
  // EC2 caps tag values at 256 characters: a longer value could never match any table.
  if (managedTagValue.length > 256) {
    throw new ConfigError('MANAGED_TAG_VALUE', `longer than 256 characters (${managedTagValue.length})`);
  }

  const vpcRaw = present(env, 'VPC_IDS');
  const vpcIds = vpcRaw === undefined ? [] : vpcRaw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const v of vpcIds) {
    if (!/^vpc-[0-9a-f]{8,17}$/.test(v)) throw new ConfigError('VPC_IDS', `${quoted(v)} is not a VPC id (vpc-…)`);
  }

  const softBadPeriods = int(env, 'SOFT_BAD_PERIODS', DEFAULTS.softBadPeriods, 1, 60);
  const softWindowPeriods = int(env, 'SOFT_WINDOW_PERIODS', DEFAULTS.softWindowPeriods, 1, 60);
  if (softBadPeriods > softWindowPeriods) {
    throw new ConfigError('SOFT_BAD_PERIODS', `${softBadPeriods} exceeds SOFT_WINDOW_PERIODS (${softWindowPeriods})`);
  }

  const topic = present(env, 'NOTIFY_TOPIC');
  if (topic !== undefined && !/^(arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:)?[\w-]{1,256}$/.test(topic)) {
    throw new ConfigError('NOTIFY_TOPIC', `${quoted(topic)} is neither an SNS topic ARN nor a topic name`);
  }

  const alarmsRaw = (present(env, 'ALARMS') ?? DEFAULTS.alarms).toLowerCase();
  if (alarmsRaw !== 'managed' && alarmsRaw !== 'off') {
    throw new ConfigError('ALARMS', `expected managed or off, got ${quoted(alarmsRaw)}`);
  }
  // Alarm names are ASCII up to 255; 200 leaves room for `-gw-<nat id>-connection-failures` (45 characters).
  const alarmPrefix = present(env, 'ALARM_PREFIX') ?? DEFAULTS.alarmPrefix;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/.test(alarmPrefix)) {
    throw new ConfigError('ALARM_PREFIX', `${quoted(alarmPrefix)} must be 1-200 letters, digits, '.', '_' or '-'`);
  }

  const probesRaw = (present(env, 'PROBES') ?? DEFAULTS.probes).toLowerCase();
  if (probesRaw !== 'on' && probesRaw !== 'off') {
    throw new ConfigError('PROBES', `expected on or off, got ${quoted(probesRaw)}`);
  }
  const probeBadRounds = int(env, 'PROBE_BAD_ROUNDS', DEFAULTS.probeBadRounds, 1, 20);
  const probeWindowRounds = int(env, 'PROBE_WINDOW_ROUNDS', DEFAULTS.probeWindowRounds, 1, 20);
  if (probeBadRounds > probeWindowRounds) {
    throw new ConfigError('PROBE_BAD_ROUNDS', `${probeBadRounds} exceeds PROBE_WINDOW_ROUNDS (${probeWindowRounds})`);
  }

  return {
    managedTagKey,
    managedTagValue,
    vpcIds,
    dryRun: bool(env, 'DRY_RUN', DEFAULTS.dryRun),
    restoreHoldDownSeconds: int(env, 'RESTORE_HOLD_DOWN_SECONDS', DEFAULTS.restoreHoldDownSeconds, 0, 86_400),
    maxChangesPerRun: int(env, 'MAX_CHANGES_PER_RUN', DEFAULTS.maxChangesPerRun, 1, 10_000),
    softBadPeriods,
    softWindowPeriods,
    packetDropRatio: ratio(env, 'PACKET_DROP_RATIO', DEFAULTS.packetDropRatio),
    packetDropMinPackets: int(env, 'PACKET_DROP_MIN_PACKETS', DEFAULTS.packetDropMinPackets, 0, 1e12),
    connectionSuccessRatio: ratio(env, 'CONNECTION_SUCCESS_RATIO', DEFAULTS.connectionSuccessRatio),
    connectionMinAttempts: int(env, 'CONNECTION_MIN_ATTEMPTS', DEFAULTS.connectionMinAttempts, 0, 1e12),
    metricLagSeconds: int(env, 'METRIC_LAG_SECONDS', DEFAULTS.metricLagSeconds, 0, 3600),
    metricPollMinutes: int(env, 'METRIC_POLL_MINUTES', DEFAULTS.metricPollMinutes, 1, 60),
    writeConcurrency: int(env, 'WRITE_CONCURRENCY', DEFAULTS.writeConcurrency, 1, 50),
    ec2WriteBurst: int(env, 'EC2_WRITE_BURST', DEFAULTS.ec2WriteBurst, 1, 100_000),
    ec2WriteRate: int(env, 'EC2_WRITE_RATE', DEFAULTS.ec2WriteRate, 1, 10_000),
    tablesReadPerRun: int(env, 'TABLES_READ_PER_RUN', DEFAULTS.tablesReadPerRun, 0, 1_000_000),
    notifyTopic: topic,
    alarms: alarmsRaw,
    alarmPrefix,
    evacuationMaxAgeSeconds: int(env, 'EVACUATION_MAX_AGE_SECONDS', DEFAULTS.evacuationMaxAgeSeconds, 60, 604_800),
    egressAllowList: parseEgressAllowList(present(env, 'EGRESS_ALLOW_LIST')),
    probes: probesRaw,
    probeBadRounds,
    probeWindowRounds,
    probeFreshSeconds: int(env, 'PROBE_FRESH_SECONDS', DEFAULTS.probeFreshSeconds, 60, 3600),
    probeLagSeconds: int(env, 'PROBE_LAG_SECONDS', DEFAULTS.probeLagSeconds, 0, 900),
    probeWaitSeconds: int(env, 'PROBE_WAIT_SECONDS', DEFAULTS.probeWaitSeconds, 0, 45),
  };
}
