import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULTS, ENV_VARS, loadConfig, type Config } from '../src/config';
import { ConfigError } from '../src/errors';

/** Runs loadConfig and returns the ConfigError it threw (fails the test if it did not throw one). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('returns the documented defaults for an empty environment', () => {
    // Act
    const cfg = loadConfig({});

    // Assess
    expect(cfg).toStrictEqual(DEFAULTS);
    expect(cfg.restoreHoldDownSeconds).toBe(600);
    expect(cfg.packetDropRatio).toBe(0.001);
    expect(cfg.metricPollMinutes).toBe(3);
  });

  it('treats blank variables as unset', () => {
    const cfg = loadConfig({ RESTORE_HOLD_DOWN_SECONDS: '  ', VPC_IDS: '', DRY_RUN: ' ' });
    expect(cfg).toStrictEqual(DEFAULTS);
  });

  it('has every variable documented in the configuration table', () => {
    const doc = readFileSync(join(__dirname, '../README.md'), 'utf8');
    const missing = Object.keys(ENV_VARS).filter((v) => !doc.includes(`| \`${v}\` |`));
    expect(missing).toEqual([]);
  });

  it('maps every documented variable to a Config field', () => {
    for (const field of Object.values(ENV_VARS)) expect(Object.keys(DEFAULTS)).toContain(field);
  });

  const valid: ReadonlyArray<[string, string, keyof Config, unknown]> = [
    ['MANAGED_TAG_KEY', 'failover/managed', 'managedTagKey', 'failover/managed'],
    ['MANAGED_TAG_VALUE', 'yes please', 'managedTagValue', 'yes please'],
    ['VPC_IDS', 'vpc-0123abcd, vpc-0123456789abcdef0', 'vpcIds', ['vpc-0123abcd', 'vpc-0123456789abcdef0']],
    ['VPC_IDS', 'vpc-0123abcd,,', 'vpcIds', ['vpc-0123abcd']],
    ['DRY_RUN', 'true', 'dryRun', true],
    ['DRY_RUN', 'YES', 'dryRun', true],
    ['DRY_RUN', '1', 'dryRun', true],
    ['DRY_RUN', 'False', 'dryRun', false],
    ['DRY_RUN', '0', 'dryRun', false],
    ['RESTORE_HOLD_DOWN_SECONDS', '0', 'restoreHoldDownSeconds', 0],
    ['RESTORE_HOLD_DOWN_SECONDS', '86400', 'restoreHoldDownSeconds', 86_400],
    ['MAX_CHANGES_PER_RUN', '1', 'maxChangesPerRun', 1],
    ['MAX_CHANGES_PER_RUN', '10000', 'maxChangesPerRun', 10_000],
    ['SOFT_WINDOW_PERIODS', '60', 'softWindowPeriods', 60],
    ['PACKET_DROP_RATIO', '0.0001', 'packetDropRatio', 0.0001],
    ['PACKET_DROP_RATIO', '1e-4', 'packetDropRatio', 0.0001],
    ['PACKET_DROP_MIN_PACKETS', '0', 'packetDropMinPackets', 0],
    ['CONNECTION_SUCCESS_RATIO', '0.9', 'connectionSuccessRatio', 0.9],
    ['CONNECTION_MIN_ATTEMPTS', '25', 'connectionMinAttempts', 25],
    ['METRIC_LAG_SECONDS', '3600', 'metricLagSeconds', 3600],
    ['METRIC_POLL_MINUTES', '1', 'metricPollMinutes', 1],
    ['WRITE_CONCURRENCY', '50', 'writeConcurrency', 50],
    ['NOTIFY_TOPIC', 'nat-failover-prod', 'notifyTopic', 'nat-failover-prod'],
    ['NOTIFY_TOPIC', 'arn:aws:sns:eu-west-1:123456789012:ops_alerts', 'notifyTopic', 'arn:aws:sns:eu-west-1:123456789012:ops_alerts'],
    ['NOTIFY_TOPIC', 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:ops', 'notifyTopic', 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:ops'],
    ['ALARMS', 'off', 'alarms', 'off'],
    ['ALARMS', 'Managed', 'alarms', 'managed'],
    ['ALARM_PREFIX', 'prod.nat_failover-1', 'alarmPrefix', 'prod.nat_failover-1'],
    ['EVACUATION_MAX_AGE_SECONDS', '60', 'evacuationMaxAgeSeconds', 60],
    ['EVACUATION_MAX_AGE_SECONDS', '604800', 'evacuationMaxAgeSeconds', 604_800],
  ];
  it.each(valid)('accepts %s=%j as %s', (variable, value, field, expected) => {
    // Act
    const cfg = loadConfig({ [variable]: value });

    // Assess
    expect(cfg[field]).toStrictEqual(expected);
  });

  it('accepts SOFT_BAD_PERIODS equal to SOFT_WINDOW_PERIODS', () => {
    const cfg = loadConfig({ SOFT_BAD_PERIODS: '4', SOFT_WINDOW_PERIODS: '4' });
    expect([cfg.softBadPeriods, cfg.softWindowPeriods]).toEqual([4, 4]);
  });

  const invalid: ReadonlyArray<[string, string]> = [
    ['MANAGED_TAG_KEY', 'aws:reserved'],
    ['MANAGED_TAG_KEY', 'nat-failover:state'],
    ['MANAGED_TAG_KEY', 'k'.repeat(129)],
    ['MANAGED_TAG_KEY', 'bad*key'],
    ['MANAGED_TAG_VALUE', 'v'.repeat(257)],
    ['VPC_IDS', 'vpc-123'],
    ['VPC_IDS', 'vpc-0123abcd,subnet-0123abcd'],
    ['DRY_RUN', 'maybe'],
    ['RESTORE_HOLD_DOWN_SECONDS', '-1'],
    ['RESTORE_HOLD_DOWN_SECONDS', '86401'],
    ['RESTORE_HOLD_DOWN_SECONDS', '10m'],
    ['RESTORE_HOLD_DOWN_SECONDS', '1.5'],
    ['MAX_CHANGES_PER_RUN', '0'],
    ['MAX_CHANGES_PER_RUN', '10001'],
    ['SOFT_BAD_PERIODS', '0'],
    ['SOFT_BAD_PERIODS', '6'], // exceeds the default window of 5
    ['SOFT_WINDOW_PERIODS', '61'],
    ['SOFT_WINDOW_PERIODS', '2'], // below the default M of 3
    ['PACKET_DROP_RATIO', '0'],
    ['PACKET_DROP_RATIO', '1'],
    ['PACKET_DROP_RATIO', '0x1'],
    ['PACKET_DROP_RATIO', 'Infinity'],
    ['PACKET_DROP_RATIO', '-0.1'],
    ['PACKET_DROP_MIN_PACKETS', 'lots'],
    ['CONNECTION_SUCCESS_RATIO', '50%'],
    ['CONNECTION_MIN_ATTEMPTS', '-5'],
    ['METRIC_LAG_SECONDS', '3601'],
    ['METRIC_POLL_MINUTES', '0'],
    ['METRIC_POLL_MINUTES', '61'],
    ['WRITE_CONCURRENCY', '0'],
    ['WRITE_CONCURRENCY', '51'],
    ['NOTIFY_TOPIC', 'arn:aws:sqs:eu-west-1:123456789012:queue'],
    ['NOTIFY_TOPIC', 'has spaces'],
    ['ALARMS', 'on'],
    ['ALARM_PREFIX', '-leading-dash'],
    ['ALARM_PREFIX', 'a'.repeat(201)],
    ['ALARM_PREFIX', 'has/slash'],
    ['EVACUATION_MAX_AGE_SECONDS', '59'],
    ['EVACUATION_MAX_AGE_SECONDS', '604801'],
  ];
  it.each(invalid)('rejects %s=%j with a ConfigError naming the variable', (variable, value) => {
    // Act
    const err = configError({ [variable]: value });

    // Assess
    const named = variable === 'SOFT_WINDOW_PERIODS' && value === '2' ? 'SOFT_BAD_PERIODS' : variable;
    expect(err.variable).toBe(named);
    expect(err.message.startsWith(`${named}: `)).toBe(true);
    expect(err.message).not.toMatch(/\n/);
  });

  it('keeps the message on one short line even when the bad value spans lines', () => {
    // Prepare
    const value = `maybe\n${'x'.repeat(500)}`;

    // Act
    const err = configError({ DRY_RUN: value });

    // Assess
    expect(err.message).not.toMatch(/[\r\n]/);
    expect(err.message.length).toBeLessThan(200);
  });

  it('reports the first bad variable when several are bad', () => {
    const err = configError({ MANAGED_TAG_KEY: 'aws:x', DRY_RUN: 'maybe' });
    expect(err.variable).toBe('MANAGED_TAG_KEY');
  });
});
