import { parseAlarmEvent } from './alarmEvent';
import { parseArcEvent } from './arcEvent';
import { parseHealthEvent } from './healthEvent';
import { parseProbeEvent } from './probeEvent';
import { PROBE_EVENT_SOURCE } from '../core/probe';
import { obj, str } from './read';
import type { ParsedEvent } from './types';

/**
 * Reads whatever invoked the controller. Never throws: an event it cannot read is reported in
 * `ignored` and the run goes on as a plain level-triggered pass (which is always safe to make).
 */
export function parseEvent(event: unknown): ParsedEvent {
  try {
    const e = obj(event);
    const source = str(e?.source);
    const detailType = str(e?.['detail-type']);
    if (!e || !source) return { trigger: 'invoke', updates: [] };
    if (source === 'aws.events' && detailType === 'Scheduled Event') return { trigger: 'schedule', updates: [] };
    if (source === 'aws.cloudwatch') {
      if (detailType === 'CloudWatch Alarm State Change') return parseAlarmEvent(e);
      return { trigger: 'alarm', updates: [], ignored: `CloudWatch "${detailType ?? '(no detail-type)'}" is not an alarm state change` };
    }
    if (source === 'aws.health') return parseHealthEvent(e);
    if (source === 'aws.arc-zonal-shift') return parseArcEvent(e);
    if (source === PROBE_EVENT_SOURCE) return parseProbeEvent(e);
    const trigger = `${source}:${detailType ?? '(no detail-type)'}`.slice(0, 200);
    return { trigger, updates: [], ignored: `events from ${source} carry no signal the controller reads` };
  } catch (err) {
    return { trigger: 'invoke', updates: [], ignored: `unreadable event: ${(err as Error)?.message ?? String(err)}` };
  }
}
