import { arr, date, type Json, obj, str, strings } from './read';
import type { ParsedEvent } from './types';
import { zoneTokens } from './zones';

/** Health service codes whose issues can take a NAT gateway's AZ down. */
export const HEALTH_SERVICES = ['EC2', 'VPC', 'NATGATEWAY'] as const;

/**
 * An AWS Health issue for EC2 / VPC / NAT gateway that names an AZ. AWS puts the AZ in different
 * places depending on the event: the API's `availabilityZone`, `eventMetadata`, the affected
 * entities, or only the description text ("... in a single Availability Zone (use1-az2) ...").
 * Structured fields win; the text is read only when they name no AZ.
 */
export function parseHealthEvent(event: Json): ParsedEvent {
  const trigger = 'health';
  const detail = obj(event.detail);
  const detailType = str(event['detail-type']);
  if (detailType !== undefined && detailType !== 'AWS Health Event') return { trigger, updates: [], ignored: `Health "${detailType}" is not about availability` };
  if (!detail) return { trigger, updates: [], ignored: 'malformed Health event: no detail' };
  const service = str(detail.service)?.toUpperCase();
  if (!service || !HEALTH_SERVICES.some((s) => s === service)) return { trigger, updates: [], ignored: `Health event for service ${service ?? '(none)'}, not ${HEALTH_SERVICES.join('/')}` };
  const category = str(detail.eventTypeCategory);
  if (category !== 'issue') return { trigger, updates: [], ignored: `Health ${category ?? '(no category)'} event, not an issue` };
  const key = str(detail.eventArn);
  if (!key) return { trigger, updates: [], ignored: 'malformed Health event: no detail.eventArn' };
  const status = str(detail.statusCode)?.toLowerCase();
  const at = date(event.time) ?? date(detail.lastUpdatedTime);
  const code = str(detail.eventTypeCode) ?? service;

  if (status === 'closed') {
    return { trigger, updates: [{ kind: 'evacuation-close', source: 'aws-health', key, at, detail: `${code} closed` }] };
  }
  if (status !== 'open') return { trigger, updates: [], ignored: `Health issue ${key} has status ${status ?? '(none)'}, not open or closed` };

  const structured = [
    ...strings(detail.availabilityZone),
    ...strings(detail.eventMetadata),
    ...arr(detail.affectedEntities).flatMap((e) => strings(obj(e)?.entityValue)),
    ...strings(event.resources),
  ];
  let zones = zoneTokens(structured.join(' '));
  if (zones.length === 0) {
    const text = arr(detail.eventDescription).flatMap((d) => strings(obj(d)?.latestDescription));
    zones = zoneTokens(text.join(' '));
  }
  if (zones.length === 0) return { trigger, updates: [], ignored: `Health issue ${key} names no Availability Zone: region-wide, nothing to evacuate` };
  return { trigger, updates: [{ kind: 'evacuation-open', source: 'aws-health', key, zones, at, detail: `${code} open` }] };
}
