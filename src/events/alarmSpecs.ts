import { createHash } from 'node:crypto';
import type { Config } from '../config';
import { METRIC_NAMESPACE, type RuleMetric } from '../core/constants';
import { renderExpression, softRuleDefs } from '../core/softRules';
import type { GatewayAlarm, NatGateway } from '../core/types';

/**
 * The CloudWatch alarms the controller keeps per gateway: the two soft rules of
 * src/core/softRules.ts (packet-drop ratio, connection-establishment ratio, with their volume
 * guards and M of N one-minute periods), built from the very expressions the poller evaluates,
 * evaluated by CloudWatch instead of by polling GetMetricData.
 */
export const ALARM_RULES = ['packet-drops', 'connection-failures'] as const;
export type AlarmRule = (typeof ALARM_RULES)[number];

export type AlarmRules = Pick<
  Config,
  'alarmPrefix' | 'softBadPeriods' | 'softWindowPeriods' | 'packetDropRatio' | 'packetDropMinPackets' | 'connectionSuccessRatio' | 'connectionMinAttempts' | 'metricLagSeconds'
>;

/**
 * The alarm's evaluation range: the poller's N judged minutes plus the minutes not yet published.
 * NAT gateway metrics land 1-3 minutes late (METRIC_LAG_SECONDS), and every metric in the alarm is
 * read through FILL, so at each evaluation the newest, unpublished minutes read as "not judged"
 * (never breaching). AWS documents the effect and the remedy: with FILL in an alarm and metrics
 * published with a delay, "FILL replaces that missing data point ... You can work around this by
 * using a M out of N alarm" (CloudWatch User Guide, "Using metric math", FILL). With only N
 * periods, a 3-of-5 alarm and a 2-minute lag would judge 3 real minutes where the poller judges 5
 * (found in review); N + lag periods with M to alarm judge the same N published minutes.
 */
export const evaluationPeriodsOf = (rules: Pick<AlarmRules, 'softWindowPeriods' | 'metricLagSeconds'>): number =>
  rules.softWindowPeriods + Math.ceil(rules.metricLagSeconds / 60);

export interface AlarmMetric {
  readonly id: string;
  /** A NAT gateway metric summed per minute… */
  readonly metricName?: RuleMetric;
  /** …or an expression over the other ids (the one that returns data). */
  readonly expression?: string;
  readonly label?: string;
  readonly returnData: boolean;
}

/** SDK-free description of one alarm; the adapter turns it into PutMetricAlarm. */
export interface AlarmSpec {
  readonly name: string;
  readonly natGatewayId: string;
  readonly rule: AlarmRule;
  readonly description: string;
  readonly namespace: string;
  readonly metrics: readonly AlarmMetric[];
  readonly comparison: 'GreaterThanThreshold' | 'LessThanThreshold';
  readonly threshold: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly period: number;
  /**
   * `missing`: the expression reads every metric through FILL, so a minute of the evaluation range
   * never lacks a value; a metric with no data at all leaves the alarm INSUFFICIENT_DATA (unknown,
   * as the poller says), never ALARM and never a made-up OK. See src/core/softRules.ts.
   */
  readonly treatMissingData: 'missing';
  /** Hash of everything above: kept in the description to tell when the alarm needs updating. */
  readonly specHash: string;
}

/** What DescribeAlarms says about one alarm under the prefix. */
export interface ExistingAlarm {
  readonly name: string;
  readonly description: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly stateSince: Date | undefined;
}

/**
 * Gateway alarms live in their own namespace under the prefix, `<prefix>-gw-`: the stack's own
 * alarms (`<prefix>-reconcile-errors`, `-reconcile-not-running`) share `<prefix>-`, and so does a
 * sibling stage whose name extends ours (`…-prod-eu-…` under `…-prod-`). Listing, the IAM scope
 * and the EventBridge filter all use this namespace, never the bare prefix.
 */
export const gatewayAlarmNamespace = (prefix: string): string => `${prefix}-gw`;

export const alarmName = (prefix: string, natGatewayId: string, rule: AlarmRule): string => `${gatewayAlarmNamespace(prefix)}-${natGatewayId}-${rule}`;

/** Real NAT gateway ids: `nat-` and lower-case hex (8 or 17 digits). */
const NAT_ID = /^nat-[0-9a-f]+$/;

/** The gateway and rule an alarm name under `<prefix>-gw-` stands for; undefined for anything else. */
export function parseAlarmName(prefix: string, name: string): { natGatewayId: string; rule: AlarmRule } | undefined {
  const head = `${gatewayAlarmNamespace(prefix)}-`;
  if (!name.startsWith(head)) return undefined;
  const rest = name.slice(head.length);
  const rule = ALARM_RULES.find((r) => rest.endsWith(`-${r}`));
  if (!rule) return undefined;
  const natGatewayId = rest.slice(0, -(rule.length + 1));
  return NAT_ID.test(natGatewayId) ? { natGatewayId, rule } : undefined;
}

const pct = (r: number): string => `${+(r * 100).toPrecision(6)}%`;
const HASH_MARK = /\[spec ([0-9a-f]{12})\]$/;

export const specHashOf = (description: string): string | undefined => HASH_MARK.exec(description)?.[1];

function spec(rules: AlarmRules, natGatewayId: string, rule: AlarmRule): AlarmSpec {
  const n = evaluationPeriodsOf(rules);
  const m = rules.softBadPeriods;
  const def = softRuleDefs(rules).find((d) => d.kind === rule);
  if (!def) throw new Error(`no soft rule ${rule}`);
  const base = { name: alarmName(rules.alarmPrefix, natGatewayId, rule), natGatewayId, rule, namespace: METRIC_NAMESPACE, evaluationPeriods: n, datapointsToAlarm: m, period: 60, treatMissingData: 'missing' as const };
  const label = rule === 'packet-drops' ? 'packet-drop ratio' : 'connection establishment ratio';
  const shape = {
    metrics: [
      ...def.inputs.map((i) => ({ id: i.id, metricName: i.metric, returnData: false })),
      { id: 'ratio', expression: renderExpression(def.value), label, returnData: true },
    ],
    comparison: def.comparison,
    threshold: def.threshold,
  };
  const human =
    rule === 'packet-drops'
      ? `packet-drop ratio of ${natGatewayId} above ${pct(def.threshold)} (at least ${def.minimum} packets a minute) in ${m} of ${n} minutes`
      : `connections established/attempted by ${natGatewayId} below ${pct(def.threshold)} (at least ${def.minimum} attempts a minute) in ${m} of ${n} minutes`;
  const specHash = createHash('sha256').update(JSON.stringify({ ...base, ...shape })).digest('hex').slice(0, 12);
  return { ...base, ...shape, specHash, description: `Managed by nat-failover (edits are overwritten): ${human}. [spec ${specHash}]` };
}

/** Alarms for every gateway that can carry traffic: available, zonal (regional ones need no failover). */
export function desiredAlarms(nats: readonly NatGateway[], rules: AlarmRules): AlarmSpec[] {
  return nats
    .filter((n) => n.state === 'available' && n.availabilityMode === 'zonal')
    .sort((a, b) => a.id.localeCompare(b.id))
    .flatMap((n) => ALARM_RULES.map((r) => spec(rules, n.id, r)));
}

export interface AlarmDiff {
  readonly create: readonly AlarmSpec[];
  readonly update: readonly AlarmSpec[];
  readonly remove: readonly string[];
  /** Under the namespace but not provably ours: never deleted, reported so an operator can look. */
  readonly foreign: readonly string[];
}

/**
 * Whether the controller wrote this alarm: its name parses exactly as one of ours under `prefix`
 * and its description carries the `[spec …]` mark only spec() writes. Both, because deleting is
 * the one irreversible thing the reconciler does to alarms: a look-alike name someone else chose,
 * or an alarm of ours an operator rewrote by hand, is left alone.
 */
export const isOwnAlarm = (prefix: string, a: ExistingAlarm): boolean => parseAlarmName(prefix, a.name) !== undefined && specHashOf(a.description) !== undefined;

/**
 * Matched by name: missing → create, hash differs → update, no longer desired → delete, but only
 * alarms we own (isOwnAlarm); everything else the listing returned is `foreign` and untouched.
 */
export function diffAlarms(existing: readonly ExistingAlarm[], desired: readonly AlarmSpec[], prefix: string): AlarmDiff {
  const have = new Map(existing.map((a) => [a.name, a]));
  const want = new Set(desired.map((d) => d.name));
  const unwanted = existing.filter((a) => !want.has(a.name));
  return {
    create: desired.filter((d) => !have.has(d.name)),
    update: desired.filter((d) => have.has(d.name) && specHashOf(have.get(d.name)?.description ?? '') !== d.specHash),
    remove: unwanted.filter((a) => isOwnAlarm(prefix, a)).map((a) => a.name).sort(),
    foreign: unwanted.filter((a) => !isOwnAlarm(prefix, a)).map((a) => a.name).sort(),
  };
}

/** Alarms in ALARM on gateways still desired: soft signals, already persisted M of N minutes. */
export function alarmsInAlarm(existing: readonly ExistingAlarm[], desired: readonly AlarmSpec[], now: Date): GatewayAlarm[] {
  const byName = new Map(desired.map((d) => [d.name, d]));
  return existing
    .filter((a) => a.state === 'ALARM' && byName.has(a.name))
    .map((a) => ({ natGatewayId: (byName.get(a.name) as AlarmSpec).natGatewayId, alarmName: a.name, since: a.stateSince ?? now }));
}
