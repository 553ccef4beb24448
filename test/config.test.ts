import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { DEFAULTS, ENV_VARS, loadConfig, type Config } from '../src/config';
import { ConfigError } from '../src/errors';
import { envReads, sources, stackEnvironment } from './envScan';

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
    ['EGRESS_ALLOW_LIST', '203.0.113.0/24, 198.51.100.7/32', 'egressAllowList', ['203.0.113.0/24', '198.51.100.7/32']],
    ['EGRESS_ALLOW_LIST', '2001:DB8::/32', 'egressAllowList', ['2001:db8::/32']],
    ['PROBES', 'ON', 'probes', 'on'],
    ['PROBES', 'off', 'probes', 'off'],
    ['PROBE_BAD_ROUNDS', '1', 'probeBadRounds', 1],
    ['PROBE_WINDOW_ROUNDS', '20', 'probeWindowRounds', 20],
    ['PROBE_FRESH_SECONDS', '60', 'probeFreshSeconds', 60],
    ['PROBE_LAG_SECONDS', '0', 'probeLagSeconds', 0],
    ['PROBE_WAIT_SECONDS', '45', 'probeWaitSeconds', 45],
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
    ['EGRESS_ALLOW_LIST', '203.0.113.7/24'],
    ['EGRESS_ALLOW_LIST', '203.0.113.0/24,'],
    ['EGRESS_ALLOW_LIST', '203.0.113.1'],
    ['EGRESS_ALLOW_LIST', '203.0.113.0/24;198.51.100.0/24'],
    ['EGRESS_ALLOW_LIST', Array.from({ length: 201 }, (_, i) => `10.0.${i}.0/24`).join(',')],
    ['PROBES', 'true'],
    ['PROBE_BAD_ROUNDS', '4'],
    ['PROBE_WINDOW_ROUNDS', '0'],
    ['PROBE_FRESH_SECONDS', '59'],
    ['PROBE_LAG_SECONDS', '901'],
    // The reconcile function times out at 60 s and must still write after waiting.
    ['PROBE_WAIT_SECONDS', '46'],
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

  it('EGRESS_ALLOW_LIST: names the bad entry by position, quoted and capped, and why', () => {
    expect(configError({ EGRESS_ALLOW_LIST: '203.0.113.0/24, 198.51.100.7/24' }).message).toBe(
      'EGRESS_ALLOW_LIST: entry 2 "198.51.100.7/24" has host bits set below /24 (did you mean /32 or the network address?)',
    );
    expect(configError({ EGRESS_ALLOW_LIST: '203.0.113.0/24,,198.51.100.0/24' }).message).toBe('EGRESS_ALLOW_LIST: entry 2 is empty (stray comma?)');
  });

  it('EGRESS_ALLOW_LIST property: a list of valid blocks loads as given; any entry that is not one fails the whole list on one line', () => {
    const v4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 0, max: 32 })).map(([a, b, c, d, p]) => {
      const n = ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
      const net = p === 0 ? 0 : (n >>> (32 - p)) << (32 - p) >>> 0;
      return `${[24, 16, 8, 0].map((s) => (net >>> s) & 255).join('.')}/${p}`;
    });
    const v6 = fc.tuple(fc.nat(0xffff), fc.integer({ min: 0, max: 16 })).map(([g, p]) => `${((g >> (16 - p)) << (16 - p)).toString(16)}::/${p}`);
    const good = fc.array(fc.oneof(v4, v6), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(good, (list) => {
        expect(loadConfig({ EGRESS_ALLOW_LIST: list.join(',') }).egressAllowList).toEqual(list);
      }),
    );
    const junk = fc.string({ minLength: 1, maxLength: 80 }).filter((s) => !s.includes(',') && s.trim() !== '' && !/^[0-9a-fA-F:.]+\/\d+$/.test(s.trim()));
    fc.assert(
      fc.property(good, junk, fc.nat(), (list, bad, at) => {
        const entries = [...list];
        entries.splice(at % (list.length + 1), 0, bad);
        const err = configError({ EGRESS_ALLOW_LIST: entries.join(',') });
        expect(err.variable).toBe('EGRESS_ALLOW_LIST');
        expect(err.message).not.toMatch(/[\r\n]/);
        expect(err.message.length).toBeLessThan(200);
      }),
    );
  });

  it('reports the first bad variable when several are bad', () => {
    const err = configError({ MANAGED_TAG_KEY: 'aws:x', DRY_RUN: 'maybe' });
    expect(err.variable).toBe('MANAGED_TAG_KEY');
  });
});

/**
 * docs/configuration.md must list every environment variable the code reads, found in the source
 * rather than copied into a list here, so a new `process.env.X` cannot ship undocumented.
 */
const ROOT = resolve(__dirname, '..');
describe('docs/configuration.md', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const documented = (v: string): boolean => doc.includes(`| \`${v}\` |`);
  const code = [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'handlers'))].map((p) => ({ path: relative(ROOT, p), text: readFileSync(p, 'utf8') }));
  const reads = envReads(code);

  it('finds what loadConfig reads in the source (the scan works)', () => {
    expect([...reads.names]).toEqual(expect.arrayContaining(Object.keys(ENV_VARS)));
  });

  it('has a row for every environment variable src/ and handlers/ read', () => {
    expect([...reads.names].filter((v) => !documented(v)).sort()).toEqual([]);
  });

  it('has a row for every variable serverless.yml sets', () => {
    const stack = stackEnvironment(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'));
    expect(stack.size).toBeGreaterThan(Object.keys(ENV_VARS).length);
    expect([...stack].filter((v) => !documented(v)).sort()).toEqual([]);
  });

  it('reads a computed name only in the loader, whose callers name each variable', () => {
    expect(reads.dynamic).toEqual(['src/config.ts: env[key]']);
  });
});

describe('the environment scan can fail', () => {
  it('finds each form of read, resolves constants and reports computed names', () => {
    const found = envReads([
      { path: 'a.ts', text: "const A = process.env.ALPHA; if (env.IS_BETA) x(env['GAMMA'], env[\"DELTA\"]);" },
      { path: 'b.ts', text: "export const NAME_ENV = 'EPSILON'; const v = env[NAME_ENV]; int(env, 'ZETA', 1, 0, 2); present(env,'ETA'); env[other];" },
      { path: 'c.ts', text: "const lower = env.notOurs; // process.envALPHA is not a read" },
    ]);
    expect([...found.names].sort()).toEqual(['ALPHA', 'DELTA', 'EPSILON', 'ETA', 'GAMMA', 'IS_BETA', 'ZETA']);
    expect(found.dynamic).toEqual(['b.ts: env[other]']);
  });

  it('reads the keys of every environment block of a serverless.yml', () => {
    const yaml = 'provider:\n  environment:\n    ONE: 1\n    # COMMENTED: no\n    TWO: ${param:x}\n  iam:\n    NOT_ENV: x\nfunctions:\n  m:\n    environment:\n      THREE: y\n    timeout: 5\n';
    expect([...stackEnvironment(yaml)]).toEqual(['ONE', 'TWO', 'THREE']);
  });
});
