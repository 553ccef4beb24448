import type { Config } from './config';
import type { RuleMetric } from './constants';

/** The thresholds the soft rules (polled metrics and managed alarms alike) apply. */
export type SoftRules = Pick<
  Config,
  'softBadPeriods' | 'softWindowPeriods' | 'packetDropRatio' | 'packetDropMinPackets' | 'connectionSuccessRatio' | 'connectionMinAttempts'
>;

/**
 * One definition of each soft rule, from which both paths are built: the poller evaluates the
 * expression below on each polled minute (src/core/health.ts), and the managed alarm sends the
 * same expression, rendered as CloudWatch metric math, for CloudWatch to evaluate
 * (src/events/alarmSpecs.ts). Only a subset of metric math is used, and every operation is
 * written with explicit parentheses, so there is no precedence to get wrong.
 *
 * Missing datapoints. In metric math a missing value reads as 0 in arithmetic (`drops + out` with
 * no `out` that minute is `drops`: "Missing values in a time series are treated as 0", CloudWatch
 * User Guide, "Using metric math", arithmetic and comparison operators, `==` among them), while
 * the poller used to skip the minute: the two paths judged
 * a half-reported minute differently (a drop count without its traffic count breached as an
 * alarm but not as a poll). Neither path now relies on an implicit rule: every metric is read
 * through FILL (documented in "Metric math syntax and functions",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html), and
 * presence is tested explicitly as `FILL(m, 0) == FILL(m, 1)` (equal only where m has a value).
 * The rule: a minute is judged only when both of its metrics have a value and the volume guard is
 * met; a minute not judged yields the threshold itself, which never breaches (the comparison is
 * strict). So silence is still unknown, never healthy, and never bad, on both paths alike.
 *
 * The alarm's TreatMissingData is `missing` to match: after FILL every minute of the evaluation
 * range has a value, so it applies only when the metrics have no data at all in the range; the
 * alarm is then INSUFFICIENT_DATA (or OK on values that cannot breach), never ALARM, as the poller
 * says `unknown`, never bad. Only ALARM is read as a signal.
 */

export type Comparison = '>' | '>=' | '<' | '<=' | '==';
export type Expr =
  /** A metric's one-minute sum, with `value` where the minute has no datapoint (metric math FILL). */
  | { readonly op: 'fill'; readonly id: string; readonly value: number }
  | { readonly op: 'num'; readonly value: number }
  | { readonly op: '+' | '-' | '*' | '/' | Comparison; readonly a: Expr; readonly b: Expr }
  /** IF(cond, then, else): `then` where cond is non-zero. */
  | { readonly op: 'if'; readonly cond: Expr; readonly then: Expr; readonly else: Expr };

export type SoftRuleKind = 'packet-drops' | 'connection-failures';

export interface SoftRuleDef {
  readonly kind: SoftRuleKind;
  /** The two NAT gateway metrics the rule reads, by the id the expression names them with. */
  readonly inputs: readonly { readonly id: string; readonly metric: RuleMetric }[];
  /** 1 when the minute counts (both metrics present, volume guard met), else 0. */
  readonly judged: Expr;
  /** The ratio judged (meaningful where `judged` is 1). */
  readonly ratio: Expr;
  /** What each minute evaluates to: the ratio where judged, else the threshold (never a breach). */
  readonly value: Expr;
  /** A minute breaches when `value` is strictly beyond the threshold in this direction. */
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly threshold: number;
  /** The volume guard as applied (at least 1). */
  readonly minimum: number;
}

const fill = (id: string, value: number): Expr => ({ op: 'fill', id, value });
const num = (value: number): Expr => ({ op: 'num', value });
const bin = (op: '+' | '-' | '*' | '/' | Comparison, a: Expr, b: Expr): Expr => ({ op, a, b });
const iff = (cond: Expr, then: Expr, otherwise: Expr): Expr => ({ op: 'if', cond, then, else: otherwise });
/** 1 where the metric has a datapoint that minute, 0 where it has none. */
const present = (id: string): Expr => bin('==', fill(id, 0), fill(id, 1));
/** The metric's value, 0 where it has none (used only where presence is already required). */
const val = (id: string): Expr => fill(id, 0);

function rule(
  kind: SoftRuleKind,
  inputs: SoftRuleDef['inputs'],
  volume: Expr,
  minimum: number,
  ratio: Expr,
  comparison: SoftRuleDef['comparison'],
  threshold: number,
): SoftRuleDef {
  const [a, b] = inputs;
  const judged = bin('*', bin('*', present((a as { id: string }).id), present((b as { id: string }).id)), bin('>=', volume, num(minimum)));
  return { kind, inputs, judged, ratio, value: iff(bin('>', judged, num(0)), ratio, num(threshold)), comparison, threshold, minimum };
}

/** The two soft rules for these thresholds, in a fixed order (packet drops, then connections). */
export function softRuleDefs(rules: SoftRules): readonly SoftRuleDef[] {
  const minPackets = Math.max(1, rules.packetDropMinPackets);
  const minAttempts = Math.max(1, rules.connectionMinAttempts);
  return [
    rule(
      'packet-drops',
      [
        { id: 'drops', metric: 'PacketsDropCount' },
        { id: 'out', metric: 'PacketsOutToDestination' },
      ],
      bin('+', val('drops'), val('out')),
      minPackets,
      // Dropped per packet delivered; a minute that delivered nothing divides by 1, not 0.
      bin('/', val('drops'), iff(bin('>', val('out'), num(0)), val('out'), num(1))),
      'GreaterThanThreshold',
      rules.packetDropRatio,
    ),
    rule(
      'connection-failures',
      [
        { id: 'established', metric: 'ConnectionEstablishedCount' },
        { id: 'attempts', metric: 'ConnectionAttemptCount' },
      ],
      val('attempts'),
      minAttempts,
      bin('/', val('established'), iff(bin('>', val('attempts'), num(0)), val('attempts'), num(1))),
      'LessThanThreshold',
      rules.connectionSuccessRatio,
    ),
  ];
}

/** The value of `e` in one minute, `get` giving each metric's sum or undefined when it has none. */
export function evaluate(e: Expr, get: (id: string) => number | undefined): number {
  switch (e.op) {
    case 'fill':
      return get(e.id) ?? e.value;
    case 'num':
      return e.value;
    case 'if':
      return evaluate(e.cond, get) !== 0 ? evaluate(e.then, get) : evaluate(e.else, get);
    default: {
      const a = evaluate(e.a, get);
      const b = evaluate(e.b, get);
      switch (e.op) {
        case '+':
          return a + b;
        case '-':
          return a - b;
        case '*':
          return a * b;
        case '/':
          return a / b;
        case '>':
          return a > b ? 1 : 0;
        case '>=':
          return a >= b ? 1 : 0;
        case '<':
          return a < b ? 1 : 0;
        case '<=':
          return a <= b ? 1 : 0;
        case '==':
          return a === b ? 1 : 0;
      }
    }
  }
}

export const breaches = (def: SoftRuleDef, value: number): boolean => (def.comparison === 'GreaterThanThreshold' ? value > def.threshold : value < def.threshold);

/**
 * A number as metric math reads it: plain decimal digits, no exponent, and exactly the same
 * double once parsed (so the alarm compares with the very threshold the poller uses).
 */
export function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`not a finite number: ${n}`);
  let s = String(n);
  const e = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (e) {
    // Shift the digits of JavaScript's shortest round-trip form instead of formatting anew.
    const [, sign, lead, rest = '', exp] = e;
    const digits = `${lead}${rest}`;
    const point = 1 + Number(exp);
    s = point <= 0 ? `${sign}0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? `${sign}${digits}${'0'.repeat(point - digits.length)}` : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  if (Number(s) !== n) throw new Error(`${n} has no exact plain decimal form`);
  return s;
}

/** `e` as a CloudWatch metric math expression, every operation in its own parentheses. */
export function renderExpression(e: Expr): string {
  switch (e.op) {
    case 'fill':
      return `FILL(${e.id}, ${numberText(e.value)})`;
    case 'num':
      return numberText(e.value);
    case 'if':
      return `IF(${renderExpression(e.cond)}, ${renderExpression(e.then)}, ${renderExpression(e.else)})`;
    default:
      return `(${renderExpression(e.a)} ${e.op} ${renderExpression(e.b)})`;
  }
}
