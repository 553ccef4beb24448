/**
 * A small evaluator for the CloudWatch metric math subset the managed alarms may send, and for
 * the alarm's M-of-N evaluation, to judge an alarm spec on a series without CloudWatch.
 *
 * Semantics, from "Metric math syntax and functions"
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html) and what
 * is observed of CloudWatch (e.g. github.com/compiler-explorer/infra/pull/1661: `missing + 0`
 * evaluates to 0, not to missing):
 *  - a metric is a time series with values at some of the range's periods (the others missing);
 *  - FILL(m, v) gives m's value, or v where m has none, at every period of the range;
 *  - arithmetic and comparison between two series run over the periods where either has a value,
 *    a missing side reading as 0; comparisons give 1 or 0; a scalar applies at every period;
 *  - IF(c, a, b) gives, where c has a value, a's value if c is non-zero else b's; a branch series
 *    without a value at that period gives no value there (the point is dropped).
 * Alarm evaluation (TreatMissingData `missing`): over the last EvaluationPeriods periods, ALARM
 * when at least DatapointsToAlarm datapoints breach; no datapoint at all is INSUFFICIENT_DATA;
 * otherwise OK. (CloudWatch's finer rules for partly missing ranges only move between OK and
 * INSUFFICIENT_DATA; neither is ALARM, which is all the controller reads.)
 */
import type { AlarmSpec } from '../../src/events/alarmSpecs';
import type { RuleMetric } from '../../src/core/constants';

/** Value per period index (0 .. length-1); undefined = no datapoint. */
export type Series = readonly (number | undefined)[];
type Value = { kind: 'scalar'; v: number } | { kind: 'series'; s: Series };

const TOKEN = /\s*(==|!=|>=|<=|>|<|\(|\)|,|\+|-|\*|\/|[A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?)/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) {
      if (/^\s*$/.test(text.slice(at))) break;
      throw new Error(`cannot read metric math at ${at}: ${text.slice(at, at + 20)}`);
    }
    out.push(m[1] as string);
  }
  return out;
}

const PRECEDENCE: Record<string, number> = { '==': 1, '!=': 1, '>': 1, '>=': 1, '<': 1, '<=': 1, '+': 2, '-': 2, '*': 3, '/': 3 };

export function evaluateExpression(text: string, metrics: Readonly<Record<string, Series>>, length: number): Series {
  const toks = tokenize(text);
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++] as string;
  const expect = (t: string) => {
    if (next() !== t) throw new Error(`expected ${t} in ${text}`);
  };
  const at = (v: Value, p: number): number | undefined => (v.kind === 'scalar' ? v.v : v.s[p]);
  const map2 = (a: Value, b: Value, f: (x: number, y: number) => number): Value => {
    if (a.kind === 'scalar' && b.kind === 'scalar') return { kind: 'scalar', v: f(a.v, b.v) };
    const s = Array.from({ length }, (_, p) => {
      const x = at(a, p);
      const y = at(b, p);
      if (x === undefined && y === undefined) return undefined;
      return f(x ?? 0, y ?? 0);
    });
    return { kind: 'series', s };
  };
  const ops: Record<string, (x: number, y: number) => number> = {
    '+': (x, y) => x + y,
    '-': (x, y) => x - y,
    '*': (x, y) => x * y,
    '/': (x, y) => x / y,
    '==': (x, y) => (x === y ? 1 : 0),
    '!=': (x, y) => (x !== y ? 1 : 0),
    '>': (x, y) => (x > y ? 1 : 0),
    '>=': (x, y) => (x >= y ? 1 : 0),
    '<': (x, y) => (x < y ? 1 : 0),
    '<=': (x, y) => (x <= y ? 1 : 0),
  };
  const primary = (): Value => {
    const t = next();
    if (t === '(') {
      const v = binary(0);
      expect(')');
      return v;
    }
    if (/^\d/.test(t)) return { kind: 'scalar', v: Number(t) };
    if (t === 'FILL') {
      expect('(');
      const m = binary(0);
      expect(',');
      const c = binary(0);
      expect(')');
      if (c.kind !== 'scalar') throw new Error('FILL value must be a number here');
      return { kind: 'series', s: Array.from({ length }, (_, p) => at(m, p) ?? c.v) };
    }
    if (t === 'IF') {
      expect('(');
      const c = binary(0);
      expect(',');
      const a = binary(0);
      expect(',');
      const b = binary(0);
      expect(')');
      if (c.kind === 'scalar') return c.v !== 0 ? a : b;
      return { kind: 'series', s: Array.from({ length }, (_, p) => (c.s[p] === undefined ? undefined : c.s[p] !== 0 ? at(a, p) : at(b, p))) };
    }
    const s = metrics[t];
    if (!s) throw new Error(`unknown id ${t} in ${text}`);
    return { kind: 'series', s };
  };
  const binary = (min: number): Value => {
    let left = primary();
    for (;;) {
      const op = peek();
      const prec = op === undefined ? undefined : PRECEDENCE[op];
      if (prec === undefined || prec <= min - 1 || prec < min) break;
      next();
      const right = binary(prec + 1);
      left = map2(left, right, ops[op as string] as (x: number, y: number) => number);
    }
    return left;
  };
  const v = binary(0);
  if (i !== toks.length) throw new Error(`trailing tokens in ${text}`);
  return v.kind === 'scalar' ? Array.from({ length }, () => v.v) : v.s;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** What CloudWatch would say of `spec` after the periods of `byMetric` (the last one is the newest). */
export function evaluateAlarm(spec: AlarmSpec, byMetric: Readonly<Partial<Record<RuleMetric, Series>>>, length: number): AlarmState {
  const ids: Record<string, Series> = {};
  for (const m of spec.metrics) if (m.metricName) ids[m.id] = byMetric[m.metricName] ?? Array.from({ length }, () => undefined);
  const returned = spec.metrics.filter((m) => m.returnData);
  if (returned.length !== 1 || !returned[0]?.expression) throw new Error('an alarm returns exactly one expression');
  const series = evaluateExpression(returned[0].expression, ids, length).slice(-spec.evaluationPeriods);
  const points = series.filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (points.length === 0) return 'INSUFFICIENT_DATA';
  const breaching = points.filter((v) => (spec.comparison === 'GreaterThanThreshold' ? v > spec.threshold : v < spec.threshold)).length;
  return breaching >= spec.datapointsToAlarm ? 'ALARM' : 'OK';
}

/**
 * Whether every binary operation in `text` stands in its own parentheses, `(a op b)`, so no
 * operator precedence is ever relied on: expr := number | id | FILL(expr, expr) |
 * IF(expr, expr, expr) | '(' expr op expr ')'.
 */
export function isFullyParenthesized(text: string): boolean {
  const toks = tokenize(text);
  let i = 0;
  const eat = (t: string) => {
    if (toks[i] !== t) throw new Error(`expected ${t}`);
    i++;
  };
  const expr = (): void => {
    const t = toks[i++];
    if (t === undefined) throw new Error('unexpected end');
    if (t === '(') {
      expr();
      const op = toks[i++];
      if (op === undefined || PRECEDENCE[op] === undefined) throw new Error(`expected an operator, got ${op}`);
      expr();
      eat(')');
      return;
    }
    if (t === 'FILL' || t === 'IF') {
      eat('(');
      expr();
      for (let k = 0; k < (t === 'IF' ? 2 : 1); k++) {
        eat(',');
        expr();
      }
      eat(')');
      return;
    }
    if (!/^(?:\d|[a-z])/.test(t)) throw new Error(`unexpected ${t}`);
  };
  try {
    expr();
    return i === toks.length;
  } catch {
    return false;
  }
}
