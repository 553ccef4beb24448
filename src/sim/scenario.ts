import type { Config } from '../config';
import type { FindingKind, NatState, ZoneState } from '../core/types';
import type { Pattern, SimOptions, TruthStatus } from './region';
import type { WorldOptions } from './world';

/** Minutes after the scenario starts; the controller runs at every whole minute. */
export type Minute = number;

/** A fault as data. `until` ends it (the world goes back to normal at that minute). */
export type Fault =
  | { readonly at: Minute; readonly kind: 'nat-state'; readonly nat: string; readonly state: NatState; readonly until?: Minute }
  /** The gateway is deleted and a new one is created in the same subnet, available `readyAfter` minutes later. */
  | { readonly at: Minute; readonly kind: 'nat-replaced'; readonly nat: string; readonly by: string; readonly readyAfter: Minute }
  | { readonly at: Minute; readonly kind: 'blackhole'; readonly nat: string; readonly until?: Minute }
  | { readonly at: Minute; readonly kind: 'az-state'; readonly az: string; readonly state: ZoneState; readonly until?: Minute }
  /** Data-plane trouble seen in metrics; `nat: '*'` hits every gateway. `truth` says what users feel. */
  | {
      readonly at: Minute;
      readonly kind: 'packet-drops' | 'connection-failures';
      readonly nat: string;
      readonly rate: number;
      readonly until?: Minute;
      readonly pattern?: Pattern;
      readonly truth?: TruthStatus | 'noise';
    }
  | { readonly at: Minute; readonly kind: 'metrics-missing'; readonly nat: string; readonly until: Minute }
  /** Capacity trouble, never a failure: port-allocation errors per minute and/or extra active connections. */
  | { readonly at: Minute; readonly kind: 'capacity'; readonly nat: string; readonly portErrorsPerMinute?: number; readonly extraConnections?: number; readonly until?: Minute }
  | { readonly at: Minute; readonly kind: 'metrics-late'; readonly nat: string; readonly until: Minute; readonly minutes: number }
  /** ARC zonal shift / autoshift or an AWS Health event naming the AZ by its ID. */
  | { readonly at: Minute; readonly kind: 'evacuation'; readonly azId: string; readonly source: 'arc-zonal-shift' | 'aws-health'; readonly until?: Minute }
  | { readonly at: Minute; readonly kind: 'alarm'; readonly nat: string; readonly until?: Minute }
  /** Other callers (Terraform, the console) take `share` of the bucket's refill. */
  | { readonly at: Minute; readonly kind: 'throttling-storm'; readonly bucket: 'mutating' | 'nonMutating'; readonly share: number; readonly until: Minute }
  /** ReplaceRoute fails with a 5xx every time (the Retrier gives up) for the matching routes. */
  | { readonly at: Minute; readonly kind: 'write-error'; readonly until: Minute; readonly destination?: string; readonly table?: string }
  /** The run at `at` dies right after its `afterWrites`-th write. */
  | { readonly at: Minute; readonly kind: 'crash'; readonly afterWrites: number }
  /** A person repoints a route: during the run at `at` (after the plan, before the CAS re-read), or before it. */
  | { readonly at: Minute; readonly kind: 'human-edit'; readonly table: string; readonly to: string; readonly destination?: string; readonly duringRun: boolean }
  /**
   * A gray failure (issue 13): `nat` stays `available`, new connections through it fail. With
   * `inMetrics` its ConnectionEstablishedCount collapses too (what the metric rules see, minutes
   * late); without, its metrics stay normal and only the probes can see it. `at` may be fractional.
   */
  | { readonly at: Minute; readonly kind: 'gray-failure'; readonly nat: string; readonly until?: Minute; readonly inMetrics?: boolean }
  /** The probe targets are unreachable from every AZ (their outage, or the internet's): gateways are fine. */
  | { readonly at: Minute; readonly kind: 'probe-targets-down'; readonly until?: Minute }
  /** An operator pins every table homed in `az` away from `awayFrom` until `until` (maintenance). */
  | { readonly at: Minute; readonly kind: 'pin'; readonly az: string; readonly awayFrom: string; readonly until: Minute; readonly reason: string };

export type Expectation =
  /** Every managed table homed in `az` is on a healthy gateway in another AZ by minute from+within. */
  | { readonly kind: 'failover'; readonly az: string; readonly from: Minute; readonly within: Minute }
  /** Every managed zonal table is on its home gateway from minute `by` to the end. */
  | { readonly kind: 'home'; readonly by: Minute }
  | { readonly kind: 'no-route-change' }
  /** No table homed in `az` leaves its home gateway before minute `until` (or the end). */
  | { readonly kind: 'stays-home'; readonly az: string; readonly until?: Minute }
  | { readonly kind: 'finding'; readonly finding: FindingKind }
  | { readonly kind: 'conflict'; readonly table: string }
  /** After the run at `minute`, `table`'s IPv4 default route points at `target`. */
  | { readonly kind: 'target'; readonly table: string; readonly minute: Minute; readonly target: string }
  /** From minute `by`, every managed table's NAT64 route points where its IPv4 route does. */
  | { readonly kind: 'nat64-follows'; readonly by: Minute }
  | { readonly kind: 'max-route-changes'; readonly max: number }
  /** No automatic restore at all (route changes with transition `restore`). */
  | { readonly kind: 'no-restore' }
  /** Every table homed in `az` switched away within `seconds` of `from` (fractional minutes allowed). */
  | { readonly kind: 'switched-within'; readonly az: string; readonly from: Minute; readonly seconds: number };

export interface Scenario {
  readonly name: string;
  /** One line for docs/drills.md (scenario library) and `--list`. */
  readonly summary: string;
  readonly minutes: Minute;
  readonly world?: WorldOptions;
  readonly config?: Partial<Config>;
  readonly sim?: SimOptions;
  readonly faults: readonly Fault[];
  readonly expect: readonly Expectation[];
}

/**
 * What moto can express through the real AWS adapter: deleting or replacing gateways, and metrics
 * via PutMetricData. `approximate`: played, but the emulator's timing differs (a replacement gateway
 * is available at once), so the scenario's expectations are not graded.
 */
export function onEmulator(f: Fault): 'exact' | 'approximate' | 'no' {
  if (f.kind === 'nat-state') return f.state === 'deleted' ? 'exact' : 'no';
  if (f.kind === 'nat-replaced') return f.readyAfter === 0 ? 'exact' : 'approximate';
  return f.kind === 'packet-drops' || f.kind === 'connection-failures' || f.kind === 'metrics-missing' ? 'exact' : 'no';
}

export function describeFault(f: Fault): string {
  const end = 'until' in f && f.until !== undefined ? ` until T+${f.until}m` : '';
  switch (f.kind) {
    case 'nat-state':
      return `${f.nat} goes ${f.state}${end}`;
    case 'nat-replaced':
      return `${f.nat} deleted; replacement ${f.by} created in the same subnet (available after ${f.readyAfter} min)`;
    case 'blackhole':
      return `routes to ${f.nat} turn blackhole${end}`;
    case 'az-state':
      return `${f.az} is ${f.state}${end}`;
    case 'packet-drops':
    case 'connection-failures': {
      const p = f.pattern ?? { kind: 'steady' };
      const how = p.kind === 'steady' ? 'steady' : p.kind === 'intermittent' ? `intermittent (${Math.round(p.probability * 100)}% of minutes)` : `flapping (${p.onMinutes} min on / ${p.offMinutes} min off)`;
      const what = f.kind === 'packet-drops' ? `${(f.rate * 100).toFixed(1)}% packet drops` : `${Math.round(f.rate * 100)}% failed connections`;
      return `${f.nat === '*' ? 'every gateway' : f.nat}: ${what}, ${how}${end}${f.truth === 'noise' ? ' (harmless noise)' : ''}`;
    }
    case 'capacity': {
      const what = [
        ...(f.portErrorsPerMinute ? [`${f.portErrorsPerMinute} port-allocation errors/min`] : []),
        ...(f.extraConnections ? [`${f.extraConnections.toLocaleString('en-US')} extra active connections`] : []),
      ].join(', ');
      return `${f.nat}: ${what || 'capacity trouble'}${end} (capacity, not failure)`;
    }
    case 'metrics-missing':
      return `CloudWatch has no data for ${f.nat === '*' ? 'any gateway' : f.nat}${end}`;
    case 'metrics-late':
      return `CloudWatch data for ${f.nat === '*' ? 'every gateway' : f.nat} arrives ${f.minutes} min late${end}`;
    case 'evacuation':
      return `${f.source} evacuation away from ${f.azId} opens${end}`;
    case 'alarm':
      return `CloudWatch alarm on ${f.nat} enters ALARM${end}`;
    case 'throttling-storm':
      return `throttling storm: others take ${Math.round(f.share * 100)}% of the ${f.bucket} EC2 bucket${end}`;
    case 'write-error':
      return `ReplaceRoute${f.destination ? ` ${f.destination}` : ''} fails with 5xx${end}`;
    case 'crash':
      return `the controller crashes after ${f.afterWrites} write(s) of this run`;
    case 'human-edit':
      return `a person points ${f.table} ${f.destination ?? '0.0.0.0/0'} at ${f.to}${f.duringRun ? ' while the run is in flight' : ''}`;
    case 'gray-failure':
      return `${f.nat}: gray failure (available, new connections fail${f.inMetrics ? ', seen in its connection metrics' : ', metrics look normal'})${end}`;
    case 'probe-targets-down':
      return `the probe targets are unreachable from every AZ${end}`;
    case 'pin':
      return `operator pins ${f.az}'s tables away from ${f.awayFrom} until T+${f.until}m (${f.reason})`;
  }
}
