import { parseEvent } from './parse';
import type { SignalUpdate } from './types';

/** What woke the controller, read from the EventBridge envelope; anything else is a manual invoke. */
export interface Trigger {
  readonly name: string;
  /** Alarm-driven and manual runs read metrics whatever the poll interval, for the evidence in the log. */
  readonly forceMetrics: boolean;
  /** What the event says about alarms and AZ evacuations, applied to the signal memory before observing. */
  readonly updates: readonly SignalUpdate[];
  /** Why the event brought nothing (unrelated, malformed, region-wide…): logged, then a plain run. */
  readonly ignored: string | undefined;
}

export function triggerOf(event: unknown): Trigger {
  const parsed = parseEvent(event);
  return {
    name: parsed.trigger,
    forceMetrics: parsed.trigger === 'alarm' || parsed.trigger === 'invoke',
    updates: parsed.updates,
    ignored: parsed.ignored,
  };
}
