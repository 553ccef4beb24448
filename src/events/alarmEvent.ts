import { date, type Json, obj, str } from './read';
import type { ParsedEvent } from './types';

const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;

/** `CloudWatch Alarm State Change`: which alarm, which state, since when. */
export function parseAlarmEvent(event: Json): ParsedEvent {
  const detail = obj(event.detail);
  const alarmName = str(detail?.alarmName);
  const value = str(obj(detail?.state)?.value);
  const state = STATES.find((s) => s === value);
  if (!alarmName || !state) {
    return { trigger: 'alarm', updates: [], ignored: `malformed alarm event: ${!alarmName ? 'no detail.alarmName' : `state "${value ?? ''}"`}` };
  }
  const at = date(obj(detail?.state)?.timestamp) ?? date(event.time);
  return { trigger: 'alarm', updates: [{ kind: 'alarm-state', alarmName, state, at }] };
}
