import { parseAlarmEvent } from './alarmEvent';
import { parseArcEvent } from './arcEvent';
import { parseHealthEvent } from './healthEvent';
import { parseProbeEvent } from './probeEvent';
import { PROBE_EVENT_SOURCE, PROBE_UNDELIVERED_ERROR } from '../core/probe';
import { obj, str } from './read';
import type { ParsedEvent } from './types';

/**
 * Reads whatever invoked the controller. Never throws: an event it cannot read is reported in
 * `ignored` and the run goes on as a plain level-triggered pass (which is always safe to make).
 */
export function parseEvent(event: unknown): ParsedEvent {
  try {
    const e = obj(event);
    const verdict = undeliveredVerdict(e);
    if (verdict !== undefined) return verdict;
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

/** Longest errorMessage read: a verdict with 20 results is a few KB. */
const UNDELIVERED_MAX_CHARS = 64 * 1024;

/**
 * A probe's failed verdict delivered by Lambda as the probe function's OnFailure destination: an
 * invocation record (requestContext, responsePayload) whose error is ProbeVerdictUndelivered with
 * the verdict event as JSON in its message (src/core/probe.ts). Anything else: undefined. A record
 * of another error, or an unreadable verdict, is a plain run that says why.
 */
function undeliveredVerdict(e: Record<string, unknown> | undefined): ParsedEvent | undefined {
  const context = obj(e?.requestContext);
  const payload = obj(e?.responsePayload);
  if (!context || !payload) return undefined;
  const trigger = 'probe-destination';
  if (str(payload.errorType) !== PROBE_UNDELIVERED_ERROR) {
    return { trigger, updates: [], ignored: `an invocation record of ${JSON.stringify(String(str(payload.errorType) ?? 'no error type').slice(0, 60))} carries no probe verdict` };
  }
  const message = str(payload.errorMessage);
  if (message === undefined || message.length > UNDELIVERED_MAX_CHARS) return { trigger, updates: [], ignored: 'probe verdict record without a readable errorMessage' };
  let inner: Record<string, unknown> | undefined;
  try {
    inner = obj(JSON.parse(message) as unknown);
  } catch {
    inner = undefined;
  }
  if (!inner || str(inner.source) !== PROBE_EVENT_SOURCE) return { trigger, updates: [], ignored: 'probe verdict record whose errorMessage is not a probe verdict event' };
  return { ...parseProbeEvent(inner), trigger: `${PROBE_EVENT_SOURCE}:destination` };
}
