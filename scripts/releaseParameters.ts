/**
 * The CloudFormation constraints of the release template's parameters, one per `serverless.yml`
 * param, mirroring what src/config.ts `loadConfig` accepts for the variable the param sets, so a
 * value CloudFormation lets through never stops the cold start with a ConfigError.
 * test/scripts/releaseTemplate.test.ts checks each against `loadConfig` with generated values.
 *
 * Every constraint is on a `String` parameter: CloudFormation's `Number` type admits fractions and
 * exponents ("An integer or float"), which the loader refuses for whole-number settings, and
 * MinValue/MaxValue apply only to `Number` (AllowedPattern only to `String`): CloudFormation
 * user guide, "Parameters" (template anatomy). So ranges are written as patterns (intPattern).
 * Not expressible: SOFT_BAD_PERIODS <= SOFT_WINDOW_PERIODS and PROBE_BAD_ROUNDS <= PROBE_WINDOW_ROUNDS
 * (Rules have no numeric comparison); those are still refused at cold start with one line naming the variable.
 */

export interface Constraint {
  readonly AllowedValues?: readonly string[];
  readonly AllowedPattern?: string;
  readonly MinLength?: number;
  readonly MaxLength?: number;
  readonly ConstraintDescription?: string;
}

/** Decimal digits a..b, both the same length, as regex alternatives (no anchors). */
function sameLength(a: string, b: string): string {
  if (a === b) return a;
  const n = a.length - 1;
  const [ha, hb] = [Number(a[0]), Number(b[0])];
  const [ra, rb] = [a.slice(1), b.slice(1)];
  const digits = (lo: number, hi: number): string => (lo === hi ? String(lo) : `[${lo}-${hi}]`);
  if (n === 0) return digits(ha, hb);
  if (/^0*$/.test(ra) && /^9*$/.test(rb)) return `${digits(ha, hb)}[0-9]{${n}}`;
  if (ha === hb) return `${ha}(${sameLength(ra, rb)})`;
  const parts = [`${ha}(${sameLength(ra, '9'.repeat(n))})`];
  if (hb - ha > 1) parts.push(`${digits(ha + 1, hb - 1)}[0-9]{${n}}`);
  parts.push(`${hb}(${sameLength('0'.repeat(n), rb)})`);
  return parts.join('|');
}

/** An anchored pattern matching exactly the whole numbers min..max written without leading zeros. */
export function intPattern(min: number, max: number): string {
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min < 0 || min > max) throw new Error(`intPattern: bad range ${min}..${max}`);
  const parts: string[] = [];
  const [lo, hi] = [String(min), String(max)];
  for (let len = lo.length; len <= hi.length; len++) {
    const a = len === lo.length ? lo : `1${'0'.repeat(len - 1)}`;
    const b = len === hi.length ? hi : '9'.repeat(len);
    parts.push(sameLength(a, b));
  }
  return `^(${parts.join('|')})$`;
}

const int = (min: number, max: number): Constraint => ({
  AllowedPattern: intPattern(min, max),
  ConstraintDescription: `a whole number ${min}..${max}, without leading zeros`,
});
// The loader takes any finite number strictly between 0 and 1; the template asks for a plain decimal.
const ratio: Constraint = { AllowedPattern: '^0?\\.[0-9]*[1-9][0-9]*$', ConstraintDescription: 'a decimal between 0 and 1 exclusive, e.g. 0.001' };

/** By `serverless.yml` param name. Params that declare their own CloudFormation parameter (vpcIds, dashboard) keep its constraints. */
export const CONSTRAINTS: Readonly<Record<string, Constraint>> = {
  // Non-empty and untrimmed: the value also reaches the IAM conditions verbatim, where the loader's
  // trimming and its blank-means-default do not apply (a blank would let IAM match no table).
  managedTagValue: { MinLength: 1, MaxLength: 256, AllowedPattern: '^\\S(.*\\S)?$', ConstraintDescription: 'the opt-in tag value: 1-256 characters, no leading or trailing space' },
  dryRun: { AllowedValues: ['false', 'true'] },
  restoreHoldDownSeconds: int(0, 86_400),
  maxChangesPerRun: int(1, 10_000),
  softBadPeriods: int(1, 60),
  softWindowPeriods: int(1, 60),
  packetDropRatio: ratio,
  packetDropMinPackets: int(0, 1e12),
  connectionSuccessRatio: ratio,
  connectionMinAttempts: int(0, 1e12),
  metricLagSeconds: int(0, 3600),
  metricPollMinutes: int(1, 60),
  writeConcurrency: int(1, 50),
  alarms: { AllowedValues: ['managed', 'off'] },
  evacuationMaxAgeSeconds: int(60, 604_800),
  ec2WriteBurst: int(1, 100_000),
  ec2WriteRate: int(1, 10_000),
  tablesReadPerRun: int(0, 1_000_000),
  // Empty (no allow-list) or comma-separated CIDRs. The pattern admits the characters and shape of
  // a CIDR list only; a block with host bits set (203.0.113.7/24) or a bad prefix length is refused
  // at cold start with one line naming the entry (core/cidr.ts): a regex cannot check CIDR math.
  // 4,096 characters is CloudFormation's limit for a parameter value (cfn-lint E2001).
  egressAllowList: { MaxLength: 4096, AllowedPattern: '^$|^[0-9A-Fa-f.:]+/[0-9]{1,3}( ?, ?[0-9A-Fa-f.:]+/[0-9]{1,3})*$', ConstraintDescription: 'empty, or comma-separated CIDR blocks, e.g. 203.0.113.0/24,198.51.100.7/32' },
  probes: { AllowedValues: ['off', 'on'] },
  probeBadRounds: int(1, 20),
  probeWindowRounds: int(1, 20),
  probeFreshSeconds: int(60, 3600),
  probeLagSeconds: int(0, 900),
  probeWaitSeconds: int(0, 45),
  // Powertools Logger's levels (its LogLevel constant, Powertools for AWS Lambda TypeScript API reference).
  logLevel: { AllowedValues: ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'] },
};

/** Whether CloudFormation would accept `value` for a String parameter with these constraints (patterns match the whole value). */
export function accepts(c: Constraint, value: string): boolean {
  if (c.AllowedValues && !c.AllowedValues.includes(value)) return false;
  if (c.MinLength !== undefined && value.length < c.MinLength) return false;
  if (c.MaxLength !== undefined && value.length > c.MaxLength) return false;
  if (c.AllowedPattern !== undefined && !new RegExp(c.AllowedPattern.replace(/^\^?/, '^(?:').replace(/\$?$/, ')$')).test(value)) return false;
  return true;
}
