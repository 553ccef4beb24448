import type { ProbeRound } from '../core/types';

/**
 * What an EventBridge event means to the controller, once parsed: updates to the signal memory.
 * Plain data, no SDK and no clock, so the simulator and the benchmark can feed the same updates
 * through any CloudPort.
 */

/** Who said an AZ should be evacuated. */
export type EvacuationSource = 'aws-health' | 'arc-autoshift' | 'arc-zonal-shift' | 'arc-fis-experiment';

/** An AZ must be left now, until `evacuation-close` for the same key or the maximum age. */
export interface EvacuationOpen {
  readonly kind: 'evacuation-open';
  readonly source: EvacuationSource;
  /** De-duplication key: Health event ARN, or the ARC shift's kind and AZ (ARC events carry no shift id). */
  readonly key: string;
  /** As written by AWS: AZ names (us-east-1a) or AZ ids (use1-az1); resolved against the inventory. */
  readonly zones: readonly string[];
  /** AZs the event names as healthy or as where traffic went: never evacuated by this event. */
  readonly spared?: readonly string[];
  /**
   * The event's own time (Health: `lastUpdatedTime`; ARC: the envelope's `time`), never its
   * arrival; undefined = unknown, read as "now". Ages count from here, and the latest event of a
   * key by this time (open or close) decides whether it is open.
   */
  readonly at: Date | undefined;
  readonly detail: string;
}

export interface EvacuationClose {
  readonly kind: 'evacuation-close';
  readonly source: EvacuationSource;
  /** Same key as the open. */
  readonly key: string;
  /**
   * AZs the close names, if any: where to remember it when it arrives before its open (delivery
   * is not ordered). It also ends the key wherever the key was open.
   */
  readonly zones: readonly string[];
  /** When AWS said it ended (the event's own time, as for the open); compared with the open's time. */
  readonly at: Date | undefined;
  readonly detail: string;
}

/** A managed alarm changed state; the run still reads every alarm, this only covers read lag. */
export interface AlarmStateChange {
  readonly kind: 'alarm-state';
  readonly alarmName: string;
  readonly state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  readonly at: Date | undefined;
}

export type SignalUpdate = EvacuationOpen | EvacuationClose | AlarmStateChange;

/** A probe's verdict (src/core/probe.ts), read from its event: evidence for this run only. */
export interface ProbeVerdictUpdate {
  readonly kind: 'probe-verdict';
  readonly vpcId: string;
  /** AZ name of the probe subnet. */
  readonly az: string;
  readonly natGatewayId?: string;
  readonly round: ProbeRound;
}

/** The whole reading of one event. `ignored` says why an event brought no update (for the log). */
export interface ParsedEvent {
  /** What woke the controller: schedule, alarm, health, arc, invoke, or source:detail-type. */
  readonly trigger: string;
  readonly updates: readonly SignalUpdate[];
  readonly ignored?: string;
  /**
   * A probe's verdict. Not a memory update: the same invocation's metric datum carries it to later
   * runs once CloudWatch has it, so the event only fills the publication lag of this run.
   */
  readonly probe?: ProbeVerdictUpdate;
}
