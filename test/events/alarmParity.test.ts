/**
 * Alarm path = poll path: the managed alarm (as CloudWatch would evaluate it, by the evaluator in
 * ./metricMath.ts) and the poller (judgeSoft) judge the same series the same way, gaps included.
 * Both are built from src/core/softRules.ts; this checks the built artefacts, not the definition.
 */
import fc from 'fast-check';
import { DEFAULTS } from '../../src/config';
import { type AlarmSpec, desiredAlarms } from '../../src/events/alarmSpecs';
import { judgeSoft } from '../../src/core/health';
import { RULE_METRICS, type RuleMetric } from '../../src/core/constants';
import type { MetricPoint, NatGateway } from '../../src/core/types';
import { evaluateAlarm, evaluateExpression, isFullyParenthesized, type Series } from './metricMath';

const NAT: NatGateway = { id: 'nat-0aaaaaaaaaaaaaaa1', vpcId: 'vpc-00000001', az: 'us-east-1a', state: 'available', connectivityType: 'public', availabilityMode: 'zonal' };
const END = new Date('2026-11-23T12:10:00Z');

/** Per-minute metric sums, oldest first, ending at END; undefined = no datapoint that minute. */
type Minutes = readonly Partial<Record<RuleMetric, number | undefined>>[];

const pointsOf = (minutes: Minutes): MetricPoint[] =>
  minutes.map((v, i) => ({
    start: new Date(END.getTime() - (minutes.length - i) * 60_000),
    values: Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined)) as MetricPoint['values'],
  }));
const seriesOf = (minutes: Minutes): Partial<Record<RuleMetric, Series>> => Object.fromEntries(RULE_METRICS.map((m) => [m, minutes.map((v) => v[m])]));

const rulesArb = fc
  .record({
    softWindowPeriods: fc.integer({ min: 1, max: 8 }),
    m: fc.integer({ min: 1, max: 8 }),
    packetDropRatio: fc.constantFrom(0.001, 0.01, 0.05, 0.5),
    packetDropMinPackets: fc.constantFrom(0, 1, 10, 1000),
    connectionSuccessRatio: fc.constantFrom(0.5, 0.9, 0.99),
    connectionMinAttempts: fc.constantFrom(0, 1, 10, 100),
  })
  .map(({ m, ...r }) => ({ ...DEFAULTS, ...r, softBadPeriods: Math.min(m, r.softWindowPeriods), alarmPrefix: 'nat-failover-prod' }));

/** Counts around the guards and thresholds, zeros, and gaps (each metric on its own). */
const count = fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, fc.constantFrom(0, 1, 5, 9, 10, 11, 99, 100, 101, 999, 1000, 1001), fc.integer({ min: 0, max: 100_000 }));
const minuteArb = fc.record({ PacketsDropCount: count, PacketsOutToDestination: count, ConnectionAttemptCount: count, ConnectionEstablishedCount: count });

function verdicts(specs: readonly AlarmSpec[], minutes: Minutes, rules: Parameters<typeof judgeSoft>[1]) {
  const poll = judgeSoft(pointsOf(minutes), rules, END);
  return specs.map((s) => {
    const alarm = evaluateAlarm(s, seriesOf(minutes), minutes.length);
    return { rule: s.rule, alarm, pollBad: poll.signals.some((g) => g.kind === s.rule) };
  });
}

describe('alarm path = poll path', () => {
  it('on any series with gaps, an alarm is in ALARM exactly when the poller calls that rule bad (property)', () => {
    fc.assert(
      fc.property(rulesArb, fc.array(minuteArb, { minLength: 1, maxLength: 10 }), (rules, raw) => {
        // The alarm sees exactly the last N minutes, as the poller's window does.
        const minutes = raw.slice(-rules.softWindowPeriods);
        for (const v of verdicts(desiredAlarms([NAT], rules), minutes, rules)) {
          expect({ rule: v.rule, alarmInAlarm: v.alarm === 'ALARM', minutes }).toEqual({ rule: v.rule, alarmInAlarm: v.pollBad, minutes });
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('with the metric lag: the alarm, whose newest minutes are not yet published, judges the same minutes as the poller (property)', () => {
    // At each evaluation CloudWatch has no data yet for the newest ceil(lag/60) minutes; FILL
    // reads them as "not judged". The poller judges the N published minutes before the lag.
    const lagged = rulesArb.chain((rules) => fc.record({ rules: fc.constant(rules), metricLagSeconds: fc.constantFrom(0, 60, 120, 150, 180) }));
    fc.assert(
      fc.property(lagged, fc.array(minuteArb, { minLength: 1, maxLength: 10 }), ({ rules: base, metricLagSeconds }, raw) => {
        const rules = { ...base, metricLagSeconds };
        const published = raw.slice(-rules.softWindowPeriods);
        const unpublished: Minutes = Array.from({ length: Math.ceil(metricLagSeconds / 60) }, () => ({}));
        const poll = judgeSoft(pointsOf(published), rules, END);
        for (const s of desiredAlarms([NAT], rules)) {
          const seen = [...published, ...unpublished];
          const alarm = evaluateAlarm(s, seriesOf(seen), seen.length);
          expect({ rule: s.rule, alarmInAlarm: alarm === 'ALARM', published, metricLagSeconds }).toEqual({ rule: s.rule, alarmInAlarm: poll.signals.some((g) => g.kind === s.rule), published, metricLagSeconds });
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('3 bad minutes at the old end of the window, 2 minutes not yet published: ALARM, as the poll says', () => {
    const rules = { ...DEFAULTS, alarmPrefix: 'nat-failover-prod' };
    const bad = { PacketsDropCount: 100, PacketsOutToDestination: 10_000 };
    const ok = { PacketsDropCount: 0, PacketsOutToDestination: 10_000 };
    const published: Minutes = [bad, bad, bad, ok, ok];
    const seen: Minutes = [...published, {}, {}];
    expect(judgeSoft(pointsOf(published), rules, END).signals.map((g) => g.kind)).toContain('packet-drops');
    const drops = desiredAlarms([NAT], rules).find((s) => s.rule === 'packet-drops')!;
    expect(evaluateAlarm(drops, seriesOf(seen), seen.length)).toBe('ALARM');
  });

  it('a drop count without its traffic count (a half-reported minute) breaches on neither path', () => {
    const rules = { ...DEFAULTS, alarmPrefix: 'nat-failover-prod', softBadPeriods: 1, softWindowPeriods: 1 };
    const minutes: Minutes = [{ PacketsDropCount: 5000 }];
    expect(verdicts(desiredAlarms([NAT], rules), minutes, rules)).toEqual([
      { rule: 'packet-drops', alarm: 'OK', pollBad: false },
      { rule: 'connection-failures', alarm: 'OK', pollBad: false },
    ]);
  });

  it('writes every operation of every alarm expression in its own parentheses', () => {
    for (const s of desiredAlarms([NAT], { ...DEFAULTS, alarmPrefix: 'p' })) {
      const e = s.metrics.find((m) => m.returnData)?.expression ?? '';
      expect([e, isFullyParenthesized(e)]).toEqual([e, true]);
    }
  });

  it('the parenthesis check refuses an expression that leans on precedence', () => {
    expect(isFullyParenthesized('IF(drops + out >= 1000, drops / IF(out > 0, out, 1), 0)')).toBe(false);
    expect(isFullyParenthesized('IF(((drops + out) >= 1000), (drops / IF((out > 0), out, 1)), 0)')).toBe(true);
    expect(isFullyParenthesized('((a + b) * c) + d')).toBe(false);
  });

  it('the evaluator follows metric math on the gaps: missing reads as 0 in arithmetic, FILL fills', () => {
    expect(evaluateExpression('drops + out', { drops: [5, undefined, undefined], out: [1, 2, undefined] }, 3)).toEqual([6, 2, undefined]);
    expect(evaluateExpression('FILL(out, 7)', { out: [1, undefined] }, 2)).toEqual([1, 7]);
    expect(evaluateExpression('IF(out > 0, drops, 9)', { drops: [undefined, 3], out: [1, 0] }, 2)).toEqual([undefined, 9]);
    expect(evaluateExpression('(1 + 2) * 3 >= 9', {}, 1)).toEqual([1]);
  });
});
