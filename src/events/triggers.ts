import { oneLine } from '../errors';
import { parseEvent } from './parse';
import type { ProbeVerdictUpdate, SignalUpdate } from './types';

/** What woke the controller, read from the EventBridge envelope; anything else is a manual invoke. */
export interface Trigger {
  readonly name: string;
  /** Alarm-driven and manual runs read metrics whatever the poll interval, for the evidence in the log. */
  readonly forceMetrics: boolean;
  /** What the event says about alarms and AZ evacuations, applied to the signal memory before observing. */
  readonly updates: readonly SignalUpdate[];
  /** Why the event brought nothing (unrelated, malformed, region-wide…): logged, then a plain run. */
  readonly ignored: string | undefined;
  /** A probe's verdict (the fast path): evidence for this run's probe judgement. */
  readonly probe: ProbeVerdictUpdate | undefined;
}

export function triggerOf(event: unknown): Trigger {
  const parsed = parseEvent(event);
  return {
    // Both quote the event (its source, detail-type, service): bounded, one line, for the log.
    name: oneLine(parsed.trigger, 200),
    forceMetrics: parsed.trigger === 'alarm' || parsed.trigger === 'invoke',
    updates: parsed.updates,
    ignored: parsed.ignored === undefined ? undefined : oneLine(parsed.ignored, 300),
    probe: parsed.probe,
  };
}
