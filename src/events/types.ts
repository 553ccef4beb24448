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
  /** When AWS emitted it (the event's `time`; undefined = unknown, read as "now"); ages count from here. */
  readonly at: Date | undefined;
  readonly detail: string;
}

export interface EvacuationClose {
  readonly kind: 'evacuation-close';
  readonly source: EvacuationSource;
  /** Same key as the open; `<source>:*` closes every signal of that source (an end without an AZ). */
  readonly key: string;
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

/** The whole reading of one event. `ignored` says why an event brought no update (for the log). */
export interface ParsedEvent {
  /** What woke the controller: schedule, alarm, health, arc, invoke, or source:detail-type. */
  readonly trigger: string;
  readonly updates: readonly SignalUpdate[];
  readonly ignored?: string;
}
