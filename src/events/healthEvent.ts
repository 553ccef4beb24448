import { arr, date, type Json, obj, str, strings } from './read';
import type { ParsedEvent } from './types';
import { affectedZones, zoneTokens } from './zones';

/**
 * Health service codes whose issues can take a NAT gateway's AZ down. The largest AZ incidents are
 * posted under MULTIPLE_SERVICES (AWS_MULTIPLE_SERVICES_OPERATIONAL_ISSUE), not EC2.
 */
export const HEALTH_SERVICES = ['EC2', 'VPC', 'NATGATEWAY', 'MULTIPLE_SERVICES'] as const;

/** `arn:aws:health:<region>::event/<SERVICE>/<EVENT_TYPE_CODE>/<id>`: the service segment. */
const ARN_SERVICE = /^arn:aws[a-z-]*:health:[^:]*:[^:]*:event\/([A-Z0-9_]+)\//;

/**
 * An AWS Health issue for EC2 / VPC / NAT gateway / MULTIPLE_SERVICES that names an AZ. Shapes as
 * documented in "Reference: AWS Health events Amazon EventBridge schema"
 * (https://docs.aws.amazon.com/health/latest/ug/aws-health-events-eventbridge-schema.html):
 * `detail.service`, `eventTypeCategory` (issue | accountNotification | scheduledChange |
 * investigation), `statusCode` (open | closed | upcoming), `startTime` / `endTime` /
 * `lastUpdatedTime` (RFC 1123), `eventDescription[].latestDescription`, `affectedEntities`.
 *
 * Only `issue` events act (a scheduled change or a notification is not an outage); `open`
 * evacuates the AZs it names, `closed` ends it. The AZ comes from structured fields first
 * (`availabilityZone` as in the Health API's Event, `eventMetadata`, affected entities, the
 * envelope's `resources`); only when they name none is the description read, conservatively
 * (see affectedZones in ./zones). An issue that names no AZ is region-wide: nothing to evacuate.
 *
 * The event's own time is `lastUpdatedTime` (each update of the issue carries a later one; a
 * redelivered or retried old update keeps its old one), then `endTime`/`startTime`, then the
 * envelope's `time`.
 */
export function parseHealthEvent(event: Json): ParsedEvent {
  const trigger = 'health';
  const detail = obj(event.detail);
  const detailType = str(event['detail-type']);
  if (detailType !== undefined && detailType !== 'AWS Health Event') return { trigger, updates: [], ignored: `Health "${detailType.slice(0, 80)}" is not about availability` };
  if (!detail) return { trigger, updates: [], ignored: 'malformed Health event: no detail' };
  const key = str(detail.eventArn);
  const arnService = key ? ARN_SERVICE.exec(key)?.[1] : undefined;
  const service = (str(detail.service) ?? arnService)?.toUpperCase();
  // detail.service is what the EventBridge rule matches; the ARN's segment stands in when it is absent.
  if (!service || !HEALTH_SERVICES.some((h) => h === service)) {
    return { trigger, updates: [], ignored: `Health event for service ${(service ?? '(none)').slice(0, 64)}, not ${HEALTH_SERVICES.join('/')}` };
  }
  const category = str(detail.eventTypeCategory);
  if (category !== 'issue') return { trigger, updates: [], ignored: `Health ${(category ?? '(no category)').slice(0, 64)} event, not an issue` };
  if (!key) return { trigger, updates: [], ignored: 'malformed Health event: no detail.eventArn' };
  const status = str(detail.statusCode)?.toLowerCase();
  const code = (str(detail.eventTypeCode) ?? service ?? 'Health issue').slice(0, 80);
  const at = date(detail.lastUpdatedTime) ?? (status === 'closed' ? date(detail.endTime) : undefined) ?? date(detail.startTime) ?? date(event.time);

  const structured = zoneTokens(
    [
      ...strings(detail.availabilityZone),
      ...strings(detail.eventMetadata),
      ...arr(detail.affectedEntities).flatMap((e) => strings(obj(e)?.entityValue)),
      ...strings(event.resources),
    ].join(' '),
  );
  const text = arr(detail.eventDescription).flatMap((d) => strings(obj(d)?.latestDescription)).join('\n');
  const read = structured.length > 0 ? { affected: structured, spared: [] } : affectedZones(text);

  if (status === 'closed') {
    // A close ends its key wherever it was open; the AZs only say where to remember the close if it
    // arrives before its open. A resolved text reads every AZ as "recovered", so when no mention
    // reads as affected, every AZ it names is used (a close can never evacuate anything).
    const zones = read.affected.length > 0 ? read.affected : zoneTokens(text);
    return { trigger, updates: [{ kind: 'evacuation-close', source: 'aws-health', key, zones, at, detail: `${code} closed` }] };
  }
  if (status !== 'open') return { trigger, updates: [], ignored: `Health issue ${key.slice(0, 200)} has status ${(status ?? '(none)').slice(0, 32)}, not open or closed` };
  if (read.affected.length === 0) {
    const why = read.spared.length > 0 ? ` as impaired (it names ${read.spared.join(', ')} only as healthy or as where traffic went)` : '';
    return { trigger, updates: [], ignored: `Health issue ${key.slice(0, 200)} names no Availability Zone${why}: nothing to evacuate` };
  }
  return { trigger, updates: [{ kind: 'evacuation-open', source: 'aws-health', key, zones: read.affected, spared: read.spared, at, detail: `${code} open` }] };
}
